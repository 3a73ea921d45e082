/**
 * Execute a stack plan (plan.ts) through the SwarmEngine port, plus the Engine port for overlay
 * networks: secrets and configs → networks → services in depends_on order, each one created or
 * updated only once the services it waits for reached their condition (Swarm keeps a task
 * `starting` until its container is healthy, so "every desired task running" is exact health
 * gating; a job's condition is its tasks complete). Updates carry the service version read by the
 * plan (one retry with a fresh version when the engine says "update out of sequence"). Old secret
 * and config versions are pruned only after the services that used them converged. With `wait`,
 * it returns when every service converged or rolled back; failures carry the reason from the
 * service's UpdateStatus and its failed tasks.
 *
 * `removeStack` is `stack rm`: services, then (with `wait`) until their tasks and containers are
 * gone, then networks (retried while the engine still sees endpoints), secrets and configs.
 *
 * Secret data is never put in events or errors: only names.
 */
import { EngineError, FlotillaError, ServiceError } from "../../errors.js";
import type { EventListener, FlotillaEvent } from "../../events.js";
import type { Engine } from "../../runtime/engine.js";
import type { FileReference, ServiceSpec, ServiceSummary, SwarmEngine, TaskSummary } from "../../runtime/engine-swarm.js";
import { sleep as abortableSleep } from "../../runtime/conditions.js";
import { LABEL_NAMESPACE } from "./names.js";
import type { ObservedStack, SwarmAction, SwarmPlan } from "./plan.js";

type ServiceAction = Extract<SwarmAction, { kind: "create-service" | "update-service" | "unchanged-service" }>;

export type StackNetworkEngine = Pick<Engine, "listNetworks" | "createNetwork" | "removeNetwork"> & Partial<Pick<Engine, "listContainers">>;

export interface ApplyStackOptions {
  swarm: SwarmEngine;
  engine: StackNetworkEngine;
  onEvent?: EventListener;
  signal?: AbortSignal;
  /** Engine calls in flight at most (default 4). */
  parallel?: number;
  /** Return only when every service converged (or failed); default false (only dependencies are waited for). */
  wait?: boolean;
  /** How long a service may take to reach its condition (default 5 minutes). */
  timeoutMs?: number;
  /** Between two reads of a service's state (default 250 ms). */
  pollMs?: number;
  /** Pass the stored registry credentials on to the nodes (`--with-registry-auth`). */
  registryAuth?: boolean;
  /** For tests: how to wait `ms` (default a timer). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface ServiceOutcome {
  service: string;
  name: string;
  action: "created" | "updated" | "unchanged" | "removed";
  /** Undefined while not waited for (detached). */
  converged?: boolean;
  /** Why it failed (UpdateStatus message, failed task errors). */
  error?: string;
  rolledBack?: boolean;
}

