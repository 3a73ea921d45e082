/**
 * The generic merge of raw Compose documents: tags (`!reset`, `!override`) and copies, maps
 * deep-merged (later wins, a null in the later file keeps the earlier value), sequences appended
 * (`x-*` extensions too, at every level, as compose-go merges them),
 * and the rule combinators (`replace`, `withRules`, `namedMap`) the attribute table uses.
 */
import { OverrideTag, ResetTag, isRawMap, type RawMap } from "../tags.js";

export type Merger = (base: unknown, override: unknown) => unknown;

// ---------------------------------------------------------------------------------------------
// Tags and copies

export const REMOVED = Symbol("removed");

/** Deep copy without tags: `!reset` values disappear, `!override` values are unwrapped. */
export function clean(v: unknown): unknown {
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

export function cleanMap(m: RawMap): RawMap {
  const c = clean(m);
  return isRawMap(c) ? c : {};
}

export function cleanOrNull(v: unknown): unknown {
  const c = clean(v);
  return c === REMOVED ? undefined : c;
}

export function setKey(out: RawMap, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  else out[key] = value;
}

export const has = (m: RawMap, k: string) => Object.prototype.hasOwnProperty.call(m, k);

// ---------------------------------------------------------------------------------------------
// Generic merge

/**
 * `base` is already clean (a fresh copy we may modify); `override` is raw and may carry tags.
 * Keys with a rule use it; others merge generically.
 */
export function mergeMaps(base: RawMap, override: RawMap, rules: Readonly<Record<string, Merger>> = {}): RawMap {
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
    if (!has(out, key)) {
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

export function mergeGeneric(base: unknown, override: unknown): unknown {
  if (override instanceof ResetTag) return REMOVED;
  if (override instanceof OverrideTag) return clean(override.value);
  if (override === null || override === undefined) return base;
  if (isRawMap(base) && isRawMap(override)) return mergeMaps(base, override);
  if (Array.isArray(base) && Array.isArray(override)) return [...(base as unknown[]), ...(clean(override) as unknown[])];
  return clean(override);
}

export const replace: Merger = (_b, o) => clean(o);

export function withRules(rules: Record<string, Merger>): Merger {
  return (b, o) => (isRawMap(b) && isRawMap(o) ? mergeMaps(b, o, rules) : clean(o));
}

/** A map of named entries, each merged with `entry` (services, top-level resources, ulimits…). */
export function namedMap(entry: Merger, toMap: (v: unknown) => unknown = (v) => v): Merger {
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
