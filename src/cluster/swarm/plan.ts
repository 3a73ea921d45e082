/**
 * Desired (convert's output) vs observed (what the swarm has under the stack's label) → ordered
 * actions with reasons, like `up`'s plan: secrets and configs first, then networks, then services
 * in depends_on order (each with the dependencies it waits for), then orphans, then the old
 * versions of secrets and configs (pruned only after the rollout). A service whose spec-hash label
 * equals the desired hash is not updated; the reasons for an update come from diff.ts. Pure:
 * `apply` executes it; `render` prints it.
 *
 * Reasons never carry values that may be secret: environment changes name the variables only.
 */
import { ServiceGraph, type DependencyEdge } from "../../graph/graph.js";
import type { ServiceConfig } from "../../spec/model.js";
import type { NetworkCreateSpec, NetworkSummary } from "../../runtime/engine.js";
import type { ServiceSpec, ServiceSummary, SwarmObjectSpec, SwarmObjectSummary } from "../../runtime/engine-swarm.js";
import type { SwarmStackSpec } from "./convert.js";
import { diffServiceSpecs, rollingSentence } from "./diff.js";
import { LABEL_NAMESPACE, LABEL_OBJECT, LABEL_SPEC_HASH } from "./names.js";

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

const stackOf = (labels: Record<string, string> | undefined): string | undefined => labels?.[LABEL_NAMESPACE];
const byName = <T extends { name: string }>(a: T, b: T): number => a.name.localeCompare(b.name);

/** What one plan's steps share. */
interface Planning {
  stack: string;
  desired: SwarmStackSpec;
  observed: ObservedStack;
  options: PlanOptions;
  actions: SwarmAction[];
}

/** Only the stack's own (by docker stack's namespace label). */
const mine = <T extends { labels?: Record<string, string> }>(p: Planning, xs: readonly T[]): T[] => xs.filter((x) => stackOf(x.labels) === p.stack);

/** 1. Secrets and configs: content-hash names, so an existing name is the same content. */
function planObjects(p: Planning, object: ObjectKind, want: SwarmStackSpec["secrets"], have: readonly SwarmObjectSummary[]): void {
  const existing = new Map(have.map((o) => [o.name, o]));
  for (const o of want) {
    const found = existing.get(o.spec.Name);
    if (found) {
      p.actions.push({ kind: "keep-object", object, key: o.key, name: o.spec.Name, id: found.id });
      continue;
    }
    const older = have.filter((h) => h.labels[LABEL_OBJECT] === o.key && stackOf(h.labels) === p.stack);
    p.actions.push({
      kind: "create-object",
      object,
      key: o.key,
      name: o.spec.Name,
      spec: o.spec,
      reason: older.length > 0 ? `new content (was ${older.map((h) => h.name).join(", ")})` : `${object} ${o.key} is new`,
    });
  }
}

/** 2. Networks: created when missing; a kept one whose definition changed is reported (Swarm cannot update it). */
function planNetworks(p: Planning): void {
  const have = new Map(p.observed.networks.map((n) => [n.name, n]));
  for (const n of p.desired.networks) {
    const found = have.get(n.Name);
    if (!found) {
      p.actions.push({ kind: "create-network", name: n.Name, spec: n, reason: `network ${n.Name} does not exist` });
      continue;
    }
    const was = found.labels[LABEL_SPEC_HASH];
    const now = n.Labels?.[LABEL_SPEC_HASH];
    const changed =
      was !== undefined && now !== undefined && was !== now
        ? "its definition in the file changed since it was created; the existing network is kept (Swarm cannot update a network: remove the stack to recreate it)"
        : undefined;
    p.actions.push({ kind: "keep-network", name: n.Name, id: found.id, ...(changed ? { changed } : {}) });
  }
}

