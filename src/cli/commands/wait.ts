/** `flotilla wait SERVICE...`: block until the services' containers stop; exit with the first exit code. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

export const waitCommand: CommandModule = {
  name: "wait",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("wait")
      .description("Block until containers of all (or specified) services stop.")
      .argument("<services...>", "Services to wait for")
      .option("--down-project", "Drops project when the first container stops")
      .action(
        exitAction(ctx, async (services: string[], flags: { downProject?: boolean }) => {
          const project = await ctx.project();
          if (!project.wait) throw new UsageError("wait needs a project");
          const first = await project.wait(services, { signal: ctx.signal });
          if (flags.downProject) {
            const { withReporter } = await import("../context.js");
            await withReporter(ctx, "Removing", (r) => project.down({ onEvent: r.onEvent, signal: ctx.signal }));
          }
          return first.exitCode;
        }),
      );
  },
};
