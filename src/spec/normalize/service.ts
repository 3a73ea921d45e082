/**
 * One service: every key normalized by its row of the attribute table (keys the table does not
 * know, such as x-* extensions, are kept as written), then what spans several keys: `env_file`
 * variables under `environment`, the default network, implicit dependencies, scale vs replicas.
 */
import { SERVICE_ATTRIBUTE_BY_KEY } from "../attributes/index.js";
import type { ServiceScope } from "../attributes/types.js";
import type { ServiceConfig } from "../model.js";
import type { RawMap } from "../tags.js";
import { uniqueBy } from "../merge/rules.js";
import { implicitDependencies } from "./dependencies.js";
import { clone, type Normalizer, type Path } from "./normalizer.js";

export function normalizeService(nz: Normalizer, name: string, raw: RawMap): ServiceConfig {
  const base: Path = ["services", name];
  const out: Record<string, unknown> = {};
  const scope: ServiceScope = { name, raw, out };
  for (const [key, v] of Object.entries(raw)) {
    const row = SERVICE_ATTRIBUTE_BY_KEY.get(key);
    if (row === undefined) {
      out[key] = clone(v);
      continue;
    }
    // Compose's unicity inside one file (across files the merge rule has applied it already).
    const entries = row.unique !== undefined && Array.isArray(v) ? uniqueBy(v, row.unique) : v;
    const value = row.normalize(nz, entries, [...base, key], scope);
    if (value !== undefined) out[key] = value;
  }
  const svc = out as ServiceConfig;
  if (scope.readEnvFiles !== undefined) {
    const merged: Record<string, string | null> = { ...scope.readEnvFiles(svc.environment ?? {}) };
    for (const [k, val] of Object.entries(svc.environment ?? {})) {
      // `environment` wins; a bare KEY the shell does not set keeps the env_file value.
      if (val !== null || !(k in merged)) merged[k] = val;
    }
    svc.environment = merged;
  }
  if (scope.labelFileLabels !== undefined && Object.keys(scope.labelFileLabels).length > 0) {
    svc.labels = { ...scope.labelFileLabels, ...(svc.labels ?? {}) };
  }
  if (svc.networks === undefined && svc.network_mode === undefined && raw["provider"] === undefined) {
    svc.networks = { default: null };
  }
  implicitDependencies(svc);
  const replicas = svc.deploy?.replicas;
  if (svc.scale !== undefined && replicas !== undefined && svc.scale !== replicas) {
    nz.issue("CONFIG_INVALID", [...base, "scale"], `scale (${svc.scale}) and deploy.replicas (${replicas}) disagree`, "set only one of them");
  }
  return svc;
}
