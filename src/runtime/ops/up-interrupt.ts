/**
 * An interrupted `up` (its AbortSignal aborted): attached (or from the library), what this up
 * started is stopped again, gracefully, or killed once `forceStop` aborts too; detached (`-d`), it
 * is left as it is and named, with the note that `up` again converges (the plan removes the
 * temporary container of an interrupted recreate, and finishes what was left half done).
 */
import { FlotillaError } from "../../errors.js";
import type { Engine } from "../engine.js";
import { Label } from "../labels.js";
import type { UpOptions } from "../options.js";
import { emitter } from "./lifecycle.js";

export interface StartTracker {
  /** The engine to apply with: its startContainer calls are recorded. */
  engine: Engine;
  /** Ids this up asked the engine to start. */
  started: Set<string>;
  /** Start calls still in flight. */
  pending: Set<Promise<void>>;
}

/**
 * Wrap the engine so that every container this up starts is known (also the starts still in
 * flight); once `signal` aborted, no further container is started (the call fails as cancelled).
 */
export function trackStarts(engine: Engine, signal?: AbortSignal): StartTracker {
  const started = new Set<string>();
  const pending = new Set<Promise<void>>();
  const wrapped = new Proxy(engine, {
    get(target, prop) {
      if (prop === "startContainer") {
        return (id: string): Promise<void> => {
          if (signal?.aborted) return Promise.reject(new FlotillaError("ABORTED", "the operation was cancelled"));
          started.add(id);
          const p = target.startContainer(id);
          pending.add(p);
          void p.then(
            () => pending.delete(p),
            () => pending.delete(p),
          );
          return p;
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { engine: wrapped, started, pending };
}

/** See the file comment. Never throws: the interruption is what the caller reports. */
export async function stopWhatUpStarted(engine: Engine, project: string, tracked: StartTracker, opts: Pick<UpOptions, "detach" | "timeout" | "forceStop" | "onEvent">): Promise<void> {
  const { emit, res } = emitter(opts.onEvent);
  await Promise.allSettled([...tracked.pending]);
  const all = await engine.listContainers({ labels: { [Label.project]: project }, all: true }).catch(() => []);
  if (opts.detach) {
    const left = all.filter((c) => c.labels[Label.oneoff] !== "True").map((c) => `${c.name} (${c.state})`);
    emit({
      type: "info",
      message: `up interrupted: left ${left.length === 0 ? "no container" : left.join(", ")}; run up again to converge the project (or down to remove it)`,
    });
    return;
  }
  const mine = all.filter((c) => tracked.started.has(c.id) && (c.state === "running" || c.state === "restarting" || c.state === "paused"));
  emit({ type: "info", message: mine.length === 0 ? "up interrupted: nothing it started is running" : `up interrupted: stopping the ${mine.length} container(s) it started` });
  const kill = (): void => {
    for (const c of mine) void engine.killContainer(c.id, "SIGKILL").catch(() => {});
  };
  opts.forceStop?.addEventListener("abort", kill, { once: true });
  try {
    await Promise.allSettled(
      mine.map(async (c) => {
        const service = c.labels[Label.service];
        res("container", c.name, "Stopping", service);
        if (opts.forceStop?.aborted) await engine.killContainer(c.id, "SIGKILL").catch(() => {});
        else await engine.stopContainer(c.id, opts.timeout).catch(() => {});
        res("container", c.name, "Stopped", service);
      }),
    );
  } finally {
    opts.forceStop?.removeEventListener("abort", kill);
  }
}
