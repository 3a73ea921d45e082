/**
 * Semantic checks on the normalized model: what the JSON schema cannot see (references between
 * services and resources, dependency cycles, port numbers, conflicting attributes). Every problem
 * becomes an issue with its model path and source location; nothing is thrown.
 */
import type { ErrorCode, IssueCollector } from "../errors.js";
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

export function checkModel(model: ComposeModel, locations: Locations, issues: IssueCollector): void {
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

  // external resources are looked up, never created: creation attributes have no effect there
  const creation = { networks: ["driver", "driver_opts", "ipam", "internal", "attachable", "enable_ipv6"], volumes: ["driver", "driver_opts"] } as const;
  for (const kind of ["networks", "volumes"] as const) {
    for (const [key, res] of Object.entries(model[kind])) {
      if (!res.external) continue;
      for (const attr of creation[kind]) {
        if ((res as unknown as Record<string, unknown>)[attr] === undefined) continue;
        add("CONFIG_INVALID", [kind, key, attr], `${kind === "networks" ? "network" : "volume"} "${key}" is external: "${attr}" cannot be set`, `remove "${attr}" (an external ${kind === "networks" ? "network" : "volume"} is created elsewhere), or remove "external: true"`);
      }
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
