/**
 * Checks on one service's own attributes: port numbers, attributes that contradict each other
 * (scale and container_name, cpus and its deploy twin...), mount targets and watch rules.
 */
import type { PathSegment } from "../locations.js";
import type { ServiceConfig } from "../model.js";
import { parseBytes } from "../units.js";
import type { CheckReport } from "./report.js";

const SYNC_ACTIONS = new Set(["sync", "sync+restart", "sync+exec"]);

function portRangeProblem(spec: string): string | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec);
  if (!m) return `published port ${JSON.stringify(spec)} is not a port or a range`;
  const start = Number(m[1]);
  const end = m[2] !== undefined ? Number(m[2]) : start;
  for (const n of [start, end]) if (n < 1 || n > 65535) return `published port ${n} is outside 1-65535`;
  if (end < start) return `published range ${spec} ends before it starts`;
  return undefined;
}

function bytesOrNaN(v: string | number): number {
  try {
    return parseBytes(v);
  } catch {
    return Number.NaN;
  }
}

/** Container ports in 1-65535; published ports and ranges well formed. */
export function checkPorts(name: string, s: ServiceConfig, report: CheckReport): void {
  (s.ports ?? []).forEach((p, i) => {
    const path: PathSegment[] = ["services", name, "ports", i];
    if (!Number.isInteger(p.target) || p.target < 1 || p.target > 65535) {
      report.invalid(path, `port ${p.target} is outside 1-65535`, "use a container port between 1 and 65535");
    }
    if (p.published !== undefined) {
      const problem = portRangeProblem(p.published);
      if (problem) report.invalid(path, problem, "use a host port between 1 and 65535, or a range like 8000-8010");
    }
  });
}

/** Replicas, healthcheck test, image or build, and resource limits: what the schema cannot compare. */
export function checkAttributeConflicts(name: string, s: ServiceConfig, report: CheckReport): void {
  const base: PathSegment[] = ["services", name];
  const replicas = s.scale ?? s.deploy?.replicas ?? 1;
  if (s.container_name !== undefined && replicas > 1) {
    report.invalid([...base, "container_name"], `service "${name}" sets container_name "${s.container_name}" but asks for ${replicas} replicas`, "container names are unique: remove container_name or use one replica");
  }
  if (s.scale !== undefined && s.scale < 0) report.invalid([...base, "scale"], `scale must not be negative (got ${s.scale})`, "use 0 or more");
  if (s.deploy?.replicas !== undefined && s.deploy.replicas < 0) {
    report.invalid([...base, "deploy", "replicas"], `deploy.replicas must not be negative (got ${s.deploy.replicas})`, "use 0 or more");
  }
  const test = s.healthcheck?.test;
  if (test !== undefined && test.length > 0 && !["CMD", "CMD-SHELL", "NONE"].includes(test[0]!)) {
    report.invalid([...base, "healthcheck", "test"], `healthcheck.test must start with "CMD", "CMD-SHELL" or "NONE" (got "${test[0]}")`, 'write ["CMD", "prog", "arg"], ["CMD-SHELL", "a shell command"], or a plain string');
  }
  const limits = s.deploy?.resources?.limits;
  if (s.cpus !== undefined && limits?.cpus !== undefined && Number(s.cpus) !== Number(limits.cpus)) {
    report.invalid([...base, "cpus"], `cpus (${s.cpus}) and deploy.resources.limits.cpus (${limits.cpus}) disagree`, "set only one of them, or the same value");
  }
  if (s.mem_limit !== undefined && limits?.memory !== undefined && bytesOrNaN(s.mem_limit) !== bytesOrNaN(limits.memory)) {
    report.invalid([...base, "mem_limit"], `mem_limit (${s.mem_limit}) and deploy.resources.limits.memory (${limits.memory}) disagree`, "set only one of them, or the same value");
  }
  const platforms = s.build?.platforms;
  if (s.platform !== undefined && platforms !== undefined && platforms.length > 0 && !platforms.includes(s.platform)) {
    report.invalid([...base, "platform"], `platform "${s.platform}" is not one of build.platforms (${platforms.join(", ")})`, "add it to build.platforms or change platform");
  }
  if (s.image === undefined && s.build === undefined && s["provider"] === undefined) {
    report.invalid(base, `service "${name}" has neither an image nor a build context`, "add `image:` or `build:`");
  }
  if (s.build?.dockerfile !== undefined && s.build.dockerfile_inline !== undefined) {
    report.invalid([...base, "build", "dockerfile_inline"], `service "${name}" sets both build.dockerfile and build.dockerfile_inline`, "keep only one of them");
  }
  const reservations = s.deploy?.resources?.reservations;
  if (s.mem_reservation !== undefined && reservations?.memory !== undefined && bytesOrNaN(s.mem_reservation) !== bytesOrNaN(reservations.memory)) {
    report.invalid([...base, "mem_reservation"], `mem_reservation (${s.mem_reservation}) and deploy.resources.reservations.memory (${reservations.memory}) disagree`, "set only one of them, or the same value");
  }
  const limitPids = limits?.pids;
  if (s.pids_limit !== undefined && s.pids_limit !== 0 && limitPids !== undefined && Number(limitPids) !== s.pids_limit) {
    report.invalid([...base, "pids_limit"], `pids_limit (${s.pids_limit}) and deploy.resources.limits.pids (${limitPids}) disagree`, "set only one of them, or the same value");
  }
}

/** tmpfs entries and volumes cannot share a target (volumes among themselves: checkVolumes); binds need a source. */
export function checkMountTargets(name: string, s: ServiceConfig, report: CheckReport): void {
  const base: PathSegment[] = ["services", name];
  const tmpfsAt = new Map<string, number>();
  (s.tmpfs ?? []).forEach((t, i) => {
    const target = t.split(":")[0]!;
    const prev = tmpfsAt.get(target);
    if (prev !== undefined) report.invalid([...base, "tmpfs", i], `target ${target} is already mounted by tmpfs[${prev}]`, "mount one thing per container path: change one of the targets");
    else tmpfsAt.set(target, i);
  });
  (s.volumes ?? []).forEach((v, i) => {
    const prev = tmpfsAt.get(v.target);
    if (prev !== undefined) report.invalid([...base, "volumes", i], `target ${v.target} is already mounted by tmpfs[${prev}]`, "mount one thing per container path: change one of the targets");
    if (v.type === "bind" && (v.source === undefined || v.source === "")) {
      report.invalid([...base, "volumes", i], `bind mount at ${v.target} has no source`, "set `source:` to the host path to mount");
    }
  });
}

/** Sync watch rules need a target inside the container. */
export function checkWatchRules(name: string, s: ServiceConfig, report: CheckReport): void {
  (s.develop?.watch ?? []).forEach((rule, i) => {
    if (SYNC_ACTIONS.has(rule.action) && !rule.target) {
      report.invalid(["services", name, "develop", "watch", i], `watch rule with action "${rule.action}" needs a target`, "set `target:` to the path inside the container");
    }
  });
}
