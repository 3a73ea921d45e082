/** `flotilla build`: build or rebuild the services' images. */
import type { Command } from "commander";
import { FlotillaError, UsageError } from "../../errors.js";
import { withReporter, type CliContext } from "../context.js";
import { collect } from "../usage.js";
import type { BuildOptions } from "../../runtime/ops/build.js";
import { exitAction, type CommandModule } from "./command.js";
import type { FlagSpelling, FlagsOf, LibraryOnly } from "./flags.js";

/** The flag of each BuildOptions field (a new option without one is a compile error here). */
export const BUILD_OPTION_FLAGS: FlagSpelling<BuildOptions, LibraryOnly> = {
  noCache: "--no-cache",
  pull: "--pull",
  quiet: "--quiet",
  buildArgs: "--build-arg",
  withDependencies: "--with-dependencies",
  push: "--push",
};

/** commander hands `--no-cache` over as `cache: false` and the repeated `--build-arg` as `buildArg`. */
type BuildFlags = FlagsOf<BuildOptions, LibraryOnly | "noCache" | "buildArgs"> & { cache?: boolean; buildArg?: string[] };

export function parseBuildArgs(values: readonly string[] | undefined, env: Readonly<Record<string, string | undefined>>): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf("=");
    if (i === 0) throw new UsageError(`invalid --build-arg "${v}": expected KEY=VALUE`);
    if (i < 0) {
      const fromEnv = env[v];
      if (fromEnv !== undefined) out[v] = fromEnv;
    } else {
      out[v.slice(0, i)] = v.slice(i + 1);
    }
  }
  return out;
}

export const buildCommand: CommandModule = {
  name: "build",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("build")
      .description("Build or rebuild services")
      .argument("[services...]", "Services to build")
      .option("--build-arg <key=value>", "Set build-time variables for services (repeatable)", collect)
      .option("--no-cache", "Do not use cache when building the image")
      .option("--pull", "Always attempt to pull a newer version of the image")
      .option("-q, --quiet", "Don't print anything to STDOUT")
      .option("--with-dependencies", "Also build dependencies (transitively)")
      .option("--push", "Push service images")
      .action(
        exitAction(ctx, async (services: string[], flags: BuildFlags) => {
          const buildArgs = parseBuildArgs(flags.buildArg, ctx.io.env);
          const project = await ctx.project({ services });
          if (!project.build) throw new FlotillaError("ENGINE", "build is not supported by this version of the library");
          const build = project.build.bind(project);
          await withReporter(ctx, "Building", (r) =>
            build(services.length > 0 ? services : undefined, {
              onEvent: r.onEvent,
              signal: ctx.signal,
              ...(flags.cache === false ? { noCache: true } : {}),
              ...(flags.pull ? { pull: true } : {}),
              ...(flags.quiet ? { quiet: true } : {}),
              ...(flags.withDependencies ? { withDependencies: true } : {}),
              ...(flags.push ? { push: true } : {}),
              ...(buildArgs ? { buildArgs } : {}),
              ...(ctx.globals.parallel !== undefined ? { parallel: ctx.globals.parallel } : {}),
              ...(ctx.globals.dryRun ? { dryRun: true } : {}),
            }),
          );
          return 0;
        }),
      );
  },
};
