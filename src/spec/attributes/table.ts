/**
 * THE table of service attributes: every key a service may have, once, in the order `config`
 * prints them (compose-go's field order). Each row says how the key normalizes (and so its model
 * type), how it merges over an earlier file, how `config` prints it, and what it becomes in the
 * container create body — or why it is not a container setting, or the warning that says a single
 * engine does not support it. normalize, merge, serialize and the runtime's convert all read it.
 *
 * Adding an attribute = one row here plus its tests (a key the vendored Compose schema does not
 * know also needs the schema).
 */
import type { HealthcheckConfig, UlimitConfig } from "../model.js";
import { mergeGeneric, namedMap, replace, withRules } from "../merge/maps.js";
import {
  appendUnique, byKey, byValue, dependsOnMap, valueIdentity, deviceIdentity, mergeBuild, mergeExtraHosts, mergeLogging, mountIdentity, namesToMap, networkEntry, pathIdentity,
  portIdentity, ulimitEntry, volumeIdentity,
} from "../merge/rules.js";
import {
  BLKIO, BUILD, BYTES, CREDENTIAL_SPEC, DEPENDS_ON, DEPLOY, DEVELOP, DEVICE_REQUESTS, DEVICES, DURATION, ENV_FILE, FILE_REFS, HEALTHCHECK, HOOKS, INIT_HOOKS, LOGGING, MAP, PORTS, PROVIDER,
  SERVICE_MODELS, SERVICE_NETWORKS, ULIMITS, VOLUMES,
} from "../serialize/shapes.js";
import { build } from "../normalize/build.js";
import { dependsOn } from "../normalize/dependencies.js";
import { blkio, deploy, gpus, ulimits } from "../normalize/deploy.js";
import { develop, hooks, initHooks, xDevelop } from "../normalize/develop.js";
import { environment, envFile } from "../normalize/environment.js";
import { healthcheck } from "../normalize/healthcheck.js";
import { labelFile } from "../normalize/labels.js";
import { extraHosts, serviceNetworks } from "../normalize/networks.js";
import { ports } from "../normalize/ports.js";
import { fileRefs } from "../normalize/secrets.js";
import { devices, volumes, type DeviceMapping } from "../normalize/volumes.js";
import { bytes, command, cpus, flag, integer, keep, logging, number, optionalBool, provider, pullPolicy, stringList, stringMap } from "../normalize/values.js";
import { extraHost, healthcheckBody, isSet, realtime, toConfig, toHost, toHostList, toHostMap, volumesFrom } from "./container.js";
import { attr } from "./types.js";

const byLabel = byKey("label");
/** A list Compose keeps free of duplicates (its unicity), by `identity`: within a file and across files. */
const unique = (identity: (item: unknown) => string) => ({ merge: appendUnique(identity), unique: identity });
const uniqueValue = unique(valueIdentity);
const ignore = (why: string) => ({ elsewhere: why }) as const;

