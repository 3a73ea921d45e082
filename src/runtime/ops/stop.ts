/** `stop`: the project's running containers, in reverse dependency order, each after its `pre_stop` hooks. */
import type { LoadedProject } from "../../spec/model.js";
import { runHooks } from "../hooks.js";
import { serviceHooks } from "../convert.js";
import type { Engine } from "../engine.js";
import type { ObservedContainer } from "../observe.js";
import { emitter, graphFor, isActive, listProject, selectServices, walkContainers, type LifecycleOptions, type ServiceOpOptions } from "./lifecycle.js";
import { modelOption, type EngineLike, type ProjectRef, type ServiceSelection } from "./project-ref.js";
import { locked } from "./locked.js";

/**
 * Stop one container, running its service's `pre_stop` hooks first (Compose's order). The hooks
 * come from the model when given, else from the config Flotilla stored on the container. A
 * failing hook is reported as a warning and the stop goes on: `down` must not be blocked by it.
 */
export async function stopContainerWithHooks(
  engine: Engine,
  c: ObservedContainer,
  opts: { project?: LoadedProject | undefined; timeout?: number | undefined; signal?: AbortSignal | undefined },
  warn: (message: string) => void,
): Promise<void> {
  const svc = opts.project?.model.services[c.service] ?? c.config;
  if (svc && c.state === "running" && serviceHooks(svc, "pre_stop").length > 0) {
    try {
      await runHooks(engine, svc, c.service, { id: c.id, name: c.name }, "pre_stop", opts.signal);
    } catch (err) {
      warn(err instanceof Error ? err.message : String(err));
    }
  }
  await engine.stopContainer(c.id, opts.timeout);
}

/** `stop`: reverse dependency order. */
export async function stopProject(engine: Engine, projectName: string, opts: LifecycleOptions = {}): Promise<string[]> {
  const { res, emit } = emitter(opts.onEvent);
  const containers = selectServices(await listProject(engine, projectName), opts.services).filter(isActive);
  const stopped: string[] = [];
  await walkContainers(containers, graphFor(containers, opts.project), "down", opts, async (c) => {
    res("container", c.name, "Stopping", c.service);
    if (!opts.dryRun) await stopContainerWithHooks(engine, c, opts, (message) => emit({ type: "warning", message, service: c.service }));
    res("container", c.name, "Stopped", c.service);
    stopped.push(c.name);
  });
  return stopped;
}

/** Project.stop: the named services (all when none), ordered by the project's model. */
export async function stopServices(engine: EngineLike, project: ProjectRef, opts: ServiceOpOptions & ServiceSelection = {}): Promise<string[]> {
  const { services, ...rest } = opts;
  return locked(engine, project, "stop", opts, (connected) => stopProject(connected, project.name, { ...rest, ...modelOption(project), ...(services ? { services } : {}) }));
}
