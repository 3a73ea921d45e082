/** `rm`: remove the project's stopped containers (with `stop`, stop the running ones first). */
import type { Engine } from "../engine.js";
import type { OperationBase } from "../options.js";
import { eachContainer, emitter, isActive, listProject, selectServices, type LifecycleOptions } from "./lifecycle.js";
import { checkServices, engineOf, modelOption, type EngineLike, type ProjectRef, type ServiceSelection } from "./project-ref.js";
import { dropSecretsOf } from "../secrets-volume.js";
import { locked } from "./locked.js";
import { stopProject } from "./stop.js";

export interface RemoveOptions extends OperationBase {
  /** Accepted for Compose compatibility: the library never asks for confirmation. */
  force?: boolean;
  /** Stop running containers first (otherwise only stopped ones are removed). */
  stop?: boolean;
  /** Remove the containers' anonymous volumes too. */
  volumes?: boolean;
}

/** `rm`: remove stopped containers (with `stop: true`, stop running ones first). */
export async function removeStopped(engine: Engine, projectName: string, opts: LifecycleOptions & { volumes?: boolean; stop?: boolean } = {}): Promise<string[]> {
  const { res } = emitter(opts.onEvent);
  let containers = selectServices(await listProject(engine, projectName), opts.services);
  if (opts.stop) await stopProject(engine, projectName, opts);
  else containers = containers.filter((c) => !isActive(c));
  const removed: string[] = [];
  await eachContainer(containers, opts.parallel, async (c) => {
    res("container", c.name, "Removing", c.service);
    await engine.removeContainer(c.id, { force: true, volumes: !!opts.volumes });
    await dropSecretsOf(engine, c.labels);
    res("container", c.name, "Removed", c.service);
    removed.push(c.name);
  });
  return removed;
}

/** Project.rm: stopped containers of the named services (all by default). */
export async function removeServices(engine: EngineLike, project: ProjectRef, opts: RemoveOptions & ServiceSelection = {}): Promise<string[]> {
  const { services, force: _force, dryRun, ...rest } = opts;
  checkServices(project, services);
  if (dryRun) {
    await engineOf(engine);
    return [];
  }
  return locked(engine, project, "rm", opts, (connected) =>
    removeStopped(connected, project.name, { ...rest, ...modelOption(project), ...(services && services.length > 0 ? { services } : {}) }),
  );
}
