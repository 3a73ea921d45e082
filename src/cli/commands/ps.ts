/** `flotilla ps`: the project's containers as a table, JSON Lines, names or IDs. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { ContainerStatus, PsOptions } from "../../runtime/options.js";
import type { CliContext } from "../context.js";
import { collect, parseBoolFlag } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";
import { templateText } from "../format/format.js";
import { parseTemplate } from "../format/template.js";

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
  /** The Go template (`--format '{{.Name}}'`, `table {{.Name}}\t…`), checked when the request is made. */
  format?: string;
}

export function psRequest(services: string[], flags: PsFlags): PsRequest {
  const statuses = [...(flags.status ?? [])];
  for (const f of flags.filter ?? []) {
    const m = /^status=(.+)$/.exec(f.trim());
    if (!m) throw new UsageError(`invalid --filter "${f}": only status=STATUS is supported`);
    statuses.push(m[1] ?? "");
  }
  for (const s of statuses) {
    if (!STATES.includes(s)) throw new UsageError(`invalid status "${s}": expected one of ${STATES.join(", ")}`);
  }
  const raw = flags.format ?? "table";
  const format = raw.toLowerCase();
  const custom = format !== "table" && format !== "json" && raw !== "";
  if (custom) parseTemplate(templateText(raw).text); // a bad template is a usage error before the engine is asked
  if (flags.quiet && flags.services) throw new UsageError("--quiet and --services cannot be combined");
  const options: PsOptions = {};
  if (services.length > 0) options.services = services;
  // Asking for a status other than running implies looking at stopped containers too.
  if (flags.all || statuses.some((s) => s !== "running")) options.all = true;
  if (statuses.length > 0) options.status = statuses;
  if (flags.orphans !== undefined && !parseBoolFlag("--orphans", flags.orphans)) options.orphans = false;
  if (custom && !flags.quiet && !flags.services) return { options, output: "template", format: raw };
  return { options, output: flags.quiet ? "quiet" : flags.services ? "services" : format === "json" ? "json" : "table" };
}

/** Compose's ps table (cmd/formatter/container.go): its template and headers. */
export const PS_TABLE = "table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}";
export const PS_HEADERS: Readonly<Record<string, string>> = {
  ID: "CONTAINER ID",
  Name: "NAME",
  Names: "NAMES",
  Project: "PROJECT",
  Service: "SERVICE",
  Image: "IMAGE",
  Command: "COMMAND",
  CreatedAt: "CREATED AT",
  RunningFor: "CREATED",
  Ports: "PORTS",
  State: "STATE",
  Status: "STATUS",
  Size: "SIZE",
  Labels: "LABELS",
  Mounts: "MOUNTS",
  LocalVolumes: "LOCAL VOLUMES",
  Networks: "NETWORKS",
  Health: "HEALTH",
  ExitCode: "EXIT CODE",
  Publishers: "PUBLISHERS",
};

function ports(c: ContainerStatus): string {
  if (c.Ports) return c.Ports;
  return c.Publishers.filter((p) => p.PublishedPort > 0)
    .map((p) => `${p.URL || "0.0.0.0"}:${p.PublishedPort}->${p.TargetPort}/${p.Protocol}`)
    .join(", ");
}

/** The Docker CLI's Ellipsis: at most n characters, the last one "…". */
function truncate(s: string, n: number, noTrunc: boolean): string {
  if (noTrunc || [...s].length <= n) return s;
  return `${[...s].slice(0, n - 1).join("")}…`;
}

/** `"sh -c 'echo…"` like the Docker CLI (the library may already quote it). */
function quoteCommand(command: string, noTrunc: boolean): string {
  const bare = command.startsWith('"') && command.endsWith('"') && command.length >= 2 ? command.slice(1, -1) : command;
  return JSON.stringify(truncate(bare, 20, noTrunc));
}

/** What `{{.X}}` reads for one container: Compose's ContainerContext. */
export function psContext(r: ContainerStatus, noTrunc: boolean): Record<string, unknown> {
  const labels = r.Labels;
  return {
    ID: noTrunc ? r.ID : r.ID.slice(0, 12),
    Name: r.Name,
    Names: r.Names,
    Project: r.Project,
    Service: r.Service,
    Image: r.Image,
    Command: quoteCommand(r.Command, noTrunc),
    CreatedAt: r.CreatedAt,
    RunningFor: r.RunningFor,
    Ports: ports(r),
    State: r.State,
    Status: r.Status,
    Health: r.Health,
    ExitCode: r.ExitCode,
    Publishers: r.Publishers,
    Labels: labels,
    Label: (name: unknown) => labels.split(",").find((kv) => kv.startsWith(`${String(name)}=`))?.slice(String(name).length + 1) ?? "",
    Mounts: r.Mounts,
    LocalVolumes: r.LocalVolumes,
    Networks: r.Networks,
    Size: r.Size,
  };
}

export async function renderPs(rows: ContainerStatus[], req: PsRequest, noTrunc = false): Promise<string> {
  switch (req.output) {
    case "quiet":
      return rows.map((r) => `${r.ID}\n`).join("");
    case "services":
      return [...new Set(rows.map((r) => r.Service))].map((s) => `${s}\n`).join("");
    case "json":
      // JSON Lines, like `docker compose ps --format json` (Ports as the table shows them).
      return rows.map((r) => `${JSON.stringify({ ...r, Ports: ports(r) })}\n`).join("");
    case "template":
    case "table": {
      const { renderFormat } = await import("../format/format.js");
      return renderFormat(req.output === "table" ? PS_TABLE : req.format, rows, { defaultTable: PS_TABLE, headers: PS_HEADERS, context: (r) => psContext(r, noTrunc) });
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
