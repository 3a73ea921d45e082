/**
 * `flotilla version`: the version as Compose prints it (`--short`, `--format json`, pretty).
 *
 * The number is the Compose version Flotilla matches with Flotilla's own version as semver build metadata
 * (`2.40.0+flotilla.0.1.0`, see composeCompatibleVersion): version gates compare it as 2.40.0, and it
 * still says it is Flotilla. `--format json` adds a `flotilla` field beside Compose's `version`.
 */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

export function renderVersion(flotilla: string, compatible: string, flags: { format?: string; short?: boolean }): string {
  if (flags.short) return `${compatible}\n`;
  const format = (flags.format ?? "pretty").toLowerCase();
  if (format === "json") return `${JSON.stringify({ version: `v${compatible}`, flotilla })}\n`;
  if (format !== "pretty" && format !== "") throw new UsageError(`invalid --format "${flags.format}": expected pretty or json`);
  return `Docker Compose version v${compatible}\n`;
}

export const versionCommand: CommandModule = {
  name: "version",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("version")
      .description("Show the Docker Compose version information (Flotilla's, as Compose-compatible semver)")
      .option("-f, --format <format>", "Format the output. Values: [pretty | json]", "pretty")
      .option("--short", "Shows only Compose's version number")
      .action(
        exitAction(ctx, async (flags: { format: string; short?: boolean }) => {
          const { flotillaVersion } = await import("../version-info.js");
          const { composeCompatibleVersion } = await import("../docker-plugin.js");
          const v = flotillaVersion();
          ctx.out(renderVersion(v, composeCompatibleVersion(v), flags));
          return 0;
        }),
      );
  },
};
