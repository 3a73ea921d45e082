/** `flotilla down`: stop and remove containers and networks (volumes with -v, images with --rmi). */
import { Option, type Command } from "commander";
import type { DownOptions } from "../../runtime/options.js";
import { withReporter, type CliContext } from "../context.js";
import type { GlobalOptions } from "../global-options.js";
import { parseNonNegativeInt } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";
import type { FlagSpelling, FlagsOf, LibraryOnly } from "./flags.js";

/** DownOptions no `down` flag sets: the operands, COMPOSE_IGNORE_ORPHANS, the global flags and callbacks. */
type NotDownFlags = "services" | "ignoreOrphans" | LibraryOnly;

/** The flag of each DownOptions field (a new option without one is a compile error here). */
export const DOWN_OPTION_FLAGS: FlagSpelling<DownOptions, NotDownFlags> = {
  volumes: "--volumes",
  rmi: "--rmi",
  removeOrphans: "--remove-orphans",
  timeout: "--timeout",
};

export type DownFlags = FlagsOf<DownOptions, NotDownFlags>;

export function downOptions(services: string[], flags: DownFlags, globals: Pick<GlobalOptions, "dryRun" | "parallel" | "removeOrphans"> & Partial<Pick<GlobalOptions, "ignoreOrphans">>): DownOptions {
  const options: DownOptions = {};
  if (services.length > 0) options.services = services;
  if (flags.volumes) options.volumes = true;
  if (flags.rmi) options.rmi = flags.rmi;
  if (flags.removeOrphans || globals.removeOrphans) options.removeOrphans = true;
  if (globals.ignoreOrphans) options.ignoreOrphans = true;
  if (flags.timeout !== undefined) options.timeout = parseNonNegativeInt("--timeout", flags.timeout);
  if (globals.parallel !== undefined) options.parallel = globals.parallel;
  if (globals.dryRun) options.dryRun = true;
  return options;
}

/** True when a down result (the library's DownResult) removed nothing at all. */
export function nothingRemoved(result: unknown): boolean {
  if (typeof result !== "object" || result === null) return false;
  const r = result as Record<string, unknown>;
  const lists = ["containers", "networks", "volumes", "images"].map((k) => r[k]);
  return lists.every((l) => Array.isArray(l) && l.length === 0);
}

export const downCommand: CommandModule = {
  name: "down",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("down")
      .description("Stop and remove containers, networks")
      .argument("[services...]", "Services to remove")
      .option("-v, --volumes", "Remove named volumes declared in the volumes section and anonymous volumes")
      .addOption(new Option("--rmi <type>", 'Remove images used by services: "local" (no custom tag) or "all"').choices(["local", "all"]))
      .option("--remove-orphans", "Remove containers for services not defined in the Compose file")
      .option("-t, --timeout <seconds>", "Specify a shutdown timeout in seconds")
      .action(
        exitAction(ctx, async (services: string[], flags: DownFlags) => {
          const options = downOptions(services, flags, ctx.globals);
          const project = await ctx.project();
          const result = await withReporter(ctx, "Running", (r) => project.down({ ...options, onEvent: r.onEvent, signal: ctx.signal }));
          if (!options.dryRun && nothingRemoved(result)) ctx.warn(`No resource found to remove for project "${project.name}".`);
          return 0;
        }),
      );
  },
};
