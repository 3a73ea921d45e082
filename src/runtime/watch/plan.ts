/** Watch mode's pure first step: which services are watched with which rules, or why not. */
import * as path from "node:path";
import { ConfigError, FlotillaError, type ConfigIssue } from "../../errors.js";
import type { LoadedProject, ServiceConfig, WatchRule } from "../../spec/model.js";
import { relativeUnder } from "./matcher.js";

export const SYNC_ACTIONS: ReadonlySet<WatchRule["action"]> = new Set(["sync", "sync+restart", "sync+exec"]);
const ACTIONS: ReadonlySet<string> = new Set(["sync", "rebuild", "restart", "sync+restart", "sync+exec"]);

export interface WatchPlan {
  /** Services with at least one active rule, with their rules. */
  services: { name: string; rules: WatchRule[] }[];
  /** Services selected but not watched (no develop.watch). */
  unwatched: string[];
  warnings: string[];
}

function bindSources(svc: ServiceConfig): { source: string; target: string }[] {
  const out: { source: string; target: string }[] = [];
  for (const v of svc.volumes ?? []) {
    if (v.type === "bind" && typeof v.source === "string") out.push({ source: v.source, target: v.target });
  }
  return out;
}

/**
 * Check the watch configuration of the selected services before anything starts. Pure: throws a
 * ConfigError listing every invalid rule, or WATCH_FAILED when nothing is configured for watch.
 */
export function planWatch(config: LoadedProject, services?: readonly string[]): WatchPlan {
  const model = config.model;
  const names = services && services.length > 0 ? [...services] : Object.keys(model.services);
  const issues: ConfigIssue[] = [];
  const plan: WatchPlan = { services: [], unwatched: [], warnings: [] };
  for (const name of names) {
    const svc = model.services[name];
    if (!svc) {
      throw new FlotillaError("NO_SUCH_SERVICE", `no such service: ${name}`, {
        service: name,
        hint: `services: ${Object.keys(model.services).sort().join(", ")}`,
      });
    }
    const rules = svc.develop?.watch ?? [];
    if (rules.length === 0) {
      plan.unwatched.push(name);
      continue;
    }
    const active: WatchRule[] = [];
    rules.forEach((rule, i) => {
      const where = `services.${name}.develop.watch[${i}]`;
      const bad = (message: string, hint: string): void => {
        issues.push({ code: "CONFIG_INVALID", path: where, message, hint });
      };
      if (typeof rule.path !== "string" || rule.path === "") return bad("watch rule has no path", "set `path:` to a file or directory (relative to the project directory)");
      if (!ACTIONS.has(rule.action)) return bad(`unknown watch action "${String(rule.action)}"`, "use sync, rebuild, restart, sync+restart or sync+exec");
      if (SYNC_ACTIONS.has(rule.action) && !rule.target) return bad(`watch rule with action "${rule.action}" needs a target`, "set `target:` to the path inside the container");
      if (SYNC_ACTIONS.has(rule.action) && !path.posix.isAbsolute(rule.target ?? "")) {
        return bad(`watch target "${rule.target}" is not an absolute container path`, "write the target as an absolute path, e.g. /app");
      }
      if (rule.action === "sync+exec" && (!rule.exec || !Array.isArray(rule.exec.command) || rule.exec.command.length === 0)) {
        return bad('watch rule with action "sync+exec" needs exec.command', "add `exec: { command: [...] }`");
      }
      if (rule.action === "rebuild" && !svc.build) {
        return bad(`service "${name}" has no build section, so it cannot be rebuilt`, "add `build:` to the service or use a sync action");
      }
      if (SYNC_ACTIONS.has(rule.action)) {
        const mount = bindSources(svc).find((b) => relativeUnder(b.source, rule.path) !== undefined);
        if (mount) {
          plan.warnings.push(`${name}: path ${rule.path} is bind-mounted at ${mount.target}; the ${rule.action} rule is skipped (the container already sees the files)`);
          return;
        }
      }
      active.push(rule);
    });
    if (active.length > 0) plan.services.push({ name, rules: active });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  if (plan.services.length === 0) {
    throw new FlotillaError("WATCH_FAILED", `none of the selected services (${names.join(", ")}) is configured for watch`, {
      hint: "add a develop.watch section to a service (see the Compose develop specification)",
    });
  }
  return plan;
}
