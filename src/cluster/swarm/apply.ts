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
 * The steps live beside it: rollout.ts (services in depends_on order), converge.ts (when a service
 * reached its condition), remove.ts (`stack rm` and the removal retries), pacing.ts.
 *
 * Secret data is never put in events or errors: only names.
 */
import type { EventListener, FlotillaEvent } from "../../events.js";
import type { SwarmEngine } from "../../runtime/engine-swarm.js";
import { LABEL_NAMESPACE } from "./names.js";
import { aborted, defaultSleep, limiter, type Sleep } from "./pacing.js";
import type { ObservedStack, SwarmAction, SwarmPlan } from "./plan.js";
import { removeNetworkRetrying, removeObjectRetrying, type StackNetworkEngine } from "./remove.js";
import { rollOut, type RolloutContext, type ServiceOutcome } from "./rollout.js";
import type { WaitOptions } from "./converge.js";

export type { ServiceOutcome } from "./rollout.js";

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
  sleep?: Sleep;
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

/** What every step of one apply shares. */
interface Run extends RolloutContext {
  engine: StackNetworkEngine;
  result: StackApplyResult;
}

type ActionOf<K extends SwarmAction["kind"]> = Extract<SwarmAction, { kind: K }>;
const actionsOf = <K extends SwarmAction["kind"]>(plan: SwarmPlan, ...kinds: K[]): ActionOf<K>[] =>
  plan.actions.filter((a): a is ActionOf<K> => (kinds as string[]).includes(a.kind));

/** 1. New secret and config versions (the kept ones only give their ids). */
async function createObjects(plan: SwarmPlan, run: Run): Promise<void> {
  await Promise.all(
    actionsOf(plan, "create-object", "keep-object").map((a) =>
      run.limit(async () => {
        run.check();
        if (a.kind === "keep-object") {
          run.ids.set(`${a.object}:${a.name}`, a.id);
          return;
        }
        run.emit({ type: "info", message: `Creating ${a.object} ${a.name}` });
        const id = a.object === "secret" ? await run.swarm.createSecret(a.spec) : await run.swarm.createConfig(a.spec);
        run.ids.set(`${a.object}:${a.name}`, id);
        run.result.createdObjects.push(a.name);
        run.emit({ type: "info", message: `Created ${a.object} ${a.name}` });
      }),
    ),
  );
}

/** 2. Networks. */
async function createNetworks(plan: SwarmPlan, run: Run): Promise<void> {
  await Promise.all(
    actionsOf(plan, "create-network").map((a) =>
      run.limit(async () => {
        run.check();
        run.emit({ type: "resource", kind: "network", name: a.name, status: "Creating" });
        try {
          await run.engine.createNetwork(a.spec);
        } catch (e) {
          // Created meanwhile (e.g. by a concurrent deploy): fine when it exists now.
          if (!(await run.engine.listNetworks({ name: a.name })).some((n) => n.name === a.name)) throw e;
        }
        run.result.createdNetworks.push(a.name);
        run.emit({ type: "resource", kind: "network", name: a.name, status: "Created" });
      }),
    ),
  );
}

/** 4. Orphaned services (removed only with --prune), and the networks only they used. */
async function removeOrphans(plan: SwarmPlan, run: Run): Promise<void> {
  for (const a of actionsOf(plan, "orphan-service")) {
    if (!a.remove) {
      run.emit({ type: "warning", message: `service ${a.name} is no longer in the file: ${a.reason}` });
      continue;
    }
    run.check();
    run.emit({ type: "resource", kind: "service", name: a.name, status: "Removing" });
    await run.limit(() => run.swarm.removeService(a.id));
    run.result.services.push({ service: a.name, name: a.name, action: "removed" });
    run.emit({ type: "resource", kind: "service", name: a.name, status: "Removed" });
  }
  for (const a of actionsOf(plan, "remove-network")) {
    run.check();
    const gone = await removeNetworkRetrying(run.engine, a.name, run.wait);
    if (gone) run.result.removedNetworks.push(a.name);
    else run.result.warnings.push(`network ${a.name} is still in use; remove it later (docker network rm ${a.name})`);
  }
}

/** 5. Old secret/config versions: only after every service converged (otherwise they may run again). */
async function pruneObjects(plan: SwarmPlan, run: Run): Promise<void> {
  const prunes = actionsOf(plan, "prune-object");
  if (prunes.length === 0) return;
  const { result } = run;
  const confirmed = result.failures.length === 0 && result.services.every((s) => s.action !== "updated" || s.converged === true);
  if (!confirmed) {
    result.warnings.push(
      result.failures.length > 0
        ? `kept ${prunes.length} old secret/config version(s): the rollout did not succeed`
        : `kept ${prunes.length} old secret/config version(s) until the rollout is confirmed (deploy again, or use --wait, to prune them)`,
    );
    return;
  }
  for (const a of prunes) {
    run.check();
    const ok = await removeObjectRetrying(run.swarm, a.object, a.id, run.wait);
    if (ok) {
      result.prunedObjects.push(a.name);
      run.emit({ type: "info", message: `Removed old ${a.object} ${a.name}` });
    } else result.warnings.push(`${a.object} ${a.name} is still in use; kept`);
  }
}

/** Run `plan` against the swarm. Rejects only on engine errors and aborts; rollout failures are in `failures`. */
export async function applyStackPlan(plan: SwarmPlan, options: ApplyStackOptions): Promise<StackApplyResult> {
  const { swarm, engine, signal } = options;
  const emit = (e: FlotillaEvent): void => options.onEvent?.(e);
  const wait: WaitOptions = {
    swarm,
    timeoutMs: options.timeoutMs ?? 300_000,
    pollMs: options.pollMs ?? 250,
    sleep: options.sleep ?? defaultSleep,
    emit,
    ...(signal ? { signal } : {}),
  };
  const run: Run = {
    swarm,
    engine,
    emit,
    limit: limiter(Math.max(1, options.parallel ?? 4)),
    check: () => {
      if (signal?.aborted) throw aborted(signal);
    },
    wait,
    ids: new Map(),
    registryAuth: options.registryAuth === true,
    waitAll: options.wait === true,
    result: { stack: plan.stack, services: [], createdObjects: [], prunedObjects: [], createdNetworks: [], removedNetworks: [], warnings: [], failures: [] },
  };
  await createObjects(plan, run);
  await createNetworks(plan, run);
  // 3. services, each after the services it waits for reached their condition
  run.result.services = await rollOut(plan.actions, run);
  await removeOrphans(plan, run);
  run.result.failures = run.result.services.filter((s) => s.error !== undefined);
  await pruneObjects(plan, run);
  return run.result;
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
