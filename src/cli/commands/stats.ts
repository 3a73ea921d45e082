/** `flotilla stats [SERVICE...]`: resource usage of the project's running containers. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { ContainerStats } from "../../runtime/engine.js";
import type { CliContext } from "../context.js";
import { renderFormat, templateText } from "../format/format.js";
import { parseTemplate } from "../format/template.js";
import { exitAction, type CommandModule } from "./command.js";
import { humanSize } from "./images.js";

/** Docker's binary size (`units.BytesSize`): `1.5MiB`, `23.4GiB`, `512B`. */
export function binarySize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

/** The Docker CLI's stats table (cli/command/container/formatter_stats.go), which Compose uses. */
export const STATS_TABLE = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";
export const STATS_HEADERS: Readonly<Record<string, string>> = {
  Container: "CONTAINER",
  Name: "NAME",
  ID: "CONTAINER ID",
  CPUPerc: "CPU %",
  MemUsage: "MEM USAGE / LIMIT",
  MemPerc: "MEM %",
  NetIO: "NET I/O",
  BlockIO: "BLOCK I/O",
  PIDs: "PIDS",
};

export interface StatsRow {
  id: string;
  container: string;
  stats: ContainerStats;
}

/** What `{{.X}}` and `{{json .}}` read for one container, with the Docker CLI's field names and value formats. */
export function statsContext({ id, container, stats: s }: StatsRow, noTrunc = false): Record<string, string> {
  const pct = (n: number): string => `${n.toFixed(2)}%`;
  return {
    Container: id,
    Name: container,
    ID: noTrunc ? id : id.slice(0, 12),
    CPUPerc: pct(s.cpuPercent),
    MemUsage: `${binarySize(s.memoryUsage)} / ${binarySize(s.memoryLimit)}`,
    MemPerc: pct(s.memoryLimit > 0 ? (s.memoryUsage / s.memoryLimit) * 100 : 0),
    NetIO: `${humanSize(s.networkRx)} / ${humanSize(s.networkTx)}`,
    BlockIO: `${humanSize(s.blockRead)} / ${humanSize(s.blockWrite)}`,
    PIDs: String(s.pids),
  };
}

/** `format`: table (default), json, or a Go template (`'{{json .}}'`, `table {{.Name}}\t{{.CPUPerc}}`). */
export function renderStats(rows: readonly StatsRow[], format: string | undefined, noTrunc = false): string {
  return renderFormat(format, rows, { defaultTable: STATS_TABLE, headers: STATS_HEADERS, context: (r) => statsContext(r, noTrunc) });
}

export const statsCommand: CommandModule = {
  name: "stats",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("stats")
      .description("Display a live stream of container(s) resource usage statistics")
      .argument("[services...]", "Services (default: all)")
      .option("--no-stream", "Disable streaming stats and only pull the first result")
      .option("--format <format>", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template", "table")
      .option("-a, --all", "Show all containers (default shows just running)")
      .option("--no-trunc", "Do not truncate output")
      .action(
        exitAction(ctx, async (services: string[], flags: { stream: boolean; format: string; all?: boolean; trunc: boolean }) => {
          const format = flags.format === "" ? "table" : flags.format;
          if (format !== "table" && format !== "json") parseTemplate(templateText(format).text); // a bad template fails before the engine is asked
          const project = await ctx.project();
          if (!project.stats) throw new UsageError("stats needs a project");
          const named = services.length > 0 ? services : undefined;
          const uninstall = ctx.io.onSignal(() => ctx.cancel(new Error("interrupted")));
          try {
            // Streaming: a new sample each second (the engine takes about that long per sample), until Ctrl-C.
            for (let first = true; first || (flags.stream && !ctx.signal.aborted); first = false) {
              const rows = await project.stats(named, { all: flags.all === true });
              if (ctx.signal.aborted) break;
              const clear = flags.stream && ctx.io.stdout.isTTY && format.startsWith("table") ? "\u001b[2J\u001b[H" : "";
              ctx.out(clear + renderStats(rows, format, flags.trunc === false));
            }
          } finally {
            uninstall();
          }
          return 0;
        }),
      );
  },
};
