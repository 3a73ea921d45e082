/** `flotilla scale SERVICE=NUM...`: set the number of containers of services (like `up --scale --no-recreate`). */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { withReporter, type CliContext } from "../context.js";
import { parseScale } from "../usage.js";
import { exitAction, literalNoFlag, type CommandModule } from "./command.js";

export const scaleCommand: CommandModule = {
  name: "scale",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("scale")
      .description("Scale services")
      .argument("<service=num...>", "Services and their number of containers, e.g. web=3")
      .addOption(literalNoFlag("--no-deps", "Don't start linked services"))
      .action(
        exitAction(ctx, async (pairs: string[], flags: { noDeps?: boolean }) => {
          const scale = parseScale(pairs);
          if (!scale) throw new UsageError("scale needs at least one SERVICE=NUM");
          const project = await ctx.project();
          const services = Object.keys(scale);
          await withReporter(ctx, "Scaling", (r) =>
            project.up({
              services,
              scale,
              detach: true,
              noRecreate: true,
              onEvent: r.onEvent,
              signal: ctx.signal,
              ...(flags.noDeps ? { noDeps: true } : {}),
              ...(ctx.globals.dryRun ? { dryRun: true } : {}),
              ...(ctx.globals.parallel !== undefined ? { parallel: ctx.globals.parallel } : {}),
            }),
          );
          return 0;
        }),
      );
  },
};