/** 3. Services, dependencies first: created, updated (with the reasons) or unchanged (equal spec hash). Returns the deployed ones by name. */
function planServices(p: Planning, services: Record<string, ServiceConfig>): Map<string, ServiceSummary> {
  const networkNames = new Map(p.observed.networks.map((n) => [n.id, n.name]));
  const graph = ServiceGraph.fromServices(services);
  const order = graph.order();
  const wanted = new Map(p.desired.services.map((s) => [s.service, s]));
  const have = new Map(mine(p, p.observed.services.map((s) => ({ ...s, labels: s.spec.Labels }))).map((s) => [s.spec.Name, s as ServiceSummary]));
  for (const name of [...order, ...p.desired.services.map((s) => s.service).filter((s) => !order.includes(s))]) {
    const want = wanted.get(name);
    if (!want) continue;
    const waitFor = graph.has(name) ? graph.dependencies(name).filter((e) => wanted.has(e.service)) : [];
    const found = have.get(want.spec.Name);
    if (!found) {
      p.actions.push({ kind: "create-service", service: name, name: want.spec.Name, spec: want.spec, reason: "not deployed yet", waitFor });
      continue;
    }
    const hash = found.spec.Labels?.[LABEL_SPEC_HASH];
    if (hash === want.hash) {
      p.actions.push({ kind: "unchanged-service", service: name, name: want.spec.Name, id: found.id, waitFor });
      continue;
    }
    const { reasons, rolling } = diffServiceSpecs(found.spec, want.spec, networkNames);
    if (hash === undefined) reasons.unshift("not deployed by Flotilla (no spec-hash label)");
    if (reasons.length === 0) reasons.push("spec changed (spec-hash differs)");
    reasons[0] = rolling ? `${reasons[0]}: ${rollingSentence(found, want.spec)}` : `${reasons[0]} (no task restarts)`;
    p.actions.push({ kind: "update-service", service: name, name: want.spec.Name, id: found.id, version: found.version, spec: want.spec, reasons, rolling, waitFor });
  }
  return have;
}

/** 4. Orphans: reported; removed (with the networks no longer used) only with --prune. Returns the orphans kept. */
function planOrphans(p: Planning, deployed: ReadonlyMap<string, ServiceSummary>): ServiceSummary[] {
  const wanted = new Set(p.desired.services.map((s) => s.spec.Name));
  const prune = p.options.prune === true;
  const orphans = [...deployed.values()].filter((s) => !wanted.has(s.spec.Name)).sort((a, b) => a.spec.Name.localeCompare(b.spec.Name));
  for (const o of orphans) {
    const reason = prune ? "no longer in the file (--prune)" : "no longer in the file; kept (pass --prune to remove it)";
    p.actions.push({ kind: "orphan-service", name: o.spec.Name, id: o.id, remove: prune, reason });
  }
  if (!prune) return orphans;
  const wantedNets = new Set([...p.desired.networks.map((n) => n.Name), ...p.desired.externalNetworks]);
  for (const n of mine(p, p.observed.networks).filter((n) => !wantedNets.has(n.name)).sort(byName)) {
    p.actions.push({ kind: "remove-network", name: n.name, id: n.id, reason: "no longer used by the stack (--prune)" });
  }
  return [];
}

/** 5. Old versions of secrets and configs, once no service that stays uses them. */
function planPrunes(p: Planning, object: ObjectKind, want: SwarmStackSpec["secrets"], have: readonly SwarmObjectSummary[], stillUsed: ReadonlySet<string>): void {
  const keep = new Set(want.map((o) => o.spec.Name));
  const keys = new Set(want.map((o) => o.key));
  for (const h of [...have].sort(byName)) {
    const key = h.labels[LABEL_OBJECT];
    if (key === undefined || keep.has(h.name) || stillUsed.has(h.name)) continue;
    p.actions.push({
      kind: "prune-object",
      object,
      key,
      name: h.name,
      id: h.id,
      reason: keys.has(key) ? `old version of ${object} ${key}, removed after the rollout` : `${object} ${key} is no longer in the file`,
    });
  }
}

export function planStack(desired: SwarmStackSpec, observed: ObservedStack, services: Record<string, ServiceConfig>, options: PlanOptions = {}): SwarmPlan {
  const p: Planning = { stack: desired.stack, desired, observed, options, actions: [] };
  const secrets = mine(p, observed.secrets);
  const configs = mine(p, observed.configs);
  planObjects(p, "secret", desired.secrets, secrets);
  planObjects(p, "config", desired.configs, configs);
  planNetworks(p);
  const deployed = planServices(p, services);
  const keptOrphans = planOrphans(p, deployed);
  const stillUsed = new Set<string>();
  for (const o of keptOrphans) {
    for (const r of [...(o.spec.TaskTemplate.ContainerSpec.Secrets ?? []), ...(o.spec.TaskTemplate.ContainerSpec.Configs ?? [])]) {
      stillUsed.add(r.SecretName ?? r.ConfigName ?? "");
    }
  }
  planPrunes(p, "secret", desired.secrets, secrets, stillUsed);
  planPrunes(p, "config", desired.configs, configs, stillUsed);
  return { stack: p.stack, actions: p.actions };
}
