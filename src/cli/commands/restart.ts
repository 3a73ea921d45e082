/** `flotilla restart`: restart service containers (config changes are not applied). */
import type { Command } from "commander";
import { withReporter, type CliContext } from "../context.js";
import { parseNonNegativeInt } from "../usage.js";
import { exitAction, literalNoFlag, type CommandModule } from "./command.js";

export const restartCommand: CommandModule = {
  name: "restart",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("restart")
      .description("Restart service containers")
      .argument("[services...]", "Services to restart")
      .option("-t, --timeout <seconds>", "Specify a shutdown timeout in seconds")
      .addOption(literalNoFlag("--no-deps", "Don't restart dependent services"))
      .action(
        exitAction(ctx, async (services: string[], flags: { timeout?: string; noDeps?: boolean }) => {
          const timeout = flags.timeout !== undefined ? parseNonNegativeInt("--timeout", flags.timeout) : undefined;
          const project = await ctx.project();
          await withReporter(ctx, "Restarting", (r) =>
            project.restart(services.length > 0 ? services : undefined, {
              onEvent: r.onEvent,
              signal: ctx.signal,
              ...(ctx.globals.parallel !== undefined ? { parallel: ctx.globals.parallel } : {}),
              ...(ctx.globals.dryRun ? { dryRun: true } : {}),
              ...(timeout !== undefined ? { timeout } : {}),
              ...(flags.noDeps ? { noDeps: true } : {}),
            }),
          );
          return 0;
        }),
      );
  },
};
