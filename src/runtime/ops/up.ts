/** `plan` and `up`: what converging the project would do, and doing it. */
import { applyUp, imageActionOptions, imageIds, prepareImages, type UpResult } from "../apply.js";
import { imageInspector, planImages } from "../images.js";
import type { Engine } from "../engine.js";
import { observeProject, type ObservedState } from "../observe.js";
import type { UpOptions } from "../options.js";
import { planIsNoop, planUp, resolveTargets, type Plan } from "../plan.js";
import { leftoverSecretsVolumes, removeSecretsVolumes } from "../secrets-volume.js";
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
  return (await upToDate(connected, project, opts, converging)) ?? locked(connected, project, "up", opts, () => converge(connected, project, opts, converging));
}

/**
 * An `up` with nothing to do takes no project lock (the lock's create and remove are most of what a
 * no-op `up` costs). It observes without the lock: when every image is present (no pull or build
 * due), no network has a same-name twin to repair and the plan is a no-op, the project was up to
 * date at the instant of that observation, which is a correct answer even while another command
 * holds the lock (its changes come after). Otherwise (undefined) `up` locks and observes again.
 * A project that does not lock (the test API's generated names) goes straight to converging.
 */
async function upToDate(connected: Engine, project: ProjectRef, opts: UpOptions, converging?: () => void): Promise<UpResult | undefined> {
  // Without a lock there is nothing to save: converge observes once.
  if (opts.signal?.aborted || project.lock?.disabled) return undefined;
  const services = resolveTargets(project.config, opts);
  let twins = false;
  // The images' actions and ids come from one inspect per image.
  const inspect = imageInspector(connected);
  const [actions, observed, ids] = await Promise.all([
    planImages(project.config, services, connected, imageActionOptions(opts), inspect),
    observeProject(connected, project.name, { model: project.config.model, onEvent: () => (twins = true) }),
    imageIds(project.config, services, connected, inspect),
  ]);
  // A secrets volume no container names (an interrupted up left it): converging removes it.
  if (twins || actions.some((a) => a.action !== "none") || leftoverSecrets(observed).length > 0) return undefined;
  const plan = planUp(project.config, observed, { ...opts, imageIds: ids });
  if (!planIsNoop(plan)) return undefined;
  for (const w of project.config.warnings) opts.onEvent?.({ type: "warning", message: w });
  converging?.();
  return applyUp(project.config, plan, connected, { ...opts, imageIds: ids });
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
  await removeSecretsVolumes(connected, leftoverSecrets(observed));
  const tracked = trackStarts(connected, opts.signal);
  try {
    return await applyUp(project.config, plan, tracked.engine, { ...opts, imageIds });
  } catch (err) {
    if (opts.signal?.aborted) await stopWhatUpStarted(connected, project.name, tracked, opts);
    throw err;
  }
}

/** Secrets volumes of the project's service containers that no container names any more (a one-off's may be in the making: left to `down`). */
function leftoverSecrets(observed: ObservedState): string[] {
  return leftoverSecretsVolumes(observed.secretsVolumes ?? [], observed.containers, { oneoffs: false });
}
