/** `flotilla version`. */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

export const versionCommand: CommandModule = {
  name: "version",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("version")
      .description("Show the Flotilla version information")
      .option("-f, --format <format>", "Format the output: pretty or json", "pretty")
      .option("--short", "Shows only the version number")
      .action(
        exitAction(ctx, async (flags: { format: string; short?: boolean }) => {
          const { flotillaVersion } = await import("../version-info.js");
          const { COMPOSE_VERSION } = await import("../../runtime/labels.js");
          const v = flotillaVersion();
          if (flags.short) ctx.out(`${v}\n`);
          else if (flags.format === "json") ctx.out(`${JSON.stringify({ version: v, compose: COMPOSE_VERSION })}\n`);
          else ctx.out(`Flotilla version ${v} (Docker Compose ${COMPOSE_VERSION} compatible)\n`);
          return 0;
        }),
      );
  },
};
