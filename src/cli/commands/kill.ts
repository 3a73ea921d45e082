/** `flotilla kill`: send a signal (default SIGKILL) to the service containers. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { withReporter, type CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

/** SIGTERM, TERM, 15 -> an engine signal name/number. */
export function normalizeSignal(value: string): string {
  const v = value.trim().toUpperCase();
  if (/^\d+$/.test(v)) return v;
  if (!/^(SIG)?[A-Z0-9+-]+$/.test(v)) throw new UsageError(`invalid signal "${value}"`);
  return v.startsWith("SIG") ? v : `SIG${v}`;
}

export const killCommand: CommandModule = {
  name: "kill",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("kill")
      .description("Force stop service containers")
      .argument("[services...]", "Services to kill")
      .option("-s, --signal <signal>", "SIGNAL to send to the container", "SIGKILL")
      .option("--remove-orphans", "Remove containers for services not defined in the Compose file")
      .action(
        exitAction(ctx, async (services: string[], flags: { signal: string; removeOrphans?: boolean }) => {
          const signal = normalizeSignal(flags.signal);
          const project = await ctx.project();
          await withReporter(ctx, "Killing", (r) =>
            project.kill(services.length > 0 ? services : undefined, {
              onEvent: r.onEvent,
              signal: ctx.signal,
              killSignal: signal,
              ...(flags.removeOrphans ? { removeOrphans: true } : {}),
              ...(ctx.globals.dryRun ? { dryRun: true } : {}),
            }),
          );
          return 0;
        }),
      );
  },
};
