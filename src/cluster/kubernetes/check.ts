/**
 * The warnings and refusals of a conversion to Kubernetes, each at its file:line:col: every key the
 * model holds is looked up in the Kubernetes column of the capabilities table, refined by `refine.ts`
 * for keys whose fate depends on their value (a bind mount, `network_mode: none`, a user name).
 * `--ignore` turns a refusal into a warning. Pure: takes the model and its Locations.
 */
import { kubernetesColumn } from "../capabilities/kubernetes.js";
import type { ComposeModel, ServiceConfig } from "../../spec/model.js";
import { formatPath, type Locations, type PathSegment } from "../../spec/locations.js";
import { formatIssue, type ConfigIssue } from "../../errors.js";
import { flotillaExtension } from "./convert/kinds.js";
import { refine } from "./refine.js";
import type { KubernetesIssue, KubernetesOptions } from "./types.js";

/** Sections whose entries are walked, and sub-maps keyed by user data (their keys are not model keys). */
const SECTIONS = ["services", "networks", "volumes", "secrets", "configs"] as const;
const NAME_KEYED = new Set(["services.depends_on", "services.networks"]);
const LEAF = new Set([
  "services.labels", "services.annotations", "services.environment", "services.sysctls", "services.ulimits", "services.deploy.labels",
  "services.build.args", "services.build.labels", "services.build.additional_contexts", "services.logging.options", "services.storage_opt",
  "networks.labels", "networks.driver_opts", "volumes.labels", "volumes.driver_opts", "secrets.labels", "configs.labels", "secrets.driver_opts",
  "services.networks.driver_opts", "services.volumes.volume.labels", "networks.ipam.options", "services.develop.watch.exec.environment",
  "services.post_start.environment", "services.pre_stop.environment", "services.pre_start.environment", "services.gpus.options",
  "services.provider.options", "networks.ipam.config.aux_addresses",
]);

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every (key path, model path) the model holds under one entry, in document order. */
type Visit = (key: string, path: PathSegment[], value: unknown) => boolean;

/** `visit` returns true when it reported the key: its sub-keys are then not reported again. */
function walk(keyPath: string, value: unknown, path: PathSegment[], visit: Visit): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (isObj(item)) walkObject(keyPath, item, [...path, i], visit);
    });
  } else if (isObj(value)) walkObject(keyPath, value, path, visit);
}

function walkObject(keyPath: string, obj: Record<string, unknown>, path: PathSegment[], visit: Visit): void {
  if (LEAF.has(keyPath)) return;
  if (NAME_KEYED.has(keyPath)) {
    for (const [name, entry] of Object.entries(obj)) if (isObj(entry)) walkObject(keyPath, entry, [...path, name], visit);
    return;
  }
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith("x-") || v === null || v === undefined) continue;
    const key = `${keyPath}.${k}`;
    const reported = visit(key, [...path, k], v);
    if (!reported && kubernetesColumn[key] !== undefined) walk(key, v, [...path, k], visit);
  }
}

/** Does `--ignore X` cover this key? X is a key path with or without its section, or a model path prefix. */
export function isIgnored(key: string, path: readonly PathSegment[], ignore: readonly string[] | undefined): boolean {
  if (!ignore || ignore.length === 0) return false;
  const model = formatPath(path);
  const bare = key.replace(/^(services|networks|volumes|secrets|configs)\./, "");
  return ignore.some((i) => i === key || i === bare || model === i || model.startsWith(`${i}.`) || model.startsWith(`${i}[`));
}

/** The warnings and refusals of converting this model, in document order per section. */
export function checkKubernetes(model: ComposeModel, options: KubernetesOptions = {}): KubernetesIssue[] {
  const issues: KubernetesIssue[] = [];
  for (const section of SECTIONS) {
    const entries = model[section] as Record<string, unknown>;
    for (const name of Object.keys(entries).sort()) {
      const entry = entries[name];
      if (!isObj(entry)) continue;
      const svc = section === "services" ? (entry as ServiceConfig) : undefined;
      walkObject(section, entry, [section, name], (key, path, value) => {
        const cap = refine(key, value, path, svc, model, options);
        if (cap === undefined || cap.status === "mapped") return false;
        issues.push({
          severity: cap.status === "refused" ? "refusal" : "warning",
          key,
          path,
          message: cap.status === "refused" ? `refused for Kubernetes: ${cap.why}` : `${cap.why}${cap.to !== undefined ? ` (→ ${cap.to})` : ""}`,
          ...(cap.hint !== undefined ? { hint: cap.hint } : {}),
        });
        return true;
      });
      if (section === "volumes" && isObj(entry) && entry["external"] !== true && flotillaExtension(entry)["size"] === undefined && options.volumeSize === undefined) {
        issues.push({ severity: "warning", key: "volumes.name", path: ["volumes", name], message: `no size given: the claim asks for 1Gi`, hint: "x-flotilla: {k8s: {size: 10Gi}} on the volume, or --volume-size" });
      }
    }
  }
  return issues;
}

/** Positions, and `--ignore`: a refusal the user ignores becomes a warning that says so. */
export function locateIssues(issues: readonly KubernetesIssue[], locations: Locations | undefined, ignore: readonly string[] | undefined): KubernetesIssue[] {
  return issues.map((i) => {
    const location = locations?.find(i.path);
    const ignored = i.severity === "refusal" && isIgnored(i.key, i.path, ignore);
    return {
      ...i,
      ...(location !== undefined ? { location } : {}),
      ...(ignored ? { severity: "warning" as const, ignored: true, message: `${i.message} (ignored)` } : {}),
    };
  });
}

/** A ConfigIssue (for ConfigError and printing). */
export function toConfigIssue(i: KubernetesIssue): ConfigIssue {
  return { code: "CONFIG_INVALID", message: i.message, path: formatPath(i.path), ...(i.location !== undefined ? { location: i.location } : {}), ...(i.hint !== undefined ? { hint: i.hint } : {}) };
}

export function formatKubernetesIssue(i: KubernetesIssue): string {
  return `${i.severity === "refusal" ? "error" : "warning"}: ${formatIssue(toConfigIssue(i))}`;
}
