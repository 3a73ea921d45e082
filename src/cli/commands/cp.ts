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
      .action(
        exitAction(ctx, async (source: string, dest: string, flags: { index: string }) => {
          const index = parseNonNegativeInt("--index", flags.index);
          const project = await ctx.project();
          if (!project.cp) throw new UsageError("cp needs a project");
          await project.cp(source, dest, { index });
          return 0;
        }),
      );
  },
};
