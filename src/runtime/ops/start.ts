/** `start`: the project's existing containers, in dependency order; with `wait`, until they are ready. */
import { FlotillaError } from "../../errors.js";
import { ServiceGraph } from "../../graph/graph.js";
import { waitUntilReady, type ReadyTarget } from "../conditions.js";
import type { Engine } from "../engine.js";
import { Label } from "../labels.js";
import { emitter, graphFor, listProject, selectServices, walkContainers, type LifecycleOptions, type ServiceOpOptions } from "./lifecycle.js";
import { engineOf, modelOption, type EngineLike, type ProjectRef, type ServiceSelection } from "./project-ref.js";
import { locked } from "./locked.js";
import { StartRepairs } from "../stale-replace.js";

export interface StartOptions extends ServiceOpOptions {
  /** Wait until the started services are running (healthy when they have a healthcheck). */
  wait?: boolean;
  /** Seconds; 0 or undefined = no limit. */
  waitTimeout?: number;
  dryRun?: boolean;
}

/**
 * `start`: existing containers, dependency order. One the engine refuses for a stale task (see
 * stale-task.ts) is created anew from `opts.project` when given, else fails with STALE_TASK.
 */
export async function startProject(engine: Engine, projectName: string, opts: LifecycleOptions = {}): Promise<string[]> {
  const { res } = emitter(opts.onEvent);
  const all = await listProject(engine, projectName);
  const containers = selectServices(all, opts.services).filter((c) => !c.oneoff && c.state !== "running" && c.state !== "restarting");
  if (opts.services && opts.services.length > 0) {
    const present = new Set(all.map((c) => c.service));
    const missing = opts.services.filter((s) => !present.has(s));
    if (missing.length > 0) throw new FlotillaError("NO_SUCH_SERVICE", `no containers to start for service(s): ${missing.join(", ")}`, { hint: "create them first with `up`" });
  }
  const started: string[] = [];
  const repairs = new StartRepairs(engine, opts.project, opts);
  await walkContainers(containers, graphFor(all, opts.project), "up", opts, async (c) => {
    res("container", c.name, "Starting", c.service);
    if (!opts.dryRun) {
      await repairs.start(c, (id) => engine.startContainer(id), "start");
    }
    res("container", c.name, "Started", c.service);
    started.push(c.name);
  });
  return started;
}

/** Project.start: start the named services' containers (all when none); with `wait`, until they are running/healthy. */
export async function startServices(engine: EngineLike, project: ProjectRef, opts: StartOptions & ServiceSelection = {}): Promise<string[]> {
  const { wait, waitTimeout, dryRun, services, ...rest } = opts;
  if (dryRun) {
    await engineOf(engine);
    return [];
  }
  return locked(engine, project, "start", opts, async (connected) => {
    const started = await startProject(connected, project.name, { ...rest, ...modelOption(project), ...(services && services.length > 0 ? { services } : {}) });
    if (wait) await waitReady(connected, project, services, waitTimeout, "start --wait", opts.signal);
    return started;
  });
}

/**
 * `--wait`: poll the services' containers until each is running (healthy when it has a
 * healthcheck; exited 0 for one-shots others wait on with service_completed_successfully).
 */
async function waitReady(engine: Engine, project: ProjectRef, services: string[] | undefined, timeoutSeconds: number | undefined, strategy: string, signal?: AbortSignal): Promise<void> {
  const want = services && services.length > 0 ? new Set(services) : undefined;
  const graph = ServiceGraph.fromServices(project.config.model.services);
  const oneShots = new Set<string>();
  for (const s of Object.keys(project.config.model.services)) {
    if (want && !want.has(s)) continue;
    for (const e of graph.dependencies(s)) if (e.condition === "service_completed_successfully") oneShots.add(e.service);
  }
  const list = await engine.listContainers({ labels: { [Label.project]: project.name }, all: true });
  const targets: ReadyTarget[] = [];
  for (const c of list) {
    const service = c.labels[Label.service] ?? "";
    if (c.labels[Label.oneoff] === "True" || (want && !want.has(service))) continue;
    targets.push({ service, id: c.id, name: c.name, kind: oneShots.has(service) ? "completed" : "running" });
  }
  await waitUntilReady(engine, targets, { timeoutSeconds, signal, strategy, describe: (names, secs) => `services not ready after ${secs}s: ${names.join(", ")}` });
}
