/** `flotilla logs`: the services' log output with Compose's prefixes. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { LogsOptions } from "../../runtime/options.js";
import type { CliContext } from "../context.js";
import { parseNonNegativeInt } from "../usage.js";
import { exitAction, literalNoFlag, type CommandModule } from "./command.js";

export interface LogsFlags {
  follow?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
  noColor?: boolean;
  noLogPrefix?: boolean;
  index?: string;
}

export function logsOptions(services: string[], flags: LogsFlags): LogsOptions {
  const options: LogsOptions = {};
  if (services.length > 0) options.services = services;
  if (flags.follow) options.follow = true;
  if (flags.tail !== undefined && flags.tail !== "all") options.tail = parseNonNegativeInt("--tail", flags.tail);
  if (flags.tail === "all") options.tail = "all";
  if (flags.since !== undefined) options.since = flags.since;
  if (flags.until !== undefined) options.until = flags.until;
  if (flags.timestamps) options.timestamps = true;
  if (flags.index !== undefined) {
    const n = parseNonNegativeInt("--index", flags.index);
    if (n < 1) throw new UsageError("--index must be 1 or more");
    options.index = n;
  }
  return options;
}

export const logsCommand: CommandModule = {
  name: "logs",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("logs")
      .description("View output from containers")
      .argument("[services...]", "Services to show")
      .option("-f, --follow", "Follow log output")
      .option("-n, --tail <lines>", 'Number of lines to show from the end of the logs for each container, or "all"', "all")
      .option("--since <time>", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
      .option("--until <time>", "Show logs before a timestamp or relative duration")
      .option("-t, --timestamps", "Show timestamps")
      .addOption(literalNoFlag("--no-color", "Produce monochrome output"))
      .addOption(literalNoFlag("--no-log-prefix", "Don't print prefix in logs"))
      .option("--index <n>", "Index of the container if the service has multiple replicas")
      .action(
        exitAction(ctx, async (services: string[], flags: LogsFlags) => {
          const options = logsOptions(services, flags);
          const project = await ctx.project();
          const { LogPrinter } = await import("../attach.js");
          const rows = await project.ps({ all: true, ...(services.length > 0 ? { services } : {}) });
          const printer = new LogPrinter(
            (t) => ctx.out(t),
            { color: flags.noColor !== true && ctx.colorOut(), prefix: flags.noLogPrefix !== true, timestamps: flags.timestamps === true },
            // Compose's width: the longest label of the project's containers, plus one space, then "| ".
            rows.map((r) => LogPrinter.label(r.Service, r.Number, r.Name)),
          );
          const stop = new AbortController();
          const uninstall = ctx.io.onSignal(() => stop.abort());
          try {
            for await (const line of project.logs({ ...options, signal: stop.signal })) printer.print(line);
          } catch (e) {
            if (!stop.signal.aborted) throw e;
          } finally {
            uninstall();
          }
          return 0;
        }),
      );
  },
};
