/** `flotilla commit SERVICE [REPOSITORY[:TAG]]`: a new image from a service container's changes. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { collect, parseBoolFlag, parseNonNegativeInt } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

interface CommitFlags {
  author?: string;
  change?: string[];
  index: string;
  message?: string;
  pause: string | boolean;
}

export const commitCommand: CommandModule = {
  name: "commit",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("commit")
      .description("Create a new image from a service container's changes")
      .argument("<service>", "Service name")
      .argument("[reference]", "REPOSITORY[:TAG] for the new image")
      .option("-a, --author <author>", 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
      .option("-c, --change <instruction>", "Apply Dockerfile instruction to the created image (repeatable)", collect)
      .option("--index <n>", "Index of the container if service has multiple replicas", "1")
      .option("-m, --message <message>", "Commit message")
      .option("-p, --pause [bool]", "Pause container during commit", true)
      .option("--no-pause", "Do not pause the container during commit")
      .action(
        exitAction(ctx, async (service: string, reference: string | undefined, flags: CommitFlags) => {
          const index = parseNonNegativeInt("--index", flags.index);
          const pause = parseBoolFlag("--pause", flags.pause);
          const project = await ctx.project();
          if (!project.commit) throw new UsageError("commit needs a project");
          const id = await project.commit(service, {
            index,
            pause,
            ...(reference ? { reference } : {}),
            ...(flags.author ? { author: flags.author } : {}),
            ...(flags.message ? { message: flags.message } : {}),
            ...(flags.change && flags.change.length > 0 ? { changes: flags.change } : {}),
          });
          ctx.out(`${id}\n`);
          return 0;
        }),
      );
  },
};
