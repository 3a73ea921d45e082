/**
 * Project name resolution: `-p` > `COMPOSE_PROJECT_NAME` > top-level `name:` (last file wins)
 * > the project directory's base name. Explicit names must already be valid; names taken from
 * a file or a directory are normalized the way Compose does.
 */
import { basename } from "node:path";
import { ConfigError, type SourceLocation } from "../errors.js";

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/** Lower-case, drop every character outside `[a-z0-9_-]`, trim leading `_` and `-`. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "")
    .replace(/^[_-]+/, "");
}

export function isValidProjectName(name: string): boolean {
  return VALID.test(name);
}

export type ProjectNameSource = "flag" | "env" | "file" | "directory";

export interface ProjectNameInput {
  /** `-p` / `--project-name`. */
  flag?: string | undefined;
  /** The interpolation environment (process env over .env). */
  env: Readonly<Record<string, string | undefined>>;
  /** The merged top-level `name:` (already interpolated), with where it was written. */
  fromFile?: { value: string; location?: SourceLocation | undefined } | undefined;
  /** Absolute project directory. */
  projectDir: string;
}

export interface ResolvedProjectName {
  name: string;
  source: ProjectNameSource;
}

const HINT =
  "a project name must start with a lower-case letter or digit and contain only lower-case letters, digits, '_' and '-'";

/** Throws ConfigError(PROJECT_NAME) for an invalid explicit name or an empty result. */
export function resolveProjectName(input: ProjectNameInput): ResolvedProjectName {
  if (input.flag !== undefined && input.flag !== "") {
    if (!isValidProjectName(input.flag)) {
      throw ConfigError.of("PROJECT_NAME", `invalid project name ${JSON.stringify(input.flag)} (from -p)`, {
        hint: `${HINT}; try -p ${suggestion(input.flag)}`,
      });
    }
    return { name: input.flag, source: "flag" };
  }
  const fromEnv = input.env["COMPOSE_PROJECT_NAME"];
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!isValidProjectName(fromEnv)) {
      throw ConfigError.of("PROJECT_NAME", `invalid project name ${JSON.stringify(fromEnv)} (from COMPOSE_PROJECT_NAME)`, {
        hint: `${HINT}; try COMPOSE_PROJECT_NAME=${suggestion(fromEnv)}`,
      });
    }
    return { name: fromEnv, source: "env" };
  }
  if (input.fromFile !== undefined && input.fromFile.value !== "") {
    const name = normalizeProjectName(input.fromFile.value);
    if (name === "") {
      throw ConfigError.of(
        "PROJECT_NAME",
        `project name ${JSON.stringify(input.fromFile.value)} (top-level name:) is empty once normalized`,
        { path: "name", location: input.fromFile.location, hint: `${HINT}; or pass -p <name>` },
      );
    }
    return { name, source: "file" };
  }
  const base = basename(input.projectDir);
  const name = normalizeProjectName(base);
  if (name === "") {
    throw ConfigError.of(
      "PROJECT_NAME",
      `cannot derive a project name from the directory ${JSON.stringify(input.projectDir)}`,
      { hint: "set one with -p <name>, COMPOSE_PROJECT_NAME or a top-level name: in the compose file" },
    );
  }
  return { name, source: "directory" };
}

function suggestion(name: string): string {
  const n = normalizeProjectName(name);
  return n === "" ? "myproject" : n;
}
