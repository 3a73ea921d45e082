/**
 * The functions a template can call: Go text/template's (printf, print, println, len, index, eq, ne,
 * lt, le, gt, ge, and, or, not) and the Docker CLI's (json, split, join, title, lower, upper, pad,
 * truncate), and the header variants a table's header row is rendered with.
 */
import { TemplateError, type TemplateFunc, type Value } from "./ast.js";
import { goString, truthy } from "./values.js";

/** Go fmt verbs for printf: %s %v %d %q %f %x %%, with width/precision/flags. */
export function sprintf(format: string, ...args: Value[]): string {
  let n = 0;
  return format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([svdqfgtxX%])/g, (_m, flags: string, width?: string, prec?: string, verb?: string) => {
    if (verb === "%") return "%";
    const a = args[n++];
    let s: string;
    switch (verb) {
      case "d":
        s = String(Math.trunc(Number(a)));
        break;
      case "f":
        s = Number(a).toFixed(prec !== undefined ? Number(prec) : 6);
        break;
      case "g":
        s = String(Number(a));
        break;
      case "q":
        s = JSON.stringify(goString(a));
        break;
      case "x":
      case "X":
        s = typeof a === "number" ? a.toString(16) : Buffer.from(goString(a)).toString("hex");
        if (verb === "X") s = s.toUpperCase();
        break;
      case "t":
        s = String(Boolean(a));
        break;
      default:
        s = a === undefined ? "%!v(MISSING)" : goString(a);
        if (prec !== undefined && (verb === "s" || verb === "v")) s = s.slice(0, Number(prec));
    }
    if (width !== undefined && s.length < Number(width)) {
      const pad = (flags.includes("0") && !flags.includes("-") ? "0" : " ").repeat(Number(width) - s.length);
      s = flags.includes("-") ? s + pad : pad + s;
    }
    return s;
  });
}

function compare(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateError(`incompatible types for comparison: ${typeof a} and ${typeof b}`);
}

/** Go's encoding/json with SetEscapeHTML(false): what `{{json .}}` prints. */
export function goJson(v: Value): string {
  return JSON.stringify(v === undefined ? null : v) ?? "null";
}

function lenOf(v: Value): number {
  if (typeof v === "string") return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (v !== null && typeof v === "object") return Object.keys(v).length;
  throw new TemplateError(`len of ${goString(v)}`);
}

export const BASE_FUNCS: Record<string, TemplateFunc> = {
  // Go text/template
  printf: (f, ...a) => sprintf(String(f), ...a),
  print: (...a) => a.map(goString).join(""),
  println: (...a) => `${a.map(goString).join(" ")}\n`,
  len: (v) => lenOf(v),
  index: (v, ...keys) =>
    keys.reduce((acc: Value, k) => (Array.isArray(acc) ? acc[Number(k)] : acc instanceof Map ? acc.get(k) : (acc as Record<string, Value>)?.[String(k)]), v),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  not: (a) => !truthy(a),
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
  // The Docker CLI's (docker/cli templates/templates.go)
  json: (v) => goJson(v),
  split: (s, sep) => String(s).split(String(sep)),
  join: (v, sep) => (v === null || v === undefined ? "" : Array.isArray(v) ? v.map(goString).join(String(sep)) : goString(v)),
  title: (s) => String(s).replace(/(^|[^\p{L}\p{N}'_])(\p{L})/gu, (_m, pre: string, ch: string) => pre + ch.toUpperCase()),
  lower: (s) => String(s).toLowerCase(),
  upper: (s) => String(s).toUpperCase(),
  pad: (s, pre, post) => (String(s) === "" ? "" : " ".repeat(Number(pre)) + String(s) + " ".repeat(Number(post))),
  truncate: (s, n) => (String(s).length < Number(n) ? String(s) : String(s).slice(0, Number(n))),
};

/** The Docker CLI's header functions: a table's header keeps the column name whatever function is applied. */
export const HEADER_FUNCS: Record<string, TemplateFunc> = {
  ...BASE_FUNCS,
  json: (v) => goString(v),
  split: (v) => goString(v),
  join: (v) => goString(v),
  title: (v) => goString(v),
  lower: (v) => goString(v),
  upper: (v) => goString(v),
  truncate: (v) => goString(v),
};
