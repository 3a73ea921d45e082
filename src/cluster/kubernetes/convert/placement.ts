/**
 * Swarm placement as Kubernetes scheduling: `deploy.placement.constraints` on node labels or the
 * platform become required node affinity, `preferences: spread` a topology spread constraint.
 */
import type { Affinity, TopologySpreadConstraint } from "kubernetes-types/core/v1.js";
import type { ServiceConfig } from "../../../spec/model.js";
import { isLabelKey } from "../names.js";

function constraintExpr(c: string): { key: string; operator: "In" | "NotIn"; values: string[] } | undefined {
  const m = /^\s*([\w.\-/]+)\s*(==|!=)\s*(.+?)\s*$/.exec(c);
  if (!m) return undefined;
  const [, lhs, op, value] = m as unknown as [string, string, string, string];
  let key: string | undefined;
  if (lhs.startsWith("node.labels.")) key = lhs.slice("node.labels.".length);
  else if (lhs === "node.platform.os") key = "kubernetes.io/os";
  else if (lhs === "node.platform.arch") key = "kubernetes.io/arch";
  if (key === undefined) return undefined;
  return { key, operator: op === "==" ? "In" : "NotIn", values: [value] };
}

export function affinityOf(svc: ServiceConfig): Affinity | undefined {
  const placement = svc.deploy?.["placement"] as { constraints?: string[] } | undefined;
  const exprs = (placement?.constraints ?? []).map(constraintExpr).filter((e): e is NonNullable<typeof e> => e !== undefined);
  if (exprs.length === 0) return undefined;
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } } };
}

export function spreadOf(svc: ServiceConfig, selector: Record<string, string>): TopologySpreadConstraint[] {
  const placement = svc.deploy?.["placement"] as { preferences?: { spread?: string }[] } | undefined;
  const out: TopologySpreadConstraint[] = [];
  for (const p of placement?.preferences ?? []) {
    if (typeof p.spread !== "string") continue;
    const key = p.spread.startsWith("node.labels.")
      ? p.spread.slice("node.labels.".length)
      : p.spread === "node.hostname" || p.spread === "node.id"
        ? "kubernetes.io/hostname"
        : undefined;
    if (key === undefined || !isLabelKey(key)) continue;
    out.push({ maxSkew: 1, topologyKey: key, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } });
  }
  return out;
}
