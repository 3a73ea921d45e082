/**
 * Compose variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, …) over strings and
 * over whole parsed trees. Pure: the environment comes in as a lookup function.
 *
 * Rules (Compose Specification, interpolation):
 * - names are `[_a-zA-Z][_a-zA-Z0-9]*`;
 * - `${V:-d}` default when unset or empty, `${V-d}` when unset;
 * - `${V:?msg}` error when unset or empty, `${V?msg}` when unset;
 * - `${V:+r}` replacement when set and non-empty, `${V+r}` when set;
 * - defaults, replacements and messages are interpolated too (nesting-aware braces);
 * - `$$` is a literal `$`; a `$` followed by anything else than a name, `{` or `$` stays as is;
 * - a malformed `${…}` is an "Invalid template" error;
 * - only values are interpolated, never mapping keys.
 */
import { ConfigError, type IssueCollector } from "../errors.js";
import { formatPath, type Locations, type PathSegment } from "./locations.js";
import { OverrideTag, ResetTag } from "./tags.js";

export type EnvLookup = (name: string) => string | undefined;

/** First source that defines a name wins (e.g. `envLookup(osEnv, dotEnv)`). */
export function envLookup(...sources: Readonly<Record<string, string | undefined>>[]): EnvLookup {
  return (name) => {
    for (const src of sources) {
      if (Object.prototype.hasOwnProperty.call(src, name)) {
        const v = src[name];
        if (v !== undefined) return v;
      }
    }
    return undefined;
  };
}

function isNameStart(c: number): boolean {
  return c === 95 /* _ */ || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/**
 * The value itself is not quoted: a malformed template is often a secret with a `$` in it (a
 * password in .env), and errors end up in CI logs. The position inside the value says where.
 */
function invalid(template: string, at: number): ConfigError {
  return ConfigError.of("CONFIG_INTERPOLATION", `Invalid template: malformed "\${" at character ${at + 1} of a ${template.length}-character value (the value is not shown: it may be a secret)`, {
    hint: "use ${VAR}, ${VAR:-default}, ${VAR:?message} or ${VAR:+replacement}; write $$ for a literal $",
  });
}

/** Index of the `}` closing the `${` that starts at `open` (only `${` opens a level), or -1. */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 125 /* } */) {
      depth--;
      if (depth === 0) return i;
    } else if (c === 36 /* $ */ && s.charCodeAt(i + 1) === 123 /* { */) {
      depth++;
      i++;
    }
  }
  return -1;
}

type Op = ":-" | "-" | ":?" | "?" | ":+" | "+";

