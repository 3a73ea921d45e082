/**
 * Desired (convert's output) vs observed (what the swarm has under the stack's label) → ordered
 * actions with reasons, like `up`'s plan: secrets and configs first, then networks, then services
 * in depends_on order (each with the dependencies it waits for), then orphans, then the old
 * versions of secrets and configs (pruned only after the rollout). A service whose spec-hash label
 * equals the desired hash is not updated. Pure: `apply` (swarmrt) executes it; `render` prints it.
 *
 * Reasons never carry values that may be secret: environment changes name the variables only.
 */
import { ServiceGraph, type DependencyEdge } from "../../graph/graph.js";
import { canonicalJson } from "../../spec/hash.js";
import type { ServiceConfig } from "../../spec/model.js";
import type { NetworkCreateSpec, NetworkSummary } from "../../runtime/engine.js";
import type { ServiceSpec, ServiceSummary, SwarmObjectSpec, SwarmObjectSummary } from "../../runtime/engine-swarm.js";
import type { SwarmStackSpec } from "./convert.js";
import { LABEL_IMAGE, LABEL_NAMESPACE, LABEL_OBJECT, LABEL_SPEC_HASH } from "./names.js";

export interface ObservedStack {
  services: readonly ServiceSummary[];
  secrets: readonly SwarmObjectSummary[];
  configs: readonly SwarmObjectSummary[];
  networks: readonly NetworkSummary[];
}

export interface PlanOptions {
  /** `--prune`: remove services (and their networks) that are no longer in the file. */
  prune?: boolean;
}

export type ObjectKind = "secret" | "config";

export type SwarmAction =
  | { kind: "create-object"; object: ObjectKind; key: string; name: string; spec: SwarmObjectSpec; reason: string }
  | { kind: "keep-object"; object: ObjectKind; key: string; name: string; id: string }
  | { kind: "create-network"; name: string; spec: NetworkCreateSpec; reason: string }
  | {
      kind: "keep-network";
      name: string;
      id: string;
      /** Set when the file's definition differs from the one the network was created with (networks cannot be updated). */
      changed?: string;
    }
  | {
      kind: "create-service";
      service: string;
      name: string;
      spec: ServiceSpec;
      reason: string;
      /** Services (compose keys) this one waits for, with the condition. */
      waitFor: DependencyEdge[];
    }
  | {
      kind: "update-service";
      service: string;
      name: string;
      id: string;
      /** Needed by updateService (optimistic concurrency). */
      version: number;
      spec: ServiceSpec;
      reasons: string[];
      /** Tasks restart (the task template changed), or only the service object changes (e.g. replicas, labels). */
      rolling: boolean;
      waitFor: DependencyEdge[];
    }
  | { kind: "unchanged-service"; service: string; name: string; id: string; waitFor: DependencyEdge[] }
  | { kind: "orphan-service"; name: string; id: string; remove: boolean; reason: string }
  | { kind: "remove-network"; name: string; id: string; reason: string }
  | { kind: "prune-object"; object: ObjectKind; key: string; name: string; id: string; reason: string };

export interface SwarmPlan {
  stack: string;
  actions: SwarmAction[];
}

/**
 * A value as compared: what the engine adds on its own is dropped on both sides (empty objects and
 * lists, zeros, empty strings, false), so an inspected spec equals the spec that was sent.
 */
function blankless(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(blankless);
    return out.length === 0 ? undefined : out;
  }
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const y = blankless(x);
      if (y !== undefined) out[k] = y;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v === 0 || v === "" || v === false || v === null ? undefined : v;
}

const eq = (a: unknown, b: unknown): boolean => canonicalJson(blankless(a) ?? null) === canonicalJson(blankless(b) ?? null);

/** Desired and observed values of a field, compared only when the desired spec sets it or the observed one has it set by us. */
interface Field {
  name: string;
  get: (s: ServiceSpec) => unknown;
  /** Changes of this field restart tasks (they are in the task template). */
  task: boolean;
  describe?: (from: unknown, to: unknown) => string;
}

const c = (s: ServiceSpec) => s.TaskTemplate?.ContainerSpec;
/** References by name (the engine adds the object ids to what it stores). */
const refs = (xs: { File: unknown; SecretName?: string; ConfigName?: string }[] | undefined) =>
  xs?.map((r) => ({ File: r.File, SecretName: r.SecretName, ConfigName: r.ConfigName }));
/** Update/rollback config with the engine's defaults dropped (failure action pause, order stop-first). */
const updateConfig = (u: ServiceSpec["UpdateConfig"]) =>
  u && { ...u, FailureAction: u.FailureAction === "pause" ? undefined : u.FailureAction, Order: u.Order === "stop-first" ? undefined : u.Order };
