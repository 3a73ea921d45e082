/** The `resources` group: CPU, memory and pids limits (explicit or from deploy.resources), device requests (GPUs), block IO. */
import type { Converter } from "./converter.js";

function cpusToNano(c: Converter, attr: string, v: string | number): number {
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n) || n < 0) c.fail(`${attr}: "${String(v)}" is not a number of CPUs`);
  return Math.round(n * 1e9);
}

/** The `resources` group (the simple limits — cpu_shares, memswap_limit, oom_score_adj… — are rows of the table). */
export function convertResources(c: Converter): void {
  const { svc, host } = c;
  const limits = svc.deploy?.resources?.limits;
  const reservations = svc.deploy?.resources?.reservations;

  // Explicit attribute vs deploy.resources: the loader rejects disagreement; here the explicit
  // attribute wins and a disagreement that slipped through is reported.
  const pick = <T>(attr: string, explicit: T | undefined, fromDeploy: T | undefined, deployAttr: string): T | undefined => {
    if (explicit !== undefined && fromDeploy !== undefined && explicit !== fromDeploy) {
      c.warn(attr, `(${String(explicit)}) disagrees with ${deployAttr} (${String(fromDeploy)}); ${attr} is used`);
    }
    return explicit ?? fromDeploy;
  };

  const nano = pick(
    "cpus",
    svc.cpus !== undefined ? cpusToNano(c, "cpus", svc.cpus) : undefined,
    limits?.cpus !== undefined ? cpusToNano(c, "deploy.resources.limits.cpus", limits.cpus) : undefined,
    "deploy.resources.limits.cpus",
  );
  if (nano !== undefined && nano > 0) host.NanoCpus = nano;
  const mem = pick(
    "mem_limit",
    svc.mem_limit !== undefined ? c.bytes("mem_limit", svc.mem_limit) : undefined,
    limits?.memory !== undefined ? c.bytes("deploy.resources.limits.memory", limits.memory) : undefined,
    "deploy.resources.limits.memory",
  );
  if (mem !== undefined) host.Memory = mem;
  const memRes = pick(
    "mem_reservation",
    svc.mem_reservation !== undefined ? c.bytes("mem_reservation", svc.mem_reservation) : undefined,
    reservations?.memory !== undefined ? c.bytes("deploy.resources.reservations.memory", reservations.memory) : undefined,
    "deploy.resources.reservations.memory",
  );
  if (memRes !== undefined) host.MemoryReservation = memRes;
  const pids = pick("pids_limit", svc.pids_limit, limits?.pids, "deploy.resources.limits.pids");
  if (pids !== undefined) host.PidsLimit = pids;
  for (const attr of ["cpu_count", "cpu_percent"]) {
    if (svc[attr] !== undefined) c.warn(attr, "is Windows-only and ignored");
  }
  if (reservations?.cpus !== undefined) c.warn("deploy.resources.reservations.cpus", "is ignored (CPU reservations need swarm)");
  if (reservations?.generic_resources && reservations.generic_resources.length > 0) c.warn("deploy.resources.reservations.generic_resources", "is ignored (swarm only)");

  // GPUs and other devices: deploy.resources.reservations.devices and `gpus`.
  const requests: Record<string, unknown>[] = [];
  for (const d of (reservations?.devices ?? []) as Record<string, unknown>[]) {
    requests.push(deviceRequest(d));
  }
  const gpus = svc["gpus"] as unknown;
  if (gpus === "all") requests.push({ Driver: "", Count: -1, DeviceIDs: null, Capabilities: [["gpu"]], Options: {} });
  else if (Array.isArray(gpus)) for (const g of gpus as Record<string, unknown>[]) requests.push(deviceRequest({ capabilities: ["gpu"], ...g }));
  if (requests.length > 0) host.DeviceRequests = requests;

  const blkio = svc["blkio_config"] as Record<string, unknown> | undefined;
  if (blkio && typeof blkio === "object") {
    if (blkio.weight !== undefined) host.BlkioWeight = Number(blkio.weight);
    const dev = (key: string, field: string, rate: boolean) => {
      const list = blkio[key];
      if (!Array.isArray(list) || list.length === 0) return;
      host[field] = (list as { path: string; rate?: string | number; weight?: number }[]).map((e) =>
        rate ? { Path: e.path, Rate: c.bytes(`blkio_config.${key}`, e.rate ?? 0) } : { Path: e.path, Weight: e.weight },
      );
    };
    dev("weight_device", "BlkioWeightDevice", false);
    dev("device_read_bps", "BlkioDeviceReadBps", true);
    dev("device_write_bps", "BlkioDeviceWriteBps", true);
    dev("device_read_iops", "BlkioDeviceReadIOps", true);
    dev("device_write_iops", "BlkioDeviceWriteIOps", true);
  }
}

function deviceRequest(d: Record<string, unknown>): Record<string, unknown> {
  const caps = d.capabilities as string[] | undefined;
  const count = d.count === "all" ? -1 : d.count !== undefined ? Number(d.count) : undefined;
  const ids = d.device_ids as string[] | undefined;
  return {
    Driver: (d.driver) ?? "",
    Count: count ?? (ids && ids.length > 0 ? 0 : -1),
    DeviceIDs: ids ?? null,
    Capabilities: caps ? [caps] : [],
    Options: (d.options) ?? {},
  };
}
