/** `flotilla rm`: remove stopped service containers (`-s` stops them first). */
import type { Command } from "commander";
import { FlotillaError } from "../../errors.js";
import { withReporter, type CliContext } from "../context.js";
import type { RemoveOptions } from "../../runtime/ops/rm.js";
import { exitAction, type CommandModule } from "./command.js";
import type { FlagSpelling, FlagsOf, LibraryOnly } from "./flags.js";

/** The flag of each RemoveOptions field (a new option without one is a compile error here). */
export const RM_OPTION_FLAGS: FlagSpelling<RemoveOptions, LibraryOnly> = {
  force: "--force",
  stop: "--stop",
  volumes: "--volumes",
};

type RmFlags = FlagsOf<RemoveOptions, LibraryOnly>;

export const rmCommand: CommandModule = {
  name: "rm",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("rm")
      .description("Removes stopped service containers")
      .argument("[services...]", "Services to remove")
      .option("-f, --force", "Don't ask to confirm removal")
      .option("-s, --stop", "Stop the containers, if required, before removing")
      .option("-v, --volumes", "Remove any anonymous volumes attached to containers")
      .action(
        exitAction(ctx, async (services: string[], flags: RmFlags) => {
          const project = await ctx.project();
          if (!project.rm) throw new FlotillaError("ENGINE", "rm is not supported by this version of the library");
          const rm = project.rm.bind(project);
          await withReporter(ctx, "Removing", (r) =>
            rm(services.length > 0 ? services : undefined, {
              onEvent: r.onEvent,
              signal: ctx.signal,
              ...(flags.force ? { force: true } : {}),
              ...(flags.stop ? { stop: true } : {}),
              ...(flags.volumes ? { volumes: true } : {}),
              ...(ctx.globals.dryRun ? { dryRun: true } : {}),
            }),
          );
          return 0;
        }),
      );
  },
};
