/** `flotilla events [SERVICE...]`: the project's container events as they happen, until Ctrl-C. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { ProjectEvent } from "../../api/project.js";
import type { CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

/** Compose's text line: `<time> container <action> <id> (k=v, …)`, attributes sorted. */
export function formatEvent(e: ProjectEvent, json: boolean): string {
  if (json) return `${JSON.stringify({ time: e.time.toISOString(), type: e.type, action: e.action, id: e.id, service: e.service, attributes: e.attributes })}\n`;
  const attrs = Object.keys(e.attributes)
    .filter((k) => !k.startsWith("com.docker.compose."))
    .sort()
    .map((k) => `${k}=${e.attributes[k]}`)
    .join(", ");
  return `${e.time.toISOString()} ${e.type} ${e.action} ${e.id}${attrs ? ` (${attrs})` : ""}\n`;
}

export const eventsCommand: CommandModule = {
  name: "events",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("events")
      .description("Receive real time events from containers")
      .argument("[services...]", "Services (default: all)")
      .option("--json", "Output events as a stream of json objects")
      .option("--since <time>", "Show all events created since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)")
      .option("--until <time>", "Stream events until this timestamp (then exit)")
      .action(
        exitAction(ctx, async (services: string[], flags: { json?: boolean; since?: string; until?: string }) => {
          const project = await ctx.project();
          if (!project.events) throw new UsageError("events needs a project");
          const uninstall = ctx.io.onSignal(() => ctx.cancel(new Error("interrupted")));
          try {
            const opts = { signal: ctx.signal, ...(flags.since ? { since: flags.since } : {}), ...(flags.until ? { until: flags.until } : {}) };
            for await (const e of project.events(services.length > 0 ? services : undefined, opts)) ctx.out(formatEvent(e, flags.json === true));
          } finally {
            uninstall();
          }
          return 0;
        }),
      );
  },
};
