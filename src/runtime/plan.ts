/**
 * The planner: PURE. Given the loaded project, what the engine has (ObservedState) and the
 * `up` options, decide every action with a human reason. No engine calls, no clock, no env.
 * `applyUp` (apply.ts) is the only place that acts on a plan; `--dry-run` prints `renderPlan`.
 */
import { ConfigError, FlotillaError, type ConfigIssue } from "../errors.js";
import { ServiceGraph } from "../graph/graph.js";
import { diffServiceConfig, resourceConfigHash, serviceConfigHash } from "../spec/hash.js";
import type { ComposeModel, LoadedProject, ServiceConfig } from "../spec/model.js";
import { containerName } from "./convert.js";
import type { ObservedContainer, ObservedState } from "./observe.js";
import type { UpOptions } from "./options.js";
import type { ContainerState } from "./engine.js";
import { Label } from "./labels.js";
import { changedKeys } from "./config-label.js";

export type ResourceActionKind = "create" | "noop" | "recreate";

/** A network or volume action. `target` is the engine name, `key` the model key. */
export interface ResourceAction {
  kind: ResourceActionKind;
  resource: "network" | "volume";
  key: string;
  target: string;
  reason: string;
  /** An existing network's engine id (noop networks): containers are attached by id, not by its name. */
  id?: string;
}

/**
 * `restart`: an up-to-date running container stopped before a dependency it declares
 * `depends_on.<dep>.restart: true` on is recreated (or started), and started again after it.
 */
export type ContainerActionKind = "create" | "recreate" | "start" | "noop" | "remove" | "restart";

/** One container-level action. `target` is the container name it will have. */
export interface ServiceAction {
  kind: ContainerActionKind;
  service: string;
  number: number;
  target: string;
  /** The existing container (recreate/start/noop/remove). */
  containerId?: string;
  /** The existing container's current name (differs from target for interrupted recreates). */
  currentName?: string;
  /** The existing container's state when observed. */
  state?: ContainerState;
  /** The existing container's secrets volume (see secrets-volume.ts): removed after it. */
  secretsVolume?: string;
  /** `restart` actions: the dependencies (depends_on restart: true) whose recreate/start triggers it. */
  restartAfter?: string[];
  reason: string;
}

export interface Plan {
  project: string;
  /** Services in scope (named ones plus dependencies unless noDeps; all when none named). */
  targets: string[];
  networks: ResourceAction[];
  volumes: ResourceAction[];
  services: Record<string, ServiceAction[]>;
  /** Orphan containers: `remove` with removeOrphans, else `noop` (and a warning). */
  orphans: ServiceAction[];
  warnings: string[];
  /** Config hash per target service (stored in the config-hash label). */
  hashes: Record<string, string>;
  /** Desired replicas per target service. */
  replicas: Record<string, number>;
}

export type PlanOptions = UpOptions & {
  /** Current image id per service (after pull/build); enables "image changed" recreates. */
  imageIds?: Record<string, string>;
};

/** What an action on an existing container says about it. */
function fromObserved(c: ObservedContainer): Pick<ServiceAction, "containerId" | "currentName" | "state" | "secretsVolume"> {
  return { containerId: c.id, currentName: c.name, state: c.state, ...(c.secretsVolume ? { secretsVolume: c.secretsVolume } : {}) };
}

/** Replicas wanted for a service: --scale, then `scale:`, then `deploy.replicas`, default 1. */
export function desiredReplicas(service: string, svc: ServiceConfig, scale?: Record<string, number>): number {
  const fromFlag = scale?.[service];
  if (fromFlag !== undefined) return fromFlag;
  if (typeof svc.scale === "number") return svc.scale;
  if (typeof svc.deploy?.replicas === "number") return svc.deploy.replicas;
  return 1;
}

/** Network keys a service attaches to. */
export function serviceNetworkKeys(svc: ServiceConfig, declared: Record<string, unknown>): string[] {
  if (svc.network_mode) return [];
  if (svc.networks && Object.keys(svc.networks).length > 0) return Object.keys(svc.networks);
  return "default" in declared ? ["default"] : [];
}

/** Named-volume keys a service mounts. */
export function serviceVolumeKeys(svc: ServiceConfig, declared: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const m of svc.volumes ?? []) {
    if (m.type === "volume" && m.source && m.source in declared && !keys.includes(m.source)) keys.push(m.source);
  }
  return keys;
}

