/** `plan` and `up`: what converging the project would do, and doing it. */
import { applyUp, prepareImages, type UpResult } from "../apply.js";
import { observeProject } from "../observe.js";
import type { UpOptions } from "../options.js";
import { planUp, resolveTargets, type Plan } from "../plan.js";
import { engineOf, needFiles, type EngineLike, type ProjectRef } from "./project-ref.js";

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
 * (the Project then knows to tear down on dispose).
 */
export async function upProject(engine: EngineLike, project: ProjectRef, opts: UpOptions = {}, converging?: () => void): Promise<UpResult> {
  needFiles(project, "up");
  const connected = await engineOf(engine);
  if (opts.dryRun) return { plan: await planProject(connected, project, opts), containers: [], warnings: [] };
  for (const w of project.config.warnings) opts.onEvent?.({ type: "warning", message: w });
  const services = resolveTargets(project.config, opts);
  const observed0 = observeProject(connected, project.name, { model: project.config.model });
  observed0.catch(() => {});
  const imageIds = await prepareImages(project.config, services, connected, opts);
  const observed = await observed0;
  const plan = planUp(project.config, observed, { ...opts, imageIds });
  converging?.();
  return applyUp(project.config, plan, connected, { ...opts, imageIds });
}
