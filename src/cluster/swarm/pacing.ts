/**
 * How a stack's apply and removal pace themselves: an abortable sleep between two reads of the
 * swarm, the ABORTED error a cancelled signal becomes, and a limit on engine calls in flight.
 */
import { FlotillaError } from "../../errors.js";
import { sleep as abortableSleep } from "../../runtime/conditions.js";

/** How to wait `ms` (tests pass one that does not). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface Waiter {
  sleep: Sleep;
  signal?: AbortSignal;
  pollMs: number;
}

/** The error a cancelled operation rejects with (the signal's own reason when it is one already). */
export function aborted(signal: AbortSignal): FlotillaError {
  const r: unknown = signal.reason;
  if (r instanceof FlotillaError && r.code === "ABORTED") return r;
  return new FlotillaError("ABORTED", "the operation was cancelled", { cause: r });
}

export const defaultSleep: Sleep = (ms, signal) => abortableSleep(ms, signal, aborted);

/** A counting semaphore: at most `n` engine calls in flight. */
export function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      queue.shift()?.();
    }
  };
}
