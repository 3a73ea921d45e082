/** `build`: the short form becomes `{context, dockerfile}`; contexts become absolute paths. */
import type { BuildConfig } from "../model.js";
import { isRawMap } from "../tags.js";
import { clone, scalarString, type Normalizer, type Path } from "./normalizer.js";
import { extraHosts } from "./networks.js";
import { fileRefs } from "./secrets.js";
import { ulimits } from "./deploy.js";

export function build(nz: Normalizer, v: unknown, p: Path): BuildConfig {
  if (typeof v === "string") return { context: context(nz, v), dockerfile: "Dockerfile" };
  const b = isRawMap(v) ? v : {};
  const out = { context: context(nz, typeof b["context"] === "string" ? b["context"] : ".") } as BuildConfig & Record<string, unknown>;
  for (const [k, val] of Object.entries(b)) {
    const bp = [...p, k];
    switch (k) {
      case "context":
        break;
      case "args": {
        // A bare ARG takes its value from the environment; one the environment does not set is dropped (compose-go).
        const args = nz.mapping(val, bp, (name) => nz.lookup(name));
        for (const [name, value] of Object.entries(args)) if (value === null) delete args[name];
        out.args = args;
        break;
      }
      case "labels":
        out.labels = nz.stringMap(val, bp);
        break;
      case "additional_contexts": {
        const m = nz.stringMap(val, bp);
        for (const [name, c] of Object.entries(m)) m[name] = context(nz, c);
        out.additional_contexts = m;
        break;
      }
      case "extra_hosts":
        out.extra_hosts = extraHosts(nz, val, bp);
        break;
      case "ssh":
        out.ssh = sshKeys(nz, val, bp);
        break;
      case "provenance":
      case "sbom":
        // compose-go keeps these as strings (`sbom: true` → "true")
        if (val !== null && val !== undefined) out[k] = scalarString(val);
        break;
      case "no_cache":
      case "pull":
      case "privileged": {
        const x = nz.bool(val, bp);
        if (x !== undefined) out[k] = x;
        break;
      }
      case "secrets":
        out.secrets = fileRefs(nz, val, bp, false);
        break;
      case "ulimits":
        out.ulimits = ulimits(nz, val, bp);
        break;
      case "shm_size": {
        const n = nz.bytes(val, bp);
        if (n !== undefined) out.shm_size = n;
        break;
      }
      case "cache_from":
      case "cache_to":
      case "tags":
      case "platforms":
      case "no_cache_filter":
      case "entitlements":
        out[k] = nz.stringList(val);
        break;
      default:
        out[k] = clone(val);
    }
  }
  if (out.dockerfile === undefined && out.dockerfile_inline === undefined) out.dockerfile = "Dockerfile";
  return out;
}

/** Build contexts: local paths become absolute; URLs, git remotes and named contexts stay. */
export function context(nz: Normalizer, c: string): string {
  if (c.includes("://") || c.startsWith("git@") || c.startsWith("github.com/") || c.startsWith("service:")) return c;
  return nz.abs(c);
}

/**
 * `ssh`: `id=path` entries (list or map form; `default` alone means the agent). Key paths become
 * absolute against the project directory (`~` is the home directory), as compose-go resolves them.
 */
function sshKeys(nz: Normalizer, v: unknown, p: Path): string[] {
  const pairs: [string, string | null][] = Array.isArray(v)
    ? nz.stringList(v).map((e) => {
        const eq = e.indexOf("=");
        return eq < 0 ? [e, null] : [e.slice(0, eq), e.slice(eq + 1)];
      })
    : Object.entries(nz.mapping(v, p, () => null));
  return pairs.map(([id, path]) => (path === null || path === "" ? id : `${id}=${nz.abs(path)}`));
}
