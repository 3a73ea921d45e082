/**
 * References a service makes: to other services (links, `service:` namespaces, volumes_from,
 * depends_on) and to top-level resources (networks, volumes, secrets, configs). An unknown
 * name is reported with the closest known one as a hint.
 */
import type { PathSegment } from "../locations.js";
import type { ComposeModel, ServiceConfig } from "../model.js";
import type { CheckReport } from "./report.js";

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

/** The closest candidate to `name` (compared ignoring case unless told not to), if one is close enough to be a likely typo. */
export function closestName(name: string, candidates: Iterable<string>, ignoreCase = true): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = ignoreCase ? distance(name.toLowerCase(), c.toLowerCase()) : distance(name, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Links, `service:` namespaces, volumes_from and depends_on naming a service that is not there. */
export function checkServiceReferences(model: ComposeModel, name: string, s: ServiceConfig, report: CheckReport): void {
  const base: PathSegment[] = ["services", name];
  const reported = new Set<string>();
  const unknown = (path: PathSegment[], target: string, what: string): void => {
    const close = closestName(target, Object.keys(model.services).filter((n) => n !== name));
    report.invalid(
      path,
      `service "${name}" ${what} undefined service "${target}"`,
      close ? `did you mean "${close}"?` : `define a service "${target}" or remove the reference`,
    );
  };
  (s.links ?? []).forEach((link, i) => {
    const target = link.split(":")[0]!;
    if (!(target in model.services)) {
      reported.add(target);
      unknown([...base, "links", i], target, "links to");
    }
  });
  for (const key of ["network_mode", "ipc", "pid", "uts", "cgroup"] as const) {
    const v = s[key];
    if (typeof v === "string" && v.startsWith("service:")) {
      const target = v.slice("service:".length);
      if (!(target in model.services)) {
        reported.add(target);
        unknown([...base, key], target, `uses the ${key} of`);
      }
    }
  }
  (s.volumes_from ?? []).forEach((from, i) => {
    if (from.startsWith("container:")) return;
    const target = from.split(":")[0]!;
    if (!(target in model.services)) {
      reported.add(target);
      unknown([...base, "volumes_from", i], target, "mounts volumes from");
    }
  });
  for (const [dep, entry] of Object.entries(s.depends_on ?? {})) {
    if (dep in model.services || reported.has(dep) || entry.required === false) continue;
    unknown([...base, "depends_on", dep], dep, "depends on");
  }
}

/** Networks a service joins that the top level does not declare; network_mode with networks. */
export function checkNetworks(model: ComposeModel, name: string, s: ServiceConfig, report: CheckReport): void {
  const base: PathSegment[] = ["services", name];
  if (s.networks) {
    for (const net of Object.keys(s.networks)) {
      if (net in model.networks) continue;
      const close = closestName(net, Object.keys(model.networks));
      report.invalid([...base, "networks", net], `service "${name}" uses undefined network "${net}"`, close ? `did you mean "${close}"?` : `declare it under the top-level \`networks:\``);
    }
  }
  if (s.network_mode !== undefined && s.networks !== undefined && Object.keys(s.networks).length > 0) {
    report.invalid([...base, "network_mode"], `service "${name}" sets both network_mode and networks`, "use one of them: network_mode replaces the service's networks");
  }
}

/** Named volumes the top level does not declare, and two mounts at one target (in mount order). */
export function checkVolumes(model: ComposeModel, name: string, s: ServiceConfig, report: CheckReport): void {
  const base: PathSegment[] = ["services", name];
  const targets = new Map<string, number>();
  (s.volumes ?? []).forEach((m, i) => {
    if (m.type === "volume" && m.source !== undefined && !(m.source in model.volumes)) {
      const close = closestName(m.source, Object.keys(model.volumes));
      report.invalid([...base, "volumes", i], `service "${name}" uses undefined volume "${m.source}"`, close ? `did you mean "${close}"?` : "declare it under the top-level `volumes:`, or use a path starting with ./ or / for a bind mount");
    }
    const prev = targets.get(m.target);
    if (prev !== undefined) {
      report.invalid([...base, "volumes", i], `service "${name}" mounts two volumes at "${m.target}" (entries ${prev} and ${i})`, "each mount needs its own target path");
    } else targets.set(m.target, i);
  });
}

/** Secrets and configs a service uses that the top level does not declare. */
export function checkSecretsAndConfigs(model: ComposeModel, name: string, s: ServiceConfig, report: CheckReport): void {
  for (const kind of ["secrets", "configs"] as const) {
    (s[kind] ?? []).forEach((ref, i) => {
      if (ref.source in model[kind]) return;
      const close = closestName(ref.source, Object.keys(model[kind]));
      report.invalid(["services", name, kind, i], `service "${name}" uses undefined ${kind === "secrets" ? "secret" : "config"} "${ref.source}"`, close ? `did you mean "${close}"?` : `declare it under the top-level \`${kind}:\``);
    });
  }
}
