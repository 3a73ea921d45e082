/**
 * The project-level objects: a PersistentVolumeClaim per named volume, a Secret per secret and a
 * ConfigMap per config (their contents read from files or the environment). External ones are the
 * cluster's already: only their data keys are recorded.
 */
import { toConfigKey } from "../names.js";
import type { ConvertContext } from "./context.js";
import { flotillaExtension } from "./kinds.js";
import { sortedEntries, validLabels } from "./metadata.js";

export const DEFAULT_VOLUME_SIZE = "1Gi";

function base64(data: Uint8Array | string): string {
  return Buffer.from(typeof data === "string" ? Buffer.from(data, "utf8") : data).toString("base64");
}

/** A PersistentVolumeClaim per named volume: size, storage class and access mode from `x-flotilla: {k8s}` or the options. */
export function addVolumeClaims(ctx: ConvertContext): void {
  const { model, options } = ctx;
  for (const [volName, vol] of sortedEntries(model.volumes)) {
    if (vol.external === true) continue;
    const x = flotillaExtension(vol as unknown as Record<string, unknown>);
    const size = typeof x["size"] === "string" ? x["size"] : (options.volumeSize ?? DEFAULT_VOLUME_SIZE);
    const storageClass = typeof x["storage_class"] === "string" ? x["storage_class"] : options.storageClass;
    const accessMode = typeof x["access_mode"] === "string" ? x["access_mode"] : "ReadWriteOnce";
    ctx.objects.push({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: ctx.meta(ctx.volTable.get(volName), validLabels(vol.labels).labels),
      spec: {
        accessModes: [accessMode],
        ...(storageClass !== undefined ? { storageClassName: storageClass } : {}),
        resources: { requests: { storage: size } },
      },
    });
  }
}

/** The content of a secret or config from the environment; a refusal when the variable is not set. */
function fromEnvironment(ctx: ConvertContext, section: "secrets" | "configs", name: string, variable: string): string | undefined {
  const data = ctx.input.environment[variable];
  if (data === undefined)
    ctx.note("refusal", `${section}.environment`, [section, name, "environment"], `the variable ${variable} is not set`, "set it in the environment or .env");
  return data;
}

/** An opaque Secret per secret, its content under one key. */
export function addSecrets(ctx: ConvertContext): void {
  for (const [name, s] of sortedEntries(ctx.model.secrets)) {
    const key = toConfigKey(name);
    ctx.secretKeys[name] = key;
    if (s.external === true) continue;
    let data: Uint8Array | string | undefined;
    if (s.file !== undefined) data = ctx.read(s.file, "secrets.file", ["secrets", name, "file"]);
    else if (s.environment !== undefined) data = fromEnvironment(ctx, "secrets", name, s.environment);
    if (data === undefined) continue;
    ctx.objects.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: ctx.meta(ctx.secretTable.get(name), validLabels(s.labels).labels),
      type: "Opaque",
      data: { [key]: base64(data) },
    });
  }
}

/** A ConfigMap per config, its content under one key (as `binaryData` when it is not UTF-8 text). */
export function addConfigMaps(ctx: ConvertContext): void {
  for (const [name, c] of sortedEntries(ctx.model.configs)) {
    const key = toConfigKey(name);
    ctx.configKeys[name] = key;
    if (c.external === true) continue;
    let data: Uint8Array | string | undefined;
    if (c.content !== undefined) data = c.content;
    else if (c.file !== undefined) data = ctx.read(c.file, "configs.file", ["configs", name, "file"]);
    else if (c.environment !== undefined) data = fromEnvironment(ctx, "configs", name, c.environment);
    if (data === undefined) continue;
    const text = typeof data === "string" ? data : Buffer.from(data).toString("utf8");
    const isText = typeof data === "string" || Buffer.from(text, "utf8").equals(Buffer.from(data));
    ctx.objects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: ctx.meta(ctx.configTable.get(name), validLabels(c.labels).labels),
      ...(isText ? { data: { [key]: text } } : { binaryData: { [key]: base64(data) } }),
    });
  }
}
