/**
 * The real library behind the CLI: `Project` from src/api. Loaded lazily: importing this file is
 * what brings in the runtime (cli/api.ts imports only its types).
 *
 * With `-p NAME` and no compose file to be found, the project is rebuilt from the engine's
 * container labels (`Project.loadOrFromLabels`), so `-p NAME down|ps|logs|stop|start|rm` work
 * from any directory, as in Compose.
 */
import { Project } from "../api/project.js";
import type { LoadOptions } from "../spec/options.js";

/** What every CLI project has (tests' fakes implement these). */
type CoreMember = "name" | "config" | "plan" | "up" | "down" | "ps" | "logs" | "start" | "stop" | "restart" | "kill" | "port" | "exec";

/**
 * The library's `Project` as the CLI sees it: derived from the class, so a verb's options and
 * results are the library's own types (a flag the library does not take is a compile error), and
 * a new Project method is there without touching this file. Beyond the core, members are optional:
 * a fake may leave them out (the verb then says so).
 */
export type CliProject = Pick<Project, CoreMember> & Partial<Omit<Project, CoreMember>>;

export interface OpenOptions extends LoadOptions {
  parallel?: number;
  /** Seconds to wait for the project lock (0: fail at once); undefined: the library default. */
  lockTimeout?: number;
}

export async function openLibraryProject(options: OpenOptions): Promise<CliProject> {
  const { parallel: _parallel, lockTimeout, ...load } = options;
  // The Project itself: the CLI calls its methods on it (`project.up(...)`), so the receiver is right.
  return Project.loadOrFromLabels(lockTimeout !== undefined ? { ...load, lock: { timeout: lockTimeout } } : load);
}
