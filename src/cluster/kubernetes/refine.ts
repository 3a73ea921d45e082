/**
 * Keys whose Kubernetes fate depends on their value: a bind mount, `network_mode: none`, a user name,
 * a pull policy without an imagePullPolicy… The capabilities column gives each key's usual fate; the
 * rules here refine it per value, one row per key, and name the keys another key or the converter
 * reports instead. Pure.
 */
import { kubernetesColumn } from "../capabilities/kubernetes.js";
import type { Capability } from "../capabilities/types.js";
import type { ComposeModel, ServiceConfig } from "../../spec/model.js";
import type { PathSegment } from "../../spec/locations.js";
import { numericUser } from "./convert/container.js";
import { flotillaExtension, replicasOf } from "./convert/kinds.js";
import { isDns1123Label } from "./names.js";
import type { KubernetesOptions } from "./types.js";

/** Where a value is: its model path, the service it belongs to (if any), the model and the options. */
interface At {
  path: readonly PathSegment[];
  svc: ServiceConfig | undefined;
  model: ComposeModel;
  options: KubernetesOptions;
}

type Rule = (value: unknown, cap: Capability | undefined, at: At) => Capability | undefined;

/** Keys reported with another key (or by the converter, or filled in by the loader): never on their own. */
const SILENT = new Set([
  // reported once, on services.build
  "services.build.context",
  "services.build.dockerfile",
  "services.build.args",
  // decided with the volume's type
  "services.volumes.source",
  "services.volumes.bind",
  "services.volumes.bind.create_host_path",
  // part of the port, mapped
  "services.ports.protocol",
  "services.ports.target",
  "services.ports.published",
  // reported by the converter where a wait cannot be written
  "services.depends_on.condition",
  "services.depends_on.required",
  // the healthcheck's parts: mapped with it
  "services.healthcheck.test",
  "services.healthcheck.interval",
  "services.healthcheck.timeout",
  "services.healthcheck.retries",
  "services.healthcheck.start_period",
  "services.healthcheck.start_interval",
  // filled in by the loader
  "volumes.name",
  "networks.name",
  "secrets.name",
  "configs.name",
]);

/** Flags that matter only when set: `false` is the default and maps to nothing. */
const ONLY_WHEN_TRUE = new Set([
  "volumes.external",
  "networks.external",
  "secrets.external",
  "configs.external",
  "networks.internal",
  "services.read_only",
  "services.privileged",
  "services.init",
  "services.tty",
  "services.stdin_open",
]);

const ON_FAILURE_ALWAYS = "a Deployment always restarts its pods: on-failure becomes Always";

