/**
 * Compose durations, byte sizes and CPU counts as the numbers and quantities Kubernetes takes.
 */
import { parseBytes, parseDuration } from "../../../spec/units.js";

/** A duration in whole seconds (at least 1); `fallback` when absent or unreadable. */
export function seconds(d: string | number | undefined, fallback: number): number {
  if (d === undefined) return fallback;
  try {
    return Math.max(1, Math.ceil(parseDuration(d) / 1000));
  } catch {
    return fallback;
  }
}

/** Bytes as a Kubernetes quantity: the largest binary unit that divides it exactly. */
export function quantityOfBytes(v: string | number): string {
  const n = parseBytes(v);
  const units: [string, number][] = [
    ["Ti", 1024 ** 4],
    ["Gi", 1024 ** 3],
    ["Mi", 1024 ** 2],
    ["Ki", 1024],
  ];
  for (const [u, f] of units) if (n >= f && n % f === 0) return `${n / f}${u}`;
  return String(n);
}

/** CPUs (`0.5`, `"1.25"`) as a Kubernetes quantity in millicores when fractional. */
export function quantityOfCpus(v: string | number): string {
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}