/** Services whose container another one shares a namespace or volumes with (`service:x`, volumes_from). */
export function namespaceParents(svc: ServiceConfig): string[] {
  const out = new Set<string>();
  for (const ns of [svc.network_mode, svc.ipc, svc.pid, svc.uts, svc.cgroup]) {
    if (typeof ns === "string" && ns.startsWith("service:")) out.add(ns.slice("service:".length));
  }
  for (const v of svc.volumes_from ?? []) if (!v.startsWith("container:")) out.add(v.split(":")[0]!);
  return [...out];
}

/** The services an `up` acts on. */
export function resolveTargets(project: LoadedProject, opts: Pick<UpOptions, "services" | "noDeps">): string[] {
  const services = project.model.services;
  const all = Object.keys(services).sort();
  if (!opts.services || opts.services.length === 0) return all;
  for (const s of opts.services) {
    if (!(s in services)) {
      const disabled = s in project.disabledServices;
      throw new FlotillaError("NO_SUCH_SERVICE", `no such service: ${s}${disabled ? " (disabled by its profiles)" : ""}`, {
        service: s,
        hint: disabled ? `enable one of its profiles with --profile` : `services in this project: ${all.join(", ")}`,
      });
    }
  }
  if (opts.noDeps) return [...new Set(opts.services)].sort();
  const graph = ServiceGraph.fromServices(services);
  return [...graph.closure(opts.services)].filter((s) => s in services).sort();
}

/**
 * Why a container must be recreated (Compose's mustRecreate), or undefined: an interrupted
 * recreate, a config hash change, an image change, or an expected network it is not attached to.
 * The image is compared through the `com.docker.compose.image` label (the image id the
 * container was made from, as Compose records it); without the label, through the image id the
 * engine reports for the container.
 */
function recreateReason(
  c: ObservedContainer,
  svc: ServiceConfig,
  hash: string,
  imageId: string | undefined,
  networks: readonly { name: string; exists: boolean; recreated?: boolean; id?: string }[],
  volumes: readonly string[] = [],
): string | undefined {
  if (c.replacing) return "leftover of an interrupted recreate";
  const config = configReason(c, svc, hash);
  if (config) return config;
  if (imageId) {
    const was = c.imageLabel ?? c.imageId;
    if (was && was !== imageId) return "image changed";
  }
  for (const n of networks) {
    if (n.recreated) return `network ${n.name} recreated (its definition changed)`;
    // Gone from the engine (removed under the container): a start would fail; recreate attaches the new one.
    if (!n.exists) return `network ${n.name} missing`;
    // Attached to another network of that name (removed and created again under a stopped container,
    // or a same-name twin): compared by id, as the engine attaches by id. A start would fail or join the wrong one.
    const seen = c.summary?.networkIds?.[n.name];
    if (n.id && seen && seen !== n.id) return `network ${n.name} was replaced (id ${seen.slice(0, 12)} → ${n.id.slice(0, 12)})`;
    // Running but detached from it (network removed and recreated, or disconnected by hand).
    const attached = c.summary?.networks;
    if ((c.state === "running" || c.state === "restarting") && Array.isArray(attached) && !attached.includes(n.name)) return `network ${n.name} missing`;
  }
  // A named volume it does not mount (the volume's name changed, or it was mounted by another name).
  const mounted = c.summary?.mounts;
  if (Array.isArray(mounted)) {
    for (const v of volumes) if (!mounted.some((m) => m.name === v)) return `volume ${v} not mounted`;
  }
  return undefined;
}

/**
 * A config change, named by key (never by value): the per-key salted hashes of the label against
 * the service's, or — for a label of an older Flotilla, which held the whole config in clear —
 * a recreate once to replace that label, saying so (with the keys that changed, if any).
 */
export function configReason(c: Pick<ObservedContainer, "configHash" | "stored">, svc: ServiceConfig, hash: string): string | undefined {
  const stored = c.stored;
  if (stored?.format === "legacy") {
    const changed = c.configHash !== hash ? diffServiceConfig(stored.config, svc) : [];
    return `config label format changed (the old one stored values in clear)${changed.length > 0 ? `; config changed: ${changed.join(", ")}` : ""}`;
  }
  if (c.configHash === hash) return undefined;
  const changed = stored ? changedKeys(stored, svc) : undefined;
  return changed && changed.length > 0 ? `config changed: ${changed.join(", ")}` : "config hash changed";
}