function substitute(template: string, lookup: EnvLookup, unset: Set<string>): string {
  if (template.indexOf("$") < 0) return template;
  let out = "";
  let i = 0;
  const n = template.length;
  while (i < n) {
    const dollar = template.indexOf("$", i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const next = template.charCodeAt(dollar + 1);
    if (next === 36 /* $ */) {
      out += "$";
      i = dollar + 2;
      continue;
    }
    if (isNameStart(next)) {
      let j = dollar + 2;
      while (j < n && isNameChar(template.charCodeAt(j))) j++;
      const name = template.slice(dollar + 1, j);
      const value = lookup(name);
      if (value === undefined) unset.add(name);
      out += value ?? "";
      i = j;
      continue;
    }
    if (next !== 123 /* { */) {
      // A lone `$` (end of string, space, digit, `}` …) is kept literally, as Compose does.
      out += "$";
      i = dollar + 1;
      continue;
    }
    const close = closingBrace(template, dollar);
    if (close < 0) throw invalid(template, dollar);
    const body = template.slice(dollar + 2, close);
    out += braced(body, template, dollar, lookup, unset);
    i = close + 1;
  }
  return out;
}

function braced(body: string, template: string, at: number, lookup: EnvLookup, unset: Set<string>): string {
  if (body.length === 0 || !isNameStart(body.charCodeAt(0))) throw invalid(template, at);
  let j = 1;
  while (j < body.length && isNameChar(body.charCodeAt(j))) j++;
  const name = body.slice(0, j);
  if (j === body.length) {
    const value = lookup(name);
    if (value === undefined) unset.add(name);
    return value ?? "";
  }
  let op: Op;
  const c = body[j];
  if (c === ":") {
    const d = body[j + 1];
    if (d !== "-" && d !== "?" && d !== "+") throw invalid(template, at);
    op = `:${d}` as Op;
  } else if (c === "-" || c === "?" || c === "+") {
    op = c;
  } else {
    throw invalid(template, at);
  }
  const arg = body.slice(j + op.length);
  const value = lookup(name);
  const isSet = value !== undefined;
  const nonEmpty = isSet && value !== "";
  switch (op) {
    case ":-":
      return nonEmpty ? value : substitute(arg, lookup, unset);
    case "-":
      return isSet ? value : substitute(arg, lookup, unset);
    case ":+":
      return nonEmpty ? substitute(arg, lookup, unset) : "";
    case "+":
      return isSet ? substitute(arg, lookup, unset) : "";
    case ":?":
    case "?": {
      const ok = op === ":?" ? nonEmpty : isSet;
      if (ok) return value as string;
      const msg = substitute(arg, lookup, unset);
      throw ConfigError.of(
        "CONFIG_INTERPOLATION",
        `required variable ${name} is missing a value${msg ? `: ${msg}` : ""}`,
        { hint: `set ${name} in the environment or in the .env file` },
      );
    }
  }
}

/**
 * Interpolate one string. Throws a ConfigError (CONFIG_INTERPOLATION) for a missing required
 * variable or an invalid template. `unset` lists the variables used without a default that
 * are not set (each once, in order of appearance).
 */
export function interpolateString(s: string, lookup: EnvLookup): { value: string; unset: string[] } {
  const unset = new Set<string>();
  const value = substitute(s, lookup, unset);
  return { value, unset: [...unset] };
}

export function unsetWarning(name: string): string {
  return `The "${name}" variable is not set. Defaulting to a blank string.`;
}

export interface InterpolateContext {
  locations: Locations;
  path: PathSegment[];
  issues: IssueCollector;
  warnings: Set<string>;
}

/**
 * A new tree with every string value interpolated (mapping keys are left alone). Tags keep
 * their class with the inner value interpolated. Errors are collected as CONFIG_INTERPOLATION
 * issues located at the value (all of them, not just the first); the failed value is kept
 * as written. Unset-variable warnings go, deduplicated, into `ctx.warnings`.
 */
export function interpolateTree(value: unknown, lookup: EnvLookup, ctx: InterpolateContext): unknown {
  return walk(value, lookup, ctx, ctx.path.slice());
}

function walk(value: unknown, lookup: EnvLookup, ctx: InterpolateContext, path: PathSegment[]): unknown {
  if (typeof value === "string") {
    if (value.indexOf("$") < 0) return value;
    try {
      const r = interpolateString(value, lookup);
      for (const name of r.unset) ctx.warnings.add(unsetWarning(name));
      return r.value;
    } catch (e) {
      if (e instanceof ConfigError) {
        const first = e.issues[0]!;
        const loc = ctx.locations.find(path);
        ctx.issues.add({
          code: "CONFIG_INTERPOLATION",
          message: first.message,
          ...(path.length > 0 ? { path: formatPath(path) } : {}),
          ...(loc ? { location: loc } : {}),
          ...(first.hint !== undefined ? { hint: first.hint } : {}),
        });
        return value;
      }
      throw e;
    }
  }
  if (value === null || typeof value !== "object") return value;
  if (value instanceof ResetTag) return new ResetTag(walk(value.value, lookup, ctx, path));
  if (value instanceof OverrideTag) return new OverrideTag(walk(value.value, lookup, ctx, path));
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      out[i] = walk(value[i], lookup, ctx, path);
      path.pop();
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    path.push(key);
    const v = walk((value as Record<string, unknown>)[key], lookup, ctx, path);
    path.pop();
    if (key === "__proto__") Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}
