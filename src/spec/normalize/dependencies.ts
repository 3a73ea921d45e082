/** `depends_on` (list or map form) and the dependencies other attributes imply (links, `service:` namespaces, volumes_from). */
import type { DependsOnCondition, DependsOnEntry, ServiceConfig } from "../model.js";
import { isRawMap } from "../tags.js";
import { clone, type Normalizer, type Path } from "./normalizer.js";

export function dependsOn(nz: Normalizer, v: unknown, p: Path): Record<string, DependsOnEntry> {
  const out: Record<string, DependsOnEntry> = {};
  if (Array.isArray(v)) {
    for (const s of v) out[String(s)] = { condition: "service_started", required: true };
  } else if (isRawMap(v)) {
    for (const [svc, val] of Object.entries(v)) {
      const d = isRawMap(val) ? val : {};
      const entry: DependsOnEntry = {
        condition: (typeof d["condition"] === "string" ? d["condition"] : "service_started") as DependsOnCondition,
        required: d["required"] === undefined ? true : nz.bool(d["required"], [...p, svc, "required"]) ?? true,
      };
      if (d["restart"] !== undefined && nz.bool(d["restart"], [...p, svc, "restart"]) === true) entry.restart = true;
      // x-* extensions of an entry are kept (compose-go's ServiceDependency has inline extensions)
      for (const [k, x] of Object.entries(d)) if (k.startsWith("x-")) entry[k as `x-${string}`] = clone(x);
      out[svc] = entry;
    }
  }
  return out;
}

export function implicitDependencies(s: ServiceConfig): void {
  const add = (svc: string, restart: boolean): void => {
    if (!svc) return;
    s.depends_on ??= {};
    if (svc in s.depends_on) return;
    const entry: DependsOnEntry = { condition: "service_started", required: true };
    if (restart) entry.restart = true;
    s.depends_on[svc] = entry;
  };
  for (const link of s.links ?? []) add(link.split(":")[0]!, true);
  for (const ns of [s.network_mode, s.ipc, s.pid, s.uts, s.cgroup]) {
    if (typeof ns === "string" && ns.startsWith("service:")) add(ns.slice("service:".length), true);
  }
  for (const from of s.volumes_from ?? []) {
    if (from.startsWith("container:")) continue;
    add(from.split(":")[0]!, false);
  }
}
