/** `ps`: the project's containers as `docker compose ps --format json` rows. */
import type { ContainerSummary, Engine, PortBinding } from "./engine.js";
import { Label } from "./labels.js";
import { CONFIG_LABEL, exitCodeFromStatus, healthFromStatus } from "./observe.js";
import type { ContainerStatus, PsOptions, PublisherInfo } from "./options.js";
import { compareText } from "./text-order.js";

/** `0.0.0.0:8080->80/tcp, 443/tcp` like docker's PORTS column. */
export function formatPortBindings(ports: readonly PortBinding[]): string {
  return sortPorts(ports)
    .map((p) => (p.publicPort ? `${formatHostIp(p.hostIp)}:${p.publicPort}->${p.privatePort}/${p.protocol}` : `${p.privatePort}/${p.protocol}`))
    .join(", ");
}

function formatHostIp(ip: string | undefined): string {
  if (!ip) return "0.0.0.0";
  return ip.includes(":") ? `[${ip}]` : ip;
}

function sortPorts(ports: readonly PortBinding[]): PortBinding[] {
  return [...ports].sort((a, b) => a.privatePort - b.privatePort || compareText(a.protocol, b.protocol) || compareText(a.hostIp ?? "", b.hostIp ?? "") || (a.publicPort ?? 0) - (b.publicPort ?? 0));
}

export function publishers(ports: readonly PortBinding[]): PublisherInfo[] {
  return sortPorts(ports).map((p) => ({ URL: p.publicPort ? p.hostIp ?? "0.0.0.0" : "", TargetPort: p.privatePort, PublishedPort: p.publicPort ?? 0, Protocol: p.protocol }));
}

/** Docker's "x seconds ago" wording (go-units HumanDuration). */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 1) return "Less than a second";
  if (s === 1) return "1 second";
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return "About a minute";
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return "About an hour";
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

function createdAt(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}

export function toContainerStatus(c: ContainerSummary, projectName: string, now: number): ContainerStatus {
  const health = healthFromStatus(c.status ?? "");
  const labels = c.labels ?? {};
  return {
    ID: c.id,
    Name: c.name,
    Names: c.name,
    Image: c.image,
    Command: c.command ? `"${c.command}"` : "",
    Project: labels[Label.project] ?? projectName,
    Service: labels[Label.service] ?? "",
    CreatedAt: createdAt(c.created),
    RunningFor: `${humanDuration(now / 1000 - c.created)} ago`,
    State: c.state,
    Status: c.status ?? "",
    Health: health === "none" ? "" : health,
    ExitCode: exitCodeFromStatus(c.status ?? "") ?? 0,
    Publishers: publishers(c.ports ?? []),
    Ports: formatPortBindings(c.ports ?? []),
    Labels: Object.entries(labels)
      .filter(([k]) => k !== CONFIG_LABEL)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(","),
    // as docker ps: volumes of the local driver counted; mount names (volume name or host path) joined
    LocalVolumes: String((c.mounts ?? []).filter((m) => m.driver === "local").length),
    Mounts: (c.mounts ?? []).map((m) => m.name).join(","),
    Networks: (c.networks ?? []).join(","),
    Size: "0B",
    Number: Number(labels[Label.containerNumber] ?? "0") || 0,
  };
}

/**
 * The project's containers, sorted by service then number. Default: running ones only
 * (`all` for every state); `status` filters by state; `orphans: false` hides containers whose
 * service is not in `knownServices`. One-off (`run`) containers are listed only with `all`.
 */
export async function listContainers(engine: Engine, projectName: string, opts: PsOptions = {}, knownServices?: readonly string[], now: number = Date.now()): Promise<ContainerStatus[]> {
  const list = await engine.listContainers({ labels: { [Label.project]: projectName }, all: true });
  const services = opts.services && opts.services.length > 0 ? new Set(opts.services) : undefined;
  const known = knownServices ? new Set(knownServices) : undefined;
  const rows: ContainerStatus[] = [];
  for (const c of list) {
    const svc = c.labels[Label.service] ?? "";
    if (services && !services.has(svc)) continue;
    if (opts.orphans === false && known && !known.has(svc)) continue;
    if (opts.status && opts.status.length > 0) {
      if (!opts.status.includes(c.state)) continue;
    } else if (!opts.all && c.state !== "running" && c.state !== "restarting" && c.state !== "paused") continue;
    rows.push(toContainerStatus(c, projectName, now));
  }
  rows.sort((a, b) => compareText(a.Service, b.Service) || a.Number - b.Number || compareText(a.Name, b.Name));
  return rows;
}

/** One row of `ls` (fields as `docker compose ls --format json`). */
export interface ProjectSummary {
  Name: string;
  /** Container states with counts, e.g. `exited(1), running(2)`. */
  Status: string;
  /** The `project.config_files` labels of the project's containers, comma-joined. */
  ConfigFiles: string;
}

export interface ListProjectsOptions {
  /** Count stopped containers too (and list projects with none running). Default: running only. */
  all?: boolean;
  /** Keep only projects whose name contains this text (`--filter name=`). */
  name?: string;
}

/** Compose's STATUS column: each state with its count, states in alphabetical order. */
export function combinedStatus(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.keys()]
    .sort()
    .map((s) => `${s}(${counts.get(s)})`)
    .join(", ");
}

/**
 * Projects known to the engine, found by the `com.docker.compose.project` label on containers
 * (the only state there is). Without `all`, only running containers count, so projects whose
 * containers are all stopped are left out, as Compose does. Sorted by name.
 */
export async function listProjects(engine: Engine, opts: ListProjectsOptions = {}): Promise<ProjectSummary[]> {
  const list = await engine.listContainers({ labels: { [Label.project]: undefined }, all: opts.all === true });
  return summarizeProjects(list, opts);
}

/** The pure half of `listProjects`: group container summaries into `ls` rows. */
export function summarizeProjects(containers: readonly ContainerSummary[], opts: ListProjectsOptions = {}): ProjectSummary[] {
  const byProject = new Map<string, { states: string[]; files: string[] }>();
  for (const c of containers) {
    const name = c.labels?.[Label.project];
    if (!name) continue;
    if (!opts.all && c.state !== "running") continue;
    if (opts.name !== undefined && !name.includes(opts.name)) continue;
    const entry = byProject.get(name) ?? { states: [], files: [] };
    entry.states.push(c.state);
    for (const f of (c.labels[Label.configFiles] ?? "").split(",")) {
      if (f !== "" && !entry.files.includes(f)) entry.files.push(f);
    }
    byProject.set(name, entry);
  }
  return [...byProject.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([Name, e]) => ({ Name, Status: combinedStatus(e.states), ConfigFiles: e.files.join(",") }));
}
