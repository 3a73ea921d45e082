/**
 * Whether a Swarm service reached its condition (every desired task running, which health-gates
 * since Swarm keeps a task `starting` until its container is healthy; a job's completions done;
 * its rolling update completed), and waiting until it does, fails (rolled back, paused) or times out.
 */
import { ServiceError } from "../../errors.js";
import type { FlotillaEvent } from "../../events.js";
import type { ServiceSpec, ServiceSummary, SwarmEngine, TaskSummary } from "../../runtime/engine-swarm.js";
import { aborted, type Sleep } from "./pacing.js";

export interface WaitOptions {
  swarm: SwarmEngine;
  timeoutMs: number;
  pollMs: number;
  sleep: Sleep;
  signal?: AbortSignal;
  emit: (e: FlotillaEvent) => void;
}

const isJob = (spec: ServiceSpec): boolean => !!(spec.Mode?.ReplicatedJob || spec.Mode?.GlobalJob);
const isGlobal = (spec: ServiceSpec): boolean => !!(spec.Mode?.Global || spec.Mode?.GlobalJob);

/** Where a service stands now, from its summary and tasks. */
export type Convergence =
  | { state: "converged"; detail: string }
  | { state: "pending"; detail: string }
  | { state: "failed"; reason: string; rolledBack: boolean };

/**
 * Whether a service reached its condition: every desired task running (a job: its completions
 * done), no task of an older spec still running, and its rolling update (if one started after
 * `baseline`) completed. A rollback or a pause of an update that started after `baseline` is a
 * failure whose reason is the UpdateStatus message plus the failed tasks' errors.
 */
export function convergence(svc: ServiceSummary, tasks: readonly TaskSummary[], oldTasks: ReadonlySet<string>, baseline: ServiceSummary["updateStatus"] | undefined): Convergence {
  const mine = tasks.filter((t) => t.serviceId === svc.id);
  const u = svc.updateStatus;
  const fresh = u !== undefined && (baseline === undefined || u.startedAt !== baseline.startedAt || u.state !== baseline.state);
  const failedErrors = (): string => {
    const errs = [...new Set(mine.filter((t) => (t.state === "failed" || t.state === "rejected") && !oldTasks.has(t.id)).map((t) => t.error ?? t.message ?? t.state))];
    return errs.length > 0 ? `; failed task${errs.length > 1 ? "s" : ""}: ${errs.slice(0, 3).join("; ")}` : "";
  };
  if (fresh && u && (u.state === "paused" || u.state === "rollback_paused" || u.state === "rollback_completed")) {
    const rolledBack = u.state === "rollback_completed";
    return { state: "failed", rolledBack, reason: `${u.message ?? u.state}${rolledBack ? " (rolled back to the previous spec)" : ""}${failedErrors()}` };
  }
  if (fresh && u && (u.state === "updating" || u.state === "rollback_started")) return { state: "pending", detail: u.message ?? u.state };
  if (isJob(svc.spec)) {
    const want = svc.spec.Mode?.ReplicatedJob?.TotalCompletions ?? svc.spec.Mode?.ReplicatedJob?.MaxConcurrent ?? 1;
    const done = mine.filter((t) => t.state === "complete" && !oldTasks.has(t.id)).length;
    if (!isGlobal(svc.spec) && done >= want) return { state: "converged", detail: `${done}/${want} completed` };
    const live = mine.filter((t) => !oldTasks.has(t.id) && t.desiredState !== "shutdown");
    if (isGlobal(svc.spec) && live.length > 0 && live.every((t) => t.state === "complete")) return { state: "converged", detail: `${live.length} completed` };
    const failed = mine.filter((t) => (t.state === "failed" || t.state === "rejected") && !oldTasks.has(t.id));
    const maxAttempts = svc.spec.TaskTemplate.RestartPolicy?.MaxAttempts;
    const cond = svc.spec.TaskTemplate.RestartPolicy?.Condition;
    if (failed.length > 0 && (cond === "none" || (maxAttempts !== undefined && maxAttempts > 0 && failed.length >= maxAttempts * want))) {
      return { state: "failed", rolledBack: false, reason: `the job did not complete${failedErrors()}` };
    }
    return { state: "pending", detail: `${done}/${want} completed` };
  }
  const desired = mine.filter((t) => t.desiredState === "running");
  const running = desired.filter((t) => t.state === "running");
  const stale = running.filter((t) => oldTasks.has(t.id));
  const want = isGlobal(svc.spec) ? Math.max(desired.length, 1) : (svc.spec.Mode?.Replicated?.Replicas ?? 1);
  if (want === 0 && running.length === 0) return { state: "converged", detail: "0/0 running" };
  if (running.length >= want && stale.length === 0) return { state: "converged", detail: `${running.length}/${want} running` };
  const starting = desired.filter((t) => t.state === "starting").length;
  const failedNow = mine.filter((t) => (t.state === "failed" || t.state === "rejected") && !oldTasks.has(t.id));
  const last = failedNow.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))[0];
  const health = svc.spec.TaskTemplate.ContainerSpec.Healthcheck?.Test;
  const checked = health !== undefined && health.length > 0 && health[0] !== "NONE";
  const detail = `${running.length - stale.length}/${want} running${starting ? `, ${starting} starting${checked ? " (not healthy yet)" : ""}` : ""}${last ? `; last failure: ${last.error ?? last.message ?? last.state}` : ""}`;
  return { state: "pending", detail };
}

