/**
 * What every rule shares: the violation it reports, and the checks of labels, annotations and
 * fields that apply wherever they appear in an object.
 */
import { FIELDS } from "../fields.js";
import { isLabelKey, isLabelValue } from "../names.js";

export interface RuleViolation {
  rule:
    | "unknown-kind"
    | "unknown-field"
    | "name"
    | "label"
    | "annotation"
    | "selector"
    | "restart-policy"
    | "port-name"
    | "port"
    | "container-name"
    | "volume"
    | "data-key"
    | "reference";
  /** `Deployment/web`. */
  object: string;
  /** JSON-ish path inside the object: `spec.template.spec.containers[0].name`. */
  field: string;
  message: string;
}

/** Reports one violation of the object being checked. */
export type Add = (rule: RuleViolation["rule"], field: string, message: string) => void;

export type Json = Record<string, unknown>;

export const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** A value as a message shows it. */
export const str = (v: unknown): string => (typeof v === "string" ? v : (JSON.stringify(v) ?? "undefined"));

/** Fields the API server does not know (strict field validation rejects them), by the schema of `type`. */
export function unknownFields(value: unknown, type: string, at: string, add: Add): void {
  const fields = FIELDS[type];
  if (!fields) return;
  const items = Array.isArray(value) ? value.map((v, i) => [v, `${at}[${i}]`] as const) : [[value, at] as const];
  for (const [v, path] of items) {
    if (!isObj(v)) continue;
    for (const [k, child] of Object.entries(v)) {
      const f = path === "" ? k : `${path}.${k}`;
      if (!(k in fields)) {
        add("unknown-field", f, `unknown field "${k}" (the API server rejects it with strict field validation)`);
        continue;
      }
      const t = fields[k];
      if (t) unknownFields(child, t, f, add);
    }
  }
}

export function checkLabels(labels: unknown, at: string, add: Add): void {
  if (!isObj(labels)) return;
  for (const [k, v] of Object.entries(labels)) {
    if (!isLabelKey(k)) add("label", `${at}.${k}`, `"${k}" is not a valid label key`);
    if (typeof v !== "string" || !isLabelValue(v))
      add("label", `${at}.${k}`, `"${String(v)}" is not a valid label value (at most 63 characters: alphanumerics, '-', '_', '.')`);
  }
}

export function checkAnnotations(annotations: unknown, at: string, add: Add): void {
  if (!isObj(annotations)) return;
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    if (!isLabelKey(k)) add("annotation", `${at}.${k}`, `"${k}" is not a valid annotation key`);
    if (typeof v !== "string") add("annotation", `${at}.${k}`, "annotation values are strings");
    size += k.length + String(v).length;
  }
  if (size > 256 * 1024) add("annotation", at, "annotations exceed 256 KiB");
}
