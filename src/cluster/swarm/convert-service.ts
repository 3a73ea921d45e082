/**
 * One compose service → the ServiceSpec `docker stack deploy` sends: the container (command,
 * environment, user, healthcheck, capabilities, secrets and configs by their Swarm names, mounts…),
 * the task template (resources, restart policy, placement, networks with the service name as an
 * alias, logging), mode, update/rollback config and endpoint, with docker stack's names and labels,
 * plus the `io.flotilla.spec-hash` label (sha256 of the spec without it). Pure.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../../spec/hash.js";
import type { PathSegment } from "../../spec/locations.js";
import type { HealthcheckConfig, ServiceConfig, ServiceSecretRef } from "../../spec/model.js";
import type { FileReference, ServiceSpec, SwarmContainerSpec, TaskSpec } from "../../runtime/engine-swarm.js";
import { prune, sortedBy, withStack, type ConvertContext } from "./convert-context.js";
import { convertEndpoint, convertMode, convertPlacement, convertResources, convertRestartPolicy, convertUpdateConfig } from "./convert-deploy.js";
import { convertMounts } from "./convert-mounts.js";
import { LABEL_IMAGE, LABEL_SPEC_HASH, objectName, scoped } from "./names.js";

export interface DesiredService {
  /** The service's key in the file. */
  service: string;
  spec: ServiceSpec;
  /** sha256 of the spec without this label: the `io.flotilla.spec-hash` label's value. */
  hash: string;
}

/** Service names are DNS labels. */
const MAX_SERVICE_NAME = 63;

/** `net_admin` → `CAP_NET_ADMIN`; ALL and RESET stay as they are. */
function normalizeCapability(cap: string): string {
  const c = cap.trim().toUpperCase();
  return c === "ALL" || c === "RESET" || c.startsWith("CAP_") ? c : `CAP_${c}`;
}

/**
 * The capabilities the engine should add and drop, as docker stack sends them: normalized, ALL
 * alone when present, a capability both added and dropped is added, RESET removed, sorted.
 */
function capabilities(add: string[] | undefined, drop: string[] | undefined): { CapabilityAdd?: string[]; CapabilityDrop?: string[] } {
  let adds = new Set((add ?? []).map(normalizeCapability));
  let drops = new Set((drop ?? []).map(normalizeCapability));
  if (adds.has("ALL")) adds = new Set(["ALL"]);
  if (drops.has("ALL")) drops = new Set(["ALL"]);
  const capAdd = [...adds].filter((c) => c !== "RESET").sort();
  const capDrop = [...drops].filter((c) => c !== "RESET" && !adds.has(c)).sort();
  return { ...(capAdd.length > 0 ? { CapabilityAdd: capAdd } : {}), ...(capDrop.length > 0 ? { CapabilityDrop: capDrop } : {}) };
}

export function convertService(c: ConvertContext, name: string, svc: ServiceConfig): DesiredService {
  const p: PathSegment[] = ["services", name];
  const deploy = svc.deploy ?? {};
  const image = c.input.images?.[name] ?? svc.image ?? "";
  const task: TaskSpec = prune({
    ContainerSpec: containerSpec(c, svc, image, p),
    Resources: convertResources(c, svc, p),
    RestartPolicy: convertRestartPolicy(c, svc, p),
    Placement: convertPlacement(deploy["placement"]),
    Networks: attachments(c, name, svc),
    LogDriver: svc.logging ? prune({ Name: svc.logging.driver ?? "", Options: svc.logging.options }) : undefined,
  });
  const spec: ServiceSpec = prune({
    Name: scoped(c.stack, name),
    Labels: { ...withStack(c.stack, deploy.labels), [LABEL_IMAGE]: svc.image ?? image },
    TaskTemplate: task,
    Mode: convertMode(c, svc, p),
    UpdateConfig: convertUpdateConfig(c, deploy["update_config"], [...p, "deploy", "update_config"]),
    RollbackConfig: convertUpdateConfig(c, deploy["rollback_config"], [...p, "deploy", "rollback_config"]),
    EndpointSpec: convertEndpoint(c, svc, p),
  });
  if (spec.Name.length > MAX_SERVICE_NAME) {
    c.issue(p, `the Swarm service name ${spec.Name} is longer than ${MAX_SERVICE_NAME} characters (a DNS label)`, "use a shorter stack or service name");
  }
  const hash = createHash("sha256").update(canonicalJson(spec)).digest("hex");
  spec.Labels = { ...spec.Labels, [LABEL_SPEC_HASH]: hash };
  return { service: name, spec, hash };
}

