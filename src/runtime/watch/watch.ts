/**
 * Watch mode (Compose's `develop.watch`): planWatch checks the rules (pure, plan.ts), then a
 * WatchSession (session.ts) turns file events into per-service batches of actions on the running
 * containers until the signal aborts.
 */
import type { WatchableProject, WatchOptions } from "./options.js";
import { planWatch } from "./plan.js";
import { WatchSession } from "./session.js";

export { DEFAULT_MAX_WAIT_MS, DEFAULT_QUIET_MS, newWatchStats, type WatchableProject, type WatchOptions, type WatchStats } from "./options.js";
export { planWatch, type WatchPlan } from "./plan.js";
export { WatchSession } from "./session.js";

/**
 * Watch the project's services until `signal` aborts (resolves then). Services must be running
 * (call `up` first); invalid rules throw before anything is watched.
 */
export async function watchProject(project: WatchableProject, options: WatchOptions = {}): Promise<void> {
  const plan = planWatch(project.config, options.services);
  await new WatchSession(project, plan, options).run();
}