export interface StackApplyResult {
  stack: string;
  services: ServiceOutcome[];
  createdObjects: string[];
  prunedObjects: string[];
  createdNetworks: string[];
  removedNetworks: string[];
  /** Problems that did not fail the deploy (e.g. an old secret version still in use). */
  warnings: string[];
  /** Services that failed to converge (non-empty → the caller exits non-zero). */
  failures: ServiceOutcome[];
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> => abortableSleep(ms, signal, aborted);

function aborted(signal: AbortSignal): FlotillaError {
  const r: unknown = signal.reason;
  if (r instanceof FlotillaError && r.code === "ABORTED") return r;
  return new FlotillaError("ABORTED", "the operation was cancelled", { cause: r });
}

/** A counting semaphore: at most `n` engine calls in flight. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      queue.shift()?.();
    }
  };
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
async function waitConverged(
  o: Required<Pick<ApplyStackOptions, "swarm" | "timeoutMs" | "pollMs">> & { sleep: NonNullable<ApplyStackOptions["sleep"]>; signal?: AbortSignal; emit: (e: FlotillaEvent) => void },
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

/** Fill each secret/config reference's id from the objects the stack has (or an external one, by name). */
async function resolveRefs(spec: ServiceSpec, ids: Map<string, string>, swarm: SwarmEngine, service: string): Promise<ServiceSpec> {
  const out = structuredClone(spec);
  const c = out.TaskTemplate.ContainerSpec;
  const fill = async (refs: FileReference[] | undefined, kind: "secret" | "config"): Promise<void> => {
    for (const r of refs ?? []) {
      const name = kind === "secret" ? r.SecretName : r.ConfigName;
      if (name === undefined) continue;
      let id = ids.get(`${kind}:${name}`);
      if (id === undefined) {
        const found = kind === "secret" ? await swarm.listSecrets({ name }) : await swarm.listConfigs({ name });
        id = found[0]?.id;
        if (id === undefined) {
          throw new ServiceError("ROLLOUT_FAILED", service, `${kind} ${name} (used by service ${service}) does not exist in the swarm`, {
            hint: `create it first (docker ${kind} create ${name} FILE), or declare it in the file without external: true`,
          });
        }
        ids.set(`${kind}:${name}`, id);
      }
      if (kind === "secret") r.SecretID = id;
      else r.ConfigID = id;
    }
  };
  await fill(c.Secrets, "secret");
  await fill(c.Configs, "config");
  return out;
}

const isOutOfSequence = (e: unknown): boolean => e instanceof Error && /out of sequence/i.test(e.message);

/** Run `plan` against the swarm. Rejects only on engine errors and aborts; rollout failures are in `failures`. */
export async function applyStackPlan(plan: SwarmPlan, options: ApplyStackOptions): Promise<StackApplyResult> {
  const { swarm, engine, signal } = options;
  const emit = (e: FlotillaEvent): void => options.onEvent?.(e);
  const limit = limiter(Math.max(1, options.parallel ?? 4));
  const sleep = options.sleep ?? defaultSleep;
  const waitOpts = { swarm, timeoutMs: options.timeoutMs ?? 300_000, pollMs: options.pollMs ?? 250, sleep, emit, ...(signal ? { signal } : {}) };
  const check = (): void => {
    if (signal?.aborted) throw aborted(signal);
  };
  const result: StackApplyResult = { stack: plan.stack, services: [], createdObjects: [], prunedObjects: [], createdNetworks: [], removedNetworks: [], warnings: [], failures: [] };

  // 1. secrets and configs
  const ids = new Map<string, string>();
  const objectActions = plan.actions.filter((a): a is Extract<SwarmAction, { kind: "create-object" | "keep-object" }> => a.kind === "create-object" || a.kind === "keep-object");
  await Promise.all(
    objectActions.map((a) =>
      limit(async () => {
        check();
        if (a.kind === "keep-object") {
          ids.set(`${a.object}:${a.name}`, a.id);
          return;
        }
        emit({ type: "info", message: `Creating ${a.object} ${a.name}` });
        const id = a.object === "secret" ? await swarm.createSecret(a.spec) : await swarm.createConfig(a.spec);
        ids.set(`${a.object}:${a.name}`, id);
        result.createdObjects.push(a.name);
        emit({ type: "info", message: `Created ${a.object} ${a.name}` });
      }),
    ),
  );

  // 2. networks
  await Promise.all(
    plan.actions
      .filter((a): a is Extract<SwarmAction, { kind: "create-network" }> => a.kind === "create-network")
      .map((a) =>
        limit(async () => {
          check();
          emit({ type: "resource", kind: "network", name: a.name, status: "Creating" });
          try {
            await engine.createNetwork(a.spec);
          } catch (e) {
            // Created meanwhile (e.g. by a concurrent deploy): fine when it exists now.
            if (!(await engine.listNetworks({ name: a.name })).some((n) => n.name === a.name)) throw e;
          }
          result.createdNetworks.push(a.name);
          emit({ type: "resource", kind: "network", name: a.name, status: "Created" });
        }),
      ),
  );

  // 3. services, each after the services it waits for reached their condition
  const serviceActions = plan.actions.filter((a): a is ServiceAction => a.kind === "create-service" || a.kind === "update-service" || a.kind === "unchanged-service");
  const inPlan = new Set(serviceActions.map((a) => a.service));
  const dependedOn = new Set(serviceActions.flatMap((a) => a.waitFor.map((e) => e.service)));
  const settled = new Map<string, Promise<ServiceOutcome>>();
  const outcomes: ServiceOutcome[] = [];

  const gate = async (a: ServiceAction): Promise<string | undefined> => {
    for (const e of a.waitFor) {
      const dep = settled.get(e.service);
      if (!dep || !inPlan.has(e.service)) continue;
      const out = await dep;
      if (out.error !== undefined) {
        if (e.required) return `dependency ${e.service} failed: ${out.error}`;
        emit({ type: "warning", service: a.service, message: `optional dependency ${e.service} failed; deploying ${a.service} anyway` });
      }
    }
    return undefined;
  };

  const runService = async (a: ServiceAction): Promise<ServiceOutcome> => {
    const blocked = await gate(a);
    const action = a.kind === "create-service" ? "created" : a.kind === "update-service" ? "updated" : "unchanged";
    const outcome: ServiceOutcome = { service: a.service, name: a.name, action };
    if (blocked !== undefined) {
      outcome.error = blocked;
      emit({ type: "resource", kind: "service", name: a.name, status: "Skipped", detail: blocked, service: a.service });
      return outcome;
    }
    check();
    let id: string;
    let oldTasks = new Set<string>();
    let baseline: ServiceSummary["updateStatus"] | undefined;
    try {
      if (a.kind === "create-service") {
        const spec = await resolveRefs(a.spec, ids, swarm, a.service);
        emit({ type: "resource", kind: "service", name: a.name, status: "Creating", service: a.service });
        id = await limit(() => swarm.createService(spec, { registryAuth: options.registryAuth === true }));
        emit({ type: "resource", kind: "service", name: a.name, status: "Created", service: a.service });
      } else if (a.kind === "update-service") {
        const spec = await resolveRefs(a.spec, ids, swarm, a.service);
        id = a.id;
        emit({ type: "resource", kind: "service", name: a.name, status: "Recreate", detail: a.reasons.join("; "), service: a.service });
        const before = await swarm.inspectService(id);
        baseline = before?.updateStatus;
        oldTasks = new Set((await swarm.listTasks({ service: id })).filter((t) => t.desiredState === "running").map((t) => t.id));
        if (!a.rolling) oldTasks = new Set();
        try {
          await limit(() => swarm.updateService(id, a.version, spec, { registryAuth: options.registryAuth === true }));
        } catch (e) {
          if (!isOutOfSequence(e) || !before) throw e;
          // The service changed since the plan read it: send the same spec on top of the current version.
          await limit(() => swarm.updateService(id, before.version, spec, { registryAuth: options.registryAuth === true }));
        }
        emit({ type: "resource", kind: "service", name: a.name, status: "Recreated", service: a.service });
      } else {
        id = a.id;
      }
    } catch (e) {
      if (e instanceof FlotillaError && e.code === "ABORTED") throw e;
      outcome.error = e instanceof Error ? e.message : String(e);
      emit({ type: "resource", kind: "service", name: a.name, status: "Error", detail: outcome.error, service: a.service });
      return outcome;
    }
    const mustWait = options.wait === true || dependedOn.has(a.service);
    if (!mustWait) return outcome;
    try {
      const { detail } = await waitConverged(waitOpts, a.service, id, oldTasks, baseline);
      outcome.converged = true;
      emit({ type: "resource", kind: "service", name: a.name, status: "Running", detail, service: a.service });
    } catch (e) {
      if (e instanceof FlotillaError && e.code === "ABORTED") throw e;
      outcome.converged = false;
      outcome.error = e instanceof Error ? e.message : String(e);
      if ((e as { rolledBack?: boolean }).rolledBack) outcome.rolledBack = true;
      emit({ type: "resource", kind: "service", name: a.name, status: "Error", detail: outcome.error, service: a.service });
    }
    return outcome;
  };

  for (const a of serviceActions) {
    // The plan lists services dependencies first, so every dependency's promise exists already.
    settled.set(a.service, runService(a));
  }
  const all = await Promise.allSettled([...settled.values()]);
  for (const r of all) {
    if (r.status === "rejected") throw r.reason;
    outcomes.push(r.value);
  }
  result.services = outcomes;

  // 4. orphans (removed only with --prune)
  for (const a of plan.actions) {
    if (a.kind !== "orphan-service") continue;
    if (!a.remove) {
      emit({ type: "warning", message: `service ${a.name} is no longer in the file: ${a.reason}` });
      continue;
    }
    check();
    emit({ type: "resource", kind: "service", name: a.name, status: "Removing" });
    await limit(() => swarm.removeService(a.id));
    result.services.push({ service: a.name, name: a.name, action: "removed" });
    emit({ type: "resource", kind: "service", name: a.name, status: "Removed" });
  }
  const netRemovals = plan.actions.filter((a): a is Extract<SwarmAction, { kind: "remove-network" }> => a.kind === "remove-network");
  for (const a of netRemovals) {
    check();
    const gone = await removeNetworkRetrying(engine, a.name, waitOpts);
    if (gone) result.removedNetworks.push(a.name);
    else result.warnings.push(`network ${a.name} is still in use; remove it later (docker network rm ${a.name})`);
  }

  result.failures = result.services.filter((s) => s.error !== undefined);

  // 5. old secret/config versions: only after every service converged (otherwise they may run again)
  const prunes = plan.actions.filter((a): a is Extract<SwarmAction, { kind: "prune-object" }> => a.kind === "prune-object");
  if (prunes.length > 0) {
    const confirmed = result.failures.length === 0 && result.services.every((s) => s.action !== "updated" || s.converged === true);
    if (!confirmed) {
      result.warnings.push(
        result.failures.length > 0
          ? `kept ${prunes.length} old secret/config version(s): the rollout did not succeed`
          : `kept ${prunes.length} old secret/config version(s) until the rollout is confirmed (deploy again, or use --wait, to prune them)`,
      );
    } else {
      for (const a of prunes) {
        check();
        const ok = await removeObjectRetrying(swarm, a.object, a.id, waitOpts);
        if (ok) {
          result.prunedObjects.push(a.name);
          emit({ type: "info", message: `Removed old ${a.object} ${a.name}` });
        } else result.warnings.push(`${a.object} ${a.name} is still in use; kept`);
      }
    }
  }
  return result;
}

interface Waiter {
  sleep: NonNullable<ApplyStackOptions["sleep"]>;
  signal?: AbortSignal;
  pollMs: number;
}

const inUse = (e: unknown): boolean => e instanceof Error && /in use|active endpoints|has active|is being used/i.test(e.message);

async function removeNetworkRetrying(engine: StackNetworkEngine, name: string, w: Waiter, attempts = 40): Promise<boolean> {
  for (let i = 0; ; i++) {
    try {
      await engine.removeNetwork(name);
      return true;
    } catch (e) {
      if (e instanceof EngineError && e.statusCode === 404) return true;
      if (!inUse(e) || i >= attempts) {
        if (inUse(e)) return false;
        throw e;
      }
    }
    await w.sleep(w.pollMs, w.signal);
  }
}

async function removeObjectRetrying(swarm: SwarmEngine, kind: "secret" | "config", id: string, w: Waiter, attempts = 20): Promise<boolean> {
  for (let i = 0; ; i++) {
    try {
      if (kind === "secret") await swarm.removeSecret(id);
      else await swarm.removeConfig(id);
      return true;
    } catch (e) {
      if (!inUse(e) || i >= attempts) {
        if (inUse(e)) return false;
        throw e;
      }
    }
    await w.sleep(w.pollMs, w.signal);
  }
}

export interface RemoveStackOptions {
  swarm: SwarmEngine;
  engine: StackNetworkEngine;
  /** Return only when services, tasks, containers, networks, secrets and configs are gone. */
  wait?: boolean;
  onEvent?: EventListener;
  signal?: AbortSignal;
  timeoutMs?: number;
  pollMs?: number;
  sleep?: ApplyStackOptions["sleep"];
}

export interface RemoveStackResult {
  services: string[];
  networks: string[];
  secrets: string[];
  configs: string[];
  /** What could not be removed (yet): without `wait`, networks still in use. */
  left: string[];
}

/** `stack rm`: everything labelled with the stack's namespace. */
export async function removeStack(stack: string, options: RemoveStackOptions): Promise<RemoveStackResult> {
  const { swarm, engine, signal } = options;
  const emit = (e: FlotillaEvent): void => options.onEvent?.(e);
  const sleep = options.sleep ?? defaultSleep;
  const pollMs = options.pollMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const labels = { [LABEL_NAMESPACE]: stack };
  const w: Waiter = { sleep, pollMs, ...(signal ? { signal } : {}) };
  const out: RemoveStackResult = { services: [], networks: [], secrets: [], configs: [], left: [] };
  const start = Date.now();
  const until = async (what: string, done: () => Promise<boolean>): Promise<void> => {
    for (;;) {
      if (signal?.aborted) throw aborted(signal);
      if (await done()) return;
      if (Date.now() - start > timeoutMs) throw new FlotillaError("WAIT_TIMEOUT", `stack ${stack}: ${what} not gone within ${Math.round(timeoutMs / 1000)} s`);
      await sleep(pollMs, signal);
    }
  };

  const services = await swarm.listServices({ labels });
  await Promise.all(
    services.map(async (s) => {
      emit({ type: "resource", kind: "service", name: s.spec.Name, status: "Removing" });
      await swarm.removeService(s.id);
      out.services.push(s.spec.Name);
      emit({ type: "resource", kind: "service", name: s.spec.Name, status: "Removed" });
    }),
  );
  if (options.wait) {
    // A job's completed task outlives its removed service in Swarm (with its exited container, it
    // holds nothing): those are the only tasks and containers rm --wait does not wait for.
    await until("tasks", async () => (await swarm.listTasks({ labels })).every((t) => t.state === "complete"));
    if (engine.listContainers) {
      const list = engine.listContainers.bind(engine);
      await until("containers", async () => {
        const kept = new Set((await swarm.listTasks({ labels })).map((t) => t.containerId).filter((id): id is string => id !== undefined));
        return (await list({ labels, all: true })).every((c) => kept.has(c.id));
      });
    }
  }
  const [secrets, configs] = await Promise.all([swarm.listSecrets({ labels }), swarm.listConfigs({ labels })]);
  for (const s of secrets) {
    if (await removeObjectRetrying(swarm, "secret", s.id, w, options.wait ? 40 : 0)) out.secrets.push(s.name);
    else out.left.push(`secret ${s.name}`);
  }
  for (const c of configs) {
    if (await removeObjectRetrying(swarm, "config", c.id, w, options.wait ? 40 : 0)) out.configs.push(c.name);
    else out.left.push(`config ${c.name}`);
  }
  for (const n of await engine.listNetworks({ labels })) {
    emit({ type: "resource", kind: "network", name: n.name, status: "Removing" });
    if (await removeNetworkRetrying(engine, n.id, w, options.wait ? 200 : 0)) {
      out.networks.push(n.name);
      emit({ type: "resource", kind: "network", name: n.name, status: "Removed" });
    } else out.left.push(`network ${n.name}`);
  }
  if (options.wait) {
    await until("networks", async () => (await engine.listNetworks({ labels })).length === 0);
    if (out.left.length > 0) throw new FlotillaError("WAIT_TIMEOUT", `stack ${stack}: could not remove ${out.left.join(", ")}`);
  }
  return out;
}

/** What the swarm has under the stack's label: the plan's `observed` input. */
export async function observeStack(stack: string, swarm: SwarmEngine, engine: StackNetworkEngine): Promise<ObservedStack> {
  const labels = { [LABEL_NAMESPACE]: stack };
  const [services, secrets, configs, networks] = await Promise.all([
    swarm.listServices({ labels }),
    swarm.listSecrets({ labels }),
    swarm.listConfigs({ labels }),
    engine.listNetworks({ labels }),
  ]);
  return { services, secrets, configs, networks };
}
