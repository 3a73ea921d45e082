/** What runs in a container and what it uses (`stats`, `top`). */
import { EngineError } from "../../errors.js";
import type { ContainerStats, ProcessList } from "../engine.js";
import type { DockerContext } from "./context.js";
import { PODMAN_TOP_ARGS, dockerTopColumns } from "./podman.js";
import type { StatsDoc } from "./types.js";

/** Fields cgroup v1/v2 engines send that @types/dockerode leaves out (or types too narrowly). */
interface StatsExtras {
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number } | null> | null;
  blkio_stats?: { io_service_bytes_recursive?: { op?: string; value?: number }[] | null } | null;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number | undefined> | null } | null;
}

type StatsInput = Omit<StatsDoc, keyof StatsExtras> & StatsExtras;

function cpuPercentOf(st: StatsInput): number {
  const cpu = st.cpu_stats ?? {};
  const pre = st.precpu_stats ?? {};
  const cpuDelta = Number(cpu.cpu_usage?.total_usage ?? 0) - Number(pre.cpu_usage?.total_usage ?? 0);
  const systemDelta = Number(cpu.system_cpu_usage ?? 0) - Number(pre.system_cpu_usage ?? 0);
  const cpus = Number(cpu.online_cpus ?? cpu.cpu_usage?.percpu_usage?.length ?? 1) || 1;
  return cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** Docker's stats document → the figures `docker stats` prints (its CPU and memory formulas). */
export function containerStats(st: StatsInput): ContainerStats {
  const mem = st.memory_stats ?? {};
  const memStats = mem.stats ?? {};
  // The page cache is not the container's: cgroup v1 reports it as total_inactive_file/cache, v2 as inactive_file.
  const cache = Number(memStats["total_inactive_file"] ?? memStats["inactive_file"] ?? memStats["cache"] ?? 0);
  const usage = Math.max(0, Number(mem.usage ?? 0) - cache);
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(st.networks ?? {})) {
    rx += Number(n?.rx_bytes ?? 0);
    tx += Number(n?.tx_bytes ?? 0);
  }
  let read = 0;
  let write = 0;
  for (const e of st.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = String(e.op ?? "").toLowerCase();
    if (op === "read") read += Number(e.value ?? 0);
    if (op === "write") write += Number(e.value ?? 0);
  }
  return {
    cpuPercent: cpuPercentOf(st),
    memoryUsage: usage,
    memoryLimit: Number(mem.limit ?? 0),
    networkRx: rx,
    networkTx: tx,
    blockRead: read,
    blockWrite: write,
    pids: Number(st.pids_stats?.current ?? 0),
  };
}

export async function stats(ctx: DockerContext, id: string): Promise<ContainerStats> {
  let st: StatsDoc;
  try {
    st = await ctx.docker.getContainer(id).stats({ stream: false });
  } catch (e) {
    throw ctx.fail(e, `cannot read the resource usage of container ${id}`);
  }
  return containerStats(st as StatsInput);
}

export async function top(ctx: DockerContext, id: string): Promise<ProcessList> {
  const podman = (await ctx.podman()) !== undefined;
  let t: { Titles?: string[] | null; Processes?: string[][] | null } | string;
  try {
    t = (await ctx.docker.getContainer(id).top(podman ? { ps_args: PODMAN_TOP_ARGS } : {})) as typeof t;
  } catch (e) {
    throw ctx.fail(e, `cannot list the processes of container ${id}`);
  }
  // Podman answers 200 with an empty body for a container that is not running (Docker: 409).
  if (typeof t !== "object" || t === null || !Array.isArray(t.Titles)) {
    throw new EngineError("CONFLICT", `cannot list the processes of container ${id}: it is not running`, { statusCode: 409 });
  }
  return podman ? dockerTopColumns(t.Titles, t.Processes ?? []) : { titles: t.Titles, processes: t.Processes ?? [] };
}
