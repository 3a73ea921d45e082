/** A service's `networks` (list or map form) and `extra_hosts`. */
import type { ServiceNetworkConfig } from "../model.js";
import { isRawMap, type RawMap } from "../tags.js";
import { clone, type Normalizer, type Path } from "./normalizer.js";

export function serviceNetworks(nz: Normalizer, v: unknown, p: Path): Record<string, ServiceNetworkConfig | null> {
  const out: Record<string, ServiceNetworkConfig | null> = {};
  if (Array.isArray(v)) {
    for (const n of v) out[String(n)] = null;
  } else if (isRawMap(v)) {
    for (const [k, val] of Object.entries(v)) {
      if (!isRawMap(val)) {
        out[k] = null;
        continue;
      }
      const cfg = clone(val) as ServiceNetworkConfig & RawMap;
      if (cfg["aliases"] !== undefined) cfg.aliases = nz.stringList(cfg["aliases"]);
      if (cfg["driver_opts"] !== undefined) cfg.driver_opts = nz.stringMap(cfg["driver_opts"], [...p, k, "driver_opts"]);
      for (const nk of ["priority", "gw_priority"] as const) {
        if (cfg[nk] !== undefined) {
          const n = nz.int(cfg[nk], [...p, k, nk]);
          if (n === undefined) delete cfg[nk];
          else cfg[nk] = n;
        }
      }
      out[k] = cfg;
    }
  }
  return out;
}

/**
 * `host=ip` strings, sorted, as Compose v2 prints them. `host=ip1,ip2` (or a list of addresses
 * in the map form) gives one entry per address; brackets around an IPv6 address are dropped.
 */
export function extraHosts(nz: Normalizer, v: unknown, p: Path): string[] {
  const out: string[] = [];
  const add = (host: string, ip: string): void => {
    for (const one of ip.split(",")) out.push(`${host}=${one.replace(/^\[(.*)\]$/, "$1")}`);
  };
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      const s = String(item);
      const eq = s.indexOf("=");
      const sep = eq >= 0 ? eq : s.indexOf(":");
      if (sep <= 0) {
        nz.issue("CONFIG_INVALID", [...p, i], `invalid extra host ${JSON.stringify(s)}`, "use host=ip");
        return;
      }
      add(s.slice(0, sep), s.slice(sep + 1));
    });
  } else if (isRawMap(v)) {
    for (const [host, ip] of Object.entries(v)) {
      for (const one of Array.isArray(ip) ? ip : [ip ?? ""]) add(host, String(one));
    }
  }
  return out.sort();
}
