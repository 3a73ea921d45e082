/** `flotilla stop`: stop running containers without removing them (reverse dependency order). */
import type { Command } from "commander";
import { withReporter, type CliContext } from "../context.js";
import { parseNonNegativeInt } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

export const stopCommand: CommandModule = {
  name: "stop",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("stop")
      .description("Stop services")
      .argument("[services...]", "Services to stop")
      .option("-t, --timeout <seconds>", "Specify a shutdown timeout in seconds")
      .action(
        exitAction(ctx, async (services: string[], flags: { timeout?: string }) => {
          const timeout = flags.timeout !== undefined ? parseNonNegativeInt("--timeout", flags.timeout) : undefined;
          const project = await ctx.project();
          await withReporter(ctx, "Running", (r) =>
            project.stop(services.length > 0 ? services : undefined, {
              onEvent: r.onEvent,
              signal: ctx.signal,
              ...(ctx.globals.parallel !== undefined ? { parallel: ctx.globals.parallel } : {}),
              ...(ctx.globals.dryRun ? { dryRun: true } : {}),
              ...(timeout !== undefined ? { timeout } : {}),
            }),
          );
          return 0;
        }),
      );
  },
};
