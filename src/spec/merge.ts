/**
 * Compose multi-file merge (Compose Specification "merge", compose-go `override/`), on raw
 * parsed documents. Pure and non-mutating: both inputs are left as they are and the result
 * shares no objects with them.
 *
 * - Mappings deep-merge, later wins; sequences append; a null in the later file keeps the
 *   earlier value; `x-*` extensions are replaced, not merged.
 * - `command`, `entrypoint`, `healthcheck.test` are replaced.
 * - `environment`, `labels`, `annotations`, `sysctls`, `extra_hosts`, `build.args`,
 *   `build.labels`, `build.additional_contexts`, `build.extra_hosts`, `deploy.labels` and
 *   resource `labels` merge by key; list (`KEY=VAL`, `host:ip`) and map forms are both read,
 *   and the result is in map form.
 * - List attributes append without duplicates, a later duplicate replacing the earlier one in
 *   place: `ports` (by host ip / published / target / protocol), `volumes` (by target path),
 *   `secrets` / `configs` (by target), `devices` (by container path), `env_file` (by path),
 *   `expose`, `dns*`, `cap_*`, `tmpfs`, `security_opt`, `profiles`, `links`, … (by value).
 * - `depends_on`, service `networks` and `models` merge as maps (list forms are expanded);
 *   `ulimits` by name; `build` given as a string becomes `{context}` first.
 * - `logging.options` merge only when the drivers are equal or one side has none.
 * - `!reset` in the later file removes the key; `!override` replaces without merging. Tags
 *   never reach the result (a `!reset` in the first file just means "absent").
 */
import { posix } from "node:path";
import { OverrideTag, ResetTag, isRawMap, type RawMap } from "./tags.js";

type Merger = (base: unknown, override: unknown) => unknown;

/** Merge a later Compose document over an earlier one. */
export function mergeDocuments(base: RawMap, override: RawMap): RawMap {
  return mergeMaps(cleanMap(base), override, TOP_RULES);
}

/** Merge one service definition over another (multi-file merge and `extends`). */
export function mergeService(base: RawMap, override: RawMap): RawMap {
  return mergeMaps(cleanMap(base), override, SERVICE_RULES);
}

// ---------------------------------------------------------------------------------------------
// Tags and copies

const REMOVED = Symbol("removed");

/** Deep copy without tags: `!reset` values disappear, `!override` values are unwrapped. */
function clean(v: unknown): unknown {
  if (v instanceof ResetTag) return REMOVED;
  if (v instanceof OverrideTag) return clean(v.value);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const item of v) {
      const c = clean(item);
      if (c !== REMOVED) out.push(c);
    }
    return out;
  }
  if (v !== null && typeof v === "object") {
    const out: RawMap = {};
    for (const [k, item] of Object.entries(v as RawMap)) {
      const c = clean(item);
      if (c !== REMOVED) setKey(out, k, c);
    }
    return out;
  }
  return v;
}

function cleanMap(m: RawMap): RawMap {
  const c = clean(m);
  return isRawMap(c) ? c : {};
}

function cleanOrNull(v: unknown): unknown {
  const c = clean(v);
  return c === REMOVED ? undefined : c;
}

function setKey(out: RawMap, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  else out[key] = value;
}

const has = (m: RawMap, k: string) => Object.prototype.hasOwnProperty.call(m, k);

// ---------------------------------------------------------------------------------------------
// Generic merge

/**
 * `base` is already clean (a fresh copy we may modify); `override` is raw and may carry tags.
 * Keys with a rule use it; others merge generically.
 */
function mergeMaps(base: RawMap, override: RawMap, rules: Readonly<Record<string, Merger>> = {}): RawMap {
  const out = base;
  for (const key of Object.keys(override)) {
    const ov = override[key];
    if (ov instanceof ResetTag) {
      delete out[key];
      continue;
    }
    if (ov instanceof OverrideTag) {
      const c = cleanOrNull(ov);
      if (c === undefined) delete out[key];
      else setKey(out, key, c);
      continue;
    }
    const rule = Object.prototype.hasOwnProperty.call(rules, key) ? rules[key] : undefined;
    if (!has(out, key) || key.startsWith("x-")) {
      const c = cleanOrNull(ov);
      if (c !== undefined) setKey(out, key, c);
      continue;
    }
    const bv = out[key];
    if (rule === replace) {
      setKey(out, key, clean(ov));
      continue;
    }
    if (ov === null || ov === undefined) continue; // a null in the later file keeps the earlier value
    if (bv === null || bv === undefined) {
      setKey(out, key, clean(ov));
      continue;
    }
    setKey(out, key, rule ? rule(bv, ov) : mergeGeneric(bv, ov));
  }
  return out;
}

function mergeGeneric(base: unknown, override: unknown): unknown {
  if (override instanceof ResetTag) return REMOVED;
  if (override instanceof OverrideTag) return clean(override.value);
  if (override === null || override === undefined) return base;
  if (isRawMap(base) && isRawMap(override)) return mergeMaps(base, override);
  if (Array.isArray(base) && Array.isArray(override)) return [...base, ...(clean(override) as unknown[])];
  return clean(override);
}

const replace: Merger = (_b, o) => clean(o);

function withRules(rules: Record<string, Merger>): Merger {
  return (b, o) => (isRawMap(b) && isRawMap(o) ? mergeMaps(b, o, rules) : clean(o));
}

