/**
 * Merge rules for list and keyed attributes: merge by key (`environment`, `labels`,
 * `extra_hosts`…), append without duplicates by an identity (ports, volumes, secrets, devices…),
 * and the rules of the structured attributes (build, logging, depends_on, networks, ulimits).
 */
import { posix } from "node:path";
import { OverrideTag, ResetTag, isRawMap, type RawMap } from "../tags.js";
import { REMOVED, clean, mergeMaps, setKey, type Merger } from "./maps.js";

// ---------------------------------------------------------------------------------------------
// Merge by key (environment, labels, extra_hosts …)

type KeyKind = "env" | "label";

export function entriesOf(v: unknown, kind: KeyKind): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item instanceof ResetTag) continue;
      const it: unknown = item instanceof OverrideTag ? item.value : item;
      if (it === null || it === undefined) continue;
      const s = String(it);
      const i = s.indexOf("=");
      if (i < 0) m.set(s, kind === "label" ? "" : null);
      else m.set(s.slice(0, i), s.slice(i + 1));
    }
  } else if (isRawMap(v)) {
    for (const [k, val] of Object.entries(v)) m.set(k, val);
  } else if (typeof v === "string" && v !== "") {
    return entriesOf([v], kind);
  }
  return m;
}

export function byKey(kind: KeyKind): Merger {
  return (b, o) => {
    const merged = entriesOf(b, kind);
    for (const [k, val] of entriesOf(o, kind)) {
      if (val instanceof ResetTag) {
        merged.delete(k);
        continue;
      }
      merged.delete(k); // a redefined key moves to its new position, as in the later file
      merged.set(k, clean(val));
    }
    const out: RawMap = {};
    for (const [k, val] of merged) setKey(out, k, val);
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// Append without duplicates

export function listOf(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  return [v];
}

/** A merger that appends without duplicates; `identity` is also used to remove duplicates inside one file. */
export type UniqueMerger = Merger & { readonly identity: (item: unknown) => string };

/**
 * Compose's "unicity" (compose-go `override/uncity.go`): a later entry with the identity of an
 * earlier one replaces it at the earlier one's position.
 */
export function uniqueBy<T>(items: readonly T[], identity: (item: T) => string): T[] {
  const out: T[] = [];
  const index = new Map<string, number>();
  for (const item of items) {
    const id = identity(item);
    const at = index.get(id);
    if (at !== undefined) out[at] = item;
    else {
      index.set(id, out.length);
      out.push(item);
    }
  }
  return out;
}

export function appendUnique(identity: (item: unknown) => string): UniqueMerger {
  const merge: Merger = (b, o) => {
    const items = [...listOf(b), ...listOf(o)].map(clean).filter((item) => item !== REMOVED);
    return uniqueBy(items, identity);
  };
  return Object.assign(merge, { identity });
}

export function isUniqueMerger(m: Merger | undefined): m is UniqueMerger {
  return m !== undefined && typeof (m as Partial<UniqueMerger>).identity === "function";
}

// ---------------------------------------------------------------------------------------------
// extra_hosts (compose-go mergeExtraHosts): both sides as `host=ip` entries, the later file's
// entries appended unless the earlier file has them; a host may have several addresses.

/** `extra_hosts` (list `host=ip` / `host:ip`, or map `host: ip | [ip…]`) → `host=ip` entries, in order. */
export function extraHostEntries(v: unknown): string[] {
  const out: string[] = [];
  const add = (host: string, ip: unknown): void => {
    for (const one of String(ip).split(",")) out.push(`${host}=${one}`);
  };
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item instanceof ResetTag || item === null || item === undefined) continue;
      const s = String(item instanceof OverrideTag ? item.value : item);
      const eq = s.indexOf("=");
      const sep = eq >= 0 ? eq : s.indexOf(":");
      if (sep < 0) out.push(s); // invalid: kept for normalization to report
      else add(s.slice(0, sep), s.slice(sep + 1));
    }
  } else if (isRawMap(v)) {
    for (const host of Object.keys(v).sort()) {
      const ip = v[host];
      if (ip instanceof ResetTag) continue;
      const val = ip instanceof OverrideTag ? ip.value : ip;
      for (const one of Array.isArray(val) ? val : [val ?? ""]) add(host, one);
    }
  } else if (typeof v === "string" && v !== "") {
    return extraHostEntries([v]);
  }
  return out;
}

export const mergeExtraHosts: Merger = (b, o) => {
  const base = extraHostEntries(b);
  const seen = new Set(base);
  return [...base, ...extraHostEntries(o).filter((e) => !seen.has(e))];
};

// ---------------------------------------------------------------------------------------------
// IPAM pools (compose-go mergeIPAMConfig): a pool of the later file with the subnet of an earlier
// one is merged into it (its aux_addresses merged by name); other pools are appended.

export const mergeIpamConfig: Merger = (b, o) => {
  const out = listOf(b).map(clean).filter((c) => c !== REMOVED);
  const subnetOf = (c: unknown): unknown => (isRawMap(c) ? c["subnet"] : undefined);
  for (const raw of listOf(o)) {
    if (raw instanceof ResetTag) continue;
    const at = isRawMap(raw) ? out.findIndex((c) => isRawMap(c) && subnetOf(c) === subnetOf(raw)) : -1;
    if (at >= 0 && !(raw instanceof OverrideTag)) out[at] = mergeMaps(out[at] as RawMap, raw as RawMap, { aux_addresses: byKey("label") });
    else out.push(clean(raw));
  }
  return out;
};

/**
 * compose-go's identity of a service volume: its target as written. `/data` and `/data/` are two
 * entries (the consistency check then reports them as two mounts at one target).
 */
