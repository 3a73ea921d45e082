/** Small helpers for command-line parsing: typed usage errors, number/list parsing, suggestions. */
import { UsageError } from "../errors.js";
import { editDistance } from "../spec/validate/did-you-mean.js";

/** The closest candidate within a distance that scales with the word length, if any. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(word.length / 3)) + (word.length > 4 ? 1 : 0);
  for (const c of candidates) {
    const dist = editDistance(word.replace(/^-+/, ""), c.replace(/^-+/, ""));
    if (dist < bestDistance && dist <= limit) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}

export function parseNonNegativeInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`invalid value "${value}" for ${flag}: expected a whole number`);
  return Number(value.trim());
}

export function parseInteger(flag: string, value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`invalid value "${value}" for ${flag}: expected an integer`);
  return Number(value.trim());
}

/** commander collector for repeatable options. */
/** A Docker-style boolean flag with an optional value: `--pause`, `--pause=false`, `--sig-proxy=0`. */
export function parseBoolFlag(flag: string, value: string | boolean): boolean {
  if (typeof value === "boolean") return value;
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  throw new UsageError(`invalid ${flag} "${value}": expected true or false`);
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--scale web=3` (repeatable) -> { web: 3 }. */
export function parseScale(values: readonly string[] | undefined): Record<string, number> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^([a-zA-Z0-9._-]+)=(\d+)$/.exec(v.trim());
    if (!m) throw new UsageError(`invalid --scale value "${v}": expected SERVICE=NUM`, "e.g. --scale web=3");
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Reject flags that cannot be combined, as Compose does. `pairs` are [flagA, setA, flagB, setB]. */
export function rejectTogether(a: string, aSet: unknown, b: string, bSet: unknown): void {
  if (isSet(aSet) && isSet(bSet)) throw new UsageError(`${a} and ${b} are incompatible`);
}

function isSet(v: unknown): boolean {
  if (v === undefined || v === false || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** Compose-style truthiness for environment variables (1, true, yes). */
export function envTrue(v: string | undefined): boolean {
  if (v === undefined) return false;
  return ["1", "true", "yes", "y", "on"].includes(v.trim().toLowerCase());
}
