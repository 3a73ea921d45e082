/** The options of `compose(...)` and of a started stack's `down`. */
import type { EventListener } from "../events.js";
import type { Engine } from "../runtime/engine.js";
import type { PullMode } from "../runtime/options.js";
import type { WaitStrategy } from "./wait/strategy.js";

export type Env = Readonly<Record<string, string | undefined>>;

export interface ComposeOptions {
  /** Compose files (relative to `cwd`). Without files or documents: discovery in `cwd`. */
  files?: readonly string[];
  /**
   * Inline compose documents: YAML text or objects (merged in order, like several files). With
   * `files`, merged after them like override files: change one service for one test.
   */
  documents?: readonly (string | Record<string, unknown>)[];
  /** Working directory for relative paths and discovery (default: process.cwd()). */
  cwd?: string;
  projectDirectory?: string;
  /** Overrides merged over process.env for interpolation; process.env itself is never changed. */
  env?: Env;
  envFiles?: readonly string[];
  profiles?: readonly string[];
  /** Start only these services (and their dependencies). */
  services?: readonly string[];
  /** Default: `flotilla-test-<random>` so parallel stacks never collide. Required with `reuse`. */
  projectName?: string;
  pull?: PullMode;
  /** true: build images before starting; false: never build (fail if missing). Default: build when missing. */
  build?: boolean;
  /** One deadline for `up` and all waits, in ms (default 60 000). */
  timeout?: number;
  /** Default wait for every service without its own (else: healthy when it has a healthcheck, running otherwise). */
  waitForAll?: WaitStrategy;
  /** Per-service waits. */
  waitFor?: Readonly<Record<string, WaitStrategy>>;
  signal?: AbortSignal;
  /** Progress events, wait events, and (while the stack is up) container log lines. */
  onEvent?: EventListener;
  /** Keep what `up` made when it or a wait fails (for debugging); default false = tear down. */
  keepOnFailure?: boolean;
  /** Keep a named stack across runs: no recreate of existing containers, no teardown on dispose. */
  reuse?: boolean;
  /** Crash-safe cleanup watchdog (default true; never with `reuse`). */
  reaper?: boolean;
  /** Log lines of the container quoted in a WaitError (default 20). */
  logLines?: number;
  /** Use this engine instead of DOCKER_HOST / the Docker context. */
  engine?: Engine;
}

export interface StackDownOptions {
  /** Remove named and anonymous volumes (default true). */
  volumes?: boolean;
  /** Stop timeout in seconds (default 0: tests do not need a graceful stop). */
  timeout?: number;
}

/** One deadline for `up` and its waits when the options give none. */
export const DEFAULT_TIMEOUT_MS = 60_000;
