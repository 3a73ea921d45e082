/**
 * Normalization: one merged, interpolated, schema-valid raw document → the typed `ComposeModel`,
 * i.e. what `docker compose config --format json` prints. Everything goes to long syntax, paths
 * become absolute, resource names are filled in, implicit dependencies and the default network
 * are added, and values that interpolation left as strings are cast back to their types.
 *
 * Each service key is normalized by its row of the attribute table (`attributes/table.ts`); the
 * normalizers live in `normalize/` by concern (ports, volumes, networks, healthcheck, build,
 * deploy, develop, environment, secrets, the top-level resources).
 *
 * Pure: the environment, the working directory and file reading come in through the context.
 * Problems are collected as issues (with the source location), never thrown.
 */
import type { ComposeModel } from "./model.js";
import { isRawMap, type RawMap } from "./tags.js";
import { Normalizer, clone, type NormalizeContext } from "./normalize/normalizer.js";
import { fileObject, network, volume } from "./normalize/resources.js";
import { normalizeService } from "./normalize/service.js";

export type { NormalizeContext } from "./normalize/normalizer.js";
export { cleanPath } from "./normalize/normalizer.js";
export { parsePortSpec } from "./normalize/ports.js";
export { parseVolumeSpec } from "./normalize/volumes.js";

/** Normalize a merged, interpolated, schema-valid raw document into the typed model. Issues go to `ctx.issues`. */
export function normalizeModel(raw: RawMap, ctx: NormalizeContext): ComposeModel {
  const nz = new Normalizer(ctx);
  const model: ComposeModel = { name: ctx.projectName, services: {}, networks: {}, volumes: {}, secrets: {}, configs: {} };
  const services = isRawMap(raw["services"]) ? raw["services"] : {};
  for (const [name, svc] of Object.entries(services)) {
    model.services[name] = normalizeService(nz, name, isRawMap(svc) ? svc : {});
  }

  const rawNetworks = isRawMap(raw["networks"]) ? raw["networks"] : {};
  for (const [key, def] of Object.entries(rawNetworks)) model.networks[key] = network(nz, key, def);
  const usesDefault = Object.values(model.services).some((s) => s.networks !== undefined && "default" in s.networks);
  if (usesDefault && !("default" in model.networks)) model.networks["default"] = { name: `${ctx.projectName}_default` };

  const rawVolumes = isRawMap(raw["volumes"]) ? raw["volumes"] : {};
  for (const [key, def] of Object.entries(rawVolumes)) model.volumes[key] = volume(nz, key, def);
  const rawSecrets = isRawMap(raw["secrets"]) ? raw["secrets"] : {};
  for (const [key, def] of Object.entries(rawSecrets)) model.secrets[key] = fileObject(nz, "secrets", key, def);
  const rawConfigs = isRawMap(raw["configs"]) ? raw["configs"] : {};
  for (const [key, def] of Object.entries(rawConfigs)) model.configs[key] = fileObject(nz, "configs", key, def);

  const out = model as ComposeModel & Record<string, unknown>;
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith("x-")) out[k] = clone(v);
    else if (k === "models") out[k] = clone(v);
  }
  return model;
}
