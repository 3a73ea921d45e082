/** `flotilla volumes [SERVICE...]`: the project's volumes, as `docker compose volumes` lists them. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { VolumeSummary } from "../../runtime/engine.js";
import type { CliContext } from "../context.js";
import { renderTable } from "../render/table.js";
import { exitAction, type CommandModule } from "./command.js";

/** Table (DRIVER, VOLUME NAME), JSON Lines with Docker's volume fields, or names only. */
export function renderVolumes(rows: readonly VolumeSummary[], output: "table" | "json" | "quiet"): string {
  if (output === "quiet") return rows.map((v) => `${v.name}\n`).join("");
  if (output === "json") {
    return rows
      .map((v) => {
        const labels = Object.entries(v.labels)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, val]) => `${k}=${val}`)
          .join(",");
        return `${JSON.stringify({ Availability: "N/A", Driver: v.driver, Group: "N/A", Labels: labels, Links: "N/A", Mountpoint: v.mountpoint, Name: v.name, Scope: "local", Size: "N/A", Status: "N/A" })}\n`;
      })
      .join("");
  }
  return renderTable(["DRIVER", "VOLUME NAME"], rows.map((v) => [v.driver, v.name]));
}

export const volumesCommand: CommandModule = {
  name: "volumes",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("volumes")
      .description("List volumes")
      .argument("[services...]", "Services (default: all)")
      .option("--format <format>", "Format the output: table or json", "table")
      .option("-q, --quiet", "Only display volume names")
      .action(
        exitAction(ctx, async (services: string[], flags: { format: string; quiet?: boolean }) => {
          const format = flags.format.toLowerCase();
          if (format !== "table" && format !== "json") throw new UsageError(`invalid --format "${flags.format}": expected table or json`);
          const project = await ctx.project();
          if (!project.volumes) throw new UsageError("volumes needs a project");
          const rows = await project.volumes(services.length > 0 ? services : undefined);
          ctx.out(renderVolumes(rows, flags.quiet ? "quiet" : (format as "table" | "json")));
          return 0;
        }),
      );
  },
};
