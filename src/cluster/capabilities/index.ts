/**
 * The capabilities table: one row per model key path, one column per target beyond one host.
 * Each column is its own module; this file joins them. Pure data.
 */
import { kubernetesColumn } from "./kubernetes.js";
import { swarmColumn } from "./swarm.js";
import type { Capability, CapabilityColumn, Target } from "./types.js";

export type { Capability, CapabilityColumn, Target } from "./types.js";
export { modelKeyPaths, SECTIONS, type Section } from "./keys.js";
export { swarmColumn } from "./swarm.js";
export { kubernetesColumn } from "./kubernetes.js";

/** One column per target. */
export const columns: Readonly<Record<Target, CapabilityColumn>> = {
  swarm: swarmColumn,
  kubernetes: kubernetesColumn,
};

/** One row: what each target does with a key path. */
export function capabilityRow(path: string): Partial<Record<Target, Capability>> {
  const row: Partial<Record<Target, Capability>> = {};
  for (const [target, column] of Object.entries(columns) as [Target, CapabilityColumn][]) {
    const cap = column[path];
    if (cap !== undefined) row[target] = cap;
  }
  return row;
}

/** The whole table for the given key paths (e.g. `modelKeyPaths(schema)`). */
export function capabilityTable(paths: readonly string[]): { path: string; row: Partial<Record<Target, Capability>> }[] {
  return paths.map((path) => ({ path, row: capabilityRow(path) }));
}