const names = (env: unknown): Map<string, string> =>
  new Map(((env as string[] | undefined) ?? []).map((e) => [e.split("=")[0], e] as [string, string]));

function envChange(from: unknown, to: unknown): string {
  const a = names(from);
  const b = names(to);
  const parts: string[] = [];
  for (const k of b.keys()) if (!a.has(k)) parts.push(`+${k}`);
  for (const k of a.keys()) if (!b.has(k)) parts.push(`-${k}`);
  for (const [k, v] of b) if (a.has(k) && a.get(k) !== v) parts.push(`~${k}`);
  return `environment ${parts.join(" ")}`;
}

function refChange(kind: string) {
  return (from: unknown, to: unknown): string => {
    const key = (r: { SecretName?: string; ConfigName?: string }) => r.SecretName ?? r.ConfigName ?? "";
    const a = new Set(((from as { SecretName?: string; ConfigName?: string }[] | undefined) ?? []).map(key));
    const b = new Set(((to as { SecretName?: string; ConfigName?: string }[] | undefined) ?? []).map(key));
    const added = [...b].filter((x) => !a.has(x));
    const removed = [...a].filter((x) => !b.has(x));
    if (added.length === 0 && removed.length === 0) return `${kind} targets or modes changed`;
    return `${kind} ${[...removed.map((x) => `-${x}`), ...added.map((x) => `+${x}`)].join(" ")}`;
  };
}

const FIELDS: Field[] = [
  { name: "image", get: (s) => c(s)?.Image, task: true, describe: (a, b) => `image ${String(a)}→${String(b)}` },
  { name: "environment", get: (s) => c(s)?.Env, task: true, describe: envChange },
  { name: "command", get: (s) => c(s)?.Args, task: true },
  { name: "entrypoint", get: (s) => c(s)?.Command, task: true },
  { name: "secrets", get: (s) => refs(c(s)?.Secrets), task: true, describe: refChange("secrets") },
  { name: "configs", get: (s) => refs(c(s)?.Configs), task: true, describe: refChange("configs") },
  { name: "mounts", get: (s) => c(s)?.Mounts, task: true },
  { name: "healthcheck", get: (s) => c(s)?.Healthcheck, task: true },
  { name: "container labels", get: (s) => c(s)?.Labels, task: true },
  { name: "user", get: (s) => c(s)?.User, task: true },
  { name: "working_dir", get: (s) => c(s)?.Dir, task: true },
  { name: "hostname", get: (s) => c(s)?.Hostname, task: true },
  { name: "stop_grace_period", get: (s) => c(s)?.StopGracePeriod, task: true },
  { name: "stop_signal", get: (s) => c(s)?.StopSignal, task: true },
  { name: "extra_hosts", get: (s) => c(s)?.Hosts, task: true },
  { name: "dns", get: (s) => c(s)?.DNSConfig, task: true },
  { name: "capabilities", get: (s) => [c(s)?.CapabilityAdd, c(s)?.CapabilityDrop], task: true },
  { name: "sysctls", get: (s) => c(s)?.Sysctls, task: true },
  { name: "ulimits", get: (s) => c(s)?.Ulimits, task: true },
  { name: "init", get: (s) => c(s)?.Init, task: true },
  { name: "read_only", get: (s) => c(s)?.ReadOnly, task: true },
  { name: "tty/stdin_open", get: (s) => [c(s)?.TTY, c(s)?.OpenStdin], task: true },
  { name: "resources", get: (s) => s.TaskTemplate?.Resources, task: true },
  { name: "restart_policy", get: (s) => s.TaskTemplate?.RestartPolicy, task: true },
  { name: "placement", get: (s) => s.TaskTemplate?.Placement, task: true },
  { name: "networks", get: (s) => s.TaskTemplate?.Networks?.map((n) => [n.Target, n.Aliases, n.DriverOpts]), task: true },
  { name: "logging", get: (s) => s.TaskTemplate?.LogDriver, task: true },
  {
    name: "replicas",
    get: (s) => s.Mode,
    task: false,
    describe: (a, b) => {
      const r = (m: unknown) => (m as ServiceSpec["Mode"])?.Replicated?.Replicas;
      return r(a) !== undefined && r(b) !== undefined ? `replicas ${r(a)}→${r(b)}` : "mode changed";
    },
  },
  { name: "update_config", get: (s) => updateConfig(s.UpdateConfig), task: false },
  { name: "rollback_config", get: (s) => updateConfig(s.RollbackConfig), task: false },
  { name: "ports", get: (s) => s.EndpointSpec?.Ports, task: false },
  { name: "endpoint_mode", get: (s) => s.EndpointSpec?.Mode ?? "vip", task: false },
];

