/** `flotilla stats [SERVICE...]`: resource usage of the project's running containers. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { ContainerStats } from "../../runtime/engine.js";
import type { CliContext } from "../context.js";
import { renderTable } from "../render/table.js";
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

export function renderStats(rows: readonly { id: string; container: string; stats: ContainerStats }[], json: boolean, noTrunc = false): string {
  const pct = (n: number): string => `${n.toFixed(2)}%`;
  const cells = rows.map(({ id, container, stats: s }) => ({
    ID: noTrunc ? id : id.slice(0, 12),
    Name: container,
    CPUPerc: pct(s.cpuPercent),
    MemUsage: `${binarySize(s.memoryUsage)} / ${binarySize(s.memoryLimit)}`,
    MemPerc: pct(s.memoryLimit > 0 ? (s.memoryUsage / s.memoryLimit) * 100 : 0),
    NetIO: `${humanSize(s.networkRx)} / ${humanSize(s.networkTx)}`,
    BlockIO: `${humanSize(s.blockRead)} / ${humanSize(s.blockWrite)}`,
    PIDs: String(s.pids),
  }));
  if (json) return cells.map((c) => `${JSON.stringify(c)}\n`).join("");
  return renderTable(
    ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"],
    cells.map((c) => [c.ID, c.Name, c.CPUPerc, c.MemUsage, c.MemPerc, c.NetIO, c.BlockIO, c.PIDs]),
  );
}

export const statsCommand: CommandModule = {
  name: "stats",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("stats")
      .description("Display a live stream of container(s) resource usage statistics")
      .argument("[services...]", "Services (default: all)")
      .option("--no-stream", "Disable streaming stats and only pull the first result")
      .option("--format <format>", "Format the output: table or json", "table")
      .option("-a, --all", "Show all containers (default shows just running)")
      .option("--no-trunc", "Do not truncate output")
      .action(
        exitAction(ctx, async (services: string[], flags: { stream: boolean; format: string; all?: boolean; trunc: boolean }) => {
          const format = flags.format.toLowerCase();
          if (format !== "table" && format !== "json") throw new UsageError(`invalid --format "${flags.format}": expected table or json`);
          const project = await ctx.project();
          if (!project.stats) throw new UsageError("stats needs a project");
          const named = services.length > 0 ? services : undefined;
          const uninstall = ctx.io.onSignal(() => ctx.cancel(new Error("interrupted")));
          try {
            // Streaming: a new sample each second (the engine takes about that long per sample), until Ctrl-C.
            for (let first = true; first || (flags.stream && !ctx.signal.aborted); first = false) {
              const rows = await project.stats(named, { all: flags.all === true });
              if (ctx.signal.aborted) break;
              const clear = flags.stream && ctx.io.stdout.isTTY && format === "table" ? "\u001b[2J\u001b[H" : "";
              ctx.out(clear + renderStats(rows, format === "json", flags.trunc === false));
            }
          } finally {
            uninstall();
          }
          return 0;
        }),
      );
  },
};
