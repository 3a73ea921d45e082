/**
 * Applying an `up` plan: the only place with side effects.
 *
 * Order: orphans removed (if asked) and networks/volumes created, in parallel (apply-resources.ts);
 * then every container that must be created is created early while starts follow the dependency
 * graph (up-session.ts); then, with `wait`, until the started services are ready.
 */
import { silent } from "../events.js";
import type { LoadedProject } from "../spec/model.js";
import type { Engine } from "./engine.js";
import { imageInspector, imageName, planImages, runImageActions, type PlanImagesOptions } from "./images.js";
import type { UpOptions } from "./options.js";
import type { Plan } from "./plan.js";
import { UpSession, type ApplyOptions, type UpResult } from "./up-session.js";

export { creationDependencies, UpSession, type ApplyOptions, type UpContainer, type UpResult } from "./up-session.js";
export { runHooks, tarFiles } from "./hooks.js";

/**
 * Pull/build what the services need (planImages + runImageActions) and return the current image
 * id of every service whose image exists (for the "image changed" rule of the planner).
 */
export async function prepareImages(
  project: LoadedProject,
  services: string[],
  engine: Engine,
  opts: Pick<UpOptions, "pull" | "build" | "noBuild" | "onEvent" | "signal" | "parallel" | "dryRun">,
): Promise<Record<string, string>> {
  const actions = await planImages(project, services, engine, imageActionOptions(opts));
  if (!opts.dryRun) {
    await runImageActions(actions, engine, project, { onEvent: opts.onEvent ?? silent, signal: opts.signal, parallel: opts.parallel ?? 4 });
  }
  return imageIds(project, services, engine);
}

/** The options of planImages that `up` passes on. */
export function imageActionOptions(opts: Pick<UpOptions, "pull" | "build" | "noBuild">): PlanImagesOptions {
  const actionOpts: PlanImagesOptions = {};
  if (opts.pull !== undefined) actionOpts.pull = opts.pull;
  if (opts.build !== undefined) actionOpts.build = opts.build;
  if (opts.noBuild !== undefined) actionOpts.noBuild = opts.noBuild;
  return actionOpts;
}

/** The current image id of every service whose image exists. */
export async function imageIds(project: LoadedProject, services: string[], engine: Engine, inspect = imageInspector(engine)): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  await Promise.all(
    services.map(async (s) => {
      const svc = project.model.services[s];
      if (!svc) return;
      const found = await inspect(imageName(project.model.name, s, svc));
      if (found) ids[s] = found.id;
    }),
  );
  return ids;
}

/** Apply a plan made by `planUp`. Throws typed errors naming the service; leaves what was made in place. */
export async function applyUp(project: LoadedProject, plan: Plan, engine: Engine, opts: ApplyOptions = {}): Promise<UpResult> {
  return new UpSession(project, plan, engine, opts).run();
}