/**
 * The engine stores network attachments by network id: name them again (ids it does not know, e.g.
 * of external networks left out of `networkNames`, are matched to a desired name by position).
 */
function withNetworkNames(observed: ServiceSpec, desired: ServiceSpec, networkNames: ReadonlyMap<string, string>): ServiceSpec {
  const nets = observed.TaskTemplate?.Networks;
  if (!nets) return observed;
  const wanted = new Set((desired.TaskTemplate?.Networks ?? []).map((n) => n.Target));
  const named = nets.map((n) => ({ ...n, Target: networkNames.get(n.Target) ?? n.Target }));
  const unknown = named.filter((n) => !wanted.has(n.Target));
  const unclaimed = [...wanted].filter((t) => !named.some((n) => n.Target === t));
  if (unknown.length === unclaimed.length) unknown.forEach((n, i) => (n.Target = unclaimed[i]!));
  named.sort((a, b) => (a.Target < b.Target ? -1 : a.Target > b.Target ? 1 : 0));
  return { ...observed, TaskTemplate: { ...observed.TaskTemplate, Networks: named } };
}

/** The field-level differences between what runs and what the file says, and whether tasks restart. */
export function diffServiceSpecs(
  inspected: ServiceSpec,
  desired: ServiceSpec,
  networkNames: ReadonlyMap<string, string> = new Map(),
): { reasons: string[]; rolling: boolean } {
  const observed = withNetworkNames(inspected, desired, networkNames);
  const reasons: string[] = [];
  let rolling = false;
  for (const f of FIELDS) {
    const a = f.get(observed);
    const b = f.get(desired);
    if (eq(a, b)) continue;
    reasons.push(f.describe ? f.describe(a, b) : `${f.name} changed`);
    if (f.task) rolling = true;
  }
  const userLabels = (s: ServiceSpec) => Object.fromEntries(Object.entries(s.Labels ?? {}).filter(([k]) => k !== LABEL_SPEC_HASH && k !== LABEL_IMAGE));
  if (!eq(userLabels(observed), userLabels(desired))) reasons.push("service labels changed");
  return { reasons, rolling };
}

/** How many tasks a rolling update replaces, and in how many batches. */
export function rolloutSize(observed: ServiceSummary | undefined, desired: ServiceSpec): { tasks: number | undefined; parallelism: number; order: string } {
  const replicas = desired.Mode?.Replicated?.Replicas ?? observed?.spec.Mode?.Replicated?.Replicas;
  const parallelism = desired.UpdateConfig?.Parallelism ?? 1;
  return { tasks: replicas, parallelism, order: desired.UpdateConfig?.Order ?? "stop-first" };
}

function rollingSentence(observed: ServiceSummary, desired: ServiceSpec): string {
  const { tasks, parallelism, order } = rolloutSize(observed, desired);
  const what = tasks === undefined ? "on every node" : `of ${tasks} task${tasks === 1 ? "" : "s"}`;
  return `rolling update ${what}, parallelism ${parallelism === 0 ? "all" : parallelism}, ${order}`;
}

const stackOf = (labels: Record<string, string> | undefined): string | undefined => labels?.[LABEL_NAMESPACE];

