/** `wait.command(cmd)`: a command run inside the container (exec) exits 0. A string runs through `sh -c`. */
import { poll, type WaitStrategy } from "./strategy.js";

export function command(cmd: string | readonly string[]): WaitStrategy {
  const argv = typeof cmd === "string" ? ["sh", "-c", cmd] : [...cmd];
  if (argv.length === 0) throw new RangeError("wait.command: empty command");
  const shown = typeof cmd === "string" ? cmd : argv.join(" ");
  return {
    description: `command \`${shown}\` exiting 0`,
    async wait(ctx) {
      await poll(ctx, async () => {
        try {
          const r = await ctx.engine.exec(ctx.target.id, { cmd: argv }, ctx.signal);
          if (r.exitCode === 0) return true;
          const out = (r.stderr.trim() || r.stdout.trim()).split(/\r?\n/).pop() ?? "";
          ctx.note(`last exit code ${r.exitCode}${out ? `: ${out}` : ""}`);
        } catch (e) {
          ctx.signal.throwIfAborted();
          ctx.note(`last attempt: ${(e as Error).message}`);
        }
        return false;
      });
    },
  };
}
