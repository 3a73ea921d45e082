/**
 * Go-style durations and Docker-style byte sizes, as Compose accepts them in
 * `healthcheck.*`, `stop_grace_period`, `shm_size`, `mem_limit`, `tmpfs.size`…
 * Pure helpers: a malformed value throws a RangeError with the offending text; callers that
 * know the service/attribute turn it into a typed error.
 */

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3, // U+00B5 micro sign
  "μs": 1e-3, // U+03BC greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Days and weeks too: the units `pull_policy: every_<duration>` accepts (Compose parses it with str2duration). */
const LONG_DURATION_UNITS_MS: Record<string, number> = { ...DURATION_UNITS_MS, d: 86_400_000, w: 604_800_000 };
const LONG_DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w)/y;

/**
 * Parse a Go duration (`1h2m3.5s`, `500ms`, `10us`, `-1.5h`) into milliseconds (may be fractional
 * for sub-millisecond values). A bare number — a YAML number, or a string of digits — counts as
 * seconds: Compose files in the wild write `stop_grace_period: 30` and Compose v1 accepted it.
 */
export function parseDuration(s: string | number): number {
  return parseWith(s, DURATION_PART, DURATION_UNITS_MS);
}

/** Like parseDuration, also accepting `d` (24h) and `w` (7d): `every_2d`, `pull_refresh_after: 1w`. */
export function parseLongDuration(s: string | number): number {
  return parseWith(s, LONG_DURATION_PART, LONG_DURATION_UNITS_MS);
}

function parseWith(s: string | number, part: RegExp, units: Record<string, number>): number {
  if (typeof s === "number") {
    if (!Number.isFinite(s)) throw new RangeError(`invalid duration ${String(s)}`);
    return s * 1000;
  }
  const text = s.trim();
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return Number(text) * 1000;
  let i = 0;
  let sign = 1;
  if (text[0] === "+" || text[0] === "-") {
    sign = text[0] === "-" ? -1 : 1;
    i = 1;
  }
  if (i >= text.length) throw new RangeError(`invalid duration "${s}"`);
  let total = 0;
  while (i < text.length) {
    part.lastIndex = i;
    const m = part.exec(text);
    if (!m) throw new RangeError(`invalid duration "${s}" (expected e.g. 30s, 1m30s, 500ms)`);
    total += Number(m[1]) * (units[m[2] as string] as number);
    i = part.lastIndex;
  }
  return sign * total;
}

/** A duration in nanoseconds (the Engine API's unit for healthcheck timings), rounded. */
export function durationToNs(s: string | number): number {
  return Math.round(parseDuration(s) * 1e6);
}

/** A duration in whole seconds, truncated toward zero (Compose's StopTimeout conversion). */
export function durationToSeconds(s: string | number): number {
  return Math.trunc(parseDuration(s) / 1000);
}

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/**
 * Parse a byte size the way Docker does (RAMInBytes: binary units, case-insensitive):
 * `512k`, `64m`, `1g`, `1gb`, `1.5GiB`, `100b`, `1024`. Numbers pass through (`-1` stays -1,
 * "unlimited" for memswap_limit).
 */
export function parseBytes(s: string | number): number {
  if (typeof s === "number") {
    if (!Number.isFinite(s)) throw new RangeError(`invalid size ${String(s)}`);
    return Math.trunc(s);
  }
  const text = s.trim();
  if (/^-1$/.test(text)) return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtpb]?)(i?b)?$/i.exec(text);
  if (!m) throw new RangeError(`invalid size "${s}" (expected e.g. 512k, 64m, 1g)`);
  const unit = (m[2] ?? "").toLowerCase();
  if (unit === "b" && m[3]) throw new RangeError(`invalid size "${s}"`);
  return Math.trunc(Number(m[1]) * (BYTE_UNITS[unit] as number));
}

/** `frac` nanoseconds as Go prints the fraction of a unit: no trailing zeros, no dot when zero. */
function fraction(whole: number, frac: number, digits: number): string {
  if (frac === 0) return String(whole);
  return `${whole}.${String(frac).padStart(digits, "0").replace(/0+$/, "")}`;
}

/**
 * A duration (milliseconds) as Go's time.Duration.String() prints it, which is how `docker compose
 * config` prints durations: `1m30s`, `1h0m0s`, `1.5s`, `500ms`, `0s`.
 */
export function formatGoDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  ns = Math.abs(ns);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${fraction(Math.floor(ns / 1e3), ns % 1e3, 3)}µs`;
  if (ns < 1e9) return `${sign}${fraction(Math.floor(ns / 1e6), ns % 1e6, 6)}ms`;
  const h = Math.floor(ns / 3.6e12);
  const m = Math.floor((ns % 3.6e12) / 6e10);
  const rest = ns % 6e10;
  const s = fraction(Math.floor(rest / 1e9), rest % 1e9, 9);
  return `${sign}${h > 0 ? `${h}h${m}m` : m > 0 ? `${m}m` : ""}${s}s`;
}
