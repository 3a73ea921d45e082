/**
 * What both YAML readers share (the event reader for well-formed files, the full `yaml` reader
 * for the rest): the YAML 1.2 core reading of plain scalars, Compose's legacy octal, the alias
 * guard and how a key is defined on a result object.
 */
import type { RawMap } from "./tags.js";
import { formatPath, type PathSegment } from "./locations.js";

export const RESET_TAG = "!reset";
export const OVERRIDE_TAG = "!override";

/**
 * A plain integer written with a leading zero (`0400`). Compose's YAML reader (go-yaml v3) takes it
 * as octal, as YAML 1.1 did; a YAML 1.2 reader takes it as decimal. File modes are written this
 * way (`mode: 0400` means r--------), so reading 400 would grant group write: read it as Compose does.
 */
export const LEGACY_OCTAL = /^[-+]?0[0-7]+$/;

/** The value of a legacy octal literal, and the warning it earns outside a `mode` key (undefined there). */
export function legacyOctal(source: string, path: readonly PathSegment[], where: () => string): { value: number; warning?: string } {
  const negative = source.startsWith("-");
  const digits = source.replace(/^[-+]/, "");
  const value = Number.parseInt(digits, 8) * (negative ? -1 : 1);
  if (path[path.length - 1] === "mode") return { value };
  return {
    value,
    warning: `${where()}${formatPath(path)}: ${source} is read as octal, i.e. ${value} (as Compose reads a leading zero); quote it ("${source}") to keep the digits`,
  };
}

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const INT_OCT = /^0o[0-7]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** First characters a plain scalar that is not a string can start with. */
const NON_STRING_START = /^[-+.0-9~nNtTfF]|^$/;

/** A plain scalar read with the YAML 1.2 core schema (as the `yaml` package reads it). */
export function coreScalar(s: string): string | number | boolean | null {
  if (!NON_STRING_START.test(s)) return s;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === "t" || s[0] === "T";
  if (INT_OCT.test(s)) return Number.parseInt(s.slice(2), 8);
  if (INT.test(s)) return Number.parseInt(s, 10);
  if (INT_HEX.test(s)) return Number.parseInt(s.slice(2), 16);
  if (FLOAT_SPECIAL.test(s)) return s.slice(-3).toLowerCase() === "nan" ? NaN : s[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return Number.parseFloat(s);
  return s;
}

/**
 * The alias guard follows the rule go-yaml (and so Compose) applies: refuse when most of the
 * decoded nodes come from alias expansion and the document is large. yaml's own
 * `maxAliasCount` (per anchor, default 100) would also refuse a legitimate file that merges
 * one `x-defaults` anchor into more than 100 services.
 */
function allowedAliasRatio(decoded: number): number {
  if (decoded <= 400_000) return 0.99;
  if (decoded >= 4_000_000) return 0.1;
  return 0.99 - (0.89 * (decoded - 400_000)) / 3_600_000;
}
const HARD_NODE_LIMIT = 10_000_000;

export class AliasBomb extends Error {}

/** Counts decoded nodes (those reached through an alias apart) and throws AliasBomb past the guard. */
export class NodeCounter {
  decoded = 0;
  decodedInAlias = 0;

  count(inAlias: boolean): void {
    this.decoded++;
    if (inAlias) this.decodedInAlias++;
    if (
      (this.decodedInAlias > 100 && this.decoded > 1000 && this.decodedInAlias / this.decoded > allowedAliasRatio(this.decoded)) ||
      this.decoded > HARD_NODE_LIMIT
    ) {
      throw new AliasBomb();
    }
  }
}

export function defineKey(out: RawMap, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  else out[key] = value;
}
