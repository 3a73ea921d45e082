/**
 * Compose multi-file merge (Compose Specification "merge", compose-go `override/`), on raw
 * parsed documents. Pure and non-mutating: both inputs are left as they are and the result
 * shares no objects with them.
 *
 * The rule of each service attribute is a column of the attribute table (`attributes/table.ts`);
 * the rules themselves live in `merge/maps.ts` (generic) and `merge/rules.ts` (lists and keys).
 *
 * - Mappings deep-merge, later wins; sequences append; a null in the later file keeps the
 *   earlier value; `x-*` extensions merge the same way (compose-go has no rule of its own for them).
 * - `command`, `entrypoint`, `healthcheck.test` are replaced.
 * - `environment`, `labels`, `annotations`, `sysctls`, `build.args`, `build.labels`,
 *   `build.additional_contexts`, `deploy.labels`, resource `labels` and `ipam.options` merge by
 *   key; list (`KEY=VAL`) and map forms are both read, and the result is in map form.
 * - `extra_hosts` (service and build) become `host=ip` entries: the later file's are appended
 *   unless the earlier file has the same entry, so one host keeps the addresses of both files.
 * - `ipam.config` pools merge by subnet (their `aux_addresses` by name); other pools append.
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

import { SERVICE_ATTRIBUTES } from "./attributes/table.js";
import { isRawMap, type RawMap } from "./tags.js";
import { clean, cleanMap, mergeMaps, namedMap, withRules, type Merger } from "./merge/maps.js";
import { byKey, mergeIpamConfig } from "./merge/rules.js";

export { portIdentity, volumeTarget } from "./merge/rules.js";

/** Merge a later Compose document over an earlier one. */
export function mergeDocuments(base: RawMap, override: RawMap): RawMap {
  return mergeMaps(cleanMap(base), override, TOP_RULES);
}

/** Merge one service definition over another (multi-file merge and `extends`). */
export function mergeService(base: RawMap, override: RawMap): RawMap {
  return mergeMaps(cleanMap(base), override, SERVICE_RULES);
}

/** The service rules, read from the attribute table (attributes without one merge generically). */
const SERVICE_RULES: Record<string, Merger> = Object.fromEntries(
  SERVICE_ATTRIBUTES.flatMap((a) => (a.merge !== undefined ? [[a.key, a.merge] as const] : [])),
);

const serviceEntry: Merger = (b, o) => (isRawMap(b) && isRawMap(o) ? mergeMaps(b, o, SERVICE_RULES) : clean(o));

const RESOURCE_RULES: Record<string, Merger> = {
  labels: byKey("label"),
  ipam: withRules({ config: mergeIpamConfig, options: byKey("label") }),
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
