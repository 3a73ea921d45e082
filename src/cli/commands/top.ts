/** `flotilla top [SERVICE...]`: the running processes of each container. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { tabwrite } from "../format/tabwriter.js";
import { exitAction, type CommandModule } from "./command.js";

export interface TopEntry {
  container: string;
  service?: string;
  replica?: string;
  processes: { titles: string[]; processes: string[][] };
}

/**
 * As Compose (v2.40 cmd/compose/top.go): one table for every container, SERVICE and # (the replica number)
 * first, then the engine's columns in the order first seen, CMD last, "-" where a container has no such
 * column; Go's tabwriter with minimum width 4 and padding 2. Nothing at all when there is no process.
 */
export function renderTop(list: readonly TopEntry[]): string {
  const header: string[] = ["SERVICE", "#"];
  const rows: Map<string, string>[] = [];
  for (const c of list) {
    const service = c.service ?? c.container;
    for (const proc of c.processes.processes) {
      const entry = new Map<string, string>([["SERVICE", service], ["#", c.replica ?? ""]]);
      c.processes.titles.forEach((title, i) => {
        if (!header.includes(title)) header.push(title);
        entry.set(title, proc[i] ?? "");
      });
      rows.push(entry);
    }
  }
  if (rows.length === 0) return "";
  const cmd = header.indexOf("CMD");
  if (cmd >= 0) header.push(...header.splice(cmd, 1));
  const lines = [header.join("\t"), ...rows.map((r) => header.map((h) => r.get(h) ?? "-").join("\t"))];
  return tabwrite(`${lines.join("\n")}\n`, { minWidth: 4, padding: 2 });
}

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
          ctx.out(renderTop(list));
          return 0;
        }),
      );
  },
};
