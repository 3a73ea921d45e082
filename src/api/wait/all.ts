/** `wait.all(a, b, …)`: every strategy succeeds (run together; the first failure cancels the rest). */
import type { WaitStrategy } from "./strategy.js";

export function all(...strategies: WaitStrategy[]): WaitStrategy {
  if (strategies.length === 0) throw new RangeError("wait.all: give at least one strategy");
  if (strategies.length === 1) return strategies[0] as WaitStrategy;
  return {
    description: `all of (${strategies.map((s) => s.description).join("; ")})`,
    async wait(ctx) {
      const inner = new AbortController();
      const signal = AbortSignal.any([ctx.signal, inner.signal]);
      const notes = new Map<number, string>();
      try {
        await Promise.all(
          strategies.map((s, i) =>
            s
              .wait({
                ...ctx,
                signal,
                note: (o) => {
                  notes.set(i, `${s.description}: ${o}`);
                  ctx.note([...notes.entries()].sort(([a], [b]) => a - b).map(([, v]) => v).join("; "));
                },
              })
              .then(() => {
                notes.set(i, `${s.description}: ok`);
              }),
          ),
        );
      } catch (e) {
        inner.abort();
        throw e;
      }
    },
  };
}
