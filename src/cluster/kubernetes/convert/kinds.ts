/**
 * What a Compose service becomes: its workload kind and replica count, and the `x-flotilla: {k8s}`
 * extension volumes, services and networks may carry.
 */
import type { ComposeModel, ServiceConfig } from "../../../spec/model.js";
import type { ServiceOutput } from "../types.js";

export type Kind = ServiceOutput["kind"];

/** The Kubernetes extension of a volume, service or network: `x-flotilla: {k8s: {...}}`. */
export function flotillaExtension(obj: Record<string, unknown> | undefined): Record<string, unknown> {
  const x = obj?.["x-flotilla"];
  if (x === null || typeof x !== "object") return {};
  const k = (x as Record<string, unknown>)["k8s"];
  return k !== null && typeof k === "object" ? (k as Record<string, unknown>) : {};
}

/** The workload kind a service becomes. */
export function workloadKind(svc: ServiceConfig, model: ComposeModel): Kind {
  const mode = svc.deploy?.mode;
  if (mode === "replicated-job" || mode === "global-job") return "Job";
  if (svc.restart === "no" || svc.deploy?.restart_policy?.condition === "none") return "Job";
  // another service waits for it to complete: a one-shot, whatever its restart policy says
  if (
    Object.values(model.services).some(
      (s) => s !== svc && Object.entries(s.depends_on ?? {}).some(([d, e]) => model.services[d] === svc && e.condition === "service_completed_successfully"),
    )
  )
    return "Job";
  if (mode === "global") return "DaemonSet";
  if (replicasOf(svc) === 1 && namedVolumes(svc, model).length > 0) return "StatefulSet";
  return "Deployment";
}

export function replicasOf(svc: ServiceConfig): number {
  const r = svc.deploy?.replicas ?? svc.scale;
  return typeof r === "number" ? r : 1;
}

/** The named (non-anonymous) volume mounts of a service whose volume the project declares. */
function namedVolumes(svc: ServiceConfig, model: ComposeModel): string[] {
  return (svc.volumes ?? []).filter((v) => v.type === "volume" && v.source !== undefined && model.volumes[v.source] !== undefined).map((v) => v.source!);
}
