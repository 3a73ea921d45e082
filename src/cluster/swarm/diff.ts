/**
 * What changed between the spec a service runs with and the one the file gives now, field by
 * field, in words (`image a→b`, `environment +NEW ~CHANGED` — variable names only, never values),
 * and whether the change restarts tasks (the task template changed) or only the service object.
 * Also how many tasks a rolling update replaces. Pure.
 */
import { canonicalJson } from "../../spec/hash.js";
import type { ServiceSpec, ServiceSummary } from "../../runtime/engine-swarm.js";
import { LABEL_IMAGE, LABEL_SPEC_HASH } from "./names.js";

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

/** "rolling update of 6 tasks, parallelism 1, stop-first". */
export function rollingSentence(observed: ServiceSummary, desired: ServiceSpec): string {
  const { tasks, parallelism, order } = rolloutSize(observed, desired);
  const what = tasks === undefined ? "on every node" : `of ${tasks} task${tasks === 1 ? "" : "s"}`;
  return `rolling update ${what}, parallelism ${parallelism === 0 ? "all" : parallelism}, ${order}`;
}
