/** Watch mode's options, counters and timing defaults. */
import type { EventListener } from "../../events.js";
import type { LoadedProject } from "../../spec/model.js";
import type { Engine } from "../engine.js";
import type { UpOptions } from "../options.js";

/** What watching needs from a project (the library's `Project` satisfies it). */
export interface WatchableProject {
  readonly name: string;
  readonly config: LoadedProject;
  engine(): Promise<Engine>;
  up(opts: UpOptions): Promise<unknown>;
}

/** Counters, filled while watching (benchmarks and tests read them). */
export interface WatchStats {
  /** Batches handled (all services). */
  batches: number;
  /** putArchive calls. */
  archives: number;
  /** Files written into containers (sum over containers). */
  filesSynced: number;
  rebuilds: number;
  restarts: number;
  execs: number;
  errors: number;
}

export function newWatchStats(): WatchStats {
  return { batches: 0, archives: 0, filesSynced: 0, rebuilds: 0, restarts: 0, execs: 0, errors: 0 };
}

export interface WatchOptions {
  /** Services to watch (default: every service with develop.watch). */
  services?: string[];
  signal?: AbortSignal;
  onEvent?: EventListener;
  /** Quiet period before a batch is handled (ms, default 20); grows with the batch size (up to 120 ms). */
  quietMs?: number;
  /** Longest a batch waits for events to stop (ms, default 1000). */
  maxWaitMs?: number;
  /** Remove the previous image after a successful rebuild (`--prune`). */
  prune?: boolean;
  /** Counters to fill in. */
  stats?: WatchStats;
  /** Called once watching is active (after any initial sync). */
  onReady?: () => void;
  /** Max containers handled in parallel per service (default 16, like Compose). */
  parallel?: number;
}

/**
 * A lone edit is handled 20 ms after its event (file events arrive ~5 ms after the write here;
 * the engine's archive upload then costs ~70 ms, the floor of the edit-to-served time).
 * A burst (a `git checkout`) reaches us in clumps with lulls of up to ~40 ms between them and
 * spread over several hundred ms, so the quiet period grows with the batch (2 ms per pending
 * file, up to 120 ms) and the cap on a batch's age is a full second: one transfer per burst.
 */
export const DEFAULT_QUIET_MS = 20;
export const MAX_QUIET_MS = 120;
export const DEFAULT_MAX_WAIT_MS = 1000;