/**
 * An existing project network or volume is used as it is. Said when it was not made by Compose
 * (no project label: `external: true` says that on purpose) or its definition changed since it was
 * created (its config-hash label): the engine keeps the old settings until it is recreated.
 */
/** A project resource whose config-hash label (when it has one) no longer matches its definition. */
function definitionChanged(config: object, labels: Readonly<Record<string, string>>): boolean {
  const stored = labels[Label.configHash];
  return labels[Label.project] !== undefined && stored !== undefined && stored !== resourceConfigHash(config);
}

function existingReason(kind: "network" | "volume", key: string, config: object, labels: Readonly<Record<string, string>>, plan: Plan): string {
  const engineName = (config as { name: string }).name;
  if (labels[Label.project] === undefined) {
    plan.warnings.push(`${kind} "${engineName}" exists but was not created by Compose: it is used as it is; set "external: true" on ${kind}s.${key} to say so`);
    return "exists (not created by Compose)";
  }
  if (definitionChanged(config, labels)) {
    plan.warnings.push(
      kind === "network"
        ? `network "${engineName}" has changed in the file since it was created and keeps its old settings: up of all the services on it (or \`down\` then \`up\`) recreates it`
        : `volume "${engineName}" has changed in the file since it was created and keeps its old settings (and data): remove it (\`down -v\`, or docker volume rm) to recreate it`,
    );
    return "exists, definition changed (kept as it is)";
  }
  return "exists";
}

/** Plan an `up`. Throws ConfigError for missing external networks/volumes (before anything is created). */
export function planUp(project: LoadedProject, observed: ObservedState, opts: PlanOptions = {}): Plan {
  const targets = resolveTargets(project, opts);
  const plan: Plan = { project: project.model.name, targets, networks: [], volumes: [], services: {}, orphans: [], warnings: [], hashes: {}, replicas: {} };
  planResources(project.model, observed, opts, plan);
  const named = new Set(opts.services ?? []);
  for (const s of targets) planService(project.model, observed, opts, named, s, plan);
  // A container sharing a namespace (or volumes_from) with a recreated service must follow it.
  if (!opts.noRecreate) followRecreatedParents(project.model, plan);
  // depends_on.<dep>.restart: true — a running dependent restarts around its dependency's recreate/start.
  if (!opts.noStart) planDependencyRestarts(project.model, plan);
  planOrphans(project, observed, opts, plan);
  return plan;
}

/** The networks and volumes the targets use: create, keep, or (a network whose definition changed) recreate. */
function planResources(model: ComposeModel, observed: ObservedState, opts: PlanOptions, plan: Plan): void {
  const networkKeys = new Set<string>();
  const volumeKeys = new Set<string>();
  for (const s of plan.targets) {
    const svc = model.services[s]!;
    for (const k of serviceNetworkKeys(svc, model.networks ?? {})) networkKeys.add(k);
    for (const k of serviceVolumeKeys(svc, model.volumes ?? {})) volumeKeys.add(k);
  }
  const issues = [...planNetworks(model, observed, opts, [...networkKeys].sort(), plan), ...planVolumes(model, observed, [...volumeKeys].sort(), plan)];
  if (issues.length > 0) throw new ConfigError(issues);
}

/** The networks' actions; the problems (a missing external network) are returned, to be reported together. */
function planNetworks(model: ComposeModel, observed: ObservedState, opts: PlanOptions, keys: readonly string[], plan: Plan): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of keys) {
    const net = model.networks[key];
    if (!net) continue;
    const exists = observed.networks[net.name] !== undefined;
    if (net.external) {
      if (!exists)
        issues.push({
          code: "CONFIG_INVALID",
          path: `networks.${key}`,
          message: `external network "${net.name}" not found`,
          hint: `create it first (docker network create ${net.name}) or remove "external: true"`,
        });
      continue;
    }
    if (exists && definitionChanged(net, observed.networks[net.name]!.labels)) {
      // As Compose: a network whose definition changed is recreated, and the containers on it with it —
      // when every service on it is part of this up (else it is kept, with what to do).
      const users = Object.keys(model.services).filter((s) => serviceNetworkKeys(model.services[s]!, model.networks ?? {}).includes(key));
      if (!opts.noRecreate && users.every((u) => plan.targets.includes(u))) {
        plan.networks.push({ kind: "recreate", resource: "network", key, target: net.name, reason: "definition changed since it was created" });
        continue;
      }
    }
    const seen = observed.networks[net.name];
    if (seen) plan.networks.push({ kind: "noop", resource: "network", key, target: net.name, reason: existingReason("network", key, net, seen.labels, plan), ...(seen.id ? { id: seen.id } : {}) });
    else plan.networks.push({ kind: "create", resource: "network", key, target: net.name, reason: "missing" });
  }
  return issues;
}

