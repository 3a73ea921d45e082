/** `restart`: the project's containers in dependency order; config changes are not applied. */
import type { Engine } from "../engine.js";
import { emitter, graphFor, listProject, selectServices, walkContainers, type LifecycleOptions, type ServiceOpOptions } from "./lifecycle.js";
import { modelOption, type EngineLike, type ProjectRef, type ServiceSelection } from "./project-ref.js";
import { locked } from "./locked.js";
import { StartRepairs } from "../stale-replace.js";

/**
 * `restart`: dependency order; does not apply config changes — except to a container the engine
 * refuses for a stale task (see stale-task.ts), created anew from `opts.project` when given.
 */
export async function restartProject(engine: Engine, projectName: string, opts: LifecycleOptions = {}): Promise<string[]> {
  const { res } = emitter(opts.onEvent);
  const all = await listProject(engine, projectName);
  const graph = graphFor(all, opts.project);
  // Named services bring the services that depend on them with `restart: true`.
  const services = opts.services && opts.services.length > 0 ? [...graph.restartClosure(opts.services)] : opts.services;
  const containers = selectServices(all, services).filter((c) => !c.oneoff);
  const restarted: string[] = [];
  const repairs = new StartRepairs(engine, opts.project, opts);
  await walkContainers(containers, graph, "up", opts, async (c) => {
    res("container", c.name, "Starting", c.service, "restart");
    if (!opts.dryRun) {
      // The old container restarts; a replacement (stale task) is new and stopped: it starts.
      await repairs.start(c, (id) => (id === c.id ? engine.restartContainer(id, opts.timeout) : engine.startContainer(id)), "restart");
    }
    res("container", c.name, "Started", c.service);
    restarted.push(c.name);
  });
  return restarted;
}

/** Project.restart: the named services (all when none) and those that restart with them. */
export async function restartServices(engine: EngineLike, project: ProjectRef, opts: ServiceOpOptions & ServiceSelection = {}): Promise<string[]> {
  const { services, ...rest } = opts;
  return locked(engine, project, "restart", opts, (connected) => restartProject(connected, project.name, { ...rest, ...modelOption(project), ...(services ? { services } : {}) }));
}