/** A map of named entries, each merged with `entry` (services, top-level resources, ulimits…). */
function namedMap(entry: Merger, toMap: (v: unknown) => unknown = (v) => v): Merger {
  return (b, o) => {
    const bm = toMap(b);
    const om = toMap(o);
    if (!isRawMap(bm) || !isRawMap(om)) return clean(o);
    const out = bm;
    for (const name of Object.keys(om)) {
      const ov = om[name];
      if (ov instanceof ResetTag) {
        delete out[name];
        continue;
      }
      if (ov instanceof OverrideTag || !has(out, name)) {
        const c = cleanOrNull(ov);
        if (c !== undefined) setKey(out, name, c);
        continue;
      }
      const bv = out[name];
      if (ov === null || ov === undefined) continue;
      if (bv === null || bv === undefined) {
        setKey(out, name, clean(ov));
        continue;
      }
      const merged = entry(bv, ov);
      if (merged === REMOVED) delete out[name];
      else setKey(out, name, merged);
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// Merge by key (environment, labels, extra_hosts …)

type KeyKind = "env" | "label" | "host";

function entriesOf(v: unknown, kind: KeyKind): Map<string, unknown> {
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

function byKey(kind: KeyKind): Merger {
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

function listOf(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  return [v];
}

function appendUnique(identity: (item: unknown) => string): Merger {
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

const byValue = appendUnique((v) => (typeof v === "object" ? JSON.stringify(v) : String(v)));

function cleanPath(p: string): string {
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

function mountIdentity(defaultDir: string): (v: unknown) => string {
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

function deviceIdentity(v: unknown): string {
  if (typeof v === "string") {
    const parts = v.split(":");
    return parts.length > 1 ? parts[1]! : parts[0]!;
  }
  if (isRawMap(v)) return String(v.target ?? v.source ?? "");
  return JSON.stringify(v);
}

function pathIdentity(v: unknown): string {
  if (typeof v === "string") return v;
  if (isRawMap(v) && v.path !== undefined) return String(v.path);
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------
// Service attribute rules

function dependsOnMap(v: unknown): unknown {
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

function namesToMap(v: unknown): unknown {
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

const mergeLogging: Merger = (b, o) => {
  if (!isRawMap(b) || !isRawMap(o)) return clean(o);
  const bd = b.driver;
  const od = o.driver instanceof OverrideTag ? o.driver.value : o.driver;
  const sameOrUnset = bd === undefined || bd === null || od === undefined || od === null || bd === od;
  return sameOrUnset ? mergeMaps(b, o) : clean(o);
};

const ulimitEntry: Merger = (b, o) => (isRawMap(b) && isRawMap(o) ? mergeMaps(b, o) : clean(o));

const networkEntry: Merger = (b, o) =>
  isRawMap(b) && isRawMap(o) ? mergeMaps(b, o, { aliases: byValue, link_local_ips: byValue }) : clean(o);

const BUILD_RULES: Record<string, Merger> = {
  args: byKey("env"),
  labels: byKey("label"),
  additional_contexts: byKey("label"),
  extra_hosts: byKey("host"),
  tags: byValue,
  platforms: byValue,
  cache_from: byValue,
  cache_to: byValue,
};

const buildMap = (v: unknown): unknown => (typeof v === "string" ? { context: v } : v);
const mergeBuild: Merger = (b, o) => {
  const bm = buildMap(b);
  const om = buildMap(o);
  return isRawMap(bm) && isRawMap(om) ? mergeMaps(bm, om, BUILD_RULES) : clean(o);
};

const SERVICE_RULES: Record<string, Merger> = {
  command: replace,
  entrypoint: replace,
  healthcheck: withRules({ test: replace }),
  environment: byKey("env"),
  labels: byKey("label"),
  annotations: byKey("label"),
  sysctls: byKey("label"),
  extra_hosts: byKey("host"),
  build: mergeBuild,
  deploy: withRules({ labels: byKey("label") }),
  logging: mergeLogging,
  ulimits: namedMap(ulimitEntry),
  depends_on: namedMap((b, o) => mergeGeneric(b, o), dependsOnMap),
  networks: namedMap(networkEntry, namesToMap),
  models: namedMap((b, o) => mergeGeneric(b, o), namesToMap),
  ports: appendUnique(portIdentity),
  volumes: appendUnique((v) => volumeTarget(v) ?? JSON.stringify(v)),
  secrets: appendUnique(mountIdentity("/run/secrets")),
  configs: appendUnique(mountIdentity("")),
  devices: appendUnique(deviceIdentity),
  env_file: appendUnique(pathIdentity),
  label_file: appendUnique(pathIdentity),
  expose: byValue,
  dns: byValue,
  dns_search: byValue,
  dns_opt: byValue,
  cap_add: byValue,
  cap_drop: byValue,
  tmpfs: byValue,
  security_opt: byValue,
  profiles: byValue,
  links: byValue,
  external_links: byValue,
  group_add: byValue,
  device_cgroup_rules: byValue,
};

const serviceEntry: Merger = (b, o) => (isRawMap(b) && isRawMap(o) ? mergeMaps(b, o, SERVICE_RULES) : clean(o));

const RESOURCE_RULES: Record<string, Merger> = {
  labels: byKey("label"),
  ipam: withRules({ config: appendUnique((c) => (isRawMap(c) && c.subnet !== undefined ? `subnet:${String(c.subnet)}` : JSON.stringify(c))) }),
};
const resourceEntry: Merger = (b, o) => (isRawMap(b) && isRawMap(o) ? mergeMaps(b, o, RESOURCE_RULES) : clean(o));

const TOP_RULES: Record<string, Merger> = {
  services: namedMap(serviceEntry),
  networks: namedMap(resourceEntry),
  volumes: namedMap(resourceEntry),
  secrets: namedMap(resourceEntry),
  configs: namedMap(resourceEntry),
  models: namedMap(resourceEntry),
};
