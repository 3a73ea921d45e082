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

function invalid(template: string): ConfigError {
  return ConfigError.of("CONFIG_INTERPOLATION", `Invalid template: ${JSON.stringify(template)}`, {
    hint: "use ${VAR}, ${VAR:-default}, ${VAR:?message} or ${VAR:+replacement}; write $$ for a literal $",
  });
}

/**
 * Index of the `}` closing the `${` that starts at `open`, or -1. As compose-go counts them,
 * every `{` opens a level (so a default may hold braces: `${J:-{"a":1}}`), and the character
 * right after a `{` is not looked at. Without a balanced close, the last `}` of the line closes
 * (compose-go's pattern is greedy up to it).
 */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 125 /* } */) {
      depth--;
      if (depth === 0) return i;
    } else if (c === 123 /* { */) {
      depth++;
      i++;
    }
  }
  let eol = s.indexOf("\n", open);
  if (eol < 0) eol = s.length;
  return s.lastIndexOf("}", eol - 1) > open ? s.lastIndexOf("}", eol - 1) : -1;
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
    if (close < 0) throw invalid(template);
    const body = template.slice(dollar + 2, close);
    out += braced(body, template, lookup, unset);
    i = close + 1;
  }
  return out;
}

function braced(body: string, template: string, lookup: EnvLookup, unset: Set<string>): string {
  if (body.length === 0 || !isNameStart(body.charCodeAt(0))) throw invalid(template);
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
    if (d !== "-" && d !== "?" && d !== "+") throw invalid(template);
    op = `:${d}` as Op;
  } else if (c === "-" || c === "?" || c === "+") {
    op = c;
  } else {
    throw invalid(template);
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

// ---------------------------------------------------------------------------------------------
// Typed attributes: after interpolation, a string where the schema wants a number or a boolean is
// converted, as compose-go does (`parallelism: $N` is the number N; `init: "true"` is true).

type Cast = "int" | "float" | "bool";

/** Paths with `*` for any name and `[]` for any list index (compose-go's interpolation casts). */
const CASTS: ReadonlyMap<string, Cast> = new Map<string, Cast>([
  ...(
    [
      ["cpu_count", "int"], ["cpu_percent", "float"], ["cpu_period", "int"], ["cpu_quota", "int"],
      ["cpu_rt_period", "int"], ["cpu_rt_runtime", "int"], ["cpus", "float"], ["cpu_shares", "int"],
      ["init", "bool"], ["depends_on.*.required", "bool"], ["depends_on.*.restart", "bool"],
      ["deploy.replicas", "int"], ["deploy.update_config.parallelism", "int"],
      ["deploy.update_config.max_failure_ratio", "float"], ["deploy.rollback_config.parallelism", "int"],
      ["deploy.rollback_config.max_failure_ratio", "float"], ["deploy.restart_policy.max_attempts", "int"],
      ["deploy.placement.max_replicas_per_node", "int"], ["healthcheck.retries", "int"],
      ["healthcheck.disable", "bool"], ["oom_kill_disable", "bool"], ["oom_score_adj", "int"],
      ["pids_limit", "int"], ["ports.[].target", "int"], ["privileged", "bool"], ["read_only", "bool"],
      ["scale", "int"], ["stdin_open", "bool"], ["tty", "bool"], ["ulimits.*", "int"],
      ["ulimits.*.hard", "int"], ["ulimits.*.soft", "int"], ["volumes.[].read_only", "bool"],
      ["volumes.[].volume.nocopy", "bool"],
    ] as const
  ).map(([k, c]) => [`services.*.${k}`, c] as [string, Cast]),
  ...(["external", "internal", "attachable", "enable_ipv4", "enable_ipv6"] as const).map((k) => [`networks.*.${k}`, "bool"] as [string, Cast]),
  ["volumes.*.external", "bool"],
  ["secrets.*.external", "bool"],
  ["configs.*.external", "bool"],
]);
const CAST_ROOTS = new Set(["services", "networks", "volumes", "secrets", "configs"]);
/** Under a service, the attributes whose next segment is a name (matched by `*`). */
const NAMED_UNDER_SERVICE = new Set(["depends_on", "ulimits"]);

function castFor(path: readonly PathSegment[]): Cast | undefined {
  if (path.length < 3 || path.length > 6 || !CAST_ROOTS.has(path[0] as string)) return undefined;
  let key = `${path[0]}.*`;
  for (let i = 2; i < path.length; i++) {
    const seg = path[i]!;
    key += typeof seg === "number" ? ".[]" : i === 3 && path[0] === "services" && NAMED_UNDER_SERVICE.has(path[2] as string) ? ".*" : `.${seg}`;
  }
  return CASTS.get(key);
}

const INT = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$|^[-+]?(?:inf|infinity|nan)$/i;

/** The typed value of `s`, or an Error saying why it is not one. */
function cast(s: string, kind: Cast): unknown {
  if (kind === "int") {
    if (!INT.test(s)) return new Error(`failed to cast to expected type: ${JSON.stringify(s)} is not an integer`);
    return Number(s);
  }
  if (kind === "float") {
    if (!FLOAT.test(s)) return new Error(`failed to cast to expected type: ${JSON.stringify(s)} is not a number`);
    return Number(s);
  }
  switch (s.toLowerCase()) {
    case "true":
      return true;
    case "false":
      return false;
    case "y":
    case "yes":
    case "on":
    case "n":
    case "no":
    case "off":
      // YAML 1.1 spellings: left for the normalizer, which reads them with a warning at their position
      return s;
    default:
      return new Error(`failed to cast to expected type: invalid boolean: ${s}`);
  }
}

function castIssue(ctx: InterpolateContext, path: PathSegment[], message: string): void {
  const loc = ctx.locations.find(path);
  ctx.issues.add({
    code: "CONFIG_INTERPOLATION",
    message,
    path: formatPath(path),
    ...(loc ? { location: loc } : {}),
    hint: "this attribute takes a number or a boolean; check the variable's value",
  });
}

function walk(value: unknown, lookup: EnvLookup, ctx: InterpolateContext, path: PathSegment[]): unknown {
  if (typeof value === "string") {
    const kind = castFor(path);
    if (kind !== undefined) {
      const text = interpolateValue(value, lookup, ctx, path);
      if (text === undefined) return value;
      const typed = cast(text, kind);
      if (typed instanceof Error) {
        castIssue(ctx, path, typed.message);
        return value;
      }
      return typed;
    }
    return interpolateValue(value, lookup, ctx, path) ?? value;
  }
  return walkCollection(value, lookup, ctx, path);
}

/** One interpolated string, or undefined when it failed (the issue is recorded). */
function interpolateValue(value: string, lookup: EnvLookup, ctx: InterpolateContext, path: PathSegment[]): string | undefined {
  {
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
        return undefined;
      }
      throw e;
    }
  }
}

function walkCollection(value: unknown, lookup: EnvLookup, ctx: InterpolateContext, path: PathSegment[]): unknown {
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
