/** `kill`: signal the project's running containers (default SIGKILL), all at once. */
import type { Engine } from "../engine.js";
import { eachContainer, emitter, isActive, listProject, selectServices, type LifecycleOptions, type ServiceOpOptions } from "./lifecycle.js";
import { modelOption, type EngineLike, type ProjectRef, type ServiceSelection } from "./project-ref.js";
import { locked } from "./locked.js";

export interface KillOptions extends ServiceOpOptions {
  /** The signal to send (default SIGKILL). */
  killSignal?: string;
}

/** `kill`: default SIGKILL, running containers only, all at once. */
export async function killProject(engine: Engine, projectName: string, opts: LifecycleOptions & { killSignal?: string } = {}): Promise<string[]> {
  const { res } = emitter(opts.onEvent);
  const containers = selectServices(await listProject(engine, projectName), opts.services).filter(isActive);
  const killed: string[] = [];
  await eachContainer(containers, opts.parallel, async (c) => {
    if (!opts.dryRun) await engine.killContainer(c.id, opts.killSignal ?? "SIGKILL");
    res("container", c.name, "Stopped", c.service, "killed");
    killed.push(c.name);
  });
  return killed;
}

/** Project.kill of the named services, or all. */
export async function killServices(engine: EngineLike, project: ProjectRef, opts: KillOptions & ServiceSelection = {}): Promise<string[]> {
  const { services, ...rest } = opts;
  return locked(engine, project, "kill", opts, (connected) => killProject(connected, project.name, { ...rest, ...modelOption(project), ...(services ? { services } : {}) }), true);
}
