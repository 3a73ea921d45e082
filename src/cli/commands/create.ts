/** `flotilla create`: create the containers without starting them (an `up --no-start`). */
import type { Command } from "commander";
import { withReporter, type CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";
import { addRecreateFlags, quietListener, upRequest, type UpFlags } from "./up.js";

export const createCommand: CommandModule = {
  name: "create",
  register(program: Command, ctx: CliContext): Command {
    const cmd = program.command("create").description("Creates containers for a service").argument("[services...]", "Services to create");
    addRecreateFlags(cmd);
    return cmd.action(
      exitAction(ctx, async (services: string[], flags: UpFlags) => {
        const req = upRequest(services, { ...flags, noStart: true }, ctx.globals);
        const project = await ctx.project({ services });
        if (ctx.globals.dryRun) {
          const plan = await project.plan(req.options);
          const { renderPlan } = await import("../../runtime/plan.js");
          for (const line of renderPlan(plan)) ctx.out(`${line}\n`);
          return 0;
        }
        await withReporter(ctx, "Creating", (r) => project.up({ ...req.options, onEvent: quietListener(r.onEvent, { pull: req.quietPull }), signal: ctx.signal }));
        return 0;
      }),
    );
  },
};
