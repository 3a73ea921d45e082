/** `flotilla cp`: copy files between a service container and the host. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { parseNonNegativeInt } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

export const cpCommand: CommandModule = {
  name: "cp",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("cp")
      .description("Copy files/folders between a service container and the local filesystem")
      .argument("<source>", "SERVICE:SRC_PATH or a local path")
      .argument("<dest>", "a local path or SERVICE:DEST_PATH")
      .option("--index <n>", "Index of the container if service has multiple replicas", "1")
      .option("-a, --archive", "Archive mode (copy all uid/gid information)")
      .option("-L, --follow-link", "Always follow symbol link in SRC_PATH")
      .action(
        exitAction(ctx, async (source: string, dest: string, flags: { index: string; archive?: boolean; followLink?: boolean }) => {
          const index = parseNonNegativeInt("--index", flags.index);
          const project = await ctx.project();
          if (!project.cp) throw new UsageError("cp needs a project");
          await project.cp(source, dest, { index, ...(flags.archive ? { archive: true } : {}), ...(flags.followLink ? { followLink: true } : {}) });
          return 0;
        }),
      );
  },
};
