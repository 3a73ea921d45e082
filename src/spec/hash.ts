/**
 * The service config hash (the `com.docker.compose.config-hash` label): sha256 of a canonical
 * JSON of the service without what does not affect the container — build, pull_policy, scale,
 * deploy.replicas, depends_on, profiles, develop and Compose's own `com.docker.compose.*` labels.
 * Canonical = keys sorted recursively, undefined dropped, so key order never changes the hash.
 */
import { createHash } from "node:crypto";
import type { ServiceConfig } from "./model.js";

const COMPOSE_LABEL_PREFIX = "com.docker.compose.";
const IGNORED = ["build", "pull_policy", "scale", "depends_on", "profiles", "develop"] as const;

/** The part of a service that decides whether its containers must be recreated. */
function hashable(service: ServiceConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...service };
  for (const k of IGNORED) delete out[k];
  if (service.deploy) {
    const { replicas: _replicas, ...rest } = service.deploy;
    if (Object.keys(rest).length > 0) out["deploy"] = rest;
    else delete out["deploy"];
  }
  if (service.labels) {
    const labels = Object.fromEntries(Object.entries(service.labels).filter(([k]) => !k.startsWith(COMPOSE_LABEL_PREFIX)));
    if (Object.keys(labels).length > 0) out["labels"] = labels;
    else delete out["labels"];
  }
  return out;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : canonical(x)));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

/** Canonical JSON text (sorted keys at every level). */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(canonical(v));
}

export function serviceConfigHash(service: ServiceConfig): string {
  return createHash("sha256").update(canonicalJson(hashable(service))).digest("hex");
}

/** A network's or volume's definition, hashed (stored as its config-hash label, compared on `up`). */
export function resourceConfigHash(config: object): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex");
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * The dotted paths that differ between two services, with the same exclusions as the hash:
 * maps are compared key by key down to the leaves (`environment.GREETING`), arrays as a whole
 * (`ports`). Sorted; empty when the hashes are equal.
 */
export function diffServiceConfig(a: ServiceConfig, b: ServiceConfig): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (isPlainObject(x) && isPlainObject(y)) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const k of keys) {
        if (x[k] === undefined && y[k] === undefined) continue;
        walk(x[k], y[k], path ? `${path}.${k}` : k);
      }
      return;
    }
    if (canonicalJson(x ?? null) !== canonicalJson(y ?? null)) out.push(path);
  };
  walk(hashable(a), hashable(b), "");
  return out.sort();
}

/**
 * The leaves `diffServiceConfig` compares, as `path → canonical JSON of the value`, with the same
 * exclusions as the hash: maps are walked key by key (`environment.GREETING`), arrays and scalars
 * are leaves (`ports`), and an empty map is a leaf of its own (so `environment: {}` is not absent).
 */
export function serviceConfigLeaves(service: ServiceConfig): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, path: string): void => {
    if (isPlainObject(v)) {
      const keys = Object.keys(v).filter((k) => v[k] !== undefined);
      if (keys.length > 0 || path === "") {
        for (const k of keys) walk(v[k], path ? `${path}.${k}` : k);
        return;
      }
    }
    out.set(path, canonicalJson(v));
  };
  walk(hashable(service), "");
  return out;
}
