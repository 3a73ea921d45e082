/** Inputs of `loadProject`. Everything is explicit: nothing in src/spec reads process.env or process.cwd(). */
export interface LoadOptions {
  /** Working directory for discovery and relative -f paths. */
  cwd: string;
  /** The process environment (the CLI passes process.env; the library may pass a copy with overrides). */
  env: Readonly<Record<string, string | undefined>>;
  /** `-f` files in order; "-" reads `stdin`. Empty/undefined = COMPOSE_FILE or discovery. */
  files?: readonly string[];
  /** Content for "-" among `files`. */
  stdin?: string;
  /**
   * Inline compose documents (library use): YAML text or an already-parsed object, each treated as a
   * file named `<inline-N>`. Alone, they are the whole project (living in `projectDirectory ?? cwd`);
   * with `files`, they are merged after them like override files (living in the project directory).
   */
  documents?: readonly (string | Record<string, unknown>)[];
  projectName?: string;
  projectDirectory?: string;
  /** `--profile` values; when empty, COMPOSE_PROFILES applies. */
  profiles?: readonly string[];
  /** `--env-file` values (replace `<project dir>/.env`). */
  envFiles?: readonly string[];
  /** Services named on the command line: activated with their dependencies even if their profile is off. */
  services?: readonly string[];
  /** false = `--no-interpolate`. */
  interpolate?: boolean;
  /** false = do not check that the files the project needs exist (for callers that supply file contents themselves). */
  checkFiles?: boolean;
  /** false = skip env_file resolution into environment (`--no-env-resolution`). */
  resolveEnvFiles?: boolean;
}
