/** `develop.watch` rules and the lifecycle hooks (`post_start`, `pre_stop`, `pre_start`). */
import type { NormalizeFn } from "../attributes/types.js";
import type { WatchRule } from "../model.js";
import { isRawMap, type RawMap } from "../tags.js";
import { clone, type Normalizer, type Path } from "./normalizer.js";

export type DevelopConfig = { watch?: WatchRule[] };

export function develop(nz: Normalizer, v: unknown, p: Path): DevelopConfig {
  const d = (isRawMap(v) ? clone(v) : {});
  if (Array.isArray(d["watch"])) {
    d["watch"] = d["watch"].map((rule, i) => {
      const r = (isRawMap(rule) ? rule : {});
      const rp = [...p, "watch", i];
      const out = { ...r } as WatchRule & RawMap;
      if (typeof r["path"] === "string") out.path = nz.abs(r["path"]);
      if (r["include"] !== undefined) out.include = nz.stringList(r["include"]);
      if (r["ignore"] !== undefined) out.ignore = nz.stringList(r["ignore"]);
      if (r["initial_sync"] === undefined && r["x-initialSync"] !== undefined) {
        nz.warn([...rp, "x-initialSync"], "x-initialSync is deprecated: rename it to initial_sync");
        out.initial_sync = nz.bool(r["x-initialSync"], [...rp, "x-initialSync"]) ?? false;
      }
      if (r["initial_sync"] !== undefined) {
        const b = nz.bool(r["initial_sync"], [...rp, "initial_sync"]);
        if (b === undefined) delete out.initial_sync;
        else out.initial_sync = b;
      }
      if (isRawMap(r["exec"])) out.exec = hook(nz, r["exec"], [...rp, "exec"]) as WatchRule["exec"] & object;
      return out;
    });
  }
  return d;
}

export function hook(nz: Normalizer, h: unknown, p: Path): unknown {
  if (!isRawMap(h)) return clone(h);
  const out: RawMap = clone(h);
  if (h["command"] !== undefined) out["command"] = nz.command(h["command"], [...p, "command"]) ?? [];
  if (h["environment"] !== undefined) out["environment"] = nz.mapping(h["environment"], [...p, "environment"], (k) => nz.lookup(k));
  if (h["privileged"] !== undefined) out["privileged"] = nz.bool(h["privileged"], [...p, "privileged"]);
  if (h["per_replica"] !== undefined) out["per_replica"] = nz.bool(h["per_replica"], [...p, "per_replica"]);
  return out;
}

/** `post_start`, `pre_stop`: each hook's command, environment and flags cast. */
export const hooks: NormalizeFn<unknown> = (nz, v, p) => (Array.isArray(v) ? v.map((h, i) => hook(nz, h, [...p, i])) : clone(v));

/** `pre_start`: as the other hooks, and a step without an `image` runs the service's image (compose-go, compose-spec #647). */
export const initHooks: NormalizeFn<unknown> = (nz, v, p, scope) => {
  const out = hooks(nz, v, p, scope);
  const image = scope.raw["image"];
  if (!Array.isArray(out) || typeof image !== "string" || image === "") return out;
  return (out as unknown[]).map((h): unknown => (isRawMap(h) && h["image"] === undefined ? { ...h, image } : h));
};

/** `x-develop`, the experimental spelling: kept, and read as `develop` (with a warning) when there is no `develop`. */
export const xDevelop: NormalizeFn<unknown> = (nz, v, p, scope) => {
  if (scope.raw["develop"] === undefined) {
    nz.warn(p, "x-develop is deprecated: rename it to develop");
    scope.out["develop"] = develop(nz, v, p);
  }
  return clone(v);
};
