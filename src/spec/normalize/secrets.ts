/** A service's `secrets` and `configs` references (short names become `{source, target}`). */
import type { ServiceSecretRef } from "../model.js";
import { isRawMap, type RawMap } from "../tags.js";
import { clone, reorder, type Normalizer, type Path } from "./normalizer.js";

export function fileRefs(nz: Normalizer, v: unknown, p: Path, secret: boolean): ServiceSecretRef[] {
  const out: ServiceSecretRef[] = [];
  (Array.isArray(v) ? v : []).forEach((item, i) => {
    if (typeof item === "string") {
      out.push(secret ? { source: item, target: `/run/secrets/${item}` } : { source: item });
    } else if (isRawMap(item)) {
      const ref = clone(item) as ServiceSecretRef & RawMap;
      if (secret && (ref.target === undefined || ref.target === "")) ref.target = `/run/secrets/${ref.source}`;
      if (ref["mode"] !== undefined) {
        const m = nz.mode(ref["mode"], [...p, i, "mode"]);
        if (m === undefined) delete ref.mode;
        else ref.mode = m;
      }
      for (const k of ["uid", "gid"] as const) if (ref[k] !== undefined) ref[k] = String(ref[k]);
      out.push(reorder(ref, ["source", "target", "uid", "gid", "mode"]));
    }
  });
  return out;
}
