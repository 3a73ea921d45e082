/** `flotilla pause` / `flotilla unpause`: freeze and thaw the services' running containers. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { withReporter, type CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

function pauseVerb(name: "pause" | "unpause", description: string): CommandModule {
  return {
    name,
    register(program: Command, ctx: CliContext): Command {
      return program
        .command(name)
        .description(description)
        .argument("[services...]", "Services (default: all)")
        .action(
          exitAction(ctx, async (services: string[]) => {
            const project = await ctx.project();
            const verb = project[name];
            if (!verb) throw new UsageError(`${name} needs a project`);
            await withReporter(ctx, name === "pause" ? "Pausing" : "Unpausing", (r) =>
              verb.call(project, services.length > 0 ? services : undefined, { onEvent: r.onEvent, signal: ctx.signal, ...(ctx.globals.dryRun ? { dryRun: true } : {}) }),
            );
            return 0;
          }),
        );
    },
  };
}

export const pauseCommand = pauseVerb("pause", "Pause services");
export const unpauseCommand = pauseVerb("unpause", "Unpause services");
