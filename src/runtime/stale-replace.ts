/**
 * The repair of a stale task (stale-task.ts) for the verbs that start existing containers outside
 * `up` (`start`, `restart`), when the compose model is loaded: the container is re-created exactly
 * as `up` recreates one — by an UpSession applying a one-action plan (same converter, labels and
 * config-hash label, same name, its anonymous volumes inherited, networks attached by id) — and
 * left stopped for the verb to start.
 */
import { asServiceError, FlotillaError } from "../errors.js";
import type { EventListener } from "../events.js";
import type { LoadedProject } from "../spec/model.js";
import { imageIds } from "./apply.js";
import type { Engine } from "./engine.js";
import { observeProject } from "./observe.js";
import { planUp, type Plan, type ServiceAction } from "./plan.js";
import { STALE_TASK_REASON, staleTaskWarning, startOrReplace, type StartTarget } from "./stale-task.js";
import { creationDependencies, UpSession } from "./up-session.js";

export interface ReplaceOptions {
  onEvent?: EventListener | undefined;
  signal?: AbortSignal | undefined;
  /** Stop timeout (seconds), as for a recreate. */
  timeout?: number | undefined;
}

/**
 * One verb run's starts of existing containers (`start`, `restart`): each through startOrReplace,
 * with the model's replacement when the model has the service. A container sharing a namespace (or
 * volumes_from) with one created anew here refers to the old one by id: it is created anew too.
 */
export class StartRepairs {
  private readonly replaced = new Set<string>();

  constructor(
    private readonly engine: Engine,
    private readonly project: LoadedProject | undefined,
    private readonly opts: ReplaceOptions = {},
  ) {}

  /** Start `target` with `start`; resolves with the id of the container that runs. */
  async start(target: StartTarget, start: (id: string) => Promise<void>, verb: string): Promise<string> {
    const project = this.project;
    const svc = project?.model.services[target.service];
    if (!project || !svc) return startOrReplace(target, start, undefined, verb);
    const parent = creationDependencies(svc).find((p) => this.replaced.has(p));
    if (parent) {
      const why = { warning: `container ${target.name}: created anew to join the new container of ${parent}`, reason: `its namespace parent ${parent} was created anew` };
      let id: string;
      try {
        id = await replaceFromModel(this.engine, project, target, this.opts, why);
      } catch (err) {
        throw asServiceError(target.service, err);
      }
      this.replaced.add(target.service);
      return startOrReplace({ ...target, id }, start, undefined, verb);
    }
    return startOrReplace(target, start, async (t) => {
      const id = await replaceFromModel(this.engine, project, t, this.opts);
      this.replaced.add(t.service);
      return id;
    }, verb);
  }
}

/** Replace one stopped container of the model by a new one under its name (see the file's comment); resolves with its id. */
export async function replaceFromModel(
  engine: Engine,
  project: LoadedProject,
  target: StartTarget,
  opts: ReplaceOptions = {},
  why = { warning: staleTaskWarning(target.name), reason: STALE_TASK_REASON },
): Promise<string> {
  const s = target.service;
  opts.onEvent?.({ type: "warning", message: why.warning, service: s });
  const observed = await observeProject(engine, project.model.name, { model: project.model });
  const old = observed.byService[s]?.find((c) => c.id === target.id);
  if (!old) throw new FlotillaError("NOT_FOUND", `container ${target.name} of service "${s}" is gone`, { service: s, hint: "run `flotilla up` to create it" });
  // Namespace parents (`network_mode: service:x`, volumes_from) as they are: the new container refers to them by id.
  const parents = creationDependencies(project.model.services[s]!).filter((p) => p !== s && p in project.model.services);
  const ids = await imageIds(project, [s], engine);
  // Networks and volumes as up plans them (created when missing, never recreated here), and the config hash.
  const base = planUp(project, observed, { services: [s], noDeps: true, noRecreate: true, noStart: true, imageIds: ids });
  const action: ServiceAction = { kind: "recreate", service: s, number: old.number, target: old.name, containerId: old.id, currentName: old.name, state: "exited", reason: why.reason, secretsVolume: old.secretsVolume };
  const services: Record<string, ServiceAction[]> = { [s]: [action] };
  for (const p of parents) {
    services[p] = (observed.byService[p] ?? []).map((c) => ({ kind: "noop", service: p, number: c.number, target: c.name, containerId: c.id, state: c.state, reason: "namespace parent" }));
  }
  const plan: Plan = { ...base, targets: [s, ...parents], services, orphans: [], warnings: [] };
  const session = new UpSession(project, plan, engine, { noStart: true, imageIds: ids, onEvent: opts.onEvent, signal: opts.signal, timeout: opts.timeout });
  const result = await session.run();
  return result.containers.find((c) => c.service === s && c.number === old.number)!.id;
}