/** The volumes' actions; the problems (a missing external volume) are returned, to be reported together. */
function planVolumes(model: ComposeModel, observed: ObservedState, keys: readonly string[], plan: Plan): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of keys) {
    const vol = model.volumes[key];
    if (!vol) continue;
    const exists = observed.volumes[vol.name] !== undefined;
    if (vol.external) {
      if (!exists)
        issues.push({
          code: "CONFIG_INVALID",
          path: `volumes.${key}`,
          message: `external volume "${vol.name}" not found`,
          hint: `create it first (docker volume create ${vol.name}) or remove "external: true"`,
        });
      continue;
    }
    plan.volumes.push({ kind: exists ? "noop" : "create", resource: "volume", key, target: vol.name, reason: exists ? existingReason("volume", key, vol, observed.volumes[vol.name]!.labels, plan) : "missing" });
  }
  return issues;
}

/** One service's container actions: drop duplicates, scale down, recreate/start/keep, scale up. */
function planService(model: ComposeModel, observed: ObservedState, opts: PlanOptions, named: ReadonlySet<string>, s: string, plan: Plan): void {
  const svc = model.services[s]!;
  const hash = serviceConfigHash(svc);
  plan.hashes[s] = hash;
  const replicas = Math.max(0, desiredReplicas(s, svc, opts.scale));
  plan.replicas[s] = replicas;
  const forced = (!!opts.forceRecreate && (named.size === 0 || named.has(s))) || (!!opts.alwaysRecreateDeps && named.size > 0 && !named.has(s));
  const expected = expectedAttachments(model, observed, svc, plan);
  const imageId = opts.imageIds?.[s];
  const existing = [...(observed.byService[s] ?? [])];
  const actions: ServiceAction[] = [];
  const slots = dropDuplicates(s, existing, actions);

  // Scale down: out-of-date containers go first (no point recreating one about to be removed), then
  // the highest numbers.
  const reasons = new Map<ObservedContainer, string | undefined>();
  const injects = injectsFiles(model, svc);
  const secretsVolumes = new Set((observed.secretsVolumes ?? []).map((v) => v.name));
  for (const c of slots) reasons.set(c, opts.noRecreate ? undefined : forced ? "forced" : (recreateReason(c, svc, hash, imageId, expected.networks, expected.volumes) ?? secretsReason(c, injects, secretsVolumes)));
  const byKeep = slots.length > replicas ? [...slots].sort((a, b) => Number(reasons.get(a) !== undefined) - Number(reasons.get(b) !== undefined) || a.number - b.number) : slots;
  const kept = byKeep.slice(0, replicas).sort((a, b) => a.number - b.number);
  const extra = byKeep.slice(replicas).sort((a, b) => b.number - a.number);
  for (const c of extra) {
    actions.push({ kind: "remove", service: s, number: c.number, target: c.name, ...fromObserved(c), reason: `scale down to ${replicas}` });
  }
  for (const c of kept) actions.push(keptAction(model.name, s, svc, c, reasons.get(c)));

  // Scale up: new numbers after the highest one in use.
  let next = existing.reduce((m, c) => Math.max(m, c.number), 0) + 1;
  for (let i = kept.length; i < replicas; i++, next++) {
    actions.push({ kind: "create", service: s, number: next, target: containerName(model.name, s, next, svc), reason: existing.length === 0 ? "missing" : `scale up to ${replicas}` });
  }
  plan.services[s] = actions;
}

