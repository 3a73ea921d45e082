/** `flotilla pull`: pull the services' images. */
import { Option, type Command } from "commander";
import { FlotillaError } from "../../errors.js";
import type { PullMode } from "../../runtime/options.js";
import { withReporter, type CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

interface PullFlags {
  ignoreBuildable?: boolean;
  ignorePullFailures?: boolean;
  includeDeps?: boolean;
  policy?: PullMode;
  quiet?: boolean;
}

export const pullCommand: CommandModule = {
  name: "pull",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("pull")
      .description("Pull service images")
      .argument("[services...]", "Services to pull")
      .option("--ignore-buildable", "Ignore images that can be built")
      .option("--ignore-pull-failures", "Pull what it can and ignores images with pull failures")
      .option("--include-deps", "Also pull services declared as dependencies")
      .addOption(new Option("--policy <policy>", "Apply pull policy").choices(["missing", "always"]))
      .option("-q, --quiet", "Pull without printing progress information")
      .action(
        exitAction(ctx, async (services: string[], flags: PullFlags) => {
          const project = await ctx.project({ services });
          if (!project.pull) throw new FlotillaError("ENGINE", "pull is not supported by this version of the library");
          const pull = project.pull.bind(project);
          await withReporter(ctx, "Pulling", (r) =>
            pull(services.length > 0 ? services : undefined, {
              onEvent: r.onEvent,
              signal: ctx.signal,
              ...(flags.ignoreBuildable ? { ignoreBuildable: true } : {}),
              ...(flags.ignorePullFailures ? { ignorePullFailures: true } : {}),
              ...(flags.includeDeps ? { includeDeps: true } : {}),
              ...(flags.policy ? { policy: flags.policy } : {}),
              ...(flags.quiet ? { quiet: true } : {}),
              ...(ctx.globals.parallel !== undefined ? { parallel: ctx.globals.parallel } : {}),
              ...(ctx.globals.dryRun ? { dryRun: true } : {}),
            }),
          );
          return 0;
        }),
      );
  },
};
