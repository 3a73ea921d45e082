/**
 * The one place the mutating operations take the project lock (src/runtime/lock): up, down,
 * create, start, stop, restart, rm, kill, scale, run and watch go through `locked`; the read-only
 * ones (ps, logs, config, ls, port, top, events…) never do, so they never wait. Dry runs change
 * nothing and do not lock either.
 */
import type { EventListener } from "../../events.js";
import type { Engine } from "../engine.js";
import { withProjectLock } from "../lock/project-lock.js";
import { engineOf, type EngineLike, type ProjectRef } from "./project-ref.js";

export async function locked<T>(
  engine: EngineLike,
  project: ProjectRef,
  verb: string,
  opts: { onEvent?: EventListener | undefined; signal?: AbortSignal | undefined; dryRun?: boolean | undefined },
  fn: (engine: Engine) => Promise<T>,
  share = false,
): Promise<T> {
  const connected = await engineOf(engine);
  if (opts.dryRun) return fn(connected);
  const options = { settings: project.lock, onEvent: opts.onEvent, signal: opts.signal, shareWithinProcess: share };
  return withProjectLock(connected, project.name, `flotilla ${verb}`, options, () => fn(connected));
}
