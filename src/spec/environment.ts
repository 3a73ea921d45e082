/**
 * The interpolation environment: the process environment wins over env files. Env files are
 * `--env-file` values (later files win), else `COMPOSE_ENV_FILES` (comma-separated), else the
 * `.env` of a directory (unless `COMPOSE_DISABLE_ENV_FILE` is true).
 *
 * Like Compose, env files are read twice: first relative to the working directory (so a `.env`
 * there can set COMPOSE_FILE, COMPOSE_PROJECT_NAME, COMPOSE_PROFILES…), then, once the project
 * directory is known, relative to it. A service's `env_file` is never an interpolation source.
 */
import { join, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { BadTextError, badTextIssue, type LoaderFs } from "./discover.js";
import { parseDotenv } from "./dotenv.js";

export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvFileSelection {
  /** The directory whose `.env` is used when no env file is given. */
  dir: string;
  /** Where relative `--env-file` / COMPOSE_ENV_FILES paths resolve (the working directory). */
  cwd: string;
  /** `--env-file` values. */
  envFiles?: readonly string[] | undefined;
  /** The process environment (COMPOSE_ENV_FILES, COMPOSE_DISABLE_ENV_FILE). */
  osEnv: Env;
  fs: LoaderFs;
}

export function isTruthy(v: string | undefined): boolean {
  if (v === undefined) return false;
  return ["1", "true", "yes", "on"].includes(v.trim().toLowerCase());
}

/**
 * The env files to read, absolute. Explicit files must exist (CONFIG_ENV_FILE otherwise);
 * the default `.env` is used only when present.
 */
export function selectEnvFiles(sel: EnvFileSelection): { files: string[]; explicit: boolean } {
  let explicit = (sel.envFiles ?? []).filter((f) => f !== "");
  if (explicit.length === 0) {
    const fromEnv = sel.osEnv["COMPOSE_ENV_FILES"];
    if (fromEnv !== undefined && fromEnv.trim() !== "") {
      explicit = fromEnv
        .split(",")
        .map((f) => f.trim())
        .filter((f) => f !== "");
    }
  }
  if (explicit.length > 0) {
    const files = explicit.map((f) => resolve(sel.cwd, f));
    const missing = files.filter((f) => !sel.fs.isFile(f));
    if (missing.length > 0) {
      throw new ConfigError(
        missing.map((f) => ({
          code: "CONFIG_ENV_FILE" as const,
          message: `couldn't find env file: ${f}`,
          hint: "check the --env-file / COMPOSE_ENV_FILES paths (relative paths resolve against the current directory)",
        })),
      );
    }
    return { files, explicit: true };
  }
  if (isTruthy(sel.osEnv["COMPOSE_DISABLE_ENV_FILE"])) return { files: [], explicit: false };
  const dotenv = join(resolve(sel.dir), ".env");
  return { files: sel.fs.isFile(dotenv) ? [dotenv] : [], explicit: false };
}

/**
 * Reads env files in order (later files win among them). Variables inside a file are
 * interpolated with the process environment first, then the values read so far.
 */
export function readEnvFiles(files: readonly string[], osEnv: Env, fs: LoaderFs): Record<string, string> {
  const acc: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFile(file);
    } catch (e) {
      if (e instanceof BadTextError) throw new ConfigError([badTextIssue(e)]);
      throw ConfigError.of("CONFIG_ENV_FILE", `cannot read env file ${file}: ${(e as Error).message}`, {
        hint: "check that the file exists and is readable",
      });
    }
    // As compose-go's GetEnvFromFile: the process environment first, then what was read so far, the
    // last value written winning (this file's earlier lines, then earlier files).
    const osLookup = (name: string): string | undefined => (Object.prototype.hasOwnProperty.call(osEnv, name) ? osEnv[name] : undefined);
    const earlier = (name: string): string | undefined => (Object.prototype.hasOwnProperty.call(acc, name) ? acc[name] : undefined);
    const vars = parseDotenv(text, file, osLookup, earlier);
    for (const [k, v] of Object.entries(vars)) Object.defineProperty(acc, k, { value: v, writable: true, enumerable: true, configurable: true });
  }
  return acc;
}

/** Layers from strongest to weakest; undefined values are skipped. */
export function layerEnvironment(...layers: Env[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    for (const k of Object.keys(layer)) {
      const v = layer[k];
      if (v !== undefined) out[k] = v;
    }
  }
  return out;
}

export interface ProjectEnvironment {
  /** Process env over the env files: the interpolation environment. */
  environment: Record<string, string>;
  /** Env files used, absolute, in reading order (deduplicated). */
  files: string[];
}

/**
 * Phase 1: the environment seen from `dir` (the working directory, or --project-directory),
 * used for discovery
 * (COMPOSE_FILE, COMPOSE_PATH_SEPARATOR, COMPOSE_PROJECT_NAME, COMPOSE_PROFILES).
 */
export function discoveryEnvironment(
  dir: string,
  cwd: string,
  osEnv: Env,
  envFiles: readonly string[] | undefined,
  fs: LoaderFs,
): ProjectEnvironment {
  const { files } = selectEnvFiles({ dir, cwd, envFiles, osEnv, fs });
  const fromFiles = readEnvFiles(files, osEnv, fs);
  return { environment: layerEnvironment(osEnv, fromFiles), files };
}

/**
 * Phase 2: once the project directory is known, its `.env` (when no env file was given)
 * fills what the process env and the phase-1 files did not set. `PWD` defaults to the
 * working directory.
 */
export function projectEnvironment(
  phase1: ProjectEnvironment,
  projectDir: string,
  cwd: string,
  osEnv: Env,
  envFiles: readonly string[] | undefined,
  fs: LoaderFs,
): ProjectEnvironment {
  const { files } = selectEnvFiles({ dir: projectDir, cwd, envFiles, osEnv, fs });
  const fresh = files.filter((f) => !phase1.files.includes(f));
  const fromFiles = fresh.length > 0 ? readEnvFiles(fresh, phase1.environment, fs) : {};
  const environment = layerEnvironment(phase1.environment, fromFiles);
  if (environment["PWD"] === undefined) environment["PWD"] = resolve(cwd);
  return { environment, files: [...phase1.files, ...fresh] };
}
