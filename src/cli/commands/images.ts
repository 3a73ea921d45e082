/** `flotilla images [SERVICE...]`: the images used by the project's containers, as `docker compose images` (v2.40) prints them. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { ContainerImage } from "../../api/project.js";
import type { CliContext } from "../context.js";
import { prettyTable } from "../format/pretty.js";
import { exitAction, type CommandModule } from "./command.js";

/** Docker's human size (go-units HumanSizeWithPrecision(x, 3)): decimal units, three significant digits (`4.26MB`, `141MB`). */
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

/** go-units HumanDuration, from an RFC 3339 time to now. */
function ago(time: string | undefined, now: number, humanDuration: (s: number) => string): string {
  const t = time !== undefined ? Date.parse(time) : NaN;
  if (Number.isNaN(t) || t <= 0) return "N/A";
  return `${humanDuration(Math.max(0, (now - t) / 1000))} ago`;
}

/** A zero LastTagTime (an image never tagged locally) reads as its creation time, as Compose's JSON does. */
const lastTagTime = (r: ContainerImage): string | undefined =>
  r.lastTagTime !== undefined && !r.lastTagTime.startsWith("0001-01-01") ? r.lastTagTime : r.created;

export function renderImages(
  rows: readonly ContainerImage[],
  output: "table" | "json" | "quiet",
  humanDuration: (seconds: number) => string = (s) => `${Math.round(s)} seconds`,
  now = Date.now(),
): string {
  if (output === "quiet") return [...new Set(rows.map((r) => r.imageId.replace(/^sha256:/, "")))].map((id) => `${id}\n`).join("");
  if (output === "json") {
    return `${JSON.stringify(
      rows.map((r) => ({
        ID: r.imageId,
        ContainerName: r.container,
        Repository: r.repository,
        Tag: r.tag,
        Platform: r.platform ?? "unknown",
        Size: r.size ?? 0,
        LastTagTime: lastTagTime(r) ?? "0001-01-01T00:00:00Z",
      })),
    )}\n`;
  }
  const sorted = [...rows].sort((a, b) => (a.container < b.container ? -1 : a.container > b.container ? 1 : 0));
  return prettyTable(
    ["CONTAINER", "REPOSITORY", "TAG", "PLATFORM", "IMAGE ID", "SIZE", "CREATED"],
    sorted.map((r) => [
      r.container,
      r.repository || "<none>",
      r.tag || "<none>",
      r.platform ?? "unknown",
      shortId(r.imageId),
      humanSize(r.size ?? 0),
      ago(lastTagTime(r), now, humanDuration),
    ]),
  );
}

export const imagesCommand: CommandModule = {
  name: "images",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("images")
      .description("List images used by the created containers")
      .argument("[services...]", "Services (default: all)")
      .option("--format <format>", "Format the output. Values: [table | json]", "table")
      .option("-q, --quiet", "Only display IDs")
      .action(
        exitAction(ctx, async (services: string[], flags: { format: string; quiet?: boolean }) => {
          const format = flags.format.toLowerCase();
          if (format !== "table" && format !== "json" && format !== "pretty" && format !== "") {
            throw new UsageError(`format value "${flags.format}" could not be parsed: expected table or json`);
          }
          const project = await ctx.project();
          if (!project.images) throw new UsageError("images needs a project");
          const rows = await project.images(services.length > 0 ? services : undefined);
          const { humanDuration } = await import("../../runtime/ps.js");
          ctx.out(renderImages(rows, flags.quiet ? "quiet" : format === "json" ? "json" : "table", humanDuration));
          return 0;
        }),
      );
  },
};
