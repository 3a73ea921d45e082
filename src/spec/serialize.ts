/**
 * `config` output: the model as JSON or YAML with Compose's key order. Top level: name,
 * services, networks, volumes, secrets, configs, models, then x-* (empty sections omitted).
 * Structs follow the field order of compose-go's Go types; maps (services, environment,
 * labels, networks, depends_on…) are sorted by key, as Go's encoders do. Pure.
 */
import { Document, isScalar, visit } from "yaml";
import type { ComposeModel } from "./model.js";
import { formatGoDuration, parseBytes, parseDuration } from "./units.js";

/**
 * How to order one value: a struct (fixed key order), a map (sorted keys), a list, or a scalar
 * printed in Compose's canonical form.
 */
type Shape =
  | { struct: readonly string[]; fields?: Record<string, Shape> }
  | { map: Shape | null }
  | { list: Shape | null }
  | { scalar: (v: unknown) => unknown };

const struct = (keys: readonly string[], fields?: Record<string, Shape>): Shape => (fields ? { struct: keys, fields } : { struct: keys });
const mapOf = (s: Shape | null = null): Shape => ({ map: s });
const listOf = (s: Shape | null = null): Shape => ({ list: s });

/** A value the parser rejects is printed as written (validation has reported it). */
const canonical = (f: (v: string | number) => unknown): Shape => ({
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
const BYTES = canonical((v) => String(parseBytes(v)));
/** compose-go's Duration: printed as Go's time.Duration prints it (`1m30s`). */
const DURATION = canonical((v) => formatGoDuration(parseDuration(v)));
const MEMORY = struct(["cpus", "memory", "pids", "devices", "generic_resources"], { memory: BYTES });

const ULIMITS = mapOf(struct(["soft", "hard"]));
/** compose-go's FileMode: printed as an octal string with a leading zero (`"0400"`), in JSON and YAML alike. */
const FILE_MODE: Shape = { scalar: (v) => (typeof v === "number" && Number.isInteger(v) ? `0${v.toString(8)}` : v) };
const FILE_REF = struct(["source", "target", "uid", "gid", "mode"], { mode: FILE_MODE });
const HOOK = struct(["command", "user", "privileged", "working_dir", "environment"], { environment: mapOf() });
const INIT_HOOK = struct(["command", "image", "user", "privileged", "working_dir", "environment", "per_replica"], { environment: mapOf() });

const BUILD = struct(
  [
    "context", "dockerfile", "dockerfile_inline", "entitlements", "args", "provenance", "sbom", "ssh", "labels", "cache_from",
    "cache_to", "no_cache", "no_cache_filter", "additional_contexts", "pull", "extra_hosts", "isolation", "network", "target",
    "secrets", "shm_size", "tags", "ulimits", "platforms", "privileged",
  ],
  { args: mapOf(), labels: mapOf(), additional_contexts: mapOf(), secrets: listOf(FILE_REF), shm_size: BYTES, ulimits: ULIMITS },
);

const SERVICE_KEYS = [
  "profiles", "annotations", "attach", "build", "develop", "blkio_config", "cap_add", "cap_drop", "cgroup_parent", "cgroup",
  "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpus", "cpuset", "cpu_shares",
  "command", "configs", "container_name", "credential_spec", "depends_on", "deploy", "device_cgroup_rules", "devices", "dns",
  "dns_opt", "dns_search", "dockerfile", "domainname", "entrypoint", "provider", "environment", "env_file", "expose", "extends",
  "external_links", "extra_hosts", "group_add", "gpus", "hostname", "healthcheck", "image", "init", "ipc", "isolation", "labels",
  "label_file", "links", "logging", "log_driver", "log_opt", "mem_limit", "mem_reservation", "memswap_limit", "mem_swappiness",
  "mac_address", "models", "net", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform",
  "ports", "privileged", "pull_policy", "read_only", "restart", "runtime", "scale", "secrets", "security_opt", "shm_size",
  "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "use_api_socket", "user",
  "userns_mode", "uts", "volume_driver", "volumes", "volumes_from", "working_dir", "pre_start", "post_start", "pre_stop",
] as const;

const SERVICE = struct(SERVICE_KEYS, {
  annotations: mapOf(),
  build: BUILD,
  develop: struct(["watch"], {
    watch: listOf(struct(["path", "action", "target", "exec", "include", "ignore", "initial_sync"], { exec: HOOK })),
  }),
  configs: listOf(FILE_REF),
  depends_on: mapOf(struct(["condition", "restart", "required"])),
  deploy: struct(
    ["mode", "replicas", "labels", "update_config", "rollback_config", "resources", "restart_policy", "placement", "endpoint_mode"],
    {
      labels: mapOf(),
      resources: struct(["limits", "reservations"], { limits: MEMORY, reservations: MEMORY }),
      restart_policy: struct(["condition", "delay", "max_attempts", "window"], { delay: DURATION, window: DURATION }),
    },
  ),
  devices: listOf(struct(["source", "target", "permissions"])),
  environment: mapOf(),
  env_file: listOf(struct(["path", "required", "format"])),
  healthcheck: struct(["test", "timeout", "interval", "retries", "start_period", "start_interval", "disable"], {
    timeout: DURATION,
    interval: DURATION,
    start_period: DURATION,
    start_interval: DURATION,
  }),
  labels: mapOf(),
  logging: struct(["driver", "options"], { options: mapOf() }),
  networks: mapOf(
    struct(["aliases", "driver_opts", "gw_priority", "interface_name", "ipv4_address", "ipv6_address", "link_local_ips", "mac_address", "priority"], {
      driver_opts: mapOf(),
    }),
  ),
  ports: listOf(struct(["name", "mode", "host_ip", "target", "published", "protocol", "app_protocol"])),
  secrets: listOf(FILE_REF),
  storage_opt: mapOf(),
  sysctls: mapOf(),
  ulimits: ULIMITS,
  volumes: listOf(
    struct(["type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image"], {
      bind: struct(["selinux", "propagation", "create_host_path", "recursive"]),
      volume: struct(["labels", "nocopy", "subpath"], { labels: mapOf() }),
      tmpfs: struct(["size", "mode"], { size: BYTES }),
      image: struct(["subpath"]),
    }),
  ),
  pre_start: listOf(INIT_HOOK),
  post_start: listOf(HOOK),
  pre_stop: listOf(HOOK),
  mem_limit: BYTES,
  mem_reservation: BYTES,
  memswap_limit: BYTES,
  shm_size: BYTES,
  stop_grace_period: DURATION,
});

const NETWORK = struct(["name", "driver", "driver_opts", "ipam", "external", "internal", "attachable", "labels", "enable_ipv4", "enable_ipv6"], {
  driver_opts: mapOf(),
  labels: mapOf(),
  ipam: struct(["driver", "config", "options"], {
    config: listOf(struct(["subnet", "gateway", "ip_range", "aux_addresses"], { aux_addresses: mapOf() })),
    options: mapOf(),
  }),
});
const VOLUME = struct(["name", "driver", "driver_opts", "external", "labels"], { driver_opts: mapOf(), labels: mapOf() });
const FILE_OBJECT = struct(["name", "file", "environment", "content", "external", "labels", "driver", "driver_opts", "template_driver"], {
  labels: mapOf(),
  driver_opts: mapOf(),
});

const TOP_SECTIONS: Record<string, Shape> = {
  services: mapOf(SERVICE),
  networks: mapOf(NETWORK),
  volumes: mapOf(VOLUME),
  secrets: mapOf(FILE_OBJECT),
  configs: mapOf(FILE_OBJECT),
  models: mapOf(),
};

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function order(v: unknown, shape: Shape | null): unknown {
  if (shape !== null && "scalar" in shape) return shape.scalar(v);
  if (v === null || typeof v !== "object" || shape === null) return v;
  if ("list" in shape) return Array.isArray(v) ? v.map((x) => order(x, shape.list)) : v;
  if (Array.isArray(v)) return v;
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if ("map" in shape) {
    for (const k of Object.keys(src).sort(byKey)) if (src[k] !== undefined) out[k] = order(src[k], shape.map);
    return out;
  }
  // Known fields in struct order; then unknown non-extension keys sorted; then x-* (inline extensions), sorted.
  for (const k of shape.struct) if (src[k] !== undefined) out[k] = order(src[k], shape.fields?.[k] ?? null);
  const rest = Object.keys(src).filter((k) => !(k in out) && src[k] !== undefined);
  for (const k of rest.filter((k) => !k.startsWith("x-")).sort(byKey)) out[k] = src[k];
  for (const k of rest.filter((k) => k.startsWith("x-")).sort(byKey)) out[k] = src[k];
  return out;
}

/** The model as a plain object in Compose's key order, empty top-level sections left out. */
export function orderModel(model: ComposeModel, opts: { json?: boolean } = {}): Record<string, unknown> {
  const src = model as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { name: model.name };
  for (const [section, shape] of Object.entries(TOP_SECTIONS)) {
    const value = src[section];
    if (value === null || typeof value !== "object" || Object.keys(value).length === 0) continue;
    let v = value as Record<string, unknown>;
    if (section === "services" && opts.json) {
      // Go's ServiceConfig has no omitempty on command/entrypoint for JSON: they print as null.
      v = Object.fromEntries(
        Object.entries(v).map(([name, s]) => [name, { ...(s as object), command: (s as Record<string, unknown>)["command"] ?? null, entrypoint: (s as Record<string, unknown>)["entrypoint"] ?? null }]),
      );
    }
    out[section] = order(v, shape);
  }
  for (const k of Object.keys(src).filter((k) => k.startsWith("x-")).sort(byKey)) out[k] = src[k];
  return out;
}

export function modelToJson(model: ComposeModel): string {
  return JSON.stringify(orderModel(model, { json: true }), null, 2);
}

/** Strings a YAML 1.1 reader would take for a boolean or null are quoted too (the core schema already quotes numbers and true/false/null). */
const AMBIGUOUS = /^(y|n|yes|no|on|off|true|false|null|~|)$/i;

export function modelToYaml(model: ComposeModel): string {
  const doc = new Document(orderModel(model), { version: "1.2" });
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === "string" && AMBIGUOUS.test(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString({ indentSeq: true, lineWidth: 0 });
}
