/**
 * How `config` prints a value: a struct (Compose's field order), a map (sorted keys), a list, or
 * a scalar in Compose's canonical form. The service attributes' shapes are a column of the
 * attribute table; the shared ones live here.
 */
import { formatGoDuration, parseBytes, parseDuration } from "../units.js";

/**
 * How to order one value: a struct (fixed key order), a map (sorted keys), a list, or a scalar
 * printed in Compose's canonical form.
 */
export type Shape =
  | { struct: readonly string[]; fields?: Record<string, Shape> }
  | { map: Shape | null }
  | { list: Shape | null }
  | { scalar: (v: unknown) => unknown };

export const struct = (keys: readonly string[], fields?: Record<string, Shape>): Shape => (fields ? { struct: keys, fields } : { struct: keys });
export const mapOf = (s: Shape | null = null): Shape => ({ map: s });
export const listOf = (s: Shape | null = null): Shape => ({ list: s });

/** A value the parser rejects is printed as written (validation has reported it). */
export const canonical = (f: (v: string | number) => unknown): Shape => ({
  scalar: (v) => {
    if (typeof v !== "string" && typeof v !== "number") return v;
    try {
      return f(v);
    } catch {
      return v;
    }
  },
});
/** compose-go's UnitBytes: a byte count, printed as a string of digits. */
export const BYTES = canonical((v) => String(parseBytes(v)));
/** compose-go's Duration: printed as Go's time.Duration prints it (`1m30s`). */
export const DURATION = canonical((v) => formatGoDuration(parseDuration(v)));
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** compose-go's DeviceRequest (`gpus`, reservation devices): `count` is -1 for all; options are strings. */
export const DEVICE_REQUEST = struct(["capabilities", "driver", "count", "device_ids", "options"], { options: mapOf() });
export const DEVICE_REQUESTS = listOf(DEVICE_REQUEST);
export const MEMORY = struct(["cpus", "memory", "pids", "devices", "generic_resources"], {
  memory: BYTES,
  devices: DEVICE_REQUESTS,
  generic_resources: listOf(struct(["discrete_resource_spec"], { discrete_resource_spec: struct(["kind", "value"]) })),
});

/** compose-go's UlimitsConfig: one number when the file gave one (`single`), else `{soft, hard}`. */
const ULIMIT: Shape = {
  scalar: (v) => {
    if (!isMap(v)) return v;
    if (typeof v["single"] === "number") return v["single"];
    const { single: _s, soft, hard, ...rest } = v;
    return { soft, hard, ...rest };
  },
};
export const ULIMITS = mapOf(ULIMIT);

/**
 * compose-go's OptOut booleans (`env_file.required`, `bind.create_host_path`): true is the default
 * and is left out; only false is printed.
 */
