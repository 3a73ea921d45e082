/** `flotilla images [SERVICE...]`: the images used by the project's containers. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { ContainerImage } from "../../api/project.js";
import type { CliContext } from "../context.js";
import { renderTable } from "../render/table.js";
import { exitAction, type CommandModule } from "./command.js";

/** Docker's human size: decimal units, three significant digits (`4.26MB`, `141MB`). */
export function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/** `sha256:abc…` → the 12 characters Docker shows. */
const shortId = (id: string): string => id.replace(/^sha256:/, "").slice(0, 12);

export function renderImages(rows: readonly ContainerImage[], output: "table" | "json" | "quiet"): string {
  if (output === "quiet") return [...new Set(rows.map((r) => shortId(r.imageId)))].map((id) => `${id}\n`).join("");
  if (output === "json") {
    return `${JSON.stringify(rows.map((r) => ({ ID: r.imageId, ContainerName: r.container, Repository: r.repository, Tag: r.tag, Size: r.size ?? 0 })))}\n`;
  }
  return renderTable(
    ["CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE"],
    rows.map((r) => [r.container, r.repository, r.tag, shortId(r.imageId), r.size !== undefined ? humanSize(r.size) : ""]),
  );
}

export const imagesCommand: CommandModule = {
  name: "images",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("images")
      .description("List images used by the created containers")
      .argument("[services...]", "Services (default: all)")
      .option("--format <format>", "Format the output: table or json", "table")
      .option("-q, --quiet", "Only display IDs")
      .action(
        exitAction(ctx, async (services: string[], flags: { format: string; quiet?: boolean }) => {
          const format = flags.format.toLowerCase();
          if (format !== "table" && format !== "json") throw new UsageError(`invalid --format "${flags.format}": expected table or json`);
          const project = await ctx.project();
          if (!project.images) throw new UsageError("images needs a project");
          const rows = await project.images(services.length > 0 ? services : undefined);
          ctx.out(renderImages(rows, flags.quiet ? "quiet" : (format as "table" | "json")));
          return 0;
        }),
      );
  },
};