/** Wait until `svc` converges; rejects with ServiceError ROLLOUT_FAILED / WAIT_TIMEOUT. */
export async function waitConverged(
  o: WaitOptions,
  service: string,
  id: string,
  oldTasks: ReadonlySet<string>,
  baseline: ServiceSummary["updateStatus"] | undefined,
): Promise<{ detail: string }> {
  const start = Date.now();
  let lastDetail = "";
  /** Why a rollback started (its final status only says "rollback completed"). */
  let why: string | undefined;
  for (;;) {
    if (o.signal?.aborted) throw aborted(o.signal);
    const svc = await o.swarm.inspectService(id);
    const u = svc?.updateStatus;
    if (u && u.state === "rollback_started" && u.message && (baseline === undefined || u.startedAt !== baseline.startedAt || u.state !== baseline.state)) why = u.message;
    if (!svc) throw new ServiceError("ROLLOUT_FAILED", service, `service ${service} was removed while Flotilla waited for it`);
    const tasks = await o.swarm.listTasks({ service: id });
    const c = convergence(svc, tasks, oldTasks, baseline);
    if (c.state === "converged") return { detail: c.detail };
    if (c.state === "failed") {
      const reason = why && !c.reason.includes(why) ? `${why}; ${c.reason}` : c.reason;
      const err = new ServiceError("ROLLOUT_FAILED", service, `service ${service}: ${reason}`, {
        hint: c.rolledBack ? "the previous version runs again; fix the file and deploy again" : "see `flotilla stack ps` for the tasks' errors",
      });
      (err as ServiceError & { rolledBack?: boolean }).rolledBack = c.rolledBack;
      throw err;
    }
    if (c.detail !== lastDetail) {
      lastDetail = c.detail;
      o.emit({ type: "resource", kind: "service", name: svc.spec.Name, status: "Waiting", detail: c.detail, service });
    }
    if (Date.now() - start > o.timeoutMs) {
      throw new ServiceError("WAIT_TIMEOUT", service, `service ${service} did not converge within ${Math.round(o.timeoutMs / 1000)} s (${c.detail})`, {
        hint: "see `flotilla stack ps` for the tasks' state; a task that stays starting has a failing healthcheck",
      });
    }
    await o.sleep(o.pollMs, o.signal);
  }
}
