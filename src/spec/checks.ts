/**
 * Semantic checks on the normalized model: what the JSON schema cannot see (references between
 * services and resources, dependency cycles, port numbers, conflicting attributes). Every problem
 * becomes an issue with its model path and source location; nothing is thrown.
 */
import { isIP } from "node:net";
import { isAbsolute, join } from "node:path";
import { formatLocation, type ErrorCode, type IssueCollector } from "../errors.js";
import { formatPath, type Locations, type PathSegment } from "./locations.js";
import type { ComposeModel, ServiceConfig } from "./model.js";
import { parseBytes } from "./units.js";

const SYNC_ACTIONS = new Set(["sync", "sync+restart", "sync+exec"]);

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `name`, if one is close enough to be a likely typo. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function portRangeProblem(spec: string): string | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec);
  if (!m) return `published port ${JSON.stringify(spec)} is not a port or a range`;
  const start = Number(m[1]);
  const end = m[2] !== undefined ? Number(m[2]) : start;
  for (const n of [start, end]) if (n < 1 || n > 65535) return `published port ${n} is outside 1-65535`;
  if (end < start) return `published range ${spec} ends before it starts`;
  return undefined;
}

/** Dependency cycles, each as a closed path (`[a, b, a]`), found by DFS in service order. */
export function findDependencyCycles(services: Record<string, ServiceConfig>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = finished
  const stack: string[] = [];
  const visit = (s: string): void => {
    state.set(s, 1);
    stack.push(s);
    for (const dep of Object.keys(services[s]?.depends_on ?? {})) {
      if (!(dep in services)) continue;
      const st = state.get(dep);
      if (st === 1) cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (st === undefined) visit(dep);
    }
    stack.pop();
    state.set(s, 2);
  };
  for (const s of Object.keys(services)) if (!state.has(s)) visit(s);
  return cycles;
}

function bytesOrNaN(v: string | number): number {
  try {
    return parseBytes(v);
  } catch {
    return Number.NaN;
  }
}

