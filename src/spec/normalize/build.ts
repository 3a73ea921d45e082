/** `build`: the short form becomes `{context, dockerfile}`; contexts become absolute paths. */
import type { BuildConfig } from "../model.js";
import { isRawMap } from "../tags.js";
import { clone, type Normalizer, type Path } from "./normalizer.js";
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
      case "args":
        out.args = nz.mapping(val, bp, (name) => nz.lookup(name));
        break;
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
        out.ssh = Array.isArray(val) ? nz.stringList(val) : Object.entries(nz.stringMap(val, bp)).map(([id, path]) => (path ? `${id}=${path}` : id));
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
      case "cache_from":
      case "cache_to":
      case "tags":
      case "platforms":
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
