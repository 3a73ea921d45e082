/**
 * The name and label syntax the Kubernetes API server enforces (apimachinery's validation), and the
 * deterministic renaming of Compose names into it. Shared by the converter (to produce valid names)
 * and by the rules (to check them). Pure.
 */

/** DNS-1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric, at most 63. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1035 label (Service names): a DNS-1123 label that starts with a letter. */
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A label value or the name part of a label key (at most 63). */
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** A ConfigMap / Secret data key. */
export const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
/** An IANA_SVC_NAME (port names): at most 15, lowercase alphanumerics and '-', a letter, no '--'. */
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1035Label(s: string): boolean {
  return s.length <= 63 && DNS1035_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

export function isPortName(s: string): boolean {
  return s.length <= 15 && PORT_NAME.test(s) && /[a-z]/.test(s) && !s.includes("--");
}

/** A label (or annotation) key: `[prefix/]name`, prefix a DNS-1123 subdomain, name a qualified name part. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || !isDns1123Subdomain(prefix))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/** An annotation key has the same syntax as a label key. */
export const isAnnotationKey = isLabelKey;

/** A label value: empty, or at most 63 characters of the qualified-name alphabet. */
export function isLabelValue(value: string): boolean {
  return value === "" || (value.length <= 63 && QUALIFIED_NAME_PART.test(value));
}

/**
 * A Compose name made into a DNS-1035 label (valid for every object kind, Services included):
 * lowercase, runs of other characters become '-', a leading digit gets an `s-` prefix, at most
 * `max` characters (a cut name keeps a short hash of the original so two long names stay apart).
 */
export function toDnsLabel(name: string, max = 63): string {
  let out = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  if (out === "") out = "x";
  if (!/^[a-z]/.test(out)) out = `s-${out}`;
  if (out.length > max) out = `${out.slice(0, max - 9).replace(/-+$/, "")}-${shortHash(name)}`;
  return out;
}

/** An 8-hex-digit FNV-1a hash: short, stable, not a security measure. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** A ConfigMap/Secret data key from a Compose name (file names keep their dots). */
export function toConfigKey(name: string): string {
  const out = name.replace(/[^-._a-zA-Z0-9]+/g, "-");
  return out === "" || out === "." || out === ".." ? "data" : out;
}

/**
 * Gives each Compose name of one kind a unique DNS label, in a stable order, and remembers which
 * ones had to change (reported to the user as renames).
 */
export class NameTable {
  private readonly byName = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(names: Iterable<string>, max = 63) {
    for (const name of [...names].sort()) {
      let candidate = toDnsLabel(name, max);
      if (this.used.has(candidate)) {
        const base = candidate.slice(0, max - 9);
        candidate = `${base}-${shortHash(name)}`;
      }
      this.used.add(candidate);
      this.byName.set(name, candidate);
    }
  }

  get(name: string): string {
    return this.byName.get(name) ?? toDnsLabel(name);
  }

  /** Names that changed: compose name → Kubernetes name. */
  renames(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [from, to] of this.byName) if (from !== to) out[from] = to;
    return out;
  }
}
