/**
 * `config` output: the model as JSON or YAML with Compose's key order. Top level: name,
 * services, networks, volumes, secrets, configs, models, then x-* (empty sections omitted).
 * Structs follow the field order of compose-go's Go types; maps (services, environment,
 * labels, networks, depends_on…) are sorted by key, as Go's encoders do. A service's key order
 * and each key's shape are columns of the attribute table. Pure.
 */
import { Document, isScalar, visit } from "yaml";
import { SERVICE_ATTRIBUTES } from "./attributes/table.js";
import type { ComposeModel } from "./model.js";
import { MODEL, listOf, mapOf, struct, type Shape } from "./serialize/shapes.js";

/** A service: the table's keys in its order, each printed by its shape. */
const SERVICE = struct(
  SERVICE_ATTRIBUTES.filter((a) => !("printUnordered" in a)).map((a) => a.key),
  Object.fromEntries(SERVICE_ATTRIBUTES.flatMap((a) => ("print" in a && a.print !== undefined ? [[a.key, a.print] as const] : []))),
);

const NETWORK = struct(["name", "driver", "driver_opts", "ipam", "external", "internal", "attachable", "labels", "enable_ipv4", "enable_ipv6"], {
  driver_opts: mapOf(),
  labels: mapOf(),
  ipam: struct(["driver", "config", "options"], {
    config: listOf(struct(["subnet", "gateway", "ip_range", "aux_addresses"], { aux_addresses: mapOf() })),
    options: mapOf(),
  }),
});
const VOLUME = struct(["name", "driver", "driver_opts", "external", "labels"], { driver_opts: mapOf(), labels: mapOf() });
const FILE_OBJECT = struct(["name", "file", "environment", "content", "external", "labels", "driver", "driver_opts", "template_driver"], {
  labels: mapOf(),
  driver_opts: mapOf(),
});

const TOP_SECTIONS: Record<string, Shape> = {
  services: mapOf(SERVICE),
  networks: mapOf(NETWORK),
  volumes: mapOf(VOLUME),
  secrets: mapOf(FILE_OBJECT),
  configs: mapOf(FILE_OBJECT),
  models: mapOf(MODEL),
};

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function order(v: unknown, shape: Shape | null): unknown {
  if (shape !== null && "scalar" in shape) return shape.scalar(v);
  if (v === null || typeof v !== "object" || shape === null) return v;
  if ("list" in shape) return Array.isArray(v) ? v.map((x) => order(x, shape.list)) : v;
  if (Array.isArray(v)) return v;
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if ("map" in shape) {
    for (const k of Object.keys(src).sort(byKey)) if (src[k] !== undefined) out[k] = order(src[k], shape.map);
    return out;
  }
  // Known fields in struct order; then unknown non-extension keys sorted; then x-* (inline extensions), sorted.
  for (const k of shape.struct) if (src[k] !== undefined) out[k] = order(src[k], shape.fields?.[k] ?? null);
  const rest = Object.keys(src).filter((k) => !(k in out) && src[k] !== undefined);
  for (const k of rest.filter((k) => !k.startsWith("x-")).sort(byKey)) out[k] = src[k];
  for (const k of rest.filter((k) => k.startsWith("x-")).sort(byKey)) out[k] = src[k];
  return out;
}

/** The model as a plain object in Compose's key order, empty top-level sections left out. */
export function orderModel(model: ComposeModel, opts: { json?: boolean } = {}): Record<string, unknown> {
  const src = model as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { name: model.name };
  for (const [section, shape] of Object.entries(TOP_SECTIONS)) {
    const value = src[section];
    if (value === null || typeof value !== "object" || Object.keys(value).length === 0) continue;
    let v = value as Record<string, unknown>;
    if (section === "services" && opts.json) {
      // Go's ServiceConfig has no omitempty on command/entrypoint for JSON: they print as null.
      v = Object.fromEntries(
        Object.entries(v).map(([name, s]) => [name, { ...(s as object), command: (s as Record<string, unknown>)["command"] ?? null, entrypoint: (s as Record<string, unknown>)["entrypoint"] ?? null }]),
      );
    }
    out[section] = order(v, shape);
  }
  for (const k of Object.keys(src).filter((k) => k.startsWith("x-")).sort(byKey)) out[k] = src[k];
  return out;
}

/** How `config` prints: `escape` (the default) writes every `$` of a value as `$$`. */
export interface PrintOptions {
  /**
   * As `docker compose config` does unless `--no-interpolate`: the model is already interpolated,
   * so a literal `$` is written `$$` and the output, loaded again with interpolation, gives the
   * same model. Compose escapes the whole output text, mapping keys too; keys are never
   * interpolated, so here only values are (a key with a `$` loads back as written).
   */
  escape?: boolean;
}

/** Every string value with `$` written as `$$` (keys unchanged). */
function escapeDollars(v: unknown): unknown {
  if (typeof v === "string") return v.includes("$") ? v.replaceAll("$", "$$$$") : v;
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === "__proto__") Object.defineProperty(out, k, { value: escapeDollars(x), writable: true, enumerable: true, configurable: true });
    else out[k] = escapeDollars(x);
  }
  return out;
}

function printable(model: ComposeModel, json: boolean, opts: PrintOptions): Record<string, unknown> {
  const ordered = orderModel(model, { json });
  return opts.escape === false ? ordered : (escapeDollars(ordered) as Record<string, unknown>);
}

export function modelToJson(model: ComposeModel, opts: PrintOptions = {}): string {
  return JSON.stringify(printable(model, true, opts), null, 2);
}

/** Strings a YAML 1.1 reader would take for a boolean or null are quoted too (the core schema already quotes numbers and true/false/null). */
const AMBIGUOUS = /^(y|n|yes|no|on|off|true|false|null|~|)$/i;

export function modelToYaml(model: ComposeModel, opts: PrintOptions = {}): string {
  const doc = new Document(printable(model, false, opts), { version: "1.2" });
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === "string" && AMBIGUOUS.test(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString({ indentSeq: true, lineWidth: 0 });
}
