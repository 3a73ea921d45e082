/**
 * A stale containerd task. When dockerd is killed while it starts a container, containerd keeps the
 * task (and the container record) it made for it, and every later start of that container fails
 * until the container is removed (Compose has the same problem): "task <64 hex>: already exists", or,
 * when the record is left too, "id already in use" (both seen on one kill, checked on a throwaway
 * daemon). A new container under the same name clears it.
 *
 * Every path that starts an EXISTING container (up's start and restart actions, `start`, `restart`)
 * goes through `startOrReplace`: with a way to re-create the container from the compose model it
 * replaces it (and says so), without one it fails with STALE_TASK, saying what to do. Fresh
 * containers (create, recreate, pre_start steps, `run`'s one-off) cannot meet one: their id is new.
 */
import { asServiceError, ServiceError } from "../errors.js";

/** The engine's answers to starting a container whose containerd task (or record) outlived a killed dockerd. */
export const STALE_TASK = /task [0-9a-f]{64}: already exists|(?:^|: )id already in use\b/m;

/** Whether `err` (or an error it wraps) is the engine refusing a start for a stale task. */
export function isStaleTask(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 8; depth++, e = e.cause) {
    if (STALE_TASK.test(e.message)) return true;
  }
  return false;
}

/** An existing container to start, as the error and warning name it. */
export interface StartTarget {
  id: string;
  name: string;
  service: string;
}

/**
 * Replaces a container whose start met a stale task by a new one under its name (not started yet),
 * removing the old one; resolves with the new container's id.
 */
export type ReplaceStale = (target: StartTarget) => Promise<string>;

/** The warning said when a container is created anew for a stale task. */
export function staleTaskWarning(name: string): string {
  return `container ${name}: the engine still holds a task of it from before it was restarted; the container is created anew`;
}

/** The reason shown on the replacement (as a recreate's reason). */
export const STALE_TASK_REASON = "the engine held a stale task of it";

/** Where the container cannot be re-created (no compose model): what happened and what to do. */
export function staleTaskError(target: StartTarget, verb: string, cause: unknown): ServiceError {
  const s = target.service;
  return new ServiceError(
    "STALE_TASK",
    s,
    `service "${s}": cannot ${verb} container ${target.name}: the engine still holds a task of it from before the engine was killed or restarted, and refuses every start of it until the container is removed`,
    { cause, hint: `create it anew from the compose file: \`flotilla up --force-recreate ${s}\` (or \`flotilla down\` then \`flotilla up\`)` },
  );
}

/**
 * Start an existing container with `start`. When the engine refuses for a stale task: with
 * `replace`, the container is replaced and the new one started with `start`; without, STALE_TASK.
 * Any other failure is rethrown naming the service. Resolves with the id of the started container.
 */
export async function startOrReplace(target: StartTarget, start: (id: string) => Promise<void>, replace: ReplaceStale | undefined, verb = "start"): Promise<string> {
  try {
    await start(target.id);
    return target.id;
  } catch (err) {
    if (!isStaleTask(err)) throw asServiceError(target.service, err);
    if (!replace) throw staleTaskError(target, verb, err);
  }
  let id: string;
  try {
    id = await replace(target);
    await start(id);
  } catch (err) {
    throw asServiceError(target.service, err);
  }
  return id;
}
