/** `pause` / `unpause`: freeze the project's running containers, or thaw its paused ones. */
import type { Engine } from "../engine.js";
import { eachContainer, emitter, listProject, selectServices, type LifecycleOptions, type ServiceOpOptions } from "./lifecycle.js";
import { checkServices, engineOf, type EngineLike, type ProjectRef, type ServiceSelection } from "./project-ref.js";

/** `pause` (freeze running containers) or `unpause` (thaw paused ones); returns the names changed. */
export async function setPaused(engine: Engine, projectName: string, paused: boolean, opts: LifecycleOptions = {}): Promise<string[]> {
  const { res } = emitter(opts.onEvent);
  const want = paused ? "running" : "paused";
  const containers = selectServices(await listProject(engine, projectName), opts.services).filter((c) => c.state === want && !c.oneoff);
  const changed: string[] = [];
  await eachContainer(containers, opts.parallel, async (c) => {
    res("container", c.name, paused ? "Pausing" : "Unpausing", c.service);
    if (!opts.dryRun) await (paused ? engine.pauseContainer(c.id) : engine.unpauseContainer(c.id));
    res("container", c.name, paused ? "Paused" : "Unpaused", c.service);
    changed.push(c.name);
  });
  return changed.sort();
}

/** Project.pause (paused: true) and Project.unpause (false) of the named services, or all. */
export async function pauseServices(engine: EngineLike, project: ProjectRef, paused: boolean, opts: ServiceOpOptions & ServiceSelection = {}): Promise<string[]> {
  checkServices(project, opts.services);
  return setPaused(await engineOf(engine), project.name, paused, opts);
}