function containerSpec(c: ConvertContext, svc: ServiceConfig, image: string, p: PathSegment[]): SwarmContainerSpec {
  return prune({
    Image: image,
    Labels: withStack(c.stack, svc.labels),
    Command: svc.entrypoint ?? undefined,
    Args: svc.command ?? undefined,
    Hostname: svc.hostname,
    Env: env(svc.environment),
    Dir: svc.working_dir,
    User: svc.user,
    Groups: svc.group_add,
    TTY: svc.tty,
    OpenStdin: svc.stdin_open,
    ReadOnly: svc.read_only,
    Mounts: convertMounts(c, svc, p),
    StopSignal: svc.stop_signal,
    StopGracePeriod: c.ns(svc.stop_grace_period, [...p, "stop_grace_period"]),
    Healthcheck: healthcheck(c, svc.healthcheck, [...p, "healthcheck"]),
    Hosts: svc.extra_hosts?.map((h) => {
      const i = h.indexOf("=");
      return `${h.slice(i + 1)} ${h.slice(0, i)}`;
    }),
    DNSConfig: svc.dns || svc.dns_search || svc.dns_opt ? prune({ Nameservers: svc.dns, Search: svc.dns_search, Options: svc.dns_opt }) : undefined,
    Secrets: refs(c, svc.secrets, "secrets", p),
    Configs: refs(c, svc.configs, "configs", p),
    Isolation: svc["isolation"],
    Init: svc.init,
    Sysctls: svc.sysctls && Object.keys(svc.sysctls).length > 0 ? svc.sysctls : undefined,
    ...capabilities(svc.cap_add, svc.cap_drop),
    Ulimits: svc.ulimits ? sortedBy(Object.entries(svc.ulimits), ([n]) => n).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard })) : undefined,
    OomScoreAdj: svc.oom_score_adj,
    Privileges: privileges(svc),
  });
}

function env(environment: Record<string, string | null> | undefined): string[] | undefined {
  if (!environment) return undefined;
  const out = Object.entries(environment).map(([k, v]) => (v === null ? k : `${k}=${v}`));
  return out.length > 0 ? out.sort() : undefined;
}

function healthcheck(c: ConvertContext, h: HealthcheckConfig | undefined, p: PathSegment[]): SwarmContainerSpec["Healthcheck"] {
  if (!h) return undefined;
  if (h.disable || h.test?.[0] === "NONE") return { Test: ["NONE"] };
  return prune({
    Test: h.test,
    Interval: c.ns(h.interval, [...p, "interval"]),
    Timeout: c.ns(h.timeout, [...p, "timeout"]),
    Retries: h.retries,
    StartPeriod: c.ns(h.start_period, [...p, "start_period"]),
    StartInterval: c.ns(h.start_interval, [...p, "start_interval"]),
  });
}

function privileges(svc: ServiceConfig): SwarmContainerSpec["Privileges"] {
  const cred = svc["credential_spec"] as { file?: string; registry?: string } | undefined;
  if (!cred || (cred.file === undefined && cred.registry === undefined)) return undefined;
  return { CredentialSpec: prune({ File: cred.file, Registry: cred.registry }) };
}

function refs(c: ConvertContext, list: ServiceSecretRef[] | undefined, kind: "secrets" | "configs", p: PathSegment[]): FileReference[] | undefined {
  if (!list || list.length === 0) return undefined;
  const names = kind === "secrets" ? c.secretNames : c.configNames;
  const out: FileReference[] = [];
  list.forEach((r, i) => {
    const name = names.get(r.source);
    if (name === undefined) {
      if (!c.issues.some((x) => x.path?.startsWith(`${kind}.${r.source}`))) {
        c.issue([...p, kind, i], `${kind === "secrets" ? "secret" : "config"} ${r.source} is not defined`, `declare it under the top-level ${kind}:`);
      }
      return;
    }
    // Swarm mounts a relative secret name under /run/secrets and a relative config name under /
    let target = r.target ?? r.source;
    if (kind === "secrets" && target === `/run/secrets/${r.source}`) target = r.source;
    const file = { Name: target, UID: r.uid ?? "0", GID: r.gid ?? "0", Mode: r.mode ?? 0o444 };
    out.push(kind === "secrets" ? { File: file, SecretName: name } : { File: file, ConfigName: name });
  });
  // by name only, keeping the file's order for one object mounted twice (as docker stack: a stable sort)
  return out.length > 0 ? sortedBy(out, (r) => r.SecretName ?? r.ConfigName ?? "") : undefined;
}

function attachments(c: ConvertContext, name: string, svc: ServiceConfig): TaskSpec["Networks"] {
  if (svc.network_mode === "host") return [{ Target: "host" }];
  if (svc.network_mode !== undefined) return undefined; // refused by the check (or dropped with --ignore)
  const nets = svc.networks ?? { default: null };
  const out = Object.entries(nets).map(([key, cfg]) => {
    const net = c.model.networks[key];
    const target = objectName(c.stack, c.model.name, key, net?.name, net?.external);
    return prune({ Target: target, Aliases: [...(cfg?.aliases ?? []), name], DriverOpts: cfg?.driver_opts });
  });
  return sortedBy(out, (n) => n.Target);
}
