/** `deploy` (replicas, labels, restart_policy cast, memory sizes), `ulimits` and `blkio_config`. */
import type { DeployConfig, UlimitConfig } from "../model.js";
import { isRawMap, type RawMap } from "../tags.js";
import { clone, type Normalizer, type Path } from "./normalizer.js";

/**
 * `ulimits`: `nproc: 65535` (one value for soft and hard: `single`, printed back as one number, as
 * compose-go's UlimitsConfig) or `{soft, hard}`.
 */
export function ulimits(nz: Normalizer, v: unknown, p: Path): Record<string, UlimitConfig> {
  const out: Record<string, UlimitConfig> = {};
  for (const [k, val] of Object.entries(isRawMap(v) ? v : {})) {
    if (isRawMap(val)) {
      const soft = nz.int(val["soft"], [...p, k, "soft"]);
      const hard = nz.int(val["hard"], [...p, k, "hard"]);
      if (soft !== undefined && hard !== undefined) out[k] = { soft, hard };
    } else {
      const n = nz.int(val, [...p, k]);
      if (n !== undefined) out[k] = { single: n, soft: n, hard: n };
    }
  }
  return out;
}

export type DeviceRequest = { capabilities?: string[]; driver?: string; count?: number; device_ids?: string[]; options?: Record<string, string> };

/**
 * A device request (`gpus` entries, `deploy.resources.reservations.devices`): `count: all` is -1,
 * as compose-go's DeviceCount; with neither `count` nor `device_ids` the count is all (-1);
 * options are strings.
 */
export function deviceRequest(nz: Normalizer, v: unknown, p: Path): DeviceRequest {
  const d = isRawMap(v) ? v : {};
  const out = clone(d) as DeviceRequest & RawMap;
  if (d["capabilities"] !== undefined) out.capabilities = nz.stringList(d["capabilities"]);
  if (d["device_ids"] !== undefined) out.device_ids = nz.stringList(d["device_ids"]);
  if (d["options"] !== undefined) out.options = nz.stringMap(d["options"], [...p, "options"]);
  const count = d["count"];
  if (typeof count === "string" && count.toLowerCase() === "all") out.count = -1;
  else if (count !== undefined) {
    const n = nz.int(count, [...p, "count"]);
    if (n === undefined) delete out.count;
    else out.count = n;
  } else if (d["device_ids"] === undefined) out.count = -1;
  return out;
}

/** `gpus`: `all` is one request for every GPU (`[{count: -1}]`); a list holds device requests. */
export function gpus(nz: Normalizer, v: unknown, p: Path): DeviceRequest[] {
  if (typeof v === "string") return [{ count: -1 }];
  return (Array.isArray(v) ? v : []).map((d, i) => deviceRequest(nz, d, [...p, i]));
}

export function deploy(nz: Normalizer, v: unknown, p: Path): DeployConfig {
  const out = (isRawMap(v) ? clone(v) : {}) as NonNullable<DeployConfig> & RawMap;
  if (out["replicas"] !== undefined) {
    const n = nz.int(out["replicas"], [...p, "replicas"]);
    if (n === undefined) delete out.replicas;
    else out.replicas = n;
  }
  if (out["labels"] !== undefined) out.labels = nz.stringMap(out["labels"], [...p, "labels"]);
  const rp = out["restart_policy"];
  if (isRawMap(rp)) castKeys(nz, rp, [...p, "restart_policy"], { max_attempts: "int" });
  for (const k of ["update_config", "rollback_config"]) {
    const u = out[k];
    if (isRawMap(u)) castKeys(nz, u, [...p, k], { parallelism: "int", max_failure_ratio: "num" });
  }
  const placement = out["placement"];
  if (isRawMap(placement)) castKeys(nz, placement, [...p, "placement"], { max_replicas_per_node: "int" });
  const resources = out["resources"] as unknown;
  if (isRawMap(resources)) {
    for (const k of ["limits", "reservations"]) {
      const r = resources[k];
      if (!isRawMap(r)) continue;
      const rpath = [...p, "resources", k];
      // compose-go's NanoCPUs is a number; pids an integer
      castKeys(nz, r, rpath, { cpus: "num", pids: "int", memory: "bytes" });
      if (Array.isArray(r["devices"])) r["devices"] = r["devices"].map((d, i) => deviceRequest(nz, d, [...rpath, "devices", i]));
    }
  }
  return out;
}

const THROTTLES = ["device_read_bps", "device_read_iops", "device_write_bps", "device_write_iops"] as const;

/** `blkio_config`: every throttle `rate` a number of bytes (compose-go's ThrottleDevice.Rate is a UnitBytes, in the iops lists too). */
export function blkio(nz: Normalizer, v: unknown, p: Path): unknown {
  if (!isRawMap(v)) return clone(v);
  const out = clone(v);
  for (const k of THROTTLES) {
    const list = out[k];
    if (Array.isArray(list)) list.forEach((e, i) => isRawMap(e) && castKeys(nz, e, [...p, k, i], { rate: "bytes" }));
  }
  return out;
}

/** Cast the listed keys of `m` in place (interpolation leaves strings); a value that does not cast is dropped (reported). */
function castKeys(nz: Normalizer, m: RawMap, p: Path, keys: Record<string, "int" | "num" | "bytes">): void {
  for (const [k, kind] of Object.entries(keys)) {
    if (m[k] === undefined || m[k] === null) continue;
    const n = kind === "int" ? nz.int(m[k], [...p, k]) : kind === "bytes" ? nz.bytes(m[k], [...p, k]) : nz.num(m[k], [...p, k]);
    if (n === undefined) delete m[k];
    else m[k] = n;
  }
}
