/**
 * The one module of the library that reads the process it runs in: its environment, working
 * directory, pid and Node binary, and whether another pid is alive. Everything else in src/api takes
 * these as inputs (defaulting through here); src/runtime never reads the process (lint enforces both).
 */

/** The process environment (the default for every `env` option). */
export function hostEnv(): NodeJS.ProcessEnv {
  return process.env;
}

/** The working directory (the default for every `cwd` option). */
export function hostCwd(): string {
  return process.cwd();
}

/** This process's id. */
export function hostPid(): number {
  return process.pid;
}

/** The Node binary running this process (to spawn helpers with the same runtime). */
export function hostExecPath(): string {
  return process.execPath;
}

/** Whether a process with this pid exists on this host (signal 0 checks without sending anything). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
