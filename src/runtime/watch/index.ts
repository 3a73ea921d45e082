/** Watch mode: the public entry points. */
export { watchProject, planWatch, newWatchStats, DEFAULT_QUIET_MS, DEFAULT_MAX_WAIT_MS } from "./watch.js";
export type { WatchableProject, WatchOptions, WatchStats, WatchPlan } from "./watch.js";
