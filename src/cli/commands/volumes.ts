/** `flotilla volumes [SERVICE...]`: the project's volumes, as `docker compose volumes` lists them. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { VolumeSummary } from "../../runtime/engine.js";
import type { CliContext } from "../context.js";
import { renderFormat, templateText } from "../format/format.js";
import { parseTemplate } from "../format/template.js";
import { exitAction, type CommandModule } from "./command.js";

/** The Docker CLI's volume table (cli/command/formatter/volume.go), which Compose uses. */
export const VOLUMES_TABLE = "table {{.Driver}}\t{{.Name}}";
export const VOLUMES_HEADERS: Readonly<Record<string, string>> = {
  ID: "ID",
  Name: "VOLUME NAME",
  Group: "GROUP",
  Driver: "DRIVER",
  Scope: "SCOPE",
  Availability: "AVAILABILITY",
  Mountpoint: "MOUNTPOINT",
  Labels: "LABELS",
  Links: "LINKS",
  Size: "SIZE",
  Status: "STATUS",
};

export function volumeContext(v: VolumeSummary): Record<string, unknown> {
  const labels = Object.entries(v.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, val]) => `${k}=${val}`)
    .join(",");
  return {
    Availability: "N/A",
    Driver: v.driver,
    Group: "N/A",
    Labels: labels,
    Label: (name: unknown) => v.labels[String(name)] ?? "",
    Links: "N/A",
    Mountpoint: v.mountpoint,
    Name: v.name,
    Scope: "local",
    Size: "N/A",
    Status: "N/A",
  };
}

/** `format`: table (default), json (one object per line), or a Go template; `quiet`: names only. */
export function renderVolumes(rows: readonly VolumeSummary[], format: string | undefined, quiet = false): string {
  if (quiet) return rows.map((v) => `${v.name}\n`).join("");
  return renderFormat(format, rows, { defaultTable: VOLUMES_TABLE, headers: VOLUMES_HEADERS, context: volumeContext });
}

export const volumesCommand: CommandModule = {
  name: "volumes",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("volumes")
      .description("List volumes")
      .argument("[services...]", "Services (default: all)")
      .option("--format <format>", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template", "table")
      .option("-q, --quiet", "Only display volume names")
      .action(
        exitAction(ctx, async (services: string[], flags: { format: string; quiet?: boolean }) => {
          const format = flags.format;
          if (format !== "table" && format !== "json" && format !== "") parseTemplate(templateText(format).text);
          const project = await ctx.project();
          if (!project.volumes) throw new UsageError("volumes needs a project");
          const rows = await project.volumes(services.length > 0 ? services : undefined);
          ctx.out(renderVolumes(rows, format, flags.quiet === true));
          return 0;
        }),
      );
  },
};
