/**
 * A ready-queue walk over the service graph. Pure: no timers of its own, only the visits do I/O.
 *
 * "up": a service is visited as soon as every dependency within the chosen set has finished.
 * "down": a service is visited as soon as every dependent within the chosen set has finished.
 * Independent services run in parallel, bounded by `concurrency`.
 */
import { FlotillaError } from "../errors.js";
import type { ServiceGraph } from "./graph.js";

export interface WalkOptions {
  direction: "up" | "down";
  /** The set to walk (default: every service). Edges leaving the set are ignored. */
  services?: Iterable<string>;
  /** Max visits in flight (default Infinity). */
  concurrency?: number;
  signal?: AbortSignal;
}

function abortError(signal: AbortSignal): FlotillaError {
  const reason: unknown = signal.reason;
  if (reason instanceof FlotillaError && reason.code === "ABORTED") return reason;
  return new FlotillaError("ABORTED", "the operation was cancelled", { cause: reason });
}

/**
 * Visit every chosen service in dependency order.
 * The first failure stops scheduling new visits, waits for the running ones and rejects with
 * that error. An abort does the same and rejects with FlotillaError("ABORTED").
 * A cycle inside the chosen set rejects with ConfigError DEPENDENCY_CYCLE before any visit.
 */
export async function walkGraph(
  graph: ServiceGraph,
  options: WalkOptions,
  visit: (service: string) => Promise<void>,
): Promise<void> {
  const { direction, signal } = options;
  const concurrency = options.concurrency ?? Infinity;
  if (!(concurrency >= 1)) throw new RangeError(`concurrency must be at least 1, got ${concurrency}`);

  const chosen = new Set<string>();
  for (const s of options.services ?? graph.services) {
    if (graph.has(s)) chosen.add(s);
  }
  if (chosen.size === 0) return;

  // Check cycles up front so a cycle is a clear config error, not a hang.
  graph.order();

  // What must finish before s, and who waits on s — both restricted to the chosen set.
  const before = (s: string): string[] =>
    direction === "up" ? graph.dependencies(s).map((e) => e.service) : graph.dependents(s);
  const after = (s: string): string[] =>
    direction === "up" ? graph.dependents(s) : graph.dependencies(s).map((e) => e.service);

  const waitingOn = new Map<string, number>();
  const ready: string[] = [];
  // Keep the graph's order among ready services, for deterministic scheduling.
  for (const s of graph.services) {
    if (!chosen.has(s)) continue;
    const n = new Set(before(s).filter((d) => chosen.has(d))).size;
    waitingOn.set(s, n);
    if (n === 0) ready.push(s);
  }

  if (signal?.aborted) throw abortError(signal);

  return new Promise<void>((resolve, reject) => {
    let running = 0;
    let done = 0;
    let failure: { error: unknown } | undefined;

    const onAbort = (): void => {
      if (!failure && signal) failure = { error: abortError(signal) };
      settleIfIdle();
    };
    signal?.addEventListener("abort", onAbort, { once: true });

    const finish = (): void => {
      signal?.removeEventListener("abort", onAbort);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on exactly what the visited function threw
      if (failure) reject(failure.error);
      else resolve();
    };

    function settleIfIdle(): void {
      if (running > 0) return;
      if (failure || done === chosen.size) finish();
    }

    const pump = (): void => {
      while (!failure && running < concurrency && ready.length > 0) {
        const s = ready.shift() as string;
        running++;
        let p: Promise<void>;
        try {
          p = Promise.resolve(visit(s));
        } catch (e) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on exactly what the visited function threw
          p = Promise.reject(e);
        }
        p.then(
          () => {
            running--;
            done++;
            for (const next of new Set(after(s))) {
              if (!chosen.has(next)) continue;
              const left = (waitingOn.get(next) as number) - 1;
              waitingOn.set(next, left);
              if (left === 0) ready.push(next);
            }
            pump();
            settleIfIdle();
          },
          (error: unknown) => {
            running--;
            if (!failure) failure = { error };
            settleIfIdle();
          },
        );
      }
    };
    pump();
    settleIfIdle();
  });
}

/** A bounded-parallelism gate: `urgent` jobs go ahead of the queued ordinary ones. */
export type Limit = <T>(fn: () => Promise<T>, urgent?: boolean) => Promise<T>;

/**
 * Bounded parallelism: at most `n` of the wrapped functions run at once; the rest wait in FIFO
 * order, the `urgent` ones ahead of the others (up starts a container whose dependencies are ready
 * before it creates containers that no one waits for yet). A rejection frees its slot like a
 * resolution does.
 */
export function limiter(n: number): Limit {
  if (!(n >= 1)) throw new RangeError(`limit must be at least 1, got ${n}`);
  let active = 0;
  const urgentQueue: (() => void)[] = [];
  const queue: (() => void)[] = [];
  const release = (): void => {
    active--;
    const next = urgentQueue.shift() ?? queue.shift();
    if (next) {
      active++;
      next();
    }
  };
  return <T>(fn: () => Promise<T>, urgent = false): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const run = (): void => {
        let p: Promise<T>;
        try {
          p = Promise.resolve(fn());
        } catch (e) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on exactly what the visited function threw
          p = Promise.reject(e);
        }
        p.then(
          (v) => {
            release();
            resolve(v);
          },
          (e: unknown) => {
            release();
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on exactly what the visited function threw
            reject(e);
          },
        );
      };
      if (active < n) {
        active++;
        run();
      } else {
        (urgent ? urgentQueue : queue).push(run);
      }
    });
}

/**
 * The chosen services in the order work on them pays off soonest: by depth (the longest chain of
 * dependencies before a service can start), and among equals those with the longest chain of
 * dependents first (the critical path). `up` creates containers in this order so the chains'
 * heads exist first and can start while the rest are still being created.
 * A cycle inside the chosen set throws ConfigError DEPENDENCY_CYCLE.
 */
export function criticalOrder(graph: ServiceGraph, services: Iterable<string>): string[] {
  const chosen = new Set([...services].filter((s) => graph.has(s)));
  const topo = graph.order().filter((s) => chosen.has(s));
  const depth = new Map<string, number>();
  for (const s of topo) depth.set(s, Math.max(0, ...graph.dependencies(s).map((e) => (chosen.has(e.service) ? (depth.get(e.service) ?? 0) + 1 : 0))));
  const tail = new Map<string, number>();
  for (const s of [...topo].reverse()) tail.set(s, Math.max(0, ...graph.dependents(s).map((d) => (chosen.has(d) ? (tail.get(d) ?? 0) + 1 : 0))));
  const index = new Map(topo.map((s, i) => [s, i]));
  return topo.sort((a, b) => depth.get(a)! - depth.get(b)! || tail.get(b)! - tail.get(a)! || index.get(a)! - index.get(b)!);
}
