/**
 * What the CLI needs from the library, as an interface: the `Project` class of src/api/project.ts
 * satisfies it, and tests pass a fake. The library itself is loaded lazily (dynamic import) so
 * `config` and `--help` never load the runtime.
 */
import type { LoadedProject } from "../spec/model.js";
import type { LoadOptions } from "../spec/options.js";
import type {
  ContainerStatus,
  DownOptions,
  LogLine,
  LogsOptions,
  OperationBase,
  PsOptions,
  UpOptions,
} from "../runtime/options.js";
import type { AttachOptions, BuildOptions, ContainerImage, ProjectEvent, PullOptions, PushOptions, PushResult, RemoveOptions, RunOptions } from "../api/project.js";
import type { OneOffResult } from "../runtime/run.js";
import type { CommitOptions, ContainerStats, VolumeSummary } from "../runtime/engine.js";
import type { Readable } from "node:stream";
import type { ListProjectsOptions, ProjectSummary } from "../runtime/ps.js";

export type { BuildOptions, ListProjectsOptions, OneOffResult, ProjectSummary, PullOptions, PushOptions, PushResult, RemoveOptions, RunOptions };

export interface StopOptions extends OperationBase {
  timeout?: number;
}
export interface KillOptions extends OperationBase {
  /** The signal to send (e.g. SIGKILL). */
  killSignal?: string;
  removeOrphans?: boolean;
}
export interface ExecRequest {
  user?: string;
  workingDir?: string;
  env?: string[];
  index?: number;
  privileged?: boolean;
  tty?: boolean;
  signal?: AbortSignal;
  /** Stream the output (then the outcome's stdout/stderr are empty). */
  onOutput?: (chunk: { stream: "stdout" | "stderr"; data: Buffer }) => void;
  stdin?: AsyncIterable<Buffer | string>;
  ttySize?: { rows: number; cols: number };
  onResizable?: (resize: (size: { rows: number; cols: number }) => void) => void;
}
export interface ExecOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The subset of the library's Project used by the CLI. */
export interface CliProject {
  readonly name: string;
  readonly config: LoadedProject;
  /** The plan of an `up` (for --dry-run); `renderPlan` turns it into lines. */
  plan(opts: UpOptions): Promise<unknown>;
  up(opts: UpOptions): Promise<unknown>;
  down(opts: DownOptions): Promise<unknown>;
  ps(opts: PsOptions): Promise<ContainerStatus[]>;
  logs(opts: LogsOptions): AsyncIterable<LogLine>;
  start(services?: string[], opts?: OperationBase & { wait?: boolean; waitTimeout?: number }): Promise<unknown>;
  stop(services?: string[], opts?: StopOptions): Promise<unknown>;
  restart(services?: string[], opts?: StopOptions & { noDeps?: boolean }): Promise<unknown>;
  kill(services?: string[], opts?: KillOptions): Promise<unknown>;
  port(service: string, privatePort: number, protocol?: "tcp" | "udp", index?: number): Promise<number | undefined>;
  exec(service: string, cmd: string[], opts?: ExecRequest): Promise<ExecOutcome>;
  rm?(services?: string[], opts?: RemoveOptions): Promise<unknown>;
  build?(services?: string[], opts?: BuildOptions): Promise<unknown>;
  pull?(services?: string[], opts?: PullOptions): Promise<unknown>;
  push?(services?: string[], opts?: PushOptions): Promise<PushResult>;
  run?(service: string, opts: RunOptions): Promise<OneOffResult>;
  pause?(services?: string[], opts?: OperationBase): Promise<string[]>;
  unpause?(services?: string[], opts?: OperationBase): Promise<string[]>;
  wait?(services: string[], opts?: { signal?: AbortSignal }): Promise<{ container: string; exitCode: number }>;
  images?(services?: string[]): Promise<ContainerImage[]>;
  volumes?(services?: string[]): Promise<VolumeSummary[]>;
  attach?(service: string, opts?: AttachOptions): Promise<number | undefined>;
  commit?(service: string, opts?: CommitOptions & { index?: number }): Promise<string>;
  export?(service: string, opts?: { index?: number }): Promise<Readable>;
  stats?(services?: string[], opts?: { all?: boolean }): Promise<{ id: string; container: string; stats: ContainerStats }[]>;
  cp?(source: string, dest: string, opts?: { index?: number; archive?: boolean; followLink?: boolean }): Promise<void>;
  events?(services?: string[], opts?: { signal?: AbortSignal; since?: string; until?: string }): AsyncIterable<ProjectEvent>;
  top?(services?: string[]): Promise<{ container: string; service?: string; replica?: string; processes: { titles: string[]; processes: string[][] } }[]>;
}

export interface OpenOptions extends LoadOptions {
  parallel?: number;
}

/** Injection points: tests replace these; the defaults load the real library lazily. */
export interface CliDeps {
  openProject?: (options: OpenOptions) => Promise<CliProject>;
  loadConfig?: (options: LoadOptions) => Promise<LoadedProject>;
  /** `ls`: the projects the engine knows of (no compose file involved). */
  listProjects?: (options: ListProjectsOptions, env: Readonly<Record<string, string | undefined>>) => Promise<ProjectSummary[]>;
}

export async function defaultOpenProject(options: OpenOptions): Promise<CliProject> {
  const { openLibraryProject } = await import("./library.js");
  return openLibraryProject(options);
}

export async function defaultListProjects(options: ListProjectsOptions, env: Readonly<Record<string, string | undefined>>): Promise<ProjectSummary[]> {
  const { listEngineProjects } = await import("../api/project.js");
  return listEngineProjects({ ...options, env });
}

export async function defaultLoadConfig(options: LoadOptions): Promise<LoadedProject> {
  const { loadProject } = await import("../spec/load.js");
  return loadProject(options);
}
