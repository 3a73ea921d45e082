/** `flotilla top [SERVICE...]`: the running processes of each container. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { renderTable } from "../render/table.js";
import { exitAction, type CommandModule } from "./command.js";

export const topCommand: CommandModule = {
  name: "top",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("top")
      .description("Display the running processes")
      .argument("[services...]", "Services (default: all)")
      .action(
        exitAction(ctx, async (services: string[]) => {
          const project = await ctx.project();
          if (!project.top) throw new UsageError("top needs a project");
          const list = await project.top(services.length > 0 ? services : undefined);
          // As Compose: the container name, then its process table; a blank line between containers.
          ctx.out(list.map(({ container, processes }) => `${container}\n${renderTable(processes.titles, processes.processes)}`).join("\n"));
          return 0;
        }),
      );
  },
};
