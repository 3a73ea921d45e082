/** `healthcheck`: a string test becomes ["CMD-SHELL", …]; retries and disable are cast. */
import type { HealthcheckConfig } from "../model.js";
import { isRawMap } from "../tags.js";
import { clone, scalarString, type Normalizer, type Path } from "./normalizer.js";

export function healthcheck(nz: Normalizer, v: unknown, p: Path): HealthcheckConfig {
  const h = isRawMap(v) ? v : {};
  const out = {} as NonNullable<HealthcheckConfig> & Record<string, unknown>;
  for (const [k, val] of Object.entries(h)) {
    switch (k) {
      case "test":
        if (typeof val === "string") out.test = ["CMD-SHELL", val];
        else if (Array.isArray(val)) out.test = val.map((x) => scalarString(x));
        break;
      case "retries": {
        const n = nz.int(val, [...p, k]);
        if (n !== undefined) out.retries = n;
        break;
      }
      case "disable": {
        const b = nz.bool(val, [...p, k]);
        if (b !== undefined) out.disable = b;
        break;
      }
      case "interval":
      case "timeout":
      case "start_period":
      case "start_interval":
        out[k] = String(val);
        break;
      default:
        out[k] = clone(val);
    }
  }
  return out;
}
