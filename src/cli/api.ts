/**
 * What the CLI needs from the library: `CliProject` (in ./library.ts, a type derived from the
 * `Project` class of src/api/project.ts), which tests replace with a fake. The library itself is
 * loaded lazily (dynamic import) so `config` and `--help` never load the runtime.
 */
import type { LoadedProject } from "../spec/model.js";
import type { LoadOptions } from "../spec/options.js";
import type { BuildOptions, PullOptions, PushOptions, PushResult, RemoveOptions, RunOptions } from "../api/project.js";
import type { OneOffResult } from "../runtime/run.js";
import type { ListProjectsOptions, ProjectSummary } from "../runtime/ps.js";
import type { CliProject, OpenOptions } from "./library.js";

export type { BuildOptions, CliProject, ListProjectsOptions, OneOffResult, OpenOptions, ProjectSummary, PullOptions, PushOptions, PushResult, RemoveOptions, RunOptions };

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
  const { listEngineProjects } = await import("../api/engine-projects.js");
  return listEngineProjects({ ...options, env });
}

export async function defaultLoadConfig(options: LoadOptions): Promise<LoadedProject> {
  const { loadProject } = await import("../spec/load.js");
  return loadProject(options);
}
