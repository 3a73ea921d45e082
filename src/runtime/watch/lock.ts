/**
 * One watch per project on a host: a pid file, at the path Docker Compose uses for its own watch
 * lock (`~/.docker/docker-compose/<project>.pid`), so a Flotilla watch and a Compose watch of the
 * same project also keep each other out. A lock whose process is gone, or is no longer a watcher
 * (its pid reused by something else), is stale and taken over.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FlotillaError } from "../../errors.js";

export interface WatchLock {
  readonly path: string;
  /** Remove the pid file if it is still ours. Idempotent. */
  release(): void;
}

export function watchLockPath(project: string, home: string = os.homedir()): string {
  return path.join(home, ".docker", "docker-compose", `${project}.pid`);
}

/** Whether `pid` is a live process that looks like a watcher (flotilla or compose). */
function holderAlive(pid: number, alive: (pid: number) => boolean): boolean {
  if (!alive(pid)) return false;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return true; // no /proc (or not readable): trust the pid
  }
  return /flotilla|compose/i.test(cmdline);
}

/**
 * Take the watch lock of `project`, or throw WATCH_FAILED naming the process that holds it.
 * `pid` is this process and `alive` tells whether another pid runs (the caller reads the process);
 * `home` overrides the home directory (tests).
 */
export function acquireWatchLock(project: string, options: { home?: string; pid: number; alive: (pid: number) => boolean }): WatchLock {
  const file = watchLockPath(project, options.home);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const mine = String(options.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw lockError(e, file);
    }
    const held = Number.parseInt(readOrEmpty(file).trim(), 10);
    if (Number.isInteger(held) && held > 0 && held !== options.pid && holderAlive(held, options.alive)) {
      throw new FlotillaError("WATCH_FAILED", `project "${project}" is already being watched by process ${held}`, {
        hint: `stop that watch first (Ctrl+C where it runs); if process ${held} is not a watch, remove ${file}`,
      });
    }
    // stale (or unreadable, or our own from an earlier run in this process): take it over
    fs.rmSync(file, { force: true });
  }
  let released = false;
  return {
    path: file,
    release: () => {
      if (released) return;
      released = true;
      if (readOrEmpty(file).trim() === mine) fs.rmSync(file, { force: true });
    },
  };
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function lockError(e: unknown, file: string): FlotillaError {
  return new FlotillaError("WATCH_FAILED", `cannot write the watch lock ${file}: ${e instanceof Error ? e.message : String(e)}`, {
    hint: "check that the directory is writable (or set HOME to a writable directory)",
    cause: e,
  });
}