export function planStack(desired: SwarmStackSpec, observed: ObservedStack, services: Record<string, ServiceConfig>, options: PlanOptions = {}): SwarmPlan {
  const stack = desired.stack;
  const mine = <T extends { labels?: Record<string, string> }>(xs: readonly T[]): T[] => xs.filter((x) => stackOf(x.labels) === stack);
  const actions: SwarmAction[] = [];

  // 1. secrets and configs: content-hash names, so an existing name is the same content
  const objects = (object: ObjectKind, want: SwarmStackSpec["secrets"], have: readonly SwarmObjectSummary[]): void => {
    const byName = new Map(have.map((o) => [o.name, o]));
    for (const o of want) {
      const found = byName.get(o.spec.Name);
      if (found) {
        actions.push({ kind: "keep-object", object, key: o.key, name: o.spec.Name, id: found.id });
        continue;
      }
      const older = have.filter((h) => h.labels[LABEL_OBJECT] === o.key && stackOf(h.labels) === stack);
      actions.push({
        kind: "create-object",
        object,
        key: o.key,
        name: o.spec.Name,
        spec: o.spec,
        reason: older.length > 0 ? `new content (was ${older.map((h) => h.name).join(", ")})` : `${object} ${o.key} is new`,
      });
    }
  };
  objects("secret", desired.secrets, mine(observed.secrets));
  objects("config", desired.configs, mine(observed.configs));

  // 2. networks
  const haveNets = new Map(observed.networks.map((n) => [n.name, n]));
  for (const n of desired.networks) {
    const found = haveNets.get(n.Name);
    if (found) {
      const was = found.labels[LABEL_SPEC_HASH];
      const now = n.Labels?.[LABEL_SPEC_HASH];
      const changed =
        was !== undefined && now !== undefined && was !== now
          ? "its definition in the file changed since it was created; the existing network is kept (Swarm cannot update a network: remove the stack to recreate it)"
          : undefined;
      actions.push({ kind: "keep-network", name: n.Name, id: found.id, ...(changed ? { changed } : {}) });
    }
    else actions.push({ kind: "create-network", name: n.Name, spec: n, reason: `network ${n.Name} does not exist` });
  }

  // 3. services, dependencies first
  const networkNames = new Map(observed.networks.map((n) => [n.id, n.name]));
  const graph = ServiceGraph.fromServices(services);
  const order = graph.order();
  const byService = new Map(desired.services.map((s) => [s.service, s]));
  const haveServices = new Map(mine(observed.services.map((s) => ({ ...s, labels: s.spec.Labels }))).map((s) => [s.spec.Name, s]));
  for (const name of [...order, ...desired.services.map((s) => s.service).filter((s) => !order.includes(s))]) {
    const want = byService.get(name);
    if (!want) continue;
    const waitFor = graph.has(name) ? graph.dependencies(name).filter((e) => byService.has(e.service)) : [];
    const have = haveServices.get(want.spec.Name);
    if (!have) {
      actions.push({ kind: "create-service", service: name, name: want.spec.Name, spec: want.spec, reason: "not deployed yet", waitFor });
      continue;
    }
    const hash = have.spec.Labels?.[LABEL_SPEC_HASH];
    if (hash === want.hash) {
      actions.push({ kind: "unchanged-service", service: name, name: want.spec.Name, id: have.id, waitFor });
      continue;
    }
    const { reasons, rolling } = diffServiceSpecs(have.spec, want.spec, networkNames);
    if (hash === undefined) reasons.unshift("not deployed by Flotilla (no spec-hash label)");
    if (reasons.length === 0) reasons.push("spec changed (spec-hash differs)");
    if (rolling) reasons[0] = `${reasons[0]}: ${rollingSentence(have, want.spec)}`;
    else reasons[0] = `${reasons[0]} (no task restarts)`;
    actions.push({ kind: "update-service", service: name, name: want.spec.Name, id: have.id, version: have.version, spec: want.spec, reasons, rolling, waitFor });
  }

  // 4. orphans: reported; removed only with --prune
  const wanted = new Set(desired.services.map((s) => s.spec.Name));
  const orphans = [...haveServices.values()].filter((s) => !wanted.has(s.spec.Name)).sort((a, b) => a.spec.Name.localeCompare(b.spec.Name));
  for (const o of orphans) {
    actions.push({
      kind: "orphan-service",
      name: o.spec.Name,
      id: o.id,
      remove: options.prune === true,
      reason: options.prune ? "no longer in the file (--prune)" : "no longer in the file; kept (pass --prune to remove it)",
    });
  }
  const keptOrphans = options.prune ? [] : orphans;
  if (options.prune) {
    const wantedNets = new Set([...desired.networks.map((n) => n.Name), ...desired.externalNetworks]);
    for (const n of mine(observed.networks).filter((n) => !wantedNets.has(n.name)).sort((a, b) => a.name.localeCompare(b.name))) {
      actions.push({ kind: "remove-network", name: n.name, id: n.id, reason: "no longer used by the stack (--prune)" });
    }
  }

  // 5. old versions of secrets and configs, once no service that stays uses them
  const stillUsed = new Set<string>();
  for (const o of keptOrphans) {
    for (const r of [...(o.spec.TaskTemplate.ContainerSpec.Secrets ?? []), ...(o.spec.TaskTemplate.ContainerSpec.Configs ?? [])]) {
      stillUsed.add(r.SecretName ?? r.ConfigName ?? "");
    }
  }
  const prune = (object: ObjectKind, want: SwarmStackSpec["secrets"], have: readonly SwarmObjectSummary[]): void => {
    const keep = new Set(want.map((o) => o.spec.Name));
    const keys = new Set(want.map((o) => o.key));
    for (const h of [...have].sort((a, b) => a.name.localeCompare(b.name))) {
      const key = h.labels[LABEL_OBJECT];
      if (key === undefined || keep.has(h.name) || stillUsed.has(h.name)) continue;
      actions.push({
        kind: "prune-object",
        object,
        key,
        name: h.name,
        id: h.id,
        reason: keys.has(key) ? `old version of ${object} ${key}, removed after the rollout` : `${object} ${key} is no longer in the file`,
      });
    }
  };
  prune("secret", desired.secrets, mine(observed.secrets));
  prune("config", desired.configs, mine(observed.configs));

  return { stack, actions };
}