const optOut = (keys: readonly string[], key: string): Shape => ({
  scalar: (v) => {
    if (!isMap(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of keys) if (v[k] !== undefined && !(k === key && v[k] === true)) out[k] = v[k];
    for (const [k, x] of Object.entries(v)) if (!(k in out) && !keys.includes(k) && x !== undefined) out[k] = x;
    return out;
  },
});
/** compose-go's FileMode: printed as an octal string with a leading zero (`"0400"`), in JSON and YAML alike. */
export const FILE_MODE: Shape = { scalar: (v) => (typeof v === "number" && Number.isInteger(v) ? `0${v.toString(8)}` : v) };
export const FILE_REF = struct(["source", "target", "uid", "gid", "mode"], { mode: FILE_MODE });
/** compose-go's ServiceHook (every hook kind, and a watch rule's `exec`). */
export const HOOK = struct(["command", "image", "user", "privileged", "working_dir", "environment", "per_replica"], { environment: mapOf() });

export const BUILD = struct(
  [
    "context", "dockerfile", "dockerfile_inline", "entitlements", "args", "provenance", "sbom", "ssh", "labels", "cache_from",
    "cache_to", "no_cache", "no_cache_filter", "additional_contexts", "pull", "extra_hosts", "isolation", "network", "target",
    "secrets", "shm_size", "tags", "ulimits", "platforms", "privileged",
  ],
  { args: mapOf(), labels: mapOf(), additional_contexts: mapOf(), secrets: listOf(FILE_REF), shm_size: BYTES, ulimits: ULIMITS, extra_hosts: listOf() },
);

/** A map printed with sorted keys and its values as they are (environment, labels, sysctls…). */
export const MAP = mapOf();
export const DEVELOP = struct(["watch"], {
  watch: listOf(struct(["path", "action", "target", "exec", "include", "ignore", "initial_sync"], { exec: HOOK })),
});
export const DEPENDS_ON = mapOf(struct(["condition", "restart", "required"]));
const UPDATE_CONFIG = struct(["parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"], { delay: DURATION, monitor: DURATION });
export const DEPLOY = struct(
  ["mode", "replicas", "labels", "update_config", "rollback_config", "resources", "restart_policy", "placement", "endpoint_mode"],
  {
    labels: mapOf(),
    update_config: UPDATE_CONFIG,
    rollback_config: UPDATE_CONFIG,
    placement: struct(["constraints", "preferences", "max_replicas_per_node"], { preferences: listOf(struct(["spread"])) }),
    resources: struct(["limits", "reservations"], { limits: MEMORY, reservations: MEMORY }),
    restart_policy: struct(["condition", "delay", "max_attempts", "window"], { delay: DURATION, window: DURATION }),
  },
);
export const DEVICES = listOf(struct(["source", "target", "permissions"]));
export const ENV_FILE = listOf(optOut(["path", "required", "format"], "required"));
export const HEALTHCHECK = struct(["test", "timeout", "interval", "retries", "start_period", "start_interval", "disable"], {
  timeout: DURATION,
  interval: DURATION,
  start_period: DURATION,
  start_interval: DURATION,
});
export const LOGGING = struct(["driver", "options"], { options: mapOf() });
export const SERVICE_NETWORKS = mapOf(
  struct(["aliases", "driver_opts", "gw_priority", "interface_name", "ipv4_address", "ipv6_address", "link_local_ips", "mac_address", "priority"], {
    driver_opts: mapOf(),
  }),
);
export const PORTS = listOf(struct(["name", "mode", "host_ip", "target", "published", "protocol", "app_protocol"]));
export const FILE_REFS = listOf(FILE_REF);
export const VOLUMES = listOf(
  struct(["type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image"], {
    bind: optOut(["selinux", "propagation", "create_host_path", "recursive"], "create_host_path"),
    volume: struct(["labels", "nocopy", "subpath"], { labels: mapOf() }),
    tmpfs: struct(["size", "mode"], { size: BYTES }),
    image: struct(["subpath"]),
  }),
);
export const INIT_HOOKS = listOf(HOOK);
export const HOOKS = listOf(HOOK);
export const PROVIDER = struct(["type", "options"], { options: mapOf() });
export const CREDENTIAL_SPEC = struct(["config", "file", "registry"]);
/** compose-go's BlkioConfig; a throttle rate is a UnitBytes (a string of digits). Keys stay lower case (Compose's JSON capitalises them and cannot load that back). */
const THROTTLE = listOf(struct(["path", "rate"], { rate: BYTES }));
export const BLKIO = struct(["weight", "weight_device", "device_read_bps", "device_read_iops", "device_write_bps", "device_write_iops"], {
  weight_device: listOf(struct(["path", "weight"])),
  device_read_bps: THROTTLE,
  device_read_iops: THROTTLE,
  device_write_bps: THROTTLE,
  device_write_iops: THROTTLE,
});
export const SERVICE_MODELS = mapOf(struct(["endpoint_var", "model_var"]));
export const MODEL = struct(["name", "model", "context_size", "runtime_flags"]);