export function checkModel(model: ComposeModel, locations: Locations, issues: IssueCollector, warnings?: string[]): void {
  const warn = (path: PathSegment[], message: string): void => {
    const loc = locations.find(path);
    warnings?.push(`${loc ? `${formatLocation(loc)}: ` : ""}${formatPath(path)}: ${message}`);
  };
  const add = (code: ErrorCode, path: PathSegment[], message: string, hint?: string): void => {
    const loc = locations.find(path);
    issues.add({ code, message, path: formatPath(path), ...(loc ? { location: loc } : {}), ...(hint !== undefined ? { hint } : {}) });
  };
  const serviceNames = Object.keys(model.services);
  const unknownService = (path: PathSegment[], svc: string, name: string, what: string): void => {
    const close = closestName(name, serviceNames.filter((n) => n !== svc));
    add(
      "CONFIG_INVALID",
      path,
      `service "${svc}" ${what} undefined service "${name}"`,
      close ? `did you mean "${close}"?` : `define a service "${name}" or remove the reference`,
    );
  };

  for (const [name, s] of Object.entries(model.services)) {
    const base: PathSegment[] = ["services", name];
    const reported = new Set<string>();

    // --- references to other services ---
    (s.links ?? []).forEach((link, i) => {
      const target = link.split(":")[0]!;
      if (!(target in model.services)) {
        reported.add(target);
        unknownService([...base, "links", i], name, target, "links to");
      }
    });
    for (const key of ["network_mode", "ipc", "pid", "uts", "cgroup"] as const) {
      const v = s[key];
      if (typeof v === "string" && v.startsWith("service:")) {
        const target = v.slice("service:".length);
        if (!(target in model.services)) {
          reported.add(target);
          unknownService([...base, key], name, target, `uses the ${key} of`);
        }
      }
    }
    (s.volumes_from ?? []).forEach((from, i) => {
      if (from.startsWith("container:")) return;
      const target = from.split(":")[0]!;
      if (!(target in model.services)) {
        reported.add(target);
        unknownService([...base, "volumes_from", i], name, target, "mounts volumes from");
      }
    });
    for (const [dep, entry] of Object.entries(s.depends_on ?? {})) {
      if (dep in model.services || reported.has(dep) || entry.required === false) continue;
      unknownService([...base, "depends_on", dep], name, dep, "depends on");
    }

    // --- references to top-level resources ---
    if (s.networks) {
      for (const net of Object.keys(s.networks)) {
        if (net in model.networks) continue;
        const close = closestName(net, Object.keys(model.networks));
        add("CONFIG_INVALID", [...base, "networks", net], `service "${name}" uses undefined network "${net}"`, close ? `did you mean "${close}"?` : `declare it under the top-level \`networks:\``);
      }
    }
    if (s.network_mode !== undefined && s.networks !== undefined && Object.keys(s.networks).length > 0) {
      add("CONFIG_INVALID", [...base, "network_mode"], `service "${name}" sets both network_mode and networks`, "use one of them: network_mode replaces the service's networks");
    }
    const targets = new Map<string, number>();
    (s.volumes ?? []).forEach((m, i) => {
      if (m.type === "volume" && m.source !== undefined && !(m.source in model.volumes)) {
        const close = closestName(m.source, Object.keys(model.volumes));
        add("CONFIG_INVALID", [...base, "volumes", i], `service "${name}" uses undefined volume "${m.source}"`, close ? `did you mean "${close}"?` : "declare it under the top-level `volumes:`, or use a path starting with ./ or / for a bind mount");
      }
      const prev = targets.get(m.target);
      if (prev !== undefined) {
        add("CONFIG_INVALID", [...base, "volumes", i], `service "${name}" mounts two volumes at "${m.target}" (entries ${prev} and ${i})`, "each mount needs its own target path");
      } else targets.set(m.target, i);
    });
    for (const kind of ["secrets", "configs"] as const) {
      (s[kind] ?? []).forEach((ref, i) => {
        if (ref.source in model[kind]) return;
        const close = closestName(ref.source, Object.keys(model[kind]));
        add("CONFIG_INVALID", [...base, kind, i], `service "${name}" uses undefined ${kind === "secrets" ? "secret" : "config"} "${ref.source}"`, close ? `did you mean "${close}"?` : `declare it under the top-level \`${kind}:\``);
      });
    }

    // --- ports ---
    (s.ports ?? []).forEach((p, i) => {
      if (!Number.isInteger(p.target) || p.target < 1 || p.target > 65535) {
        add("CONFIG_INVALID", [...base, "ports", i], `port ${p.target} is outside 1-65535`, "use a container port between 1 and 65535");
      }
      if (p.published !== undefined) {
        const problem = portRangeProblem(p.published);
        if (problem) add("CONFIG_INVALID", [...base, "ports", i], problem, "use a host port between 1 and 65535, or a range like 8000-8010");
      }
    });

    // --- conflicting or missing attributes ---
    const replicas = s.scale ?? s.deploy?.replicas ?? 1;
    if (s.container_name !== undefined && replicas > 1) {
      add("CONFIG_INVALID", [...base, "container_name"], `service "${name}" sets container_name "${s.container_name}" but asks for ${replicas} replicas`, "container names are unique: remove container_name or use one replica");
    }
    if (s.scale !== undefined && s.scale < 0) add("CONFIG_INVALID", [...base, "scale"], `scale must not be negative (got ${s.scale})`, "use 0 or more");
    if (s.deploy?.replicas !== undefined && s.deploy.replicas < 0) {
      add("CONFIG_INVALID", [...base, "deploy", "replicas"], `deploy.replicas must not be negative (got ${s.deploy.replicas})`, "use 0 or more");
    }
    const test = s.healthcheck?.test;
    if (test !== undefined && test.length > 0 && !["CMD", "CMD-SHELL", "NONE"].includes(test[0]!)) {
      add("CONFIG_INVALID", [...base, "healthcheck", "test"], `healthcheck.test must start with "CMD", "CMD-SHELL" or "NONE" (got "${test[0]}")`, 'write ["CMD", "prog", "arg"], ["CMD-SHELL", "a shell command"], or a plain string');
    }
    const limits = s.deploy?.resources?.limits;
    if (s.cpus !== undefined && limits?.cpus !== undefined && Number(s.cpus) !== Number(limits.cpus)) {
      add("CONFIG_INVALID", [...base, "cpus"], `cpus (${s.cpus}) and deploy.resources.limits.cpus (${limits.cpus}) disagree`, "set only one of them, or the same value");
    }
    if (s.mem_limit !== undefined && limits?.memory !== undefined && bytesOrNaN(s.mem_limit) !== bytesOrNaN(limits.memory)) {
      add("CONFIG_INVALID", [...base, "mem_limit"], `mem_limit (${s.mem_limit}) and deploy.resources.limits.memory (${limits.memory}) disagree`, "set only one of them, or the same value");
    }
    const platforms = s.build?.platforms;
    if (s.platform !== undefined && platforms !== undefined && platforms.length > 0 && !platforms.includes(s.platform)) {
      add("CONFIG_INVALID", [...base, "platform"], `platform "${s.platform}" is not one of build.platforms (${platforms.join(", ")})`, "add it to build.platforms or change platform");
    }
    if (s.image === undefined && s.build === undefined && s["provider"] === undefined) {
      add("CONFIG_INVALID", base, `service "${name}" has neither an image nor a build context`, "add `image:` or `build:`");
    }
    if (s.build?.dockerfile !== undefined && s.build.dockerfile_inline !== undefined) {
      add("CONFIG_INVALID", [...base, "build", "dockerfile_inline"], `service "${name}" sets both build.dockerfile and build.dockerfile_inline`, "keep only one of them");
    }
    const reservations = s.deploy?.resources?.reservations;
    if (s.mem_reservation !== undefined && reservations?.memory !== undefined && bytesOrNaN(s.mem_reservation) !== bytesOrNaN(reservations.memory)) {
      add("CONFIG_INVALID", [...base, "mem_reservation"], `mem_reservation (${s.mem_reservation}) and deploy.resources.reservations.memory (${reservations.memory}) disagree`, "set only one of them, or the same value");
    }
    const limitPids = (limits)?.pids;
    if (s.pids_limit !== undefined && s.pids_limit !== 0 && limitPids !== undefined && Number(limitPids) !== s.pids_limit) {
      add("CONFIG_INVALID", [...base, "pids_limit"], `pids_limit (${s.pids_limit}) and deploy.resources.limits.pids (${limitPids}) disagree`, "set only one of them, or the same value");
    }
    // tmpfs entries and volumes cannot share a target either (volumes among themselves: above)
    const tmpfsAt = new Map<string, number>();
    (s.tmpfs ?? []).forEach((t, i) => {
      const target = t.split(":")[0]!;
      const prev = tmpfsAt.get(target);
      if (prev !== undefined) add("CONFIG_INVALID", [...base, "tmpfs", i], `target ${target} is already mounted by tmpfs[${prev}]`, "mount one thing per container path: change one of the targets");
      else tmpfsAt.set(target, i);
    });
    (s.volumes ?? []).forEach((v, i) => {
      const prev = tmpfsAt.get(v.target);
      if (prev !== undefined) add("CONFIG_INVALID", [...base, "volumes", i], `target ${v.target} is already mounted by tmpfs[${prev}]`, "mount one thing per container path: change one of the targets");
      if (v.type === "bind" && (v.source === undefined || v.source === "")) {
        add("CONFIG_INVALID", [...base, "volumes", i], `bind mount at ${v.target} has no source`, "set `source:` to the host path to mount");
      }
    });
    (s.develop?.watch ?? []).forEach((rule, i) => {
      if (SYNC_ACTIONS.has(rule.action) && !rule.target) {
        add("CONFIG_INVALID", [...base, "develop", "watch", i], `watch rule with action "${rule.action}" needs a target`, "set `target:` to the path inside the container");
      }
    });
  }

  // container names are unique on an engine: two services cannot share one
  const byContainerName = new Map<string, string>();
  for (const [name, s] of Object.entries(model.services)) {
    if (s.container_name === undefined) continue;
    const other = byContainerName.get(s.container_name);
    if (other !== undefined) {
      add("CONFIG_INVALID", ["services", name, "container_name"], `services "${other}" and "${name}" both use container_name "${s.container_name}"`, "container names are unique: give each service its own");
    } else byContainerName.set(s.container_name, name);
  }

  // external networks are looked up, never created: creation attributes have no effect there.
  // Compose accepts and ignores them, so this is a warning (external volumes: see checkRawModel).
  for (const [key, res] of Object.entries(model.networks)) {
    if (!res.external) continue;
    for (const attr of ["driver", "driver_opts", "ipam", "internal", "attachable", "enable_ipv6"]) {
      if ((res as unknown as Record<string, unknown>)[attr] === undefined) continue;
      warn(["networks", key, attr], `network "${key}" is external: "${attr}" has no effect (the network is created elsewhere)`);
    }
  }

  for (const cycle of findDependencyCycles(model.services)) {
    const first = cycle[0]!;
    add("DEPENDENCY_CYCLE", ["services", first, "depends_on", cycle[1]!], `dependency cycle: ${cycle.join(" -> ")}`, "remove one of these dependencies");
  }

  for (const [key, secret] of Object.entries(model.secrets)) {
    if (!secret.external && secret.file === undefined && secret.environment === undefined) {
      add("CONFIG_INVALID", ["secrets", key], `secret "${key}" must declare either file or environment`, "add `file:` or `environment:`, or mark it `external: true`");
    }
  }
  for (const [key, config] of Object.entries(model.configs)) {
    if (!config.external && config.file === undefined && config.environment === undefined && config.content === undefined) {
      add("CONFIG_INVALID", ["configs", key], `config "${key}" must declare either file, environment or content`, "add `file:`, `environment:` or `content:`, or mark it `external: true`");
    }
  }
}

