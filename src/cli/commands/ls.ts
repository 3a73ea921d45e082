/** `flotilla ls`: the Compose projects the engine knows of, found by container labels. No compose file is read. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { defaultListProjects, type ListProjectsOptions, type ProjectSummary } from "../api.js";
import type { CliContext } from "../context.js";
import { collect } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

export interface LsFlags {
  all?: boolean;
  quiet?: boolean;
  format?: string;
  filter?: string[];
}

export interface LsRequest {
  options: ListProjectsOptions;
  output: "table" | "json" | "quiet";
}

/** Flags -> what to list and how to print it. Only `name=` filters exist, as in Compose. */
export function lsRequest(flags: LsFlags): LsRequest {
  const format = (flags.format ?? "table").toLowerCase();
  if (format !== "table" && format !== "json") throw new UsageError(`invalid --format "${flags.format}": expected table or json`);
  const options: ListProjectsOptions = {};
  if (flags.all) options.all = true;
  for (const f of flags.filter ?? []) {
    const m = /^\s*name=(.*)$/.exec(f);
    if (!m) throw new UsageError(`invalid --filter "${f}": only name=NAME is supported`, "e.g. flotilla ls --filter name=myapp");
    options.name = (m[1] ?? "").trim();
  }
  return { options, output: flags.quiet ? "quiet" : format === "json" ? "json" : "table" };
}

export async function renderLs(rows: readonly ProjectSummary[], output: LsRequest["output"]): Promise<string> {
  switch (output) {
    case "quiet":
      return rows.map((r) => `${r.Name}\n`).join("");
    case "json":
      // One JSON array, like `docker compose ls --format json`.
      return `${JSON.stringify(rows)}\n`;
    case "table": {
      // Compose's PrintPrettySection: tabwriter, minimum width 20, padding 3.
      const { prettyTable } = await import("../format/pretty.js");
      return prettyTable(["NAME", "STATUS", "CONFIG FILES"], rows.map((r) => [r.Name, r.Status, r.ConfigFiles]));
    }
  }
}

export const lsCommand: CommandModule = {
  name: "ls",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("ls")
      .description("List running compose projects")
      .option("-a, --all", "Show all stopped Compose projects")
      .option("-q, --quiet", "Only display project names")
      .option("--format <format>", "Format the output: table or json", "table")
      .option("--filter <filter>", "Filter output based on conditions provided (name=NAME)", collect)
      .action(
        exitAction(ctx, async (flags: LsFlags) => {
          const req = lsRequest(flags);
          const list = ctx.deps.listProjects ?? defaultListProjects;
          ctx.out(await renderLs(await list(req.options, ctx.io.env), req.output));
          return 0;
        }),
      );
  },
};
