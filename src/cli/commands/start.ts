/** `flotilla start`: start existing containers, in dependency order. */
import type { Command } from "commander";
import { withReporter, type CliContext } from "../context.js";
import { parseNonNegativeInt } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

export const startCommand: CommandModule = {
  name: "start",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("start")
      .description("Start services")
      .argument("[services...]", "Services to start")
      .option("--wait", "Wait for services to be running|healthy")
      .option("--wait-timeout <seconds>", "Maximum duration in seconds to wait")
      .action(
        exitAction(ctx, async (services: string[], flags: { wait?: boolean; waitTimeout?: string }) => {
          const waitTimeout = flags.waitTimeout !== undefined ? parseNonNegativeInt("--wait-timeout", flags.waitTimeout) : undefined;
          const project = await ctx.project();
          await withReporter(ctx, "Running", (r) =>
            project.start(services.length > 0 ? services : undefined, {
              onEvent: r.onEvent,
              signal: ctx.signal,
              ...(ctx.globals.parallel !== undefined ? { parallel: ctx.globals.parallel } : {}),
              ...(ctx.globals.dryRun ? { dryRun: true } : {}),
              ...(flags.wait ? { wait: true } : {}),
              ...(waitTimeout !== undefined ? { waitTimeout } : {}),
            }),
          );
          return 0;
        }),
      );
  },
};