function rawMap(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Checks compose-go makes on the merged model before it is normalized (its `validation`
 * package and its mapping decoder): they see the attributes as written.
 */
export function checkRawModel(doc: Record<string, unknown>, locations: Locations, issues: IssueCollector): void {
  const add = (path: PathSegment[], message: string, hint: string): void => {
    const loc = locations.find(path);
    issues.add({ code: "CONFIG_INVALID", message, path: formatPath(path), ...(loc ? { location: loc } : {}), hint });
  };
  // an external volume is only a name to look up
  for (const [key, v] of Object.entries(rawMap(doc["volumes"]) ?? {})) {
    const vol = rawMap(v);
    if (vol === undefined || vol["external"] !== true) continue;
    for (const attr of Object.keys(vol)) {
      if (attr === "name" || attr === "external" || attr.startsWith("x-")) continue;
      add(["volumes", key, attr], `conflicting parameters "external" and "${attr}" specified for volume "${key}"`, `remove "${attr}" (an external volume is created elsewhere), or remove "external: true"`);
    }
  }
  // secrets and configs: one source of content
  const fileObject = (kind: "secrets" | "configs", keys: readonly string[]): void => {
    for (const [key, v] of Object.entries(rawMap(doc[kind]) ?? {})) {
      const obj = rawMap(v);
      if (obj === undefined) continue;
      const set = keys.filter((k) => k in obj);
      if (set.length > 1) {
        add([kind, key, set[1]!], `${kind.slice(0, -1)} "${key}": ${keys.join("|")} attributes are mutually exclusive (${set.join(" and ")} are set)`, `keep only one of ${set.join(", ")}`);
      }
    }
  };
  fileObject("configs", ["file", "environment", "content"]);
  fileObject("secrets", ["file", "environment"]);

  for (const [name, sv] of Object.entries(rawMap(doc["services"]) ?? {})) {
    const svc = rawMap(sv);
    if (svc === undefined) continue;
    const base: PathSegment[] = ["services", name];
    // `KEY = value` in a list: the name would end with a space
    const listWithEquals = (path: PathSegment[], list: unknown, what: string): void => {
      if (!Array.isArray(list)) return;
      list.forEach((e, i) => {
        if (typeof e !== "string") return;
        const eq = e.indexOf("=");
        const k = eq < 0 ? e : e.slice(0, eq);
        if (k !== "" && /\s$/.test(k)) {
          add([...path, i], `${what} ${k.trim()} is declared with a trailing space ("${e}")`, `write ${k.trim()}=${eq < 0 ? "" : e.slice(eq + 1).trimStart()} (no spaces around =)`);
        }
      });
    };
    listWithEquals([...base, "environment"], svc["environment"], "environment variable");
    const build = rawMap(svc["build"]);
    if (build !== undefined) listWithEquals([...base, "build", "args"], build["args"], "build argument");
    // device requests: count or device_ids
    const deviceRequest = (path: PathSegment[], v: unknown): void => {
      const d = rawMap(v);
      if (d !== undefined && "count" in d && "device_ids" in d) {
        add(path, `"count" and "device_ids" attributes are exclusive`, "ask for a number of devices (count) or for given devices (device_ids), not both");
      }
    };
    const devices = rawMap(rawMap(rawMap(svc["deploy"])?.["resources"])?.["reservations"])?.["devices"];
    if (Array.isArray(devices)) devices.forEach((d, i) => deviceRequest([...base, "deploy", "resources", "reservations", "devices", i], d));
    if (Array.isArray(svc["gpus"])) (svc["gpus"] as unknown[]).forEach((d, i) => deviceRequest([...base, "gpus", i], d));
    // long-syntax ports: host_ip must be an IP address
    if (Array.isArray(svc["ports"])) {
      (svc["ports"] as unknown[]).forEach((p, i) => {
        const hostIp = rawMap(p)?.["host_ip"];
        if (typeof hostIp === "string" && isIP(hostIp) === 0) {
          add([...base, "ports", i, "host_ip"], `invalid ip address: ${hostIp}`, "use an IPv4 or IPv6 address such as 127.0.0.1");
        }
      });
    }
    // develop.watch paths cannot be blank
    const watch = rawMap(svc["develop"])?.["watch"];
    if (Array.isArray(watch)) {
      watch.forEach((w, i) => {
        if (rawMap(w)?.["path"] === "") add([...base, "develop", "watch", i, "path"], "watch path can't be blank", "set `path:` to the file or directory to watch");
      });
    }
  }
}

const REMOTE_CONTEXT = /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)|^[a-z][a-z0-9+.-]*:/i;

