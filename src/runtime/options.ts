/** Options and results of the runtime operations; shared by the library API and the CLI. */
import type { EventListener } from "../events.js";

export interface OperationBase {
  /** Progress events (resources created, warnings, pull/build progress). */
  onEvent?: EventListener;
  signal?: AbortSignal;
  /** Max engine operations in flight (`--parallel` / COMPOSE_PARALLEL_LIMIT); default 4. */
  parallel?: number;
  /** Print/return the plan, touch nothing. */
  dryRun?: boolean;
}

export type PullMode = "always" | "missing" | "never" | "policy" | "build";

export interface UpOptions extends OperationBase {
  /** Limit to these services (plus their dependencies unless noDeps). */
  services?: string[];
  detach?: boolean;
  build?: boolean;
  noBuild?: boolean;
  pull?: PullMode;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  alwaysRecreateDeps?: boolean;
  renewAnonVolumes?: boolean;
  noDeps?: boolean;
  noStart?: boolean;
  removeOrphans?: boolean;
  /** Do not warn about orphan containers (COMPOSE_IGNORE_ORPHANS). */
  ignoreOrphans?: boolean;
  /** service -> replicas */
  scale?: Record<string, number>;
  /** Stop timeout (seconds) used when recreating. */
  timeout?: number;
  /** Wait for running/healthy (`--wait`). */
  wait?: boolean;
  /** Seconds. */
  waitTimeout?: number;
  /**
   * After `signal` aborted an up, what it started is stopped gracefully (not with `detach`);
   * aborting this signal too kills them instead (the CLI's second Ctrl-C).
   */
  forceStop?: AbortSignal;
}

export interface DownOptions extends OperationBase {
  volumes?: boolean;
  removeOrphans?: boolean;
  /** Do not warn about orphan containers (COMPOSE_IGNORE_ORPHANS). */
  ignoreOrphans?: boolean;
  rmi?: "local" | "all";
  /** Seconds; undefined = each service's stop_grace_period. */
  timeout?: number;
  services?: string[];
}

export interface PsOptions {
  all?: boolean;
  services?: string[];
  status?: string[];
  orphans?: boolean;
}

export interface PublisherInfo {
  URL: string;
  TargetPort: number;
  PublishedPort: number;
  Protocol: string;
}

/** One row of `ps` (fields as `docker compose ps --format json`). */
export interface ContainerStatus {
  ID: string;
  Name: string;
  Names: string;
  Image: string;
  Command: string;
  Project: string;
  Service: string;
  CreatedAt: string;
  RunningFor: string;
  State: string;
  Status: string;
  Health: string;
  ExitCode: number;
  Publishers: PublisherInfo[];
  Ports: string;
  Labels: string;
  LocalVolumes: string;
  Mounts: string;
  Networks: string;
  Size: string;
  /** container-number label */
  Number: number;
}

export interface LogsOptions {
  services?: string[];
  follow?: boolean;
  tail?: number | "all";
  since?: string;
  until?: string;
  timestamps?: boolean;
  index?: number;
  signal?: AbortSignal;
}

export interface LogLine {
  service: string;
  /** container name */
  container: string;
  /** container-number */
  number: number;
  stream: "stdout" | "stderr";
  /** Without trailing newline; engine timestamp stripped into `timestamp` when requested. */
  line: string;
  timestamp?: string;
}
