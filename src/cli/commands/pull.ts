/** `flotilla pull`: pull the services' images. */
import { Option, type Command } from "commander";
import { FlotillaError } from "../../errors.js";
import type { PullOptions } from "../../runtime/ops/pull.js";
import { withReporter, type CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";
import type { FlagSpelling, FlagsOf, LibraryOnly } from "./flags.js";

/** The flag of each PullOptions field (a new option without one is a compile error here). */
export const PULL_OPTION_FLAGS: FlagSpelling<PullOptions, LibraryOnly> = {
  ignoreBuildable: "--ignore-buildable",
  ignorePullFailures: "--ignore-pull-failures",
  includeDeps: "--include-deps",
  policy: "--policy",
  quiet: "--quiet",
};

type PullFlags = FlagsOf<PullOptions, LibraryOnly>;

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
