/** `flotilla export SERVICE`: a service container's filesystem as a tar archive (to -o FILE or stdout). */
import type { Command } from "commander";
import { createWriteStream } from "node:fs";
import { resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { parseNonNegativeInt } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

export const exportCommand: CommandModule = {
  name: "export",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("export")
      .description("Export a service container's filesystem as a tar archive")
      .argument("<service>", "Service name")
      .option("--index <n>", "Index of the container if service has multiple replicas", "1")
      .option("-o, --output <file>", "Write to a file, instead of STDOUT")
      .action(
        exitAction(ctx, async (service: string, flags: { index: string; output?: string }) => {
          const index = parseNonNegativeInt("--index", flags.index);
          if (!flags.output && ctx.io.stdout.isTTY) {
            throw new UsageError("refusing to write a tar archive to a terminal", "use -o FILE or redirect the output");
          }
          const project = await ctx.project();
          if (!project.export) throw new UsageError("export needs a project");
          const tar = await project.export(service, { index });
          if (flags.output) {
            await pipeline(tar, createWriteStream(resolve(ctx.io.cwd, flags.output)));
            return 0;
          }
          for await (const chunk of tar as AsyncIterable<Buffer>) {
            if (ctx.io.stdout.write(chunk) === false) await ctx.io.drained?.();
          }
          return 0;
        }),
      );
  },
};
