/** `wait.completed()`: a one-shot container ran to completion with exit code 0. */
import { inspectTarget, WaitFailure, type WaitStrategy } from "./strategy.js";

export function completed(): WaitStrategy {
  return {
    description: "completed successfully (exit code 0)",
    async wait(ctx) {
      ctx.note("still running");
      const code = await ctx.engine.waitContainer(ctx.target.id, ctx.signal);
      ctx.signal.throwIfAborted();
      if (code === 0) return;
      const d = await inspectTarget(ctx).catch(() => undefined);
      throw new WaitFailure(`container ${ctx.target.name} exited with code ${code}${d?.state.oomKilled ? " (OOM killed)" : ""}`, code);
    },
  };
}
