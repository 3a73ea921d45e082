/**
 * Profiles: a service without `profiles` is always enabled; otherwise it is enabled when one
 * of its profiles is active (`*` activates all). Services named on the command line are
 * enabled too (with their profiles, as Compose does) together with everything they depend
 * on, transitively. A required dependency of an enabled service on a disabled one is an error.
 */
import type { IssueCollector } from "../errors.js";
import type { Locations } from "./locations.js";
import type { ServiceConfig } from "./model.js";

/** `--profile` values when given, else `COMPOSE_PROFILES` (comma-separated). Deduplicated, in order. */
export function activeProfiles(
  flags: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const raw = flags !== undefined && flags.length > 0 ? flags.flatMap((f) => f.split(",")) : (env["COMPOSE_PROFILES"] ?? "").split(",");
  const out: string[] = [];
  for (const p of raw.map((s) => s.trim())) if (p !== "" && !out.includes(p)) out.push(p);
  return out;
}

export function serviceHasActiveProfile(service: ServiceConfig, profiles: readonly string[]): boolean {
  const own = service.profiles;
  if (own === undefined || own.length === 0) return true;
  if (profiles.includes("*")) return true;
  return own.some((p) => profiles.includes(p));
}

/** The services `service` needs: depends_on plus links, volumes_from and `service:` namespaces. */
export function serviceDependencies(service: ServiceConfig): string[] {
  const out = new Set<string>(Object.keys(service.depends_on ?? {}));
  for (const l of service.links ?? []) out.add(l.split(":")[0]!);
  for (const v of service.volumes_from ?? []) {
    if (!v.startsWith("container:")) out.add(v.split(":")[0]!);
  }
  for (const ns of [service.network_mode, service.ipc, service.pid, service.uts, service.cgroup]) {
    if (typeof ns === "string" && ns.startsWith("service:")) out.add(ns.slice("service:".length));
  }
  return [...out];
}

export interface ProfileSelection {
  enabled: Record<string, ServiceConfig>;
  disabled: Record<string, ServiceConfig>;
  /** Active profiles, including those switched on by services named on the command line. */
  profiles: string[];
}

/**
 * Splits `services` into enabled and disabled. Problems (unknown named service, required
 * dependency on a disabled service) are added to `issues`. `depends_on` entries with
 * `required: false` that point at a disabled service are dropped from the enabled service.
 */
export function applyProfiles(
  services: Readonly<Record<string, ServiceConfig>>,
  profiles: readonly string[],
  requested: readonly string[] | undefined,
  locations: Locations,
  issues: IssueCollector,
): ProfileSelection {
  const active = [...profiles];
  const names = Object.keys(services);
  const forced = new Set<string>();

  const queue: string[] = [];
  for (const name of requested ?? []) {
    const svc = services[name];
    if (svc === undefined) {
      issues.add({
        code: "NO_SUCH_SERVICE",
        message: `no such service: ${name}`,
        hint: names.length > 0 ? `services in this project: ${names.join(", ")}` : "the project defines no services",
      });
      continue;
    }
    for (const p of svc.profiles ?? []) if (!active.includes(p)) active.push(p);
    queue.push(name);
  }
  // Named services pull in their dependencies, transitively.
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (forced.has(name)) continue;
    forced.add(name);
    for (const dep of serviceDependencies(services[name]!)) if (services[dep] !== undefined && !forced.has(dep)) queue.push(dep);
  }

  const enabled: Record<string, ServiceConfig> = {};
  const disabled: Record<string, ServiceConfig> = {};
  for (const name of names) {
    const svc = services[name]!;
    if (forced.has(name) || serviceHasActiveProfile(svc, active)) enabled[name] = svc;
    else disabled[name] = svc;
  }

  for (const [name, svc] of Object.entries(enabled)) {
    const deps = svc.depends_on;
    let trimmed: ServiceConfig["depends_on"] | undefined;
    for (const dep of serviceDependencies(svc)) {
      const target = disabled[dep];
      if (target === undefined) continue;
      const entry = deps?.[dep];
      if (entry !== undefined && entry.required === false) {
        trimmed ??= { ...deps };
        delete trimmed[dep];
        continue;
      }
      const theirs = target.profiles ?? [];
      const path = entry !== undefined ? ["services", name, "depends_on", dep] : ["services", name];
      issues.add({
        code: "CONFIG_INVALID",
        message: `service "${name}" depends on service "${dep}", which is disabled by profiles`,
        path: `services.${name}${entry !== undefined ? `.depends_on.${dep}` : ""}`,
        location: locations.find(path),
        hint:
          theirs.length > 0
            ? `enable it with ${theirs.map((p) => `--profile ${p}`).join(" or ")} (or COMPOSE_PROFILES=${theirs[0]}), or mark the dependency required: false`
            : `enable its profile, or mark the dependency required: false`,
      });
    }
    if (trimmed !== undefined) enabled[name] = { ...svc, depends_on: trimmed };
  }
  return { enabled, disabled, profiles: active };
}
