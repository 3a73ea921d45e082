/**
 * Global flags (Compose's `docker compose [OPTIONS] COMMAND`) and the environment variables that
 * stand in for them, resolved into one typed object, and turned into the loader's LoadOptions.
 */
import { UsageError } from "../errors.js";
import type { LoadOptions } from "../spec/options.js";
import type { CliIO, OutStream } from "./io.js";
import { envTrue, parseInteger } from "./usage.js";

export type ProgressMode = "auto" | "tty" | "plain" | "json" | "quiet";
export type AnsiMode = "never" | "always" | "auto";

export const PROGRESS_MODES: readonly ProgressMode[] = ["auto", "tty", "plain", "json", "quiet"];
export const ANSI_MODES: readonly AnsiMode[] = ["never", "always", "auto"];

/** The flags as commander hands them over. */
export interface RawGlobalFlags {
  file?: string[];
  projectName?: string;
  projectDirectory?: string;
  profile?: string[];
  envFile?: string[];
  parallel?: string;
  progress?: string;
  ansi?: string;
  dryRun?: boolean;
  /** --lock-timeout <seconds> */
  lockTimeout?: string;
  /** false with --no-lock-wait */
  lockWait?: boolean;
}

export interface GlobalOptions {
  files: string[];
  projectName?: string;
  projectDirectory?: string;
  profiles: string[];
  envFiles: string[];
  /** Max engine operations in flight; undefined = the library default. */
  parallel?: number;
  progress: ProgressMode;
  ansi: AnsiMode;
  dryRun: boolean;
  /** COMPOSE_IGNORE_ORPHANS */
  ignoreOrphans: boolean;
  /** COMPOSE_REMOVE_ORPHANS */
  removeOrphans: boolean;
  /**
   * Seconds a mutating verb waits for another command's project lock (--lock-timeout,
   * FLOTILLA_LOCK_TIMEOUT; 0 with --no-lock-wait); undefined = the library default (600).
   */
  lockTimeout?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  const v = value.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`invalid ${what} "${value}": expected one of ${allowed.join(", ")}`);
  }
  return v as T;
}

function parallelFrom(flag: string, value: string): number | undefined {
  const n = parseInteger(flag, value);
  if (n === -1) return Number.POSITIVE_INFINITY;
  if (n < 1) throw new UsageError(`invalid value "${value}" for ${flag}: expected -1 (unlimited) or a number >= 1`);
  return n;
}

function lockTimeoutFrom(flag: string, value: string): number {
  const n = parseInteger(flag, value);
  if (n < 0) throw new UsageError(`invalid value "${value}" for ${flag}: expected seconds >= 0 (0: fail at once when the project is locked)`);
  return n;
}

/** Flags win over the COMPOSE_* environment variables. */
export function resolveGlobals(raw: RawGlobalFlags, env: Env): GlobalOptions {
  const out: GlobalOptions = {
    files: raw.file ?? [],
    profiles: (raw.profile ?? []).flatMap((p) => p.split(",")).map((p) => p.trim()).filter((p) => p !== ""),
    envFiles: raw.envFile ?? [],
    progress: "auto",
    ansi: "auto",
    dryRun: raw.dryRun === true,
    ignoreOrphans: envTrue(env["COMPOSE_IGNORE_ORPHANS"]),
    removeOrphans: envTrue(env["COMPOSE_REMOVE_ORPHANS"]),
  };
  if (raw.projectName !== undefined) out.projectName = raw.projectName;
  if (raw.projectDirectory !== undefined) out.projectDirectory = raw.projectDirectory;

  if (raw.parallel !== undefined) {
    const p = parallelFrom("--parallel", raw.parallel);
    if (p !== undefined) out.parallel = p;
  } else if (env["COMPOSE_PARALLEL_LIMIT"]) {
    const p = parallelFrom("COMPOSE_PARALLEL_LIMIT", env["COMPOSE_PARALLEL_LIMIT"]);
    if (p !== undefined) out.parallel = p;
  }

  if (raw.progress !== undefined) out.progress = oneOf("--progress", raw.progress, PROGRESS_MODES);
  else if (env["COMPOSE_PROGRESS"]) out.progress = oneOf("COMPOSE_PROGRESS", env["COMPOSE_PROGRESS"], PROGRESS_MODES);

  if (raw.ansi !== undefined) out.ansi = oneOf("--ansi", raw.ansi, ANSI_MODES);
  else if (env["COMPOSE_ANSI"]) out.ansi = oneOf("COMPOSE_ANSI", env["COMPOSE_ANSI"], ANSI_MODES);

  if (raw.lockWait === false) out.lockTimeout = 0;
  else if (raw.lockTimeout !== undefined) out.lockTimeout = lockTimeoutFrom("--lock-timeout", raw.lockTimeout);
  else if (env["FLOTILLA_LOCK_TIMEOUT"]) out.lockTimeout = lockTimeoutFrom("FLOTILLA_LOCK_TIMEOUT", env["FLOTILLA_LOCK_TIMEOUT"]);

  if (out.ignoreOrphans && out.removeOrphans) {
    throw new UsageError("COMPOSE_IGNORE_ORPHANS and COMPOSE_REMOVE_ORPHANS cannot be combined");
  }
  return out;
}

/** Whether to colour output written to `stream`. */
export function useColor(globals: Pick<GlobalOptions, "ansi">, stream: OutStream, env: Env): boolean {
  if (globals.ansi === "always") return true;
  if (globals.ansi === "never") return false;
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  return stream.isTTY === true;
}

/** The renderer to use: `auto` picks the interactive one on a TTY outside CI. */
export function effectiveProgress(globals: Pick<GlobalOptions, "progress" | "ansi">, stream: OutStream, env: Env): Exclude<ProgressMode, "auto"> {
  if (globals.progress !== "auto") return globals.progress;
  if (globals.ansi === "never") return "plain";
  // A pseudo-terminal without a size (columns 0) cannot host the interactive view.
  if (stream.isTTY === true && (stream.columns ?? 0) > 0 && !envTrue(env["CI"]) && env["TERM"] !== "dumb") return "tty";
  return "plain";
}

export interface LoadExtras {
  services?: readonly string[];
  interpolate?: boolean;
  resolveEnvFiles?: boolean;
}

/** Build the loader input. Reads stdin only when `-f -` is given. */
export async function toLoadOptions(globals: GlobalOptions, io: CliIO, extras: LoadExtras = {}): Promise<LoadOptions> {
  const options: LoadOptions = { cwd: io.cwd, env: io.env };
  if (globals.files.length > 0) options.files = globals.files;
  if (globals.files.includes("-")) options.stdin = await io.readStdin();
  if (globals.projectName !== undefined) options.projectName = globals.projectName;
  if (globals.projectDirectory !== undefined) options.projectDirectory = globals.projectDirectory;
  if (globals.profiles.length > 0) options.profiles = globals.profiles;
  if (globals.envFiles.length > 0) options.envFiles = globals.envFiles;
  if (extras.services && extras.services.length > 0) options.services = extras.services;
  if (extras.interpolate === false) options.interpolate = false;
  if (extras.resolveEnvFiles === false) options.resolveEnvFiles = false;
  return options;
}
