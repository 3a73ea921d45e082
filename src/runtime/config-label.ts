/**
 * Flotilla's own container label, `io.flotilla.config`: what a recreate needs to say WHICH keys
 * changed ("config changed: environment.GREETING"), and nothing that could be a secret.
 *
 * Labels travel much further than a container's config: `docker ps --no-trunc`, every
 * `docker events` attribute list, and the monitoring tools that copy container labels into their
 * own metrics and logs. So the label holds no value at all — no environment value (from
 * `environment:` or `env_file:`), no command, entrypoint or healthcheck test (they can embed a
 * password), no hook, label value, extra host or driver option — only:
 *
 * - `v: 2` (the format; the old format was the service's JSON, values included),
 * - `salt`: 16 random bytes, drawn for each container when it is created,
 * - `keys`: for every leaf of the service config (the paths `diffServiceConfig` compares), a
 *   truncated HMAC-SHA256 keyed by the salt over `path NUL canonical-value`,
 * - `mounts`: the container paths the service mounts at (a recreate needs them to tell an image's
 *   anonymous volume from one the old config declared; they are in `docker inspect` anyway).
 *
 * Why a salt: an unsalted hash of a short secret is a dictionary lookup (precomputed tables of
 * common passwords), and equal values would show as equal hashes across containers and projects.
 * A random salt per container makes every table useless and every container's hashes unrelated.
 * The salt is public, so a weak secret can still be guessed offline one candidate at a time;
 * the hash is cut to 32 bits to blunt that too: whether to recreate is decided by the full
 * config hash (`com.docker.compose.config-hash`), the per-key hashes only EXPLAIN the change, so
 * a 1-in-4-billion miss costs nothing but the reason's precision, while a guesser sweeping a
 * large space meets a crowd of false matches.
 */
import { createHmac, randomBytes } from "node:crypto";
import { serviceConfigLeaves } from "../spec/hash.js";
import type { ServiceConfig } from "../spec/model.js";

export const CONFIG_LABEL = "io.flotilla.config";
/** Above this size the keys are left out of the label; recreates then say "config hash changed". */
export const CONFIG_LABEL_MAX = 16 * 1024;
export const CONFIG_LABEL_FORMAT = 2;

/** What the label says, parsed. `legacy`: the old format (the whole service, values included). */
export type StoredConfig =
  | { format: "keyed"; salt: string; keys?: Record<string, string>; mounts: string[] }
  | { format: "legacy"; config: ServiceConfig };

/** A fresh salt (hex), one per container. */
export function newSalt(): string {
  return randomBytes(16).toString("hex");
}

/** The truncated keyed hash of one leaf. */
export function keyHash(salt: string, path: string, canonicalValue: string): string {
  return createHmac("sha256", Buffer.from(salt, "hex")).update(path).update("\0").update(canonicalValue).digest("hex").slice(0, 8);
}

function hashedKeys(svc: ServiceConfig, salt: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, value] of serviceConfigLeaves(svc)) out[path] = keyHash(salt, path, value);
  return out;
}

function mountTargets(svc: ServiceConfig): string[] {
  const out = new Set<string>();
  for (const m of svc.volumes ?? []) out.add(m.target);
  for (const t of svc.tmpfs ?? []) out.add(t.split(":")[0] ?? t);
  return [...out].sort();
}

/** The label's value for a container made from `svc` (salt: `newSalt()`, given for tests). */
export function configLabelValue(svc: ServiceConfig, salt: string = newSalt()): string {
  const mounts = mountTargets(svc);
  const full = JSON.stringify({ v: CONFIG_LABEL_FORMAT, salt, mounts, keys: hashedKeys(svc, salt) });
  if (full.length <= CONFIG_LABEL_MAX) return full;
  return JSON.stringify({ v: CONFIG_LABEL_FORMAT, salt, mounts });
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
}

/** Parse the label; undefined when absent or unreadable. */
export function parseConfigLabel(raw: string | undefined): StoredConfig | undefined {
  if (!raw) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (o["v"] === undefined) return { format: "legacy", config: o };
  if (o["v"] !== CONFIG_LABEL_FORMAT || typeof o["salt"] !== "string" || !/^[0-9a-f]+$/.test(o["salt"])) return undefined;
  const mounts = Array.isArray(o["mounts"]) ? o["mounts"].filter((m): m is string => typeof m === "string") : [];
  const out: StoredConfig = { format: "keyed", salt: o["salt"], mounts };
  if (isStringRecord(o["keys"])) out.keys = o["keys"];
  return out;
}

/**
 * The keys whose value differs between the stored label and `svc` (added and removed keys
 * included), sorted; undefined when the label holds no keys (it was too large).
 */
export function changedKeys(stored: StoredConfig, svc: ServiceConfig): string[] | undefined {
  if (stored.format === "legacy") return undefined;
  if (!stored.keys) return undefined;
  const now = hashedKeys(svc, stored.salt);
  const out = new Set<string>();
  for (const k of new Set([...Object.keys(stored.keys), ...Object.keys(now)])) if (stored.keys[k] !== now[k]) out.add(k);
  return [...out].sort();
}

/**
 * Enough of the old service for `anonymousVolumesToInherit`, which only reads mount targets:
 * the legacy config as it was, or the stored targets as bare mounts.
 */
export function storedMountsConfig(stored: StoredConfig | undefined): ServiceConfig | undefined {
  if (!stored) return undefined;
  if (stored.format === "legacy") return stored.config;
  return { volumes: stored.mounts.map((target) => ({ type: "volume" as const, target })) };
}
