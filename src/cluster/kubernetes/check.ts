/**
 * The warnings and refusals of a conversion to Kubernetes, each at its file:line:col: every key the
 * model holds is looked up in the Kubernetes column of the capabilities table, and keys whose fate
 * depends on their value (a bind mount, `network_mode: none`, a user name) are refined here. `--ignore`
 * turns a refusal into a warning. Pure: takes the model and its Locations.
 */
import { kubernetesColumn } from "../capabilities/kubernetes.js";
import type { Capability } from "../capabilities/types.js";
import type { ComposeModel, ServiceConfig } from "../../spec/model.js";
import { formatPath, type Locations, type PathSegment } from "../../spec/locations.js";
import { formatIssue, type ConfigIssue } from "../../errors.js";
import { numericUser } from "./convert/container.js";
import { replicasOf, flotillaExtension } from "./convert/kinds.js";
import { isDns1123Label } from "./names.js";
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

/** The capability of one key *with its value*: the column's row, refined where the value decides. */
function refine(key: string, value: unknown, path: readonly PathSegment[], svc: ServiceConfig | undefined, model: ComposeModel, options: KubernetesOptions): Capability | undefined {
  const cap = kubernetesColumn[key];
  switch (key) {
    case "services.build":
      if (svc?.image === undefined) return { status: "refused", why: "a build-only service has no image the cluster can pull", hint: "add `image: registry/name:tag`, then flotilla build && flotilla push" };
      return cap;
    case "services.build.context":
    case "services.build.dockerfile":
    case "services.build.args":
      return undefined; // reported once, on services.build
    case "services.pull_policy":
      if (value === "build" || (typeof value === "string" && (value === "daily" || value === "weekly" || value.startsWith("every_"))))
        return { status: "refused", why: `pull_policy ${String(value)} has no imagePullPolicy equivalent`, hint: "use always, never or missing" };
      if (value === "refresh") return { status: "warned", why: "pull_policy refresh becomes imagePullPolicy Always" };
      return cap;
    case "services.user":
      if (numericUser(String(value)) === undefined) return { status: "refused", why: `user "${String(value)}" is a name: Kubernetes takes numeric ids only (runAsUser)`, hint: "write the numeric uid[:gid]" };
      return cap;
    case "services.restart":
      if (typeof value === "string" && value.startsWith("on-failure") && svc?.deploy?.mode !== "replicated-job")
        return { status: "warned", why: "a Deployment always restarts its pods: on-failure becomes Always", to: "restartPolicy Always", hint: "use deploy.mode: replicated-job for a one-shot service" };
      return cap;
    case "services.deploy.restart_policy.condition":
      if (value === "on-failure" && svc?.deploy?.mode !== "replicated-job")
        return { status: "warned", why: "a Deployment always restarts its pods: on-failure becomes Always", to: "restartPolicy Always" };
      return cap;
    case "services.deploy.mode":
      if (value === "global-job") return { status: "refused", why: "Kubernetes has no Job that runs once per node", hint: "use a DaemonSet, or a Job with node affinity" };
      return cap;
    case "services.deploy.placement.constraints": {
      const list = Array.isArray(value) ? value.map(String) : [];
      const bad = list.filter((c) => !/^\s*(node\.labels\.[\w.\-/]+|node\.platform\.(os|arch))\s*(==|!=)/.test(c));
      if (bad.length > 0) return { status: "refused", why: `constraint ${bad.join(", ")} has no node-label equivalent`, hint: "node.hostname → use node.labels.kubernetes.io/hostname==NAME; node.role has no equivalent" };
      return cap;
    }
    case "services.network_mode":
      if (value === "host") return { status: "warned", why: "the pod shares the node's network (hostNetwork): ports may collide across pods on one node", to: "pod hostNetwork" };
      if (typeof value === "string" && (value.startsWith("service:") || value.startsWith("container:")))
        return { status: "refused", why: `network_mode ${value}: containers share a network namespace only inside one pod`, hint: "merge the two services into one pod with a kustomize patch" };
      if (value === "bridge" || value === "default") return { status: "mapped", to: "the pod network" };
      return { status: "refused", why: `network_mode ${String(value)} has no Kubernetes equivalent` };
    case "services.volumes.type": {
      if (value === "bind") {
        if (options.bindAsHostPath === true)
          return { status: "warned", why: "bind mount → hostPath: the path is on whichever node runs the pod", to: "hostPath volume" };
        return { status: "refused", why: "a bind mount reads the host's files, which the cluster's nodes do not have", hint: "put the files in a config (configs:) or the image, or use --bind-as-hostpath to mount a node path knowingly" };
      }
      if (value === "volume") {
        const mount = svc?.volumes?.[path[path.length - 2] as number];
        const decl = mount?.source !== undefined ? model.volumes[mount.source] : undefined;
        if (mount?.source === undefined) return { status: "mapped", to: "emptyDir (an anonymous volume lives as long as the pod)" };
        if (decl && decl.external !== true && mount.read_only !== true && svc !== undefined && replicasOf(svc) > 1 && svc.deploy?.mode !== "global") {
          const mode = flotillaExtension(decl as unknown as Record<string, unknown>)["access_mode"];
          if (mode !== "ReadWriteMany")
            return { status: "refused", why: `${replicasOf(svc)} replicas write to volume ${mount.source}, a ReadWriteOnce claim one node can mount`, hint: "x-flotilla: {k8s: {access_mode: ReadWriteMany}} on the volume (needs a storage class that offers it), or one replica" };
        }
        return cap;
      }
      if (value === "tmpfs") return cap;
      return { status: "refused", why: `volume type ${String(value)} has no Kubernetes equivalent` };
    }
    case "services.hostname":
      if (!isDns1123Label(String(value))) return { status: "warned", why: `hostname "${String(value)}" is not a DNS-1123 label: the pod keeps its own name` };
      return cap;
    case "services.volumes.source":
    case "services.volumes.bind":
    case "services.volumes.bind.create_host_path":
      return undefined; // decided with the volume's type
    case "services.ports.mode":
      if (value === "host") return { status: "warned", why: "a host port is bound on the node that runs the pod: one pod per node", to: "containerPort hostPort" };
      return undefined;
    case "services.ports.protocol":
    case "services.ports.target":
    case "services.ports.published":
      return undefined; // part of the port, mapped
    case "services.depends_on.condition":
    case "services.depends_on.required":
      return undefined; // reported by the converter where a wait cannot be written
    case "services.healthcheck.test":
    case "services.healthcheck.interval":
    case "services.healthcheck.timeout":
    case "services.healthcheck.retries":
    case "services.healthcheck.start_period":
    case "services.healthcheck.start_interval":
      return undefined;
    case "volumes.name":
    case "networks.name":
    case "secrets.name":
    case "configs.name":
      return undefined; // filled in by the loader
    case "volumes.external":
    case "networks.external":
    case "secrets.external":
    case "configs.external":
      return value === true ? cap : undefined;
    case "networks.internal":
    case "services.read_only":
    case "services.privileged":
    case "services.init":
    case "services.tty":
    case "services.stdin_open":
      return value === true ? cap : undefined;
  }
  return cap;
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
