/**
 * How Swarm schedules a service, from `deploy:` (and the legacy keys it replaces): resources
 * (legacy cpus/mem_limit/mem_reservation/pids_limit when deploy.resources does not set them),
 * restart policy (deploy.restart_policy, else `restart:`), placement, mode and replicas, update and
 * rollback config, and the endpoint (mode and published ports, sorted as docker stack sorts them).
 * Pure; bad values are collected on the context at their position.
 */
import type { PathSegment } from "../../spec/locations.js";
import type { ServiceConfig } from "../../spec/model.js";
import type { ResourceSpec, ServiceSpec, TaskSpec, UpdateConfig } from "../../runtime/engine-swarm.js";
import { prune, type ConvertContext } from "./convert-context.js";

export function convertResources(c: ConvertContext, svc: ServiceConfig, p: PathSegment[]): TaskSpec["Resources"] {
  const r = svc.deploy?.resources;
  const dp: PathSegment[] = [...p, "deploy", "resources"];
  const limits: ResourceSpec = prune({
    NanoCPUs: c.cpus(r?.limits?.cpus ?? svc.cpus, r?.limits?.cpus !== undefined ? [...dp, "limits", "cpus"] : [...p, "cpus"]),
    MemoryBytes: c.bytes(r?.limits?.memory ?? svc.mem_limit, r?.limits?.memory !== undefined ? [...dp, "limits", "memory"] : [...p, "mem_limit"]),
    Pids: r?.limits?.pids ?? svc.pids_limit,
  });
  const generic = (r?.reservations?.generic_resources ?? []).map((g) => {
    const d = (g as { discrete_resource_spec?: { kind: string; value: number } }).discrete_resource_spec;
    return d ? { DiscreteResourceSpec: { Kind: d.kind, Value: Number(d.value) } } : {};
  });
  const reservations: ResourceSpec = prune({
    NanoCPUs: c.cpus(r?.reservations?.cpus, [...dp, "reservations", "cpus"]),
    MemoryBytes: c.bytes(
      r?.reservations?.memory ?? svc.mem_reservation,
      r?.reservations?.memory !== undefined ? [...dp, "reservations", "memory"] : [...p, "mem_reservation"],
    ),
    GenericResources: generic.length > 0 ? generic : undefined,
  });
  const out = prune({
    Limits: Object.keys(limits).length > 0 ? limits : undefined,
    Reservations: Object.keys(reservations).length > 0 ? reservations : undefined,
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

export function convertRestartPolicy(c: ConvertContext, svc: ServiceConfig, p: PathSegment[]): TaskSpec["RestartPolicy"] {
  const rp = svc.deploy?.restart_policy;
  const rpp: PathSegment[] = [...p, "deploy", "restart_policy"];
  if (rp) {
    return prune({
      Condition: rp.condition as "none" | "on-failure" | "any" | undefined,
      Delay: c.ns(rp.delay, [...rpp, "delay"]),
      MaxAttempts: rp.max_attempts,
      Window: c.ns(rp.window, [...rpp, "window"]),
    });
  }
  const restart = svc.restart;
  if (restart === undefined) return undefined;
  const [policy, count] = restart.split(":");
  const max = count !== undefined && Number(count) > 0 ? Number(count) : undefined;
  switch (policy) {
    case "no":
      return { Condition: "none" };
    case "always":
    case "unless-stopped":
      return prune({ Condition: "any" as const, MaxAttempts: max });
    case "on-failure":
      return prune({ Condition: "on-failure" as const, MaxAttempts: max });
    default:
      c.issue([...p, "restart"], `unknown restart policy ${JSON.stringify(restart)}`, "use no, always, unless-stopped or on-failure[:N]");
      return undefined;
  }
}

export function convertPlacement(v: unknown): TaskSpec["Placement"] {
  const pl = (v ?? {}) as { constraints?: string[]; preferences?: { spread?: string }[]; max_replicas_per_node?: number };
  const out = prune({
    Constraints: pl.constraints && pl.constraints.length > 0 ? pl.constraints : undefined,
    Preferences:
      pl.preferences && pl.preferences.length > 0
        ? pl.preferences.filter((x) => x.spread !== undefined).map((x) => ({ Spread: { SpreadDescriptor: x.spread! } }))
        : undefined,
    MaxReplicas: pl.max_replicas_per_node,
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

export function convertMode(c: ConvertContext, svc: ServiceConfig, p: PathSegment[]): ServiceSpec["Mode"] {
  const mode = svc.deploy?.mode ?? "replicated";
  const replicas = svc.deploy?.replicas ?? svc.scale;
  switch (mode) {
    case "replicated":
      return { Replicated: { Replicas: replicas ?? 1 } };
    case "global":
      return { Global: {} };
    case "replicated-job":
      return { ReplicatedJob: { MaxConcurrent: replicas ?? 1, TotalCompletions: replicas ?? 1 } };
    case "global-job":
      return { GlobalJob: {} };
    default:
      c.issue([...p, "deploy", "mode"], `unknown deploy mode ${JSON.stringify(mode)}`, "use replicated, global, replicated-job or global-job");
      return undefined;
  }
}

export function convertUpdateConfig(c: ConvertContext, v: unknown, p: PathSegment[]): UpdateConfig | undefined {
  if (v === undefined || v === null) return undefined;
  const u = v as { parallelism?: number; delay?: string; failure_action?: string; monitor?: string; max_failure_ratio?: number; order?: string };
  return prune({
    Parallelism: u.parallelism ?? 1,
    Delay: c.ns(u.delay, [...p, "delay"]),
    FailureAction: u.failure_action as UpdateConfig["FailureAction"],
    Monitor: c.ns(u.monitor, [...p, "monitor"]),
    MaxFailureRatio: u.max_failure_ratio,
    Order: u.order as UpdateConfig["Order"],
  });
}

export function convertEndpoint(c: ConvertContext, svc: ServiceConfig, p: PathSegment[]): ServiceSpec["EndpointSpec"] {
  const mode = svc.deploy?.["endpoint_mode"] as string | undefined;
  const ports: NonNullable<NonNullable<ServiceSpec["EndpointSpec"]>["Ports"]> = [];
  (svc.ports ?? []).forEach((port, i) => {
    const published = port.published;
    let first: number | undefined;
    if (published !== undefined && published !== "") {
      const m = /^(\d+)(?:-(\d+))?$/.exec(published);
      if (!m) {
        c.issue([...p, "ports", i, "published"], `invalid published port ${JSON.stringify(published)}`);
        return;
      }
      first = Number(m[1]);
      if (m[2] !== undefined && Number(m[2]) !== first) {
        c.issue([...p, "ports", i, "published"], `a published port range (${published}) for one target port cannot be sent to Swarm`, "publish one port per target port");
        return;
      }
    }
    ports.push(prune({ Name: port.name, Protocol: port.protocol, TargetPort: port.target, PublishedPort: first, PublishMode: port.mode }));
  });
  const sorted = [...ports].sort(
    (a, b) => (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0) || a.TargetPort - b.TargetPort || String(a.Protocol).localeCompare(String(b.Protocol)),
  );
  // Always sent, vip by default: docker stack sends an endpoint spec for every service and the
  // engine stores its empty mode as vip, so both tools store the same spec.
  return prune({ Mode: (mode?.toLowerCase() ?? "vip") as "vip" | "dnsrr", Ports: sorted.length > 0 ? sorted : undefined });
}
