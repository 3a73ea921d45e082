/** Label filters as the engine's `filters` query, and the client-side re-check. */
import type { LabelFilter } from "../engine.js";

/** `{"label": ["k=v", "k"]}` as the engine's `filters` JSON. */
export function labelFilters(labels: LabelFilter | undefined): string[] {
  return Object.entries(labels ?? {}).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
}

/**
 * Whether `labels` satisfy `filter` (every key: exact value, or presence). The engine filters
 * already; this re-checks client-side because Podman (4.x) ORs several `label` filters on volume
 * lists where Docker ANDs them.
 */
export function matchesLabels(labels: Record<string, string> | null | undefined, filter: LabelFilter | undefined): boolean {
  const have = labels ?? {};
  for (const [k, v] of Object.entries(filter ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(have, k)) return false;
    if (v !== undefined && have[k] !== v) return false;
  }
  return true;
}

/** The `filters` query parameter, without empty lists. */
export function filtersParam(filters: Record<string, string[]>): string {
  const clean: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(filters)) if (v.length > 0) clean[k] = v;
  return JSON.stringify(clean);
}