export const volumeIdentity = (v: unknown): string => volumeTarget(v, false) ?? JSON.stringify(v);

export const valueIdentity = (v: unknown): string => (typeof v === "object" ? JSON.stringify(v) : String(v));
export const byValue = appendUnique(valueIdentity);

export function cleanPath(p: string): string {
  if (p === "") return p;
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/**
 * Container path of a service volume: `./a:/app:ro` → `/app`, `/data` → `/data`, long form →
 * `target`; cleaned (`/data/` → `/data`) unless `clean` is false.
 */
export function volumeTarget(v: unknown, clean = true): string | undefined {
  const tidy = clean ? cleanPath : (p: string) => p;
  if (typeof v === "string") {
    let parts = v.split(":");
    // A Windows source such as `C:\data` contains a colon of its own.
    if (parts.length > 2 && /^[a-zA-Z]$/.test(parts[0]!) && /^[\\/]/.test(parts[1]!)) parts = [`${parts[0]}:${parts[1]}`, ...parts.slice(2)];
    const target = parts.length === 1 ? parts[0]! : parts[1]!;
    return tidy(target);
  }
  if (isRawMap(v) && typeof v.target === "string") return tidy(v.target);
  return undefined;
}

/** Identity of a published port: host ip (0.0.0.0 when unset, as compose-go), published port(s), target port(s), protocol. */
export function portIdentity(p: unknown): string {
  const id = rawPortIdentity(p);
  return id.startsWith("|") ? `0.0.0.0${id}` : id;
}

function rawPortIdentity(p: unknown): string {
  if (typeof p === "number") return `||${p}|tcp`;
  if (typeof p === "string") {
    let rest = p.trim();
    let proto = "tcp";
    const slash = rest.lastIndexOf("/");
    if (slash >= 0) {
      proto = rest.slice(slash + 1) || "tcp";
      rest = rest.slice(0, slash);
    }
    let ip = "";
    if (rest.startsWith("[")) {
      const close = rest.indexOf("]");
      if (close > 0) {
        ip = rest.slice(1, close);
        rest = rest.slice(close + 1).replace(/^:/, "");
      }
    }
    const parts = rest.split(":");
    let published = "";
    let target: string;
    if (parts.length === 1) target = parts[0]!;
    else if (parts.length === 2) [published, target] = [parts[0]!, parts[1]!];
    else {
      if (!ip) ip = parts.slice(0, -2).join(":");
      published = parts[parts.length - 2]!;
      target = parts[parts.length - 1]!;
    }
    return `${ip}|${published}|${target}|${proto}`;
  }
  if (isRawMap(p)) {
    const str = (x: unknown) => (x === undefined || x === null ? "" : String(x));
    return `${str(p.host_ip)}|${str(p.published)}|${str(p.target)}|${str(p.protocol) || "tcp"}`;
  }
  return JSON.stringify(p);
}

export function mountIdentity(defaultDir: string): (v: unknown) => string {
  const under = (name: string) => (name.startsWith("/") ? name : `${defaultDir}/${name}`);
  return (v) => {
    if (typeof v === "string") return under(v);
    if (isRawMap(v)) {
      if (typeof v.target === "string" && v.target !== "") return under(v.target);
      return under(String(v.source ?? ""));
    }
    return JSON.stringify(v);
  };
}

export function deviceIdentity(v: unknown): string {
  if (typeof v === "string") {
    const parts = v.split(":");
    return parts.length > 1 ? parts[1]! : parts[0]!;
  }
  if (isRawMap(v)) return String(v.target ?? v.source ?? "");
  return JSON.stringify(v);
}

export function pathIdentity(v: unknown): string {
  if (typeof v === "string") return v;
  if (isRawMap(v) && v.path !== undefined) return String(v.path);
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------
// Service attribute rules

export function dependsOnMap(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: RawMap = {};
    for (const item of v) {
      if (item instanceof ResetTag) continue;
      setKey(out, String(item instanceof OverrideTag ? item.value : item), { condition: "service_started", required: true });
    }
    return out;
  }
  return v;
}

export function namesToMap(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: RawMap = {};
    for (const item of v) {
      if (item instanceof ResetTag) continue;
      setKey(out, String(item instanceof OverrideTag ? item.value : item), null);
    }
    return out;
  }
  return v;
}

export const mergeLogging: Merger = (b, o) => {
  if (!isRawMap(b) || !isRawMap(o)) return clean(o);
  const bd = b.driver;
  const od = o.driver instanceof OverrideTag ? o.driver.value : o.driver;
  const sameOrUnset = bd === undefined || bd === null || od === undefined || od === null || bd === od;
  return sameOrUnset ? mergeMaps(b, o) : clean(o);
};

export const ulimitEntry: Merger = (b, o) => (isRawMap(b) && isRawMap(o) ? mergeMaps(b, o) : clean(o));

export const networkEntry: Merger = (b, o) =>
  isRawMap(b) && isRawMap(o) ? mergeMaps(b, o, { aliases: byValue, link_local_ips: byValue }) : clean(o);

export const BUILD_RULES: Record<string, Merger> = {
  args: byKey("env"),
  labels: byKey("label"),
  additional_contexts: byKey("label"),
  extra_hosts: mergeExtraHosts,
  tags: byValue,
  platforms: byValue,
  cache_from: byValue,
  cache_to: byValue,
};

export const buildMap = (v: unknown): unknown => (typeof v === "string" ? { context: v } : v);
export const mergeBuild: Merger = (b, o) => {
  const bm = buildMap(b);
  const om = buildMap(o);
  return isRawMap(bm) && isRawMap(om) ? mergeMaps(bm, om, BUILD_RULES) : clean(o);
};
