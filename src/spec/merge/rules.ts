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

type KeyKind = "env" | "label" | "host";

export function entriesOf(v: unknown, kind: KeyKind): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item instanceof ResetTag) continue;
      const it = item instanceof OverrideTag ? item.value : item;
      if (it === null || it === undefined) continue;
      const s = String(it);
      let i = s.indexOf("=");
      if (i < 0 && kind === "host") i = s.indexOf(":");
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

export function appendUnique(identity: (item: unknown) => string): Merger {
  return (b, o) => {
    const out: unknown[] = [];
    const index = new Map<string, number>();
    for (const raw of [...listOf(b), ...listOf(o)]) {
      const item = clean(raw);
      if (item === REMOVED) continue;
      const id = identity(item);
      const at = index.get(id);
      if (at !== undefined) out[at] = item;
      else {
        index.set(id, out.length);
        out.push(item);
      }
    }
    return out;
  };
}

export const byValue = appendUnique((v) => (typeof v === "object" ? JSON.stringify(v) : String(v)));

export function cleanPath(p: string): string {
  if (p === "") return p;
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/** Container path of a service volume: `./a:/app:ro` → `/app`, `/data` → `/data`, long form → `target`. */
export function volumeTarget(v: unknown): string | undefined {
  if (typeof v === "string") {
    let parts = v.split(":");
    // A Windows source such as `C:\data` contains a colon of its own.
    if (parts.length > 2 && /^[a-zA-Z]$/.test(parts[0]!) && /^[\\/]/.test(parts[1]!)) parts = [`${parts[0]}:${parts[1]}`, ...parts.slice(2)];
    const target = parts.length === 1 ? parts[0]! : parts[1]!;
    return cleanPath(target);
  }
  if (isRawMap(v) && typeof v.target === "string") return cleanPath(v.target);
  return undefined;
}

/** Identity of a published port: host ip, published port(s), target port(s), protocol. */
export function portIdentity(p: unknown): string {
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
  extra_hosts: byKey("host"),
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
