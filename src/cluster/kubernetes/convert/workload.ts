/**
 * The workload that runs a service's pods: a Job for a one-shot service (restart policy and backoff
 * from Compose's restart settings), else a Deployment, StatefulSet or DaemonSet with the update
 * strategy of `deploy.update_config`.
 */
import type { PodSpec } from "kubernetes-types/core/v1.js";
import type { ServiceConfig } from "../../../spec/model.js";
import { parseDuration } from "../../../spec/units.js";
import type { KubeObject } from "../types.js";
import { replicasOf, type Kind } from "./kinds.js";

export interface WorkloadInput {
  svc: ServiceConfig;
  kind: Kind;
  name: string;
  metadata: KubeObject["metadata"];
  selector: Record<string, string>;
  /** The pod template; its spec's restartPolicy is set here. */
  template: { metadata: Record<string, unknown>; spec: PodSpec };
}

export function workloadOf(w: WorkloadInput): KubeObject {
  const { svc, kind, template } = w;
  const pod = template.spec;
  const replicas = replicasOf(svc);
  if (kind === "Job") {
    const onFailure = svc.restart === "on-failure" || svc.restart?.startsWith("on-failure:") === true || svc.deploy?.restart_policy?.condition === "on-failure";
    pod.restartPolicy = onFailure ? "OnFailure" : "Never";
    const attempts =
      svc.deploy?.restart_policy?.max_attempts ??
      (/^on-failure:(\d+)$/.exec(svc.restart ?? "")?.[1] !== undefined ? Number(/^on-failure:(\d+)$/.exec(svc.restart ?? "")![1]) : undefined);
    return {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: w.metadata,
      spec: {
        ...(replicas !== 1 ? { completions: replicas, parallelism: replicas } : {}),
        backoffLimit: attempts ?? (onFailure ? 6 : 0),
        template,
      },
    };
  }
  pod.restartPolicy = "Always";
  const spec: Record<string, unknown> = {};
  if (kind !== "DaemonSet") spec["replicas"] = replicas;
  spec["selector"] = { matchLabels: w.selector };
  if (kind === "StatefulSet") spec["serviceName"] = w.name;
  const strategy = strategyOf(svc, kind);
  if (strategy.minReadySeconds !== undefined) spec["minReadySeconds"] = strategy.minReadySeconds;
  if (strategy.field !== undefined) spec[kind === "Deployment" ? "strategy" : "updateStrategy"] = strategy.field;
  spec["template"] = template;
  return { apiVersion: "apps/v1", kind, metadata: w.metadata, spec };
}

function strategyOf(svc: ServiceConfig, kind: Kind): { field?: Record<string, unknown>; minReadySeconds?: number } {
  const uc = svc.deploy?.["update_config"] as { parallelism?: number; order?: string; delay?: string; monitor?: string } | undefined;
  if (!uc) return {};
  const p = typeof uc.parallelism === "number" && uc.parallelism > 0 ? uc.parallelism : 1;
  const startFirst = uc.order === "start-first";
  let wait = 0;
  for (const d of [uc.delay, uc.monitor]) {
    if (d === undefined) continue;
    try {
      wait += parseDuration(d) / 1000;
    } catch {
      /* reported by the schema */
    }
  }
  const minReadySeconds = wait > 0 ? Math.ceil(wait) : undefined;
  const out: { field?: Record<string, unknown>; minReadySeconds?: number } = minReadySeconds !== undefined ? { minReadySeconds } : {};
  if (kind === "StatefulSet") out.field = { type: "RollingUpdate" };
  else out.field = { type: "RollingUpdate", rollingUpdate: startFirst ? { maxSurge: p, maxUnavailable: 0 } : { maxSurge: 0, maxUnavailable: p } };
  return out;
}