/**
 * The files and directories a project needs, checked before any engine call (issue 10: bad input
 * touches nothing): label files, secret and config files, build contexts and Dockerfiles, and bind
 * sources that are not created on demand (`create_host_path: false`). Env files are read (and so
 * checked) by the normalizer. A build whose service also names an image is only a warning: Compose
 * runs it without building when the image exists.
 */
export function checkFiles(
  model: ComposeModel,
  locations: Locations,
  issues: IssueCollector,
  warnings: string[],
  kind: (path: string) => "file" | "dir" | "other" | undefined,
): void {
  const report = (path: PathSegment[], message: string, hint: string, asWarning = false): void => {
    const loc = locations.find(path);
    if (asWarning) warnings.push(`${loc ? `${formatLocation(loc)}: ` : ""}${formatPath(path)}: ${message}`);
    else issues.add({ code: "CONFIG_INVALID", message, path: formatPath(path), ...(loc ? { location: loc } : {}), hint });
  };
  const needFile = (path: PathSegment[], file: string, what: string, asWarning = false): void => {
    const k = kind(file);
    if (k === "file" || k === "other") return;
    report(path, k === "dir" ? `${what} ${file} is a directory, not a file` : `${what} ${file} does not exist`, `create it, or fix the path (relative paths start from the project directory)`, asWarning);
  };
  for (const [kindName, defs] of [["secrets", model.secrets], ["configs", model.configs]] as const) {
    for (const [key, def] of Object.entries(defs)) {
      if (def.external || def.file === undefined) continue;
      needFile([kindName, key, "file"], def.file, `${kindName.slice(0, -1)} "${key}": file`);
    }
  }
  for (const [name, s] of Object.entries(model.services)) {
    const base: PathSegment[] = ["services", name];
    const labelFiles = (s as { label_file?: unknown }).label_file;
    if (Array.isArray(labelFiles)) labelFiles.forEach((f, i) => typeof f === "string" && needFile([...base, "label_file", i], f, "label file"));
    const build = s.build;
    if (build !== undefined && typeof build.context === "string" && !REMOTE_CONTEXT.test(build.context)) {
      const soft = s.image !== undefined;
      const k = kind(build.context);
      if (k !== "dir") {
        report([...base, "build", "context"], k === undefined ? `build context ${build.context} does not exist` : `build context ${build.context} is not a directory`, "create the directory, or fix build.context (relative to the project directory)", soft);
      } else if (build.dockerfile_inline === undefined) {
        const df = build.dockerfile ?? "Dockerfile";
        const full = isAbsolute(df) ? df : join(build.context, df);
        needFile([...base, "build", build.dockerfile !== undefined ? "dockerfile" : "context"], full, "Dockerfile", soft);
      }
    }
    (s.volumes ?? []).forEach((v, i) => {
      if (v.type !== "bind" || v.bind?.create_host_path !== false || v.source === undefined || v.source === "") return;
      if (kind(v.source) === undefined) {
        report([...base, "volumes", i], `bind source ${v.source} does not exist (create_host_path: false)`, "create it on the host, or drop create_host_path: false to let the engine create it");
      }
    });
  }
}
