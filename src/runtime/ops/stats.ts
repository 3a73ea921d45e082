/** `stats`: one resource-usage sample of each container of the services (or all). */
import { FlotillaError } from "../../errors.js";
import type { ContainerStats } from "../engine.js";
import { checkServices, engineOf, serviceContainers, type EngineLike, type ProjectRef } from "./project-ref.js";

export interface StatsOptions {
  /** Stopped containers too (their usage is zero). */
  all?: boolean;
}

export interface ContainerStatsSample {
  id: string;
  container: string;
  stats: ContainerStats;
}

export async function serviceStats(engine: EngineLike, project: ProjectRef, services?: string[], opts: StatsOptions = {}): Promise<ContainerStatsSample[]> {
  checkServices(project, services);
  const connected = await engineOf(engine);
  const stats = connected.stats?.bind(connected);
  if (!stats) throw new FlotillaError("ENGINE", "this engine cannot report container resource usage");
  const containers = await serviceContainers(connected, project, services, opts.all === true);
  // a stopped container uses nothing: zeros, as docker stats -a shows it
  const idle: ContainerStats = { cpuPercent: 0, memoryUsage: 0, memoryLimit: 0, networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pids: 0 };
  return Promise.all(containers.map(async (c) => ({ id: c.id, container: c.name, stats: c.state === "running" ? await stats(c.id) : { ...idle } })));
}