export const SERVICE_ATTRIBUTES = [
  attr("profiles", { normalize: stringList, ...uniqueValue, container: ignore("decides whether the service is part of the project") }),
  attr("annotations", { normalize: stringMap, merge: byLabel, print: MAP, container: toHostMap("security", "Annotations") }),
  attr("attach", { normalize: optionalBool, container: ignore("decides whether `up` follows the service's logs") }),
  attr("build", { normalize: build, merge: mergeBuild, print: BUILD, container: ignore("the image is built before the container is created") }),
  attr("develop", { normalize: develop, print: DEVELOP, container: ignore("read by `watch`") }),
  attr("blkio_config", { normalize: blkio, print: BLKIO, container: { stage: "resources", group: "resources" } }),
  attr("cap_add", { normalize: stringList, ...uniqueValue, container: toHostList("security", "CapAdd") }),
  attr("cap_drop", { normalize: stringList, ...uniqueValue, container: toHostList("security", "CapDrop") }),
  attr("cgroup_parent", { normalize: keep<string>(), container: toHost("security", "CgroupParent") }),
  attr("cgroup", { normalize: keep<string>(), container: toHost("security", "CgroupnsMode") }),
  attr("cpu_count", { normalize: integer, container: { stage: "resources", group: "resources" } }),
  attr("cpu_percent", { normalize: number, container: { stage: "resources", group: "resources" } }),
  attr("cpu_period", { normalize: integer, container: toHost("resources", "CpuPeriod", isSet) }),
  attr("cpu_quota", { normalize: integer, container: toHost("resources", "CpuQuota", isSet) }),
  attr("cpu_rt_period", { normalize: integer, container: realtime("CpuRealtimePeriod", "cpu_rt_period") }),
  attr("cpu_rt_runtime", { normalize: integer, container: realtime("CpuRealtimeRuntime", "cpu_rt_runtime") }),
  attr("cpus", { normalize: cpus, container: { stage: "resources", group: "resources" } }),
  attr("cpuset", { normalize: keep<string>(), container: toHost("resources", "CpusetCpus") }),
  attr("cpu_shares", { normalize: integer, container: toHost("resources", "CpuShares", isSet) }),
  attr("command", { normalize: command, merge: replace, container: { stage: "process", apply: (v, to) => (v != null ? to.setConfig("Cmd", [...v]) : undefined) } }),
  attr("configs", { normalize: (nz, v, p) => fileRefs(nz, v, p, false), ...unique(mountIdentity("")), print: FILE_REFS, container: { stage: "secrets", group: "secrets" } }),
  attr("container_name", { normalize: keep<string>(), container: ignore("names the container (containerName)") }),
  attr("credential_spec", { normalize: keep<unknown>(), print: CREDENTIAL_SPEC, container: { stage: "unsupported", unsupported: "is ignored (Windows swarm only)" } }),
  attr("depends_on", {
    normalize: dependsOn,
    merge: namedMap((b, o) => mergeGeneric(b, o), dependsOnMap),
    print: DEPENDS_ON,
    container: ignore("orders the start; recorded in the depends_on label (labels group)"),
  }),
  attr("deploy", { normalize: deploy, merge: withRules({ labels: byLabel }), print: DEPLOY, container: { stage: "swarm", group: "deploy" } }),
  attr("device_cgroup_rules", { normalize: stringList, merge: byValue, container: toHostList("security", "DeviceCgroupRules") }),
  attr("devices", {
    normalize: devices,
    ...unique(deviceIdentity),
    print: DEVICES,
    container: {
      stage: "storage",
      apply: (v: DeviceMapping[], to) => {
        if (v.length > 0) to.setHost("Devices", v.map((d) => ({ PathOnHost: d.source, PathInContainer: d.target, CgroupPermissions: d.permissions ?? "rwm" })));
      },
    },
  }),
  attr("dns", { normalize: stringList, ...uniqueValue, container: toHostList("dns", "Dns") }),
  attr("dns_opt", { normalize: stringList, ...uniqueValue, container: toHostList("dns", "DnsOptions") }),
  attr("dns_search", { normalize: stringList, ...uniqueValue, container: toHostList("dns", "DnsSearch") }),
  attr("domainname", { normalize: keep<string>(), container: toConfig("process", "Domainname") }),
  attr("entrypoint", {
    normalize: command,
    merge: replace,
    container: { stage: "process", apply: (v, to) => (v != null ? to.setConfig("Entrypoint", v.length === 0 ? [""] : [...v]) : undefined) },
  }),
  attr("provider", { normalize: provider, print: PROVIDER, container: { stage: "unsupported", unsupported: "is not supported: the service is created as a plain container" } }),
  attr("environment", {
    normalize: environment,
    merge: byKey("env"),
    print: MAP,
    container: {
      stage: "process",
      apply: (v, to) =>
        to.setConfig(
          "Env",
          Object.entries(v)
            .filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined)
            .map(([k, val]) => `${k}=${val}`),
        ),
    },
  }),
  attr("env_file", { normalize: envFile, ...unique(pathIdentity), print: ENV_FILE, container: ignore("its variables are merged under environment") }),
  attr("expose", { normalize: stringList, ...uniqueValue, container: { stage: "ports", group: "ports" } }),
  attr("extends", { normalize: () => undefined as never, container: ignore("resolved by the loader") }),
  attr("external_links", { normalize: stringList, merge: byValue, container: { stage: "networks", group: "networks" } }),
  attr("extra_hosts", { normalize: extraHosts, merge: mergeExtraHosts, container: toHostList("dns", "ExtraHosts", extraHost) }),
  attr("group_add", { normalize: stringList, merge: byValue, container: toHostList("security", "GroupAdd") }),
  attr("gpus", { normalize: gpus, print: DEVICE_REQUESTS, container: { stage: "resources", group: "resources" } }),
  attr("hostname", { normalize: keep<string>(), container: toConfig("process", "Hostname") }),
  attr("healthcheck", { normalize: healthcheck, merge: withRules({ test: replace }), print: HEALTHCHECK, container: { stage: "healthcheck", apply: (v: HealthcheckConfig, to) => healthcheckBody(v, to) } }),
  attr("image", { normalize: keep<string>(), container: ignore("the create body's Image (imageName)") }),
  attr("init", { normalize: optionalBool, container: toHost("lifecycle", "Init", isSet) }),
  attr("ipc", { normalize: keep<string>(), container: { stage: "security", apply: (v, to) => (v ? to.setHost("IpcMode", to.serviceRef("ipc", v)) : undefined) } }),
  attr("isolation", { normalize: keep<string>(), container: toHost("security", "Isolation", (v) => typeof v === "string") }),
  attr("labels", { normalize: stringMap, merge: byLabel, print: MAP, container: { stage: "labels", group: "labels" } }),
  attr("label_file", { normalize: labelFile, merge: appendUnique(pathIdentity), container: ignore("its labels are merged under labels") }),
  attr("links", { normalize: stringList, ...uniqueValue, container: { stage: "networks", group: "networks" } }),
  attr("logging", {
    normalize: logging,
    merge: mergeLogging,
    print: LOGGING,
    container: {
      stage: "logging",
      apply: (v, to) => (v.driver || v.options ? to.setHost("LogConfig", { Type: v.driver ?? "", Config: { ...(v.options ?? {}) } }) : undefined),
    },
  }),
  attr("mem_limit", { normalize: bytes, print: BYTES, container: { stage: "resources", group: "resources" } }),
  attr("mem_reservation", { normalize: bytes, print: BYTES, container: { stage: "resources", group: "resources" } }),
  attr("memswap_limit", { normalize: bytes, print: BYTES, container: { stage: "resources", apply: (v, to) => to.setHost("MemorySwap", to.bytes("memswap_limit", v)) } }),
  attr("mem_swappiness", { normalize: integer, print: BYTES, container: toHost("resources", "MemorySwappiness", isSet) }),
  attr("mac_address", { normalize: keep<string>(), container: toConfig("process", "MacAddress") }),
  attr("models", { normalize: keep<unknown>(), print: SERVICE_MODELS, merge: namedMap((b, o) => mergeGeneric(b, o), namesToMap), container: { stage: "extensions", unsupported: "is not supported and ignored" } }),
  attr("network_mode", { normalize: keep<string>(), container: { stage: "networks", group: "networks" } }),
  attr("networks", { normalize: serviceNetworks, merge: namedMap(networkEntry, namesToMap), print: SERVICE_NETWORKS, container: { stage: "networks", group: "networks" } }),
  attr("oom_kill_disable", { normalize: flag, container: toHost("resources", "OomKillDisable", isSet) }),
  attr("oom_score_adj", { normalize: integer, container: toHost("resources", "OomScoreAdj", isSet) }),
  attr("pid", { normalize: keep<string>(), container: { stage: "security", apply: (v, to) => (v ? to.setHost("PidMode", to.serviceRef("pid", v)) : undefined) } }),
  attr("pids_limit", { normalize: integer, container: { stage: "resources", group: "resources" } }),
  attr("platform", { normalize: keep<string>(), container: toConfig("process", "platform") }),
  attr("ports", { normalize: ports, ...unique(portIdentity), print: PORTS, container: { stage: "ports", group: "ports" } }),
  attr("privileged", { normalize: flag, container: toHost("security", "Privileged", isSet) }),
  attr("pull_policy", { normalize: pullPolicy, container: ignore("decides whether the image is pulled before create") }),
  attr("read_only", { normalize: flag, container: toHost("security", "ReadonlyRootfs", isSet) }),
  attr("restart", { normalize: keep<string>(), container: { stage: "lifecycle", group: "restart" } }),
  attr("runtime", { normalize: keep<string>(), container: toHost("security", "Runtime") }),
  attr("scale", { normalize: integer, container: ignore("the number of containers") }),
  attr("secrets", { normalize: (nz, v, p) => fileRefs(nz, v, p, true), ...unique(mountIdentity("/run/secrets")), print: FILE_REFS, container: { stage: "secrets", group: "secrets" } }),
  attr("security_opt", { normalize: stringList, merge: byValue, container: toHostList("security", "SecurityOpt") }),
  attr("shm_size", { normalize: bytes, print: BYTES, container: { stage: "storage", apply: (v, to) => to.setHost("ShmSize", to.bytes("shm_size", v)) } }),
  attr("stdin_open", { normalize: flag, container: toConfig("process", "OpenStdin", isSet) }),
  attr("stop_grace_period", { normalize: keep<string>(), print: DURATION, container: { stage: "process", apply: (v, to) => to.setConfig("StopTimeout", to.duration("stop_grace_period", v, "s")) } }),
  attr("stop_signal", { normalize: keep<string>(), container: toConfig("process", "StopSignal") }),
  attr("storage_opt", { normalize: stringMap, print: MAP, container: toHostMap("storage", "StorageOpt") }),
  attr("sysctls", {
    normalize: stringMap,
    merge: byLabel,
    print: MAP,
    container: { stage: "security", apply: (v, to) => (Object.keys(v).length > 0 ? to.setHost("Sysctls", Object.fromEntries(Object.entries(v).map(([k, s]) => [k, String(s)]))) : undefined) },
  }),
  attr("tmpfs", {
    normalize: stringList,
    ...uniqueValue,
    container: {
      stage: "storage",
      apply: (v, to) => {
        if (v.length === 0) return;
        const tmpfs: Record<string, string> = {};
        for (const t of v) {
          const i = t.indexOf(":");
          if (i < 0) tmpfs[t] = "";
          else tmpfs[t.slice(0, i)] = t.slice(i + 1);
        }
        to.setHost("Tmpfs", tmpfs);
      },
    },
  }),
  attr("tty", { normalize: flag, container: toConfig("process", "Tty", isSet) }),
  attr("ulimits", {
    normalize: ulimits,
    merge: namedMap(ulimitEntry),
    print: ULIMITS,
    container: {
      stage: "security",
      apply: (v: Record<string, UlimitConfig>, to) => (Object.keys(v).length > 0 ? to.setHost("Ulimits", Object.entries(v).map(([name, u]) => ({ Name: name, Soft: u.soft, Hard: u.hard }))) : undefined),
    },
  }),
  attr("use_api_socket", {
    normalize: flag,
    container: {
      // As the Docker CLI's --use-api-socket: the engine's socket at its usual path, and the
      // caller's registry credentials in a Docker config file the container's CLI finds through
      // DOCKER_CONFIG (unless the service sets DOCKER_CONFIG itself).
      stage: "api-socket",
      apply: (on, to) => {
        if (!on) return;
        to.mount({ Type: "bind", Source: "/var/run/docker.sock", Target: "/var/run/docker.sock" });
        const env = (to.current("Env") as string[] | undefined) ?? [];
        const auths = to.registryCredentials;
        if (env.some((e) => e.startsWith("DOCKER_CONFIG=")) || !auths || Object.keys(auths).length === 0) return;
        to.setConfig("Env", [...env, "DOCKER_CONFIG=/run/secrets/docker"]);
        to.inject({ containerPath: "/run/secrets/docker/config.json", content: JSON.stringify({ auths }, null, "\t"), mode: 0o600 });
      },
    },
  }),
  attr("user", { normalize: keep<string>(), container: toConfig("process", "User") }),
  attr("userns_mode", { normalize: keep<string>(), container: toHost("security", "UsernsMode") }),
  attr("uts", { normalize: keep<string>(), container: toHost("security", "UTSMode") }),
  attr("volumes", { normalize: volumes, ...unique(volumeIdentity), print: VOLUMES, container: { stage: "volumes", group: "volumes" } }),
  attr("volumes_from", { normalize: stringList, container: { stage: "storage", apply: volumesFrom } }),
  attr("working_dir", { normalize: keep<string>(), container: toConfig("process", "WorkingDir") }),
  attr("pre_start", { normalize: initHooks, print: INIT_HOOKS, container: ignore("run as init containers before the service starts") }),
  attr("post_start", { normalize: hooks, print: HOOKS, container: ignore("run with exec once the container has started") }),
  attr("pre_stop", { normalize: hooks, print: HOOKS, container: ignore("run with exec before the container stops") }),
  // Printed after the keys Compose's struct knows:
  attr("pull_refresh_after", { normalize: keep<string>(), printUnordered: true, container: ignore("decides when `pull_policy: refresh` pulls again") }),
  attr("x-develop", { normalize: xDevelop, printUnordered: true, container: ignore("the experimental spelling of develop") }),
] as const;
