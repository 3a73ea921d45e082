/**
 * Labels, annotations and the order of the output: the labels every object carries, which Compose
 * labels Kubernetes accepts as labels, and the stable order objects and keys are written in.
 */
import { isLabelKey, isLabelValue } from "../names.js";
import type { KubeObject } from "../types.js";

export const LABEL_NAME = "app.kubernetes.io/name";
export const LABEL_PART_OF = "app.kubernetes.io/part-of";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";

export function sortedRecord<T>(rec: Record<string, T>): Record<string, T> {
  return Object.fromEntries(sortedEntries(rec));
}

/** A record's entries in key order (so that the output does not depend on the file's order). */
export function sortedEntries<T>(rec: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Labels Kubernetes accepts stay labels; the others become annotations (keys permitting). */
export function validLabels(labels: Record<string, string> | undefined): { labels: Record<string, string>; annotations: Record<string, string> } {
  const out = { labels: {} as Record<string, string>, annotations: {} as Record<string, string> };
  for (const [k, v] of Object.entries(labels ?? {})) {
    const value = String(v ?? "");
    if (isLabelKey(k) && isLabelValue(value)) out.labels[k] = value;
    else if (isLabelKey(k)) out.annotations[k] = value;
  }
  return out;
}

const KIND_ORDER = ["Namespace", "Secret", "ConfigMap", "PersistentVolumeClaim", "Service", "Deployment", "StatefulSet", "DaemonSet", "Job", "NetworkPolicy"];

/** Stable order: by kind (what others need first), then by name. */
export function sortObjects(objects: KubeObject[]): KubeObject[] {
  const rank = (k: string): number => {
    const i = KIND_ORDER.indexOf(k);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...objects].sort((a, b) => rank(a.kind) - rank(b.kind) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}