/** Whether the service's containers are given files from memory: a secret or config from `environment:` or `content:`. */
function injectsFiles(model: ComposeModel, svc: ServiceConfig): boolean {
  const fromMemory = (refs: ServiceConfig["secrets"], defs: ComposeModel["secrets"] | undefined): boolean =>
    (refs ?? []).some((r) => {
      const d = defs?.[r.source];
      return d !== undefined && !d.external && d.file === undefined && (d.content !== undefined || d.environment !== undefined);
    });
  return fromMemory(svc.secrets, model.secrets) || fromMemory(svc.configs, model.configs);
}

/**
 * A container made before such files were mounted read-only from a secrets volume (an older
 * Flotilla wrote them into its writable layer, where root in it can change them): recreated once.
 * One whose secrets volume is gone is recreated too.
 */
function secretsReason(c: ObservedContainer, injects: boolean, secretsVolumes: ReadonlySet<string>): string | undefined {
  if (c.secretsVolume === undefined) return injects ? "secrets/configs from environment or content are in its writable layer (now mounted read-only)" : undefined;
  // Removed behind Flotilla's back (`docker volume prune` sees no user of it: its files are bind-mounted): a start would fail.
  return secretsVolumes.has(c.secretsVolume) ? undefined : `its secrets volume ${c.secretsVolume} is gone`;
}

/** The networks a service's containers must be attached to, and the named volumes (by engine name) they must mount. */
function expectedAttachments(model: ComposeModel, observed: ObservedState, svc: ServiceConfig, plan: Plan): { networks: { name: string; exists: boolean; recreated: boolean; id?: string }[]; volumes: string[] } {
  const recreatedNetworks = new Set(plan.networks.filter((a) => a.kind === "recreate").map((a) => a.target));
  const networks = serviceNetworkKeys(svc, model.networks ?? {})
    .map((k) => model.networks[k]?.name)
    .filter((n): n is string => typeof n === "string")
    .map((n) => ({ name: n, exists: observed.networks[n] !== undefined, recreated: recreatedNetworks.has(n), id: observed.networks[n]?.id }));
  // named volumes the service mounts, by engine name (a container not mounting one is recreated)
  const volumes = (svc.volumes ?? [])
    .filter((m) => m.type === "volume" && m.source !== undefined)
    .map((m) => model.volumes[m.source!]?.name)
    .filter((n): n is string => typeof n === "string");
  return { networks, volumes };
}

/**
 * One container per number: leftovers of an interrupted recreate that still have their original
 * beside them (and duplicate numbers) get a `remove` action; returns the containers kept, by number.
 */
function dropDuplicates(s: string, existing: readonly ObservedContainer[], actions: ServiceAction[]): ObservedContainer[] {
  const byNumber = new Map<number, ObservedContainer[]>();
  for (const c of existing) {
    const list = byNumber.get(c.number) ?? [];
    list.push(c);
    byNumber.set(c.number, list);
  }
  const slots: ObservedContainer[] = [];
  for (const [, list] of [...byNumber].sort((a, b) => a[0] - b[0])) {
    const proper = list.filter((c) => !c.replacing);
    const keep = proper[0] ?? list[0]!;
    slots.push(keep);
    for (const c of list) {
      if (c === keep) continue;
      actions.push({ kind: "remove", service: s, number: c.number, target: c.name, ...fromObserved(c), reason: c.replacing ? "leftover of an interrupted recreate" : "duplicate container number" });
    }
  }
  return slots;
}

/** A container kept at its number: recreate (with the reason), keep as it is, or start. */
function keptAction(project: string, s: string, svc: ServiceConfig, c: ObservedContainer, reason: string | undefined): ServiceAction {
  const base = { service: s, number: c.number, target: containerName(project, s, c.number, svc), ...fromObserved(c) };
  if (reason) return { kind: "recreate", ...base, reason };
  if (c.state === "running" || c.state === "restarting") return { kind: "noop", ...base, reason: c.state === "running" ? "up to date, running" : "up to date, restarting" };
  if (c.state === "paused") return { kind: "noop", ...base, reason: "up to date, paused" };
  return { kind: "start", ...base, reason: `up to date, not running (${c.state})` };
}

