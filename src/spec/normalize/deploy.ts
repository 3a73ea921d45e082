/** `deploy` (replicas, labels, restart_policy cast) and `ulimits`. */
import type { DeployConfig, UlimitConfig } from "../model.js";
import { isRawMap, type RawMap } from "../tags.js";
import { clone, type Normalizer, type Path } from "./normalizer.js";

export function ulimits(nz: Normalizer, v: unknown, p: Path): Record<string, UlimitConfig> {
  const out: Record<string, UlimitConfig> = {};
  for (const [k, val] of Object.entries(isRawMap(v) ? v : {})) {
    if (isRawMap(val)) {
      const soft = nz.int(val["soft"], [...p, k, "soft"]);
      const hard = nz.int(val["hard"], [...p, k, "hard"]);
      if (soft !== undefined && hard !== undefined) out[k] = { soft, hard };
    } else {
      const n = nz.int(val, [...p, k]);
      if (n !== undefined) out[k] = { soft: n, hard: n };
    }
  }
  return out;
}

export function deploy(nz: Normalizer, v: unknown, p: Path): DeployConfig {
  const out = (isRawMap(v) ? clone(v) : {}) as NonNullable<DeployConfig> & RawMap;
  if (out["replicas"] !== undefined) {
    const n = nz.int(out["replicas"], [...p, "replicas"]);
    if (n === undefined) delete out.replicas;
    else out.replicas = n;
  }
  if (out["labels"] !== undefined) out.labels = nz.stringMap(out["labels"], [...p, "labels"]);
  const rp = out["restart_policy"];
  if (isRawMap(rp) && rp["max_attempts"] !== undefined) {
    const n = nz.int(rp["max_attempts"], [...p, "restart_policy", "max_attempts"]);
    if (n === undefined) delete rp["max_attempts"];
    else rp["max_attempts"] = n;
  }
  return out;
}
