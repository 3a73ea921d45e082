/**
 * The services' part of a stack's apply: each service is created or updated only once the services
 * it waits for (depends_on) reached their condition, then waited for when something depends on it
 * (or with `wait`). Updates carry the version the plan read (one retry on top of the current
 * version when the engine says "update out of sequence"); secret and config references get the ids
 * of the objects the apply created or found. A failed dependency skips the services that require it.
 */
import { FlotillaError, ServiceError } from "../../errors.js";
import type { FlotillaEvent } from "../../events.js";
import type { FileReference, ServiceSpec, ServiceSummary, SwarmEngine } from "../../runtime/engine-swarm.js";
import { waitConverged, type WaitOptions } from "./converge.js";
import type { SwarmAction } from "./plan.js";

export type ServiceAction = Extract<SwarmAction, { kind: "create-service" | "update-service" | "unchanged-service" }>;

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

export interface RolloutContext {
  swarm: SwarmEngine;
  emit: (e: FlotillaEvent) => void;
  /** At most so many engine calls in flight. */
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Throws when the apply was cancelled. */
  check: () => void;
  wait: WaitOptions;
  /** `secret:<name>` / `config:<name>` → id, for the objects created or kept (external ones are looked up). */
  ids: Map<string, string>;
  registryAuth: boolean;
  /** Wait for every service, not only for those others depend on. */
  waitAll: boolean;
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

interface Sent {
  id: string;
  /** Tasks of the previous spec (an update): convergence waits until none of them runs. */
  oldTasks: Set<string>;
  /** The service's UpdateStatus before the update: an older rollback is not this update's. */
  baseline: ServiceSummary["updateStatus"] | undefined;
}

/** Create or update the service (an unchanged one is only looked at). */
async function send(a: ServiceAction, ctx: RolloutContext): Promise<Sent> {
  const { swarm, emit, limit } = ctx;
  const opts = { registryAuth: ctx.registryAuth };
  if (a.kind === "unchanged-service") return { id: a.id, oldTasks: new Set(), baseline: undefined };
  const spec = await resolveRefs(a.spec, ctx.ids, swarm, a.service);
  if (a.kind === "create-service") {
    emit({ type: "resource", kind: "service", name: a.name, status: "Creating", service: a.service });
    const id = await limit(() => swarm.createService(spec, opts));
    emit({ type: "resource", kind: "service", name: a.name, status: "Created", service: a.service });
    return { id, oldTasks: new Set(), baseline: undefined };
  }
  emit({ type: "resource", kind: "service", name: a.name, status: "Recreate", detail: a.reasons.join("; "), service: a.service });
  const before = await swarm.inspectService(a.id);
  const running = (await swarm.listTasks({ service: a.id })).filter((t) => t.desiredState === "running").map((t) => t.id);
  try {
    await limit(() => swarm.updateService(a.id, a.version, spec, opts));
  } catch (e) {
    if (!isOutOfSequence(e) || !before) throw e;
    // The service changed since the plan read it: send the same spec on top of the current version.
    await limit(() => swarm.updateService(a.id, before.version, spec, opts));
  }
  emit({ type: "resource", kind: "service", name: a.name, status: "Recreated", service: a.service });
  return { id: a.id, oldTasks: new Set(a.rolling ? running : []), baseline: before?.updateStatus };
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const isAbort = (e: unknown): boolean => e instanceof FlotillaError && e.code === "ABORTED";

/** Create or update one service, then (when something waits for it, or with waitAll) wait until it converged. */
async function runService(a: ServiceAction, blocked: string | undefined, mustWait: boolean, ctx: RolloutContext): Promise<ServiceOutcome> {
  const { emit } = ctx;
  const action = a.kind === "create-service" ? "created" : a.kind === "update-service" ? "updated" : "unchanged";
  const outcome: ServiceOutcome = { service: a.service, name: a.name, action };
  const fail = (error: string): ServiceOutcome => {
    outcome.error = error;
    emit({ type: "resource", kind: "service", name: a.name, status: "Error", detail: error, service: a.service });
    return outcome;
  };
  if (blocked !== undefined) {
    outcome.error = blocked;
    emit({ type: "resource", kind: "service", name: a.name, status: "Skipped", detail: blocked, service: a.service });
    return outcome;
  }
  ctx.check();
  let sent: Sent;
  try {
    sent = await send(a, ctx);
  } catch (e) {
    if (isAbort(e)) throw e;
    return fail(errorText(e));
  }
  if (!mustWait) return outcome;
  try {
    const { detail } = await waitConverged(ctx.wait, a.service, sent.id, sent.oldTasks, sent.baseline);
    outcome.converged = true;
    emit({ type: "resource", kind: "service", name: a.name, status: "Running", detail, service: a.service });
  } catch (e) {
    if (isAbort(e)) throw e;
    outcome.converged = false;
    if ((e as { rolledBack?: boolean }).rolledBack) outcome.rolledBack = true;
    return fail(errorText(e));
  }
  return outcome;
}

/** Every service of the plan, dependencies first, each gated on its dependencies' outcome. */
export async function rollOut(actions: readonly SwarmAction[], ctx: RolloutContext): Promise<ServiceOutcome[]> {
  const serviceActions = actions.filter((a): a is ServiceAction => a.kind === "create-service" || a.kind === "update-service" || a.kind === "unchanged-service");
  const inPlan = new Set(serviceActions.map((a) => a.service));
  const dependedOn = new Set(serviceActions.flatMap((a) => a.waitFor.map((e) => e.service)));
  const settled = new Map<string, Promise<ServiceOutcome>>();

  /** Why the service must not be sent (a required dependency failed), or undefined. */
  const gate = async (a: ServiceAction): Promise<string | undefined> => {
    for (const e of a.waitFor) {
      const dep = settled.get(e.service);
      if (!dep || !inPlan.has(e.service)) continue;
      const out = await dep;
      if (out.error !== undefined) {
        if (e.required) return `dependency ${e.service} failed: ${out.error}`;
        ctx.emit({ type: "warning", service: a.service, message: `optional dependency ${e.service} failed; deploying ${a.service} anyway` });
      }
    }
    return undefined;
  };

  for (const a of serviceActions) {
    // The plan lists services dependencies first, so every dependency's promise exists already.
    settled.set(a.service, gate(a).then((blocked) => runService(a, blocked, ctx.waitAll || dependedOn.has(a.service), ctx)));
  }
  const all = await Promise.allSettled([...settled.values()]);
  const outcomes: ServiceOutcome[] = [];
  for (const r of all) {
    if (r.status === "rejected") throw r.reason;
    outcomes.push(r.value);
  }
  return outcomes;
}
