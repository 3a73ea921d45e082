/**
 * `flotilla graph [SERVICE...]`: the dependency graph (edge conditions, ports, networks, live state when an
 * engine answers) as Mermaid (default), Graphviz DOT or SVG. Compose has only `alpha viz` (DOT, no state).
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { UsageError, isFlotillaError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

const FORMATS = ["mermaid", "dot", "svg"] as const;

export const graphCommand: CommandModule = {
  name: "graph",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("graph")
      .description("Draw the service dependency graph (conditions, ports, networks, live state) as Mermaid, DOT or SVG")
      .argument("[services...]", "Only these services and what they depend on")
      .option("--format <format>", `Output format: ${FORMATS.join(", ")}`, "mermaid")
      .option("--no-state", "Do not ask the engine for each service's state")
      .option("-o, --output <file>", "Write to a file instead of stdout")
      .action(
        exitAction(ctx, async (services: string[], flags: { format: string; state: boolean; output?: string }) => {
          const format = flags.format.toLowerCase();
          if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`invalid --format "${flags.format}": expected ${FORMATS.join(", ")}`);
          const { graphModel, toDot, toMermaid, toSvg } = await import("../render/graph.js");
          const loaded = await ctx.loadConfig(services.length > 0 ? { services } : {});
          let live: Parameters<typeof graphModel>[1];
          if (flags.state) {
            try {
              const project = await ctx.project(services.length > 0 ? { services } : {});
              const rows = await project.ps({ all: true });
              live = rows.map((r) => ({ service: r.Service, state: r.State, health: r.Health, exitCode: r.ExitCode }));
            } catch (e) {
              // No engine: the graph is still worth drawing, without state.
              if (!(isFlotillaError(e) && e.code === "ENGINE_UNREACHABLE")) throw e;
              ctx.warn(`no live state: ${e.message}`);
            }
          }
          const model = graphModel(loaded, live);
          const text = format === "dot" ? toDot(model) : format === "svg" ? await toSvg(model) : toMermaid(model);
          if (flags.output !== undefined) writeFileSync(resolve(ctx.io.cwd, flags.output), text);
          else ctx.out(text);
          return 0;
        }),
      );
  },
};