/** A container sharing a namespace (or volumes_from) with a recreated service is recreated with it. */
function followRecreatedParents(model: ComposeModel, plan: Plan): void {
  const graph = ServiceGraph.fromServices(model.services);
  const order = graph.order().filter((s) => plan.services[s]);
  for (const s of order) {
    const parents = namespaceParents(model.services[s]!).filter((p) => (plan.services[p] ?? []).some((a) => a.kind === "recreate"));
    if (parents.length === 0) continue;
    for (const a of plan.services[s]!) {
      if (a.kind === "noop" || a.kind === "start") {
        a.kind = "recreate";
        a.reason = `depends on recreated ${parents.map((p) => `"${p}"`).join(", ")} (shared namespace or volumes_from)`;
      }
    }
  }
}

/** depends_on.<dep>.restart: true — a running, up-to-date dependent restarts around its dependency's recreate/start. */
function planDependencyRestarts(model: ComposeModel, plan: Plan): void {
  for (const s of plan.targets) {
    const deps = model.services[s]!.depends_on ?? {};
    const triggers = Object.keys(deps)
      .filter((d) => deps[d]!.restart === true && d !== s)
      .filter((d) => (plan.services[d] ?? []).some((a) => a.kind === "recreate" || a.kind === "start"))
      .sort();
    if (triggers.length === 0) continue;
    for (const a of plan.services[s] ?? []) {
      if (a.kind !== "noop" || a.state !== "running") continue;
      const how = triggers.map((d) => `"${d}" ${(plan.services[d] ?? []).some((x) => x.kind === "recreate") ? "recreated" : "started"}`);
      a.kind = "restart";
      a.restartAfter = triggers;
      a.reason = `dependency ${how.join(", ")} (depends_on restart: true)`;
    }
  }
}

/** Orphans: containers of services that are neither enabled nor disabled, and exited one-offs. */
function planOrphans(project: LoadedProject, observed: ObservedState, opts: PlanOptions, plan: Plan): void {
  const known = new Set([...Object.keys(project.model.services), ...Object.keys(project.disabledServices)]);
  for (const c of observed.containers) {
    let reason: string | undefined;
    if (!known.has(c.service)) reason = "orphan (service gone from the file)";
    else if (c.oneoff && (c.state === "exited" || c.state === "dead")) reason = "orphan (finished one-off container)";
    if (!reason) continue;
    plan.orphans.push({ kind: opts.removeOrphans ? "remove" : "noop", service: c.service, number: c.number, target: c.name, containerId: c.id, currentName: c.name, ...(c.secretsVolume ? { secretsVolume: c.secretsVolume } : {}), reason });
  }
  if (plan.orphans.length > 0 && !opts.removeOrphans && !opts.ignoreOrphans) {
    const names = plan.orphans.map((o) => o.target).join(", ");
    plan.warnings.push(
      `Found orphan containers ([${names}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
    );
  }
}

/** True when applying the plan would change nothing (all noop, no orphans to remove). */
export function planIsNoop(plan: Plan): boolean {
  return (
    plan.networks.every((a) => a.kind === "noop") &&
    plan.volumes.every((a) => a.kind === "noop") &&
    Object.values(plan.services).every((list) => list.every((a) => a.kind === "noop")) &&
    plan.orphans.every((a) => a.kind === "noop")
  );
}

const VERB: Record<ContainerActionKind | ResourceActionKind, string> = {
  create: "Create",
  recreate: "Recreate",
  start: "Start",
  noop: "Up to date",
  remove: "Remove",
  restart: "Restart",
};

/** Lines for `--dry-run`: one per action, in the order they would run. */
export function renderPlan(plan: Plan): string[] {
  const lines: string[] = [];
  for (const a of plan.networks) lines.push(`Network ${a.target}: ${VERB[a.kind]} (${a.reason})`);
  for (const a of plan.volumes) lines.push(`Volume ${a.target}: ${VERB[a.kind]} (${a.reason})`);
  for (const s of plan.targets) {
    for (const a of plan.services[s] ?? []) {
      const from = a.currentName && a.currentName !== a.target ? ` (was ${a.currentName})` : "";
      lines.push(`Container ${a.target}${from}: ${VERB[a.kind]} (${a.reason})`);
    }
  }
  for (const a of plan.orphans) lines.push(`Container ${a.target}: ${a.kind === "remove" ? "Remove" : "Keep"} (${a.reason})`);
  for (const w of plan.warnings) lines.push(`Warning: ${w}`);
  return lines;
}
