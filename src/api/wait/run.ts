/**
 * Running one wait strategy on one container of a started stack, and what a failed or timed-out
 * wait says (the strategy, how long, the container's last log lines).
 */
import { WaitError } from "../../errors.js";
import { abortError, tailLogs } from "../../runtime/conditions.js";
import type { Engine } from "../../runtime/engine.js";
import { healthy } from "./healthy.js";
import { inspectTarget, WaitFailure, type WaitStrategy, type WaitTarget } from "./strategy.js";

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Without an explicit wait: healthy when the container has a healthcheck, else running (or exited 0). */
export function defaultStrategy(): WaitStrategy {
  const h = healthy();
  return {
    description: "running (healthy if it has a healthcheck)",
    async wait(ctx) {
      const d = await inspectTarget(ctx);
      const health = d.state.health?.status;
      if (health && health !== "none") return h.wait(ctx);
      if (d.state.running || d.state.exitCode === 0) return;
      throw new WaitFailure(`container ${ctx.target.name} exited with code ${d.state.exitCode}`, d.state.exitCode);
    },
  };
}

export async function runWait(
  engine: Engine,
  host: string,
  target: WaitTarget,
  strategy: WaitStrategy,
  signal: AbortSignal,
  ctx: { deadline: AbortSignal; user: AbortSignal | undefined; started: number; logLines: number },
): Promise<void> {
  let last = "";
  const begun = Date.now();
  try {
    await strategy.wait({ engine, host, target, signal, note: (o) => (last = o) });
  } catch (e) {
    if (ctx.user?.aborted) throw abortError();
    const timedOut = ctx.deadline.aborted;
    if (!timedOut && signal.aborted) throw e; // another service's wait failed first
    const elapsed = Date.now() - begun;
    const logs = await tailLogs(engine, target.id, ctx.logLines);
    const what = `service "${target.service}" (${target.name}) not ready: ${strategy.description}`;
    const why = timedOut ? `timed out after ${seconds(elapsed)}${last ? ` (${last})` : ""}` : `failed after ${seconds(elapsed)}: ${e instanceof Error ? e.message : String(e)}`;
    const tail = logs.length > 0 ? `\nlast ${logs.length} log line${logs.length > 1 ? "s" : ""} of ${target.name}:\n${logs.map((l) => `  ${l}`).join("\n")}` : `\n(no log output from ${target.name})`;
    const exitCode = e instanceof WaitFailure ? e.exitCode : undefined;
    throw new WaitError(timedOut ? "WAIT_TIMEOUT" : "WAIT_FAILED", target.service, strategy.description, elapsed, `${what} ${why}${tail}`, {
      logs,
      ...(timedOut ? {} : { cause: e }),
      ...(exitCode !== undefined ? { exitCode } : {}),
    });
  }
}