const RULES: Record<string, Rule> = {
  "services.build": (_v, cap, { svc }) =>
    svc?.image === undefined
      ? {
          status: "refused",
          why: "a build-only service has no image the cluster can pull",
          hint: "add `image: registry/name:tag`, then flotilla build && flotilla push",
        }
      : cap,
  "services.pull_policy": (value, cap) => {
    if (value === "build" || (typeof value === "string" && (value === "daily" || value === "weekly" || value.startsWith("every_"))))
      return { status: "refused", why: `pull_policy ${String(value)} has no imagePullPolicy equivalent`, hint: "use always, never or missing" };
    if (value === "refresh") return { status: "warned", why: "pull_policy refresh becomes imagePullPolicy Always" };
    return cap;
  },
  "services.user": (value, cap) =>
    numericUser(String(value)) === undefined
      ? { status: "refused", why: `user "${String(value)}" is a name: Kubernetes takes numeric ids only (runAsUser)`, hint: "write the numeric uid[:gid]" }
      : cap,
  "services.restart": (value, cap, { svc }) =>
    typeof value === "string" && value.startsWith("on-failure") && svc?.deploy?.mode !== "replicated-job"
      ? { status: "warned", why: ON_FAILURE_ALWAYS, to: "restartPolicy Always", hint: "use deploy.mode: replicated-job for a one-shot service" }
      : cap,
  "services.deploy.restart_policy.condition": (value, cap, { svc }) =>
    value === "on-failure" && svc?.deploy?.mode !== "replicated-job" ? { status: "warned", why: ON_FAILURE_ALWAYS, to: "restartPolicy Always" } : cap,
  "services.deploy.mode": (value, cap) =>
    value === "global-job"
      ? { status: "refused", why: "Kubernetes has no Job that runs once per node", hint: "use a DaemonSet, or a Job with node affinity" }
      : cap,
  "services.deploy.placement.constraints": (value, cap) => {
    const list = Array.isArray(value) ? value.map(String) : [];
    const bad = list.filter((c) => !/^\s*(node\.labels\.[\w.\-/]+|node\.platform\.(os|arch))\s*(==|!=)/.test(c));
    if (bad.length > 0)
      return {
        status: "refused",
        why: `constraint ${bad.join(", ")} has no node-label equivalent`,
        hint: "node.hostname → use node.labels.kubernetes.io/hostname==NAME; node.role has no equivalent",
      };
    return cap;
  },
  "services.network_mode": (value) => {
    if (value === "host")
      return { status: "warned", why: "the pod shares the node's network (hostNetwork): ports may collide across pods on one node", to: "pod hostNetwork" };
    if (typeof value === "string" && (value.startsWith("service:") || value.startsWith("container:")))
      return {
        status: "refused",
        why: `network_mode ${value}: containers share a network namespace only inside one pod`,
        hint: "merge the two services into one pod with a kustomize patch",
      };
    if (value === "bridge" || value === "default") return { status: "mapped", to: "the pod network" };
    return { status: "refused", why: `network_mode ${String(value)} has no Kubernetes equivalent` };
  },
  "services.volumes.type": (value, cap, at) => {
    if (value === "bind") return bindMount(at.options);
    if (value === "volume") return volumeMount(cap, at);
    if (value === "tmpfs") return cap;
    return { status: "refused", why: `volume type ${String(value)} has no Kubernetes equivalent` };
  },
  "services.hostname": (value, cap) =>
    !isDns1123Label(String(value)) ? { status: "warned", why: `hostname "${String(value)}" is not a DNS-1123 label: the pod keeps its own name` } : cap,
  "services.ports.mode": (value) =>
    value === "host"
      ? { status: "warned", why: "a host port is bound on the node that runs the pod: one pod per node", to: "containerPort hostPort" }
      : undefined,
};

function bindMount(options: KubernetesOptions): Capability {
  if (options.bindAsHostPath === true)
    return { status: "warned", why: "bind mount → hostPath: the path is on whichever node runs the pod", to: "hostPath volume" };
  return {
    status: "refused",
    why: "a bind mount reads the host's files, which the cluster's nodes do not have",
    hint: "put the files in a config (configs:) or the image, or use --bind-as-hostpath to mount a node path knowingly",
  };
}

/** A volume mount: anonymous → emptyDir; a claim several replicas write must be ReadWriteMany. */
function volumeMount(cap: Capability | undefined, { path, svc, model }: At): Capability | undefined {
  const mount = svc?.volumes?.[path[path.length - 2] as number];
  const decl = mount?.source !== undefined ? model.volumes[mount.source] : undefined;
  if (mount?.source === undefined) return { status: "mapped", to: "emptyDir (an anonymous volume lives as long as the pod)" };
  if (decl && decl.external !== true && mount.read_only !== true && svc !== undefined && replicasOf(svc) > 1 && svc.deploy?.mode !== "global") {
    const mode = flotillaExtension(decl as unknown as Record<string, unknown>)["access_mode"];
    if (mode !== "ReadWriteMany")
      return {
        status: "refused",
        why: `${replicasOf(svc)} replicas write to volume ${mount.source}, a ReadWriteOnce claim one node can mount`,
        hint: "x-flotilla: {k8s: {access_mode: ReadWriteMany}} on the volume (needs a storage class that offers it), or one replica",
      };
  }
  return cap;
}

/** The capability of one key *with its value*: the column's row, refined where the value decides. */
export function refine(
  key: string,
  value: unknown,
  path: readonly PathSegment[],
  svc: ServiceConfig | undefined,
  model: ComposeModel,
  options: KubernetesOptions,
): Capability | undefined {
  const cap = kubernetesColumn[key];
  if (SILENT.has(key)) return undefined;
  if (ONLY_WHEN_TRUE.has(key)) return value === true ? cap : undefined;
  const rule = RULES[key];
  return rule !== undefined ? rule(value, cap, { path, svc, model, options }) : cap;
}
