/** `flotilla push`: push the images of services that have both `build:` and `image:`. */
import type { Command } from "commander";
import { FlotillaError } from "../../errors.js";
import { withReporter, type CliContext } from "../context.js";
import type { PushOptions } from "../../runtime/ops/push.js";
import { exitAction, type CommandModule } from "./command.js";
import type { FlagSpelling, FlagsOf, LibraryOnly } from "./flags.js";

/** The flag of each PushOptions field (a new option without one is a compile error here). */
export const PUSH_OPTION_FLAGS: FlagSpelling<PushOptions, LibraryOnly> = {
  ignorePushFailures: "--ignore-push-failures",
  includeDeps: "--include-deps",
  quiet: "--quiet",
};

type PushFlags = FlagsOf<PushOptions, LibraryOnly>;

export const pushCommand: CommandModule = {
  name: "push",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("push")
      .description("Push service images")
      .argument("[services...]", "Services to push")
      .option("--ignore-push-failures", "Push what it can and ignores images with push failures")
      .option("--include-deps", "Also push images of services declared as dependencies")
      .option("-q, --quiet", "Push without printing progress information")
      .action(
        exitAction(ctx, async (services: string[], flags: PushFlags) => {
          const project = await ctx.project({ services });
          if (!project.push) throw new FlotillaError("ENGINE", "push is not supported by this version of the library");
          const push = project.push.bind(project);
          const result = await withReporter(ctx, "Pushing", (r) =>
            push(services.length > 0 ? services : undefined, {
              onEvent: r.onEvent,
              signal: ctx.signal,
              ...(flags.ignorePushFailures ? { ignorePushFailures: true } : {}),
              ...(flags.includeDeps ? { includeDeps: true } : {}),
              ...(flags.quiet ? { quiet: true } : {}),
              ...(ctx.globals.dryRun ? { dryRun: true } : {}),
            }),
          );
          if (ctx.globals.dryRun) for (const ref of result.pushed) ctx.out(`would push ${ref}\n`);
          return 0;
        }),
      );
  },
};
