/** `flotilla start`: start existing containers, in dependency order. */
import type { Command } from "commander";
import { withReporter, type CliContext } from "../context.js";
import { parseNonNegativeInt } from "../usage.js";
import type { StartOptions } from "../../runtime/ops/start.js";
import { exitAction, type CommandModule } from "./command.js";
import type { FlagSpelling, FlagsOf, LibraryOnly } from "./flags.js";

/** StartOptions no `start` flag sets: the stop timeout belongs to stop/restart. */
type NotStartFlags = "timeout" | LibraryOnly;

/** The flag of each StartOptions field (a new option without one is a compile error here). */
export const START_OPTION_FLAGS: FlagSpelling<StartOptions, NotStartFlags> = {
  wait: "--wait",
  waitTimeout: "--wait-timeout",
};

type StartFlags = FlagsOf<StartOptions, NotStartFlags>;

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
        exitAction(ctx, async (services: string[], flags: StartFlags) => {
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
