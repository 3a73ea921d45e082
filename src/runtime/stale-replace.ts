/**
 * The repair of a stale task (stale-task.ts) for the verbs that start existing containers outside
 * `up` (`start`, `restart`), when the compose model is loaded: the container is re-created exactly
 * as `up` recreates one — by an UpSession applying a one-action plan (same converter, labels and
 * config-hash label, same name, its anonymous volumes inherited, networks attached by id) — and
 * left stopped for the verb to start.
 */
import { FlotillaError } from "../errors.js";
import type { EventListener } from "../events.js";
import type { LoadedProject } from "../spec/model.js";
import { imageIds } from "./apply.js";
import type { Engine } from "./engine.js";
import { observeProject } from "./observe.js";
import { planUp, type Plan, type ServiceAction } from "./plan.js";
import { STALE_TASK_REASON, staleTaskWarning, type ReplaceStale, type StartTarget } from "./stale-task.js";
import { creationDependencies, UpSession } from "./up-session.js";

export interface ReplaceOptions {
  onEvent?: EventListener | undefined;
  signal?: AbortSignal | undefined;
  /** Stop timeout (seconds), as for a recreate. */
  timeout?: number | undefined;
}

/**
 * A ReplaceStale for the containers of `project`'s services, or undefined for a service the model
 * does not have (then the verb fails with STALE_TASK).
 */
export function replacerFor(engine: Engine, project: LoadedProject | undefined, service: string, opts: ReplaceOptions = {}): ReplaceStale | undefined {
  if (!project || !(service in project.model.services)) return undefined;
  return (target) => replaceFromModel(engine, project, target, opts);
}

/** Replace one stopped container of the model by a new one under its name (see the file's comment); resolves with its id. */
export async function replaceFromModel(engine: Engine, project: LoadedProject, target: StartTarget, opts: ReplaceOptions = {}): Promise<string> {
  const s = target.service;
  opts.onEvent?.({ type: "warning", message: staleTaskWarning(target.name), service: s });
  const observed = await observeProject(engine, project.model.name, { model: project.model });
  const old = observed.byService[s]?.find((c) => c.id === target.id);
  if (!old) throw new FlotillaError("NOT_FOUND", `container ${target.name} of service "${s}" is gone`, { service: s, hint: "run `flotilla up` to create it" });
  // Namespace parents (`network_mode: service:x`, volumes_from) as they are: the new container refers to them by id.
  const parents = creationDependencies(project.model.services[s]!).filter((p) => p !== s && p in project.model.services);
  const ids = await imageIds(project, [s], engine);
  // Networks and volumes as up plans them (created when missing, never recreated here), and the config hash.
  const base = planUp(project, observed, { services: [s], noDeps: true, noRecreate: true, noStart: true, imageIds: ids });
  const action: ServiceAction = { kind: "recreate", service: s, number: old.number, target: old.name, containerId: old.id, currentName: old.name, state: "exited", reason: STALE_TASK_REASON };
  const services: Record<string, ServiceAction[]> = { [s]: [action] };
  for (const p of parents) {
    services[p] = (observed.byService[p] ?? []).map((c) => ({ kind: "noop", service: p, number: c.number, target: c.name, containerId: c.id, state: c.state, reason: "namespace parent" }));
  }
  const plan: Plan = { ...base, targets: [s, ...parents], services, orphans: [], warnings: [] };
  const session = new UpSession(project, plan, engine, { noStart: true, imageIds: ids, onEvent: opts.onEvent, signal: opts.signal, timeout: opts.timeout });
  const result = await session.run();
  return result.containers.find((c) => c.service === s && c.number === old.number)!.id;
}
