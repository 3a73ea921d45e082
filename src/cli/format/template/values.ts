/**
 * Values as Go's text/template sees them: truth, how `{{.X}}` prints them (fmt's %v), and field
 * access (a missing field is an error naming the fields there are).
 */
import { TemplateError, type Value } from "./ast.js";

/** Go's truth: false, 0, nil, empty string/array/map are false. */
export function truthy(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** How Go's fmt prints a value with %v (what `{{.X}}` writes). */
export function goString(v: Value): string {
  if (v === null || v === undefined) return "<no value>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map(goString).join(" ")}]`;
  if (v instanceof Map) return `map[${[...v].map(([k, x]) => `${goString(k)}:${goString(x)}`).join(" ")}]`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goString((v as Record<string, Value>)[k])}`).join(" ")}]`;
  }
  return typeof v === "symbol" ? v.toString() : "<func>";
}

export function field(v: Value, name: string): Value {
  if (v instanceof Map) return v.get(name);
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const rec = v as Record<string, Value>;
    if (name in rec) {
      const x = rec[name];
      return typeof x === "function" ? (x as () => Value).call(v) : x;
    }
    throw new TemplateError(`can't evaluate field ${name}`, `fields: ${Object.keys(rec).join(", ")}`);
  }
  throw new TemplateError(`can't evaluate field ${name} in a ${v === null ? "nil" : Array.isArray(v) ? "list" : typeof v}`);
}
