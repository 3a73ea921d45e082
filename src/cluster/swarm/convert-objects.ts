/**
 * The stack's own Swarm objects besides services: overlay networks (with a spec-hash label, since a
 * network cannot be updated and the plan reports a changed definition) and the secrets and configs
 * the services use, named `<stack>_<name>_<sha8>` so a content change rolls the services that use
 * them. External ones are referenced by name, never created. Pure.
 */
import { createHash } from "node:crypto";
import type { PathSegment } from "../../spec/locations.js";
import type { SecretConfig } from "../../spec/model.js";
import { canonicalJson } from "../../spec/hash.js";
import type { NetworkCreateSpec } from "../../runtime/engine.js";
import type { SwarmObjectSpec } from "../../runtime/engine-swarm.js";
import { prune, sortedBy, withStack, type ConvertContext } from "./convert-context.js";
import { contentHash8, LABEL_OBJECT, LABEL_SPEC_HASH, objectName } from "./names.js";

/** A secret or config to create (`spec.Name` carries the content hash). */
export interface DesiredObject {
  /** The key in the file. */
  key: string;
  spec: SwarmObjectSpec;
}

/** Swarm refuses longer secret and config names. */
const MAX_OBJECT_NAME = 64;

/** The networks the services join (keys in `used`), as created or as external names. */
export function convertNetworks(c: ConvertContext, used: Set<string>): { create: NetworkCreateSpec[]; external: string[] } {
  const model = c.model;
  const create: NetworkCreateSpec[] = [];
  const external: string[] = [];
  for (const key of [...used].sort()) {
    const net = model.networks[key];
    if (!net) continue;
    const name = objectName(c.stack, model.name, key, net.name, net.external);
    if (net.external) {
      external.push(name);
      continue;
    }
    const ipam = net.ipam;
    const spec: NetworkCreateSpec = prune({
      Name: name,
      Driver: net.driver ?? "overlay",
      Options: net.driver_opts,
      IPAM:
        ipam && (ipam.driver !== undefined || (ipam.config ?? []).length > 0 || ipam.options !== undefined)
          ? prune({
              Driver: ipam.driver,
              Config: ipam.config?.map((x) => prune({ Subnet: x.subnet, IPRange: x.ip_range, Gateway: x.gateway, AuxiliaryAddresses: x.aux_addresses })),
              Options: ipam.options,
            })
          : undefined,
      Internal: net.internal,
      Attachable: net.attachable,
      EnableIPv6: net.enable_ipv6,
      Labels: withStack(c.stack, net.labels),
    });
    // networks cannot be updated: the hash lets the plan say when the file's definition changed
    spec.Labels = { ...spec.Labels, [LABEL_SPEC_HASH]: createHash("sha256").update(canonicalJson(spec)).digest("hex") };
    create.push(spec);
  }
  return { create, external };
}

/** The secrets or configs the services use (one used only by a service a profile leaves out is not created). */
export function convertObjects(c: ConvertContext, kind: "secrets" | "configs"): { create: DesiredObject[]; external: string[] } {
  const model = c.model;
  const create: DesiredObject[] = [];
  const external: string[] = [];
  const names = kind === "secrets" ? c.secretNames : c.configNames;
  const used = new Set(Object.values(model.services).flatMap((svc) => (svc[kind] ?? []).map((r) => r.source)));
  for (const [key, def] of Object.entries(model[kind])) {
    if (!used.has(key)) continue;
    if (def.external) {
      const name = objectName(c.stack, model.name, key, def.name, true);
      names.set(key, name);
      external.push(name);
      continue;
    }
    const data = content(c, kind, key, def);
    if (data === undefined) continue;
    const base = objectName(c.stack, model.name, key, def.name, false);
    const name = `${base}_${contentHash8(data)}`;
    if (name.length > MAX_OBJECT_NAME) {
      c.issue([kind, key], `the Swarm name ${name} is longer than ${MAX_OBJECT_NAME} characters (stack, name and the 8-digit content hash)`, "use a shorter stack name, key or name:");
      continue;
    }
    names.set(key, name);
    create.push({
      key,
      spec: prune({
        Name: name,
        Labels: { ...withStack(c.stack, def.labels), [LABEL_OBJECT]: key },
        Data: Buffer.from(data).toString("base64"),
        Templating: def.template_driver !== undefined ? { Name: def.template_driver } : undefined,
      }),
    });
  }
  return { create: sortedBy(create, (o) => o.spec.Name), external: external.sort() };
}

function content(c: ConvertContext, kind: "secrets" | "configs", key: string, def: SecretConfig): Uint8Array | string | undefined {
  const path: PathSegment[] = [kind, key];
  if (def.file !== undefined) {
    try {
      return c.input.readFile(def.file);
    } catch (e) {
      c.issue([...path, "file"], `cannot read ${def.file}: ${(e as Error).message}`, "check that the file exists and is readable");
      return undefined;
    }
  }
  if (def.environment !== undefined) {
    const value = c.input.environment[def.environment];
    if (value === undefined) {
      c.issue([...path, "environment"], `variable ${def.environment} is not set`, `set ${def.environment} in the environment or in .env`);
      return undefined;
    }
    return value;
  }
  if (def.content !== undefined) return def.content;
  c.issue(path, `${kind === "secrets" ? "secret" : "config"} ${key} has no file, environment or content`, "add one, or mark it external: true");
  return undefined;
}
