/**
 * What stop / start / restart / pause / kill / rm / down share: the project's containers found by
 * its label (so these work after the file changed or without a file), the dependency graph over
 * them (from the model when given, else rebuilt from the `com.docker.compose.depends_on` labels),
 * and the walk that visits them in that order.
 */
import type { EventListener } from "../../events.js";
import { ServiceGraph } from "../../graph/graph.js";
import { limiter, walkGraph } from "../../graph/scheduler.js";
import type { LoadedProject, ServiceConfig } from "../../spec/model.js";
import type { Engine } from "../engine.js";
import { Label } from "../labels.js";
import { toObservedContainer, type ObservedContainer } from "../observe.js";

export { emitter } from "../report.js";

export interface LifecycleOptions {
  services?: string[];
  project?: LoadedProject;
  onEvent?: EventListener;
  signal?: AbortSignal;
  parallel?: number;
  /** Seconds (stop/restart); undefined = each container's own StopTimeout. */
  timeout?: number;
  /** Report what would happen (the same events), change nothing. */
  dryRun?: boolean;
}

/** The options of a Project verb over services (the services and the model come from the Project). */
export type ServiceOpOptions = Omit<LifecycleOptions, "services" | "project">;

/** Running, restarting or paused: a container that stop/kill act on. */
export function isActive(c: ObservedContainer): boolean {
  return c.state === "running" || c.state === "restarting" || c.state === "paused";
}

/** Parse a `com.docker.compose.depends_on` label (`dep:condition:restart`, comma-joined). */
export function parseDependsOnLabel(label: string | undefined): NonNullable<ServiceConfig["depends_on"]> {
  const out: NonNullable<ServiceConfig["depends_on"]> = {};
  for (const part of (label ?? "").split(",")) {
    const [dep, condition, restart] = part.trim().split(":");
    if (!dep) continue;
    const cond = (["service_started", "service_healthy", "service_completed_successfully"] as const).find((c) => c === condition) ?? "service_started";
    out[dep] = { condition: cond, required: true, restart: restart === "true" };
  }
  return out;
}

/** A graph over the services seen on containers; the model's definitions win when given. */
export function graphFor(containers: readonly ObservedContainer[], project?: LoadedProject): ServiceGraph {
  const services: Record<string, ServiceConfig> = {};
  for (const c of containers) {
    if (!services[c.service]) services[c.service] = { depends_on: parseDependsOnLabel(c.labels[Label.dependsOn]) };
  }
  if (project) for (const [name, svc] of Object.entries(project.model.services)) services[name] = svc;
  return ServiceGraph.fromServices(services);
}

export async function listProject(engine: Engine, projectName: string): Promise<ObservedContainer[]> {
  const list = await engine.listContainers({ labels: { [Label.project]: projectName }, all: true });
  return list.map(toObservedContainer);
}

export function selectServices(containers: ObservedContainer[], services?: string[]): ObservedContainer[] {
  if (!services || services.length === 0) return containers;
  const want = new Set(services);
  return containers.filter((c) => want.has(c.service));
}

/** Visit containers in dependency order (`up`) or its reverse (`down`), parallel where the graph allows. */
export async function walkContainers(
  containers: ObservedContainer[],
  graph: ServiceGraph,
  direction: "up" | "down",
  opts: LifecycleOptions,
  perContainer: (c: ObservedContainer) => Promise<void>,
): Promise<void> {
  const limit = limiter(Math.max(1, opts.parallel ?? 4));
  const byService = new Map<string, ObservedContainer[]>();
  for (const c of containers) {
    const list = byService.get(c.service) ?? [];
    list.push(c);
    byService.set(c.service, list);
  }
  const visit = async (s: string): Promise<void> => {
    await Promise.all((byService.get(s) ?? []).map((c) => limit(() => perContainer(c))));
  };
  const inGraph = [...byService.keys()].filter((s) => graph.has(s));
  const outside = [...byService.keys()].filter((s) => !graph.has(s));
  await Promise.all(outside.map(visit));
  await walkGraph(graph, opts.signal ? { direction, services: inGraph, signal: opts.signal } : { direction, services: inGraph }, visit);
}

/** Every container at once (at most `parallel` in flight), for the verbs with no order (pause, kill, rm). */
export async function eachContainer(containers: readonly ObservedContainer[], parallel: number | undefined, perContainer: (c: ObservedContainer) => Promise<void>): Promise<void> {
  const limit = limiter(Math.max(1, parallel ?? 4));
  await Promise.all(containers.map((c) => limit(() => perContainer(c))));
}
