/**
 * Checks across the project: container names shared by two services, creation attributes on
 * external networks, dependency cycles, secrets and configs without a source.
 */
import type { ComposeModel, ServiceConfig } from "../model.js";
import type { CheckReport } from "./report.js";

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

/** Container names are unique on an engine: two services cannot share one. */
export function checkContainerNames(model: ComposeModel, report: CheckReport): void {
  const byContainerName = new Map<string, string>();
  for (const [name, s] of Object.entries(model.services)) {
    if (s.container_name === undefined) continue;
    const other = byContainerName.get(s.container_name);
    if (other !== undefined) {
      report.invalid(["services", name, "container_name"], `services "${other}" and "${name}" both use container_name "${s.container_name}"`, "container names are unique: give each service its own");
    } else byContainerName.set(s.container_name, name);
  }
}

/**
 * External networks are looked up, never created: creation attributes have no effect there.
 * Compose accepts and ignores them, so this is a warning (external volumes: see checkRawModel).
 */
export function warnExternalNetworkAttributes(model: ComposeModel, report: CheckReport): void {
  for (const [key, res] of Object.entries(model.networks)) {
    if (!res.external) continue;
    for (const attr of ["driver", "driver_opts", "ipam", "internal", "attachable", "enable_ipv6"]) {
      if ((res as unknown as Record<string, unknown>)[attr] === undefined) continue;
      report.warn(["networks", key, attr], `network "${key}" is external: "${attr}" has no effect (the network is created elsewhere)`);
    }
  }
}

export function checkDependencyCycles(model: ComposeModel, report: CheckReport): void {
  for (const cycle of findDependencyCycles(model.services)) {
    const first = cycle[0]!;
    report.add("DEPENDENCY_CYCLE", ["services", first, "depends_on", cycle[1]!], `dependency cycle: ${cycle.join(" -> ")}`, "remove one of these dependencies");
  }
}

/** A secret or config that is not external needs somewhere to take its content from. */
export function checkContentSources(model: ComposeModel, report: CheckReport): void {
  for (const [key, secret] of Object.entries(model.secrets)) {
    if (!secret.external && secret.file === undefined && secret.environment === undefined) {
      report.invalid(["secrets", key], `secret "${key}" must declare either file or environment`, "add `file:` or `environment:`, or mark it `external: true`");
    }
  }
  for (const [key, config] of Object.entries(model.configs)) {
    if (!config.external && config.file === undefined && config.environment === undefined && config.content === undefined) {
      report.invalid(["configs", key], `config "${key}" must declare either file, environment or content`, "add `file:`, `environment:` or `content:`, or mark it `external: true`");
    }
  }
}
