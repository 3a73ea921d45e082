/** `flotilla ps`: the project's containers as a table, JSON Lines, names or IDs. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { ContainerStatus, PsOptions } from "../../runtime/options.js";
import type { CliContext } from "../context.js";
import { collect, parseBoolFlag } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

export interface PsFlags {
  all?: boolean;
  quiet?: boolean;
  services?: boolean;
  status?: string[];
  filter?: string[];
  format?: string;
  noTrunc?: boolean;
  orphans?: boolean | string;
}

const STATES = ["paused", "restarting", "removing", "running", "dead", "created", "exited"];

export interface PsRequest {
  options: PsOptions;
  output: "table" | "json" | "quiet" | "services" | "template";
  template?: PsTemplate;
}

export function psRequest(services: string[], flags: PsFlags): PsRequest {
  const statuses = [...(flags.status ?? [])];
  for (const f of flags.filter ?? []) {
    const m = /^status=(.+)$/.exec(f.trim());
    if (!m) throw new UsageError(`invalid --filter "${f}": only status=STATUS is supported`);
    statuses.push(m[1]!);
  }
  for (const s of statuses) {
    if (!STATES.includes(s)) throw new UsageError(`invalid status "${s}": expected one of ${STATES.join(", ")}`);
  }
  const raw = flags.format ?? "table";
  const format = raw.toLowerCase();
  const template = format !== "table" && format !== "json" ? parseTemplate(raw) : undefined;
  if (flags.quiet && flags.services) throw new UsageError("--quiet and --services cannot be combined");
  const options: PsOptions = {};
  if (services.length > 0) options.services = services;
  // Asking for a status other than running implies looking at stopped containers too.
  if (flags.all || statuses.some((s) => s !== "running")) options.all = true;
  if (statuses.length > 0) options.status = statuses;
  if (flags.orphans !== undefined && !parseBoolFlag("--orphans", flags.orphans)) options.orphans = false;
  if (template && !flags.quiet && !flags.services) return { options, output: "template", template };
  return { options, output: flags.quiet ? "quiet" : flags.services ? "services" : format === "json" ? "json" : "table" };
}

/** A `--format` Go template, in the subset Flotilla reads: `{{.Field}}`, `{{json .Field}}`, a `table ` prefix, `\t`. */
export interface PsTemplate {
  table: boolean;
  /** Columns (split at tabs); each a list of literal text and field references. */
  columns: { text?: string; field?: string; json?: boolean }[][];
}

const TEMPLATE_HEADERS: Record<string, string> = { ID: "CONTAINER ID", RunningFor: "CREATED", LocalVolumes: "LOCAL VOLUMES" };

export function parseTemplate(format: string): PsTemplate {
  let body = format.replace(/\\t/g, "\t");
  const table = body.startsWith("table ");
  if (table) body = body.slice("table ".length);
  const columns = body.split("\t").map((col) => {
    const parts: PsTemplate["columns"][number] = [];
    let last = 0;
    for (const m of col.matchAll(/\{\{\s*(.*?)\s*\}\}/g)) {
      if (m.index! > last) parts.push({ text: col.slice(last, m.index) });
      const ref = /^(json\s+)?\.([A-Za-z]+)$/.exec(m[1]!);
      if (!ref) throw new UsageError(`unsupported --format template "{{${m[1]}}}": only {{.Field}} and {{json .Field}} are supported`, "or use --format json");
      parts.push({ field: ref[2]!, json: ref[1] !== undefined });
      last = m.index! + m[0].length;
    }
    if (last < col.length) parts.push({ text: col.slice(last) });
    return parts;
  });
  return { table, columns };
}

function fill(parts: PsTemplate["columns"][number], row: ContainerStatus): string {
  return parts
    .map((p) => {
      if (p.text !== undefined) return p.text;
      const record = row as unknown as Record<string, unknown>;
      if (!(p.field! in record)) throw new UsageError(`--format: unknown field "${p.field}"`, `fields: ${Object.keys(record).join(", ")}`);
      const v = record[p.field!];
      return p.json ? JSON.stringify(v) : typeof v === "string" ? v : v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    })
    .join("");
}

function ports(c: ContainerStatus): string {
  if (c.Ports) return c.Ports;
  return c.Publishers.filter((p) => p.PublishedPort > 0)
    .map((p) => `${p.URL || "0.0.0.0"}:${p.PublishedPort}->${p.TargetPort}/${p.Protocol}`)
    .join(", ");
}

function truncate(s: string, n: number, noTrunc: boolean): string {
  if (noTrunc || s.length <= n) return s;
  return `${s.slice(0, n - 1)}…`;
}

/** `"sh -c 'echo…"` like the Docker CLI (the library may already quote it). */
function quoteCommand(command: string, noTrunc: boolean): string {
  const bare = command.startsWith('"') && command.endsWith('"') && command.length >= 2 ? command.slice(1, -1) : command;
  return `"${truncate(bare, 20, noTrunc)}"`;
}

export async function renderPs(rows: ContainerStatus[], req: PsRequest, noTrunc = false): Promise<string> {
  switch (req.output) {
    case "quiet":
      return rows.map((r) => `${r.ID}\n`).join("");
    case "services":
      return [...new Set(rows.map((r) => r.Service))].map((s) => `${s}\n`).join("");
    case "json":
      // JSON Lines, like `docker compose ps --format json`.
      return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
    case "template": {
      const t = req.template!;
      const lines = rows.map((r) => t.columns.map((c) => fill(c, r)));
      if (!t.table) return lines.map((cells) => `${cells.join("\t")}\n`).join("");
      const headers = t.columns.map((c) => c.filter((p) => p.field).map((p) => TEMPLATE_HEADERS[p.field!] ?? p.field!.replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase()).join(" "));
      const { renderTable } = await import("../render/table.js");
      return renderTable(headers, lines);
    }
    case "table": {
      const { renderTable } = await import("../render/table.js");
      return renderTable(
        ["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"],
        rows.map((r) => [r.Name, r.Image, quoteCommand(r.Command, noTrunc), r.Service, r.RunningFor, r.Status, ports(r)]),
      );
    }
  }
}

export const psCommand: CommandModule = {
  name: "ps",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("ps")
      .description("List containers")
      .argument("[services...]", "Services to list")
      .option("-a, --all", "Show all stopped containers (including those created by the run command)")
      .option("-q, --quiet", "Only display IDs")
      .option("--services", "Display services")
      .option("--status <status>", "Filter services by status (repeatable)", collect)
      .option("--filter <filter>", "Filter services by a property (status=STATUS)", collect)
      .option("--format <format>", "Format the output: table, json, or a template such as \"{{.Name}} {{.State}}\"", "table")
      .option("--no-trunc", "Don't truncate output")
      .option("--orphans [bool]", "Include orphaned services (default true; --orphans=false or --no-orphans hides them)")
      .option("--no-orphans", "Hide containers of services no longer in the file")
      .action(
        exitAction(ctx, async (services: string[], flags: PsFlags & { trunc?: boolean }) => {
          const req = psRequest(services, flags);
          const project = await ctx.project();
          const rows = await project.ps(req.options);
          ctx.out(await renderPs(rows, req, flags.trunc === false));
          return 0;
        }),
      );
  },
};
