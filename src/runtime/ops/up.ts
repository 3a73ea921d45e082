/** `plan` and `up`: what converging the project would do, and doing it. */
import { applyUp, prepareImages, type UpResult } from "../apply.js";
import type { Engine } from "../engine.js";
import { observeProject } from "../observe.js";
import type { UpOptions } from "../options.js";
import { planUp, resolveTargets, type Plan } from "../plan.js";
import { locked } from "./locked.js";
import { engineOf, needFiles, type EngineLike, type ProjectRef } from "./project-ref.js";
import { stopWhatUpStarted, trackStarts } from "./up-interrupt.js";

/** What `up` would do (pull/build are planned, not run). */
export async function planProject(engine: EngineLike, project: ProjectRef, opts: UpOptions = {}): Promise<Plan> {
  needFiles(project, "plan");
  const connected = await engineOf(engine);
  const services = resolveTargets(project.config, opts);
  const [imageIds, observed] = await Promise.all([
    prepareImages(project.config, services, connected, { ...opts, dryRun: true }),
    observeProject(connected, project.name, { model: project.config.model }),
  ]);
  return planUp(project.config, observed, { ...opts, imageIds });
}

/**
 * Converge the project: pull/build, then create/recreate/start what the plan says. With dryRun,
 * returns the plan only. `converging` is called once the plan is made, before anything changes
 * (the Project then knows to tear down on dispose). Holds the project lock while it changes things.
 *
 * When `opts.signal` aborts, what this up started is stopped again (attached up, library), or,
 * with `detach`, left as it is and named (a later `up` converges it); the ABORTED error is rethrown.
 */
export async function upProject(engine: EngineLike, project: ProjectRef, opts: UpOptions = {}, converging?: () => void): Promise<UpResult> {
  needFiles(project, "up");
  const connected = await engineOf(engine);
  if (opts.dryRun) return { plan: await planProject(connected, project, opts), containers: [], warnings: [] };
  return locked(connected, project, "up", opts, () => converge(connected, project, opts, converging));
}

async function converge(connected: Engine, project: ProjectRef, opts: UpOptions, converging?: () => void): Promise<UpResult> {
  for (const w of project.config.warnings) opts.onEvent?.({ type: "warning", message: w });
  const services = resolveTargets(project.config, opts);
  const observed0 = observeProject(connected, project.name, { model: project.config.model, repairNetworks: true, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
  observed0.catch(() => {});
  const imageIds = await prepareImages(project.config, services, connected, opts);
  const observed = await observed0;
  const plan = planUp(project.config, observed, { ...opts, imageIds });
  converging?.();
  const tracked = trackStarts(connected, opts.signal);
  try {
    return await applyUp(project.config, plan, tracked.engine, { ...opts, imageIds });
  } catch (err) {
    if (opts.signal?.aborted) await stopWhatUpStarted(connected, project.name, tracked, opts);
    throw err;
  }
}
