/**
 * A Swarm plan as plain text lines (`stack deploy --dry-run`, and the summary before a deploy).
 * Pure: returns strings; the CLI prints them. Never prints secret data (the plan carries none
 * outside the create-object specs, which are not printed).
 */
import type { DependencyEdge } from "../../graph/graph.js";
import type { SwarmAction, SwarmPlan } from "./plan.js";

const CONDITION: Record<DependencyEdge["condition"], string> = {
  service_started: "running",
  service_healthy: "healthy",
  service_completed_successfully: "completed",
};

function after(waitFor: readonly DependencyEdge[]): string {
  if (waitFor.length === 0) return "";
  return `; after ${waitFor.map((e) => `${e.service} (${CONDITION[e.condition]}${e.required ? "" : ", optional"})`).join(", ")}`;
}

function line(a: SwarmAction): string | undefined {
  const row = (what: string, name: string, verb: string, why: string): string => `  ${what.padEnd(7)} ${name.padEnd(32)} ${verb.padEnd(9)} ${why}`.trimEnd();
  switch (a.kind) {
    case "create-object":
      return row(a.object, a.name, "create", a.reason);
    case "keep-object":
      return undefined;
    case "create-network":
      return row("network", a.name, "create", a.reason);
    case "keep-network":
      return a.changed !== undefined ? row("network", a.name, "kept", a.changed) : undefined;
    case "create-service":
      return row("service", a.name, "create", `${a.reason}${after(a.waitFor)}`);
    case "update-service":
      return row("service", a.name, "update", `${a.reasons.join("; ")}${after(a.waitFor)}`);
    case "unchanged-service":
      return row("service", a.name, "unchanged", "spec-hash equal, not updated");
    case "orphan-service":
      return row("service", a.name, a.remove ? "remove" : "orphan", a.reason);
    case "remove-network":
      return row("network", a.name, "remove", a.reason);
    case "prune-object":
      return row(a.object, a.name, "prune", a.reason);
  }
}

/** Count of each kind of change, e.g. `2 to create, 1 to update, 3 unchanged, 1 orphaned`. */
export function planSummary(plan: SwarmPlan): string {
  const n = (f: (a: SwarmAction) => boolean): number => plan.actions.filter(f).length;
  const parts: string[] = [];
  const create = n((a) => a.kind === "create-service");
  const update = n((a) => a.kind === "update-service");
  const same = n((a) => a.kind === "unchanged-service");
  const orphan = n((a) => a.kind === "orphan-service" && !a.remove);
  const remove = n((a) => a.kind === "orphan-service" && a.remove);
  const objects = n((a) => a.kind === "create-object");
  const pruned = n((a) => a.kind === "prune-object");
  const nets = n((a) => a.kind === "create-network");
  if (create) parts.push(`${create} to create`);
  if (update) parts.push(`${update} to update`);
  if (same) parts.push(`${same} unchanged`);
  if (remove) parts.push(`${remove} to remove`);
  if (orphan) parts.push(`${orphan} orphaned`);
  const extra: string[] = [];
  if (nets) extra.push(`${nets} network${nets === 1 ? "" : "s"}`);
  if (objects) extra.push(`${objects} secret/config version${objects === 1 ? "" : "s"} to create`);
  if (pruned) extra.push(`${pruned} to prune`);
  return `stack ${plan.stack}: services ${parts.length > 0 ? parts.join(", ") : "none"}${extra.length > 0 ? `; ${extra.join(", ")}` : ""}`;
}

/** The plan as lines: a summary, then one line per change in the order it is applied. */
export function renderPlan(plan: SwarmPlan, options: { dryRun?: boolean } = {}): string[] {
  const lines = [`${options.dryRun ? "dry run: " : ""}${planSummary(plan)}`];
  for (const a of plan.actions) {
    const l = line(a);
    if (l !== undefined) lines.push(l);
  }
  if (plan.actions.some((a) => (a.kind === "create-service" || a.kind === "update-service") && a.waitFor.length > 0)) {
    lines.push("  depends_on orders this deploy (each service waits for its dependencies); Swarm does not keep that order when it reschedules tasks later");
  }
  if (lines.length === 1) lines.push("  nothing to change");
  return lines;
}
