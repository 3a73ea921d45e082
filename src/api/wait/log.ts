/** `wait.log(pattern, times)`: the container's output (stdout+stderr, from its start) has `times` lines matching. */
import { LineSplitter } from "../../runtime/logs.js";
import { inspectTarget, WaitFailure, type WaitStrategy } from "./strategy.js";

export function log(pattern: string | RegExp, times = 1): WaitStrategy {
  if (!Number.isInteger(times) || times < 1) throw new RangeError(`wait.log: times must be a positive integer, got ${times}`);
  const matches = typeof pattern === "string" ? (l: string) => l.includes(pattern) : (l: string) => new RegExp(pattern.source, pattern.flags.replace("g", "")).test(l);
  const shown = typeof pattern === "string" ? JSON.stringify(pattern) : String(pattern);
  return {
    description: `log line matching ${shown}${times > 1 ? ` ${times} times` : ""}`,
    async wait(ctx) {
      let seen = 0;
      const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
      const count = (lines: string[]): boolean => {
        for (const l of lines) if (matches(l)) seen++;
        ctx.note(`${seen} of ${times} matching line${times > 1 ? "s" : ""} seen`);
        return seen >= times;
      };
      for await (const chunk of ctx.engine.logs(ctx.target.id, { follow: true, stdout: true, stderr: true, tail: "all" }, ctx.signal)) {
        if (count(splitters[chunk.stream].push(chunk.data.toString("utf8")))) return;
      }
      if (count([...splitters.stdout.flush(), ...splitters.stderr.flush()])) return;
      ctx.signal.throwIfAborted();
      // The stream ended: the container stopped before printing enough.
      const d = await inspectTarget(ctx);
      throw new WaitFailure(`container ${ctx.target.name} stopped (exit code ${d.state.exitCode}) after ${seen} of ${times} matching line${times > 1 ? "s" : ""}`, d.state.exitCode);
    },
  };
}
