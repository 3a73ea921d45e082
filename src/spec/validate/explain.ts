/**
 * From ajv's raw errors to findings, one readable message per place: union (anyOf/oneOf)
 * cascades collapse to the branch that fits the value's type, unknown keys get a did-you-mean,
 * and `x-message` annotations in the schema supply the wording for values that do not match.
 */
import type { PathSegment } from "../locations.js";
import { closest } from "./did-you-mean.js";
import type { RawError, SchemaNode } from "./schema.js";
import { keywordOf, nodeFor, schemaAt } from "./schema-nodes.js";
import { describeTypes, describeValue, jsonType } from "./wording.js";

export interface Finding {
  /** Model path the message is about (printed). */
  path: PathSegment[];
  /** Model path whose source position is reported (the offending key where there is one). */
  at: PathSegment[];
  message: string;
  hint?: string;
}

/** A raw error with its decoded instance path and the value found there. */
interface Located {
  err: RawError;
  path: PathSegment[];
  value: unknown;
  /** Set on errors synthesized from a failed union: the union's schema node. */
  union?: SchemaNode;
}

const UNINTERPOLATED = /\$(\{|[A-Za-z_])/;

export function explain(doc: unknown, raw: readonly RawError[]): Finding[] {
  // 1. Collapse unions. ajv reports a union's branch errors before the union error itself,
  //    so each anyOf/oneOf error absorbs the pending errors under its instance path.
  let pending: Located[] = [];
  const uninterpolated = new Set<string>();
  for (const err of raw) {
    if (err.keyword === "if") continue; // the `then` errors say what is wrong
    const located = locate(doc, err);
    // A value that still holds a `${VAR}` / `$VAR` expression was not interpolated
    // (`config --no-interpolate`): its final form is unknown, so its format is not judged.
    if (err.keyword === "pattern" && typeof located.value === "string" && UNINTERPOLATED.test(located.value)) {
      uninterpolated.add(JSON.stringify(located.path));
      continue;
    }
    if (err.keyword === "anyOf" || err.keyword === "oneOf") {
      const inside: Located[] = [];
      const rest: Located[] = [];
      for (const p of pending) (isUnder(p.path, located.path) ? inside : rest).push(p);
      // A branch only failed on an uninterpolated format: give the union the benefit of the doubt.
      pending = uninterpolated.has(JSON.stringify(located.path)) ? rest : [...rest, ...collapseUnion(located, inside)];
    } else {
      pending.push(located);
    }
  }

  // 2. One value message per path: an enum or pattern says more than a type mismatch.
  const valueRank: Record<string, number> = { enum: 0, const: 0, pattern: 1, minimum: 2, maximum: 2, type: 3 };
  const bestValue = new Map<string, Located>();
  const structural: Located[] = [];
  for (const l of pending) {
    const rank = valueRank[l.err.keyword];
    if (rank === undefined) {
      structural.push(l);
      continue;
    }
    const k = JSON.stringify(l.path);
    const prev = bestValue.get(k);
    if (!prev || rank < (valueRank[prev.err.keyword] ?? 9)) bestValue.set(k, l);
  }
  const keep = new Set<Located>([...structural, ...bestValue.values()]);
  const kept = pending.filter((l) => keep.has(l));
  return kept.map((l) => describe(l));
}

function collapseUnion(union: Located, inside: Located[]): Located[] {
  const vtype = jsonType(union.value);
  // Errors that only say "this branch wants another type" carry no information about
  // what the user meant; whatever remains comes from the branch(es) that fit the value.
  const specific = inside.filter((l) => {
    if (!samePath(l.path, union.path)) return true;
    if (l.err.keyword === "type") return false;
    if (l.err.keyword === "enum" || l.err.keyword === "const") {
      const allowed = (l.err.params["allowedValues"] as unknown[] | undefined) ?? [l.err.params["allowedValue"]];
      return allowed.some((a) => jsonType(a) === vtype || (vtype === "integer" && jsonType(a) === "number"));
    }
    return true;
  });
  if (specific.length > 0) return specific;
  const types = new Set<string>();
  for (const l of inside) {
    if (l.err.keyword !== "type" || !samePath(l.path, union.path)) continue;
    for (const t of asArray(l.err.params["type"])) types.add(String(t));
  }
  const unionRel = union.err.schemaPath.slice(0, union.err.schemaPath.lastIndexOf("/"));
  const unionNode = schemaAt(union.path).find((c) => c.rel === unionRel && keywordOf(c.node, union.err.keyword));
  return [
    {
      err: { ...union.err, keyword: "type", params: { type: [...types] } },
      path: union.path,
      value: union.value,
      ...(unionNode ? { union: unionNode.node } : {}),
    },
  ];
}

function describe(l: Located): Finding {
  const { err, path, value } = l;
  const p = err.params;
  const node = (): SchemaNode | undefined => l.union ?? nodeFor(l);
  switch (err.keyword) {
    case "additionalProperties": {
      const key = String(p["additionalProperty"]);
      return unknownKey(path, key, node());
    }
    case "required":
      return { path, at: path, message: `missing required attribute "${String(p["missingProperty"])}"` };
    case "type": {
      const custom = node()?.["x-message"];
      const types = asArray(p["type"]).map(String);
      return { path, at: path, message: `${custom ?? `must be ${describeTypes(types)}`} (got ${describeValue(value)})` };
    }
    case "pattern": {
      const custom = node()?.["x-message"];
      return { path, at: path, message: custom ? `${custom} (got ${describeValue(value)})` : `${describeValue(value)} does not match ${String(p["pattern"])}` };
    }
    case "enum": {
      const allowed = (p["allowedValues"] as unknown[] | undefined) ?? [];
      return { path, at: path, message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")} (got ${describeValue(value)})` };
    }
    case "const":
      return { path, at: path, message: `must be ${JSON.stringify(p["allowedValue"])}` };
    case "minimum":
    case "maximum": {
      const custom = node()?.["x-message"];
      const op = err.keyword === "minimum" ? ">=" : "<=";
      return { path, at: path, message: custom ?? `must be ${op} ${String(p["limit"])} (got ${describeValue(value)})` };
    }
    case "uniqueItems": {
      // ajv scans backwards: report the later occurrence, which is the one to remove.
      const first = Math.min(Number(p["i"]), Number(p["j"]));
      const dup = Math.max(Number(p["i"]), Number(p["j"]));
      const item: unknown = Array.isArray(value) ? (value as unknown[])[dup] : undefined;
      return {
        path,
        at: [...path, dup],
        message: `${describeValue(item)} is listed more than once (items ${first} and ${dup})`,
        hint: "remove the duplicate entry",
      };
    }
    case "not": {
      // Mutually exclusive attributes: point at the last of them in the mapping.
      const n = node();
      const exclusive = n?.not?.required ?? [];
      const present = isObject(value) ? Object.keys(value).filter((k) => exclusive.includes(k)) : [];
      const last = present.length > 1 ? present[present.length - 1] : undefined;
      const at = last !== undefined ? [...path, last] : path;
      return { path, at, message: n?.["x-not-message"] ?? "this combination of attributes is not allowed" };
    }
    case "oneOf":
      return { path, at: path, message: "matches more than one of the allowed forms" };
    default:
      return { path, at: path, message: `is invalid (${err.keyword})` };
  }
}

const NAME_PATTERN = "^[a-zA-Z0-9._-]+$";

function unknownKey(path: PathSegment[], key: string, node: SchemaNode | undefined): Finding {
  const at = [...path, key];
  const known = Object.keys(node?.properties ?? {});
  const patterns = Object.keys(node?.patternProperties ?? {}).filter((k) => k !== "^x-");
  if (known.length === 0 && patterns.length > 0) {
    // A map of user-chosen names (services, networks, environment...): the name is malformed.
    if (key === "") return { path, at, message: "empty keys are not allowed" };
    if (patterns.includes(NAME_PATTERN)) {
      return { path, at, message: `invalid name "${key}": only letters, digits, ".", "_" and "-" are allowed` };
    }
    return { path, at, message: `invalid key "${key}": must match ${patterns.join(" or ")}` };
  }
  const suggestion = closest(key, known);
  const message = `unknown attribute "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`;
  if (suggestion) return { path, at, message };
  const allowsExtensions = node?.patternProperties?.["^x-"] !== undefined;
  const hint =
    path.length === 0
      ? `top-level elements are ${known.map((k) => `"${k}"`).join(", ")}${allowsExtensions ? ' and "x-*" extensions' : ""}`
      : allowsExtensions
        ? 'remove it, or rename it with an "x-" prefix to keep it as an extension'
        : `allowed attributes here: ${known.join(", ")}`;
  return { path, at, message, hint };
}

function locate(doc: unknown, err: RawError): Located {
  const path: PathSegment[] = [];
  let value: unknown = doc;
  if (err.instancePath !== "") {
    for (const token of err.instancePath.slice(1).split("/")) {
      const seg = token.replace(/~1/g, "/").replace(/~0/g, "~");
      if (Array.isArray(value)) {
        const n = Number(seg);
        path.push(n);
        value = value[n];
      } else {
        path.push(seg);
        value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[seg] : undefined;
      }
    }
  }
  return { err, path, value };
}

function isUnder(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return path.length >= prefix.length && prefix.every((s, i) => path[i] === s);
}

function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && isUnder(a, b);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}
