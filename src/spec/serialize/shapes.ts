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
export const MEMORY = struct(["cpus", "memory", "pids", "devices", "generic_resources"], { memory: BYTES });

export const ULIMITS = mapOf(struct(["soft", "hard"]));
/** compose-go's FileMode: printed as an octal string with a leading zero (`"0400"`), in JSON and YAML alike. */
export const FILE_MODE: Shape = { scalar: (v) => (typeof v === "number" && Number.isInteger(v) ? `0${v.toString(8)}` : v) };
export const FILE_REF = struct(["source", "target", "uid", "gid", "mode"], { mode: FILE_MODE });
export const HOOK = struct(["command", "user", "privileged", "working_dir", "environment"], { environment: mapOf() });
export const INIT_HOOK = struct(["command", "image", "user", "privileged", "working_dir", "environment", "per_replica"], { environment: mapOf() });

export const BUILD = struct(
  [
    "context", "dockerfile", "dockerfile_inline", "entitlements", "args", "provenance", "sbom", "ssh", "labels", "cache_from",
    "cache_to", "no_cache", "no_cache_filter", "additional_contexts", "pull", "extra_hosts", "isolation", "network", "target",
    "secrets", "shm_size", "tags", "ulimits", "platforms", "privileged",
  ],
  { args: mapOf(), labels: mapOf(), additional_contexts: mapOf(), secrets: listOf(FILE_REF), shm_size: BYTES, ulimits: ULIMITS },
);

/** A map printed with sorted keys and its values as they are (environment, labels, sysctls…). */
export const MAP = mapOf();
export const DEVELOP = struct(["watch"], {
  watch: listOf(struct(["path", "action", "target", "exec", "include", "ignore", "initial_sync"], { exec: HOOK })),
});
export const DEPENDS_ON = mapOf(struct(["condition", "restart", "required"]));
export const DEPLOY = struct(
  ["mode", "replicas", "labels", "update_config", "rollback_config", "resources", "restart_policy", "placement", "endpoint_mode"],
  {
    labels: mapOf(),
    resources: struct(["limits", "reservations"], { limits: MEMORY, reservations: MEMORY }),
    restart_policy: struct(["condition", "delay", "max_attempts", "window"], { delay: DURATION, window: DURATION }),
  },
);
export const DEVICES = listOf(struct(["source", "target", "permissions"]));
export const ENV_FILE = listOf(struct(["path", "required", "format"]));
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
    bind: struct(["selinux", "propagation", "create_host_path", "recursive"]),
    volume: struct(["labels", "nocopy", "subpath"], { labels: mapOf() }),
    tmpfs: struct(["size", "mode"], { size: BYTES }),
    image: struct(["subpath"]),
  }),
);
export const INIT_HOOKS = listOf(INIT_HOOK);
export const HOOKS = listOf(HOOK);
