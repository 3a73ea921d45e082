/**
 * `run`: start the service's dependencies (unless `noDeps`) and wait for their depends_on
 * conditions, make sure its networks, volumes and image exist, then run a one-off container.
 */
import { ServiceGraph } from "../../graph/graph.js";
import { applyUp, prepareImages } from "../apply.js";
import { waitForCondition } from "../conditions.js";
import type { Engine } from "../engine.js";
import { Label } from "../labels.js";
import { observeProject } from "../observe.js";
import type { OperationBase, PullMode } from "../options.js";
import { planUp } from "../plan.js";
import { oneOffService, runOneOff, type OneOffOptions, type OneOffResult } from "../run.js";
import { checkService, engineOf, needFiles, type EngineLike, type ProjectRef } from "./project-ref.js";
import { locked } from "./locked.js";
import { upProject } from "./up.js";

export interface RunOptions extends OneOffOptions, Pick<OperationBase, "onEvent" | "parallel"> {
  /** Do not start the service's dependencies (default: start them and wait for their conditions). */
  noDeps?: boolean;
  pull?: PullMode;
  /** Build the image first (`--build`). */
  build?: boolean;
  /** Remove containers of services no longer in the file while starting the dependencies. */
  removeOrphans?: boolean;
}

type Base = Pick<OperationBase, "onEvent" | "signal" | "parallel">;

/**
 * Attached (the default), resolves with the command's exit code once the container exited.
 * `converging` is called when the project's resources start to change (see upProject).
 */
export async function runService(engine: EngineLike, project: ProjectRef, service: string, opts: RunOptions = {}, converging?: () => void): Promise<OneOffResult> {
  needFiles(project, "run");
  checkService(project, service);
  const connected = await engineOf(engine);
  // The lock covers what run changes in the project (dependencies, networks, volumes), not the
  // one-off's own life: a long `run` (a shell) does not hold `down` or `up` back.
  const prepared = await locked(connected, project, "run", opts, () => prepareRun(connected, project, service, opts, converging));
  return runOneOff(project.config, connected, service, { ...opts, configHash: prepared.configHash, resolveContainer: prepared.resolveContainer });
}

async function prepareRun(
  connected: Engine,
  project: ProjectRef,
  service: string,
  opts: RunOptions,
  converging: (() => void) | undefined,
): Promise<{ configHash: string; resolveContainer: (s: string) => string | undefined }> {
  const model = project.config.model;
  const base: Base = { ...(opts.onEvent ? { onEvent: opts.onEvent } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.parallel !== undefined ? { parallel: opts.parallel } : {}) };
  if (!opts.noDeps) await startDependencies(connected, project, service, opts, base, converging);
  const imageIds = await prepareImages(project.config, [service], connected, { ...base, ...(opts.pull ? { pull: opts.pull } : {}), ...(opts.build ? { build: true } : {}) });
  const observed = await observeProject(connected, project.name, { model });
  // Planned with the one-off's own mounts, so a project volume only `run -v` names is created (labelled) too.
  const runView = opts.volumes?.length
    ? { ...project.config, model: { ...model, services: { ...model.services, [service]: { ...model.services[service]!, volumes: oneOffService(model.services[service]!, opts).volumes ?? [] } } } }
    : project.config;
  const plan = planUp(runView, observed, { services: [service], noDeps: true, imageIds });
  // Only the networks and volumes of that plan: the one-off container replaces the service's.
  await applyUp(project.config, { ...plan, targets: [], services: {}, orphans: [] }, connected, base);
  converging?.();
  const first = (s: string): string | undefined => observed.byService[s]?.[0]?.id;
  return { configHash: plan.hashes[service] ?? "", resolveContainer: first };
}

/** `up -d` the service's dependencies, then wait for each one's depends_on condition (a failed optional one is let go). */
async function startDependencies(engine: Engine, project: ProjectRef, service: string, opts: RunOptions, base: Base, converging?: () => void): Promise<void> {
  const graph = ServiceGraph.fromServices(project.config.model.services);
  const deps = [...graph.closure([service])].filter((s) => s !== service && s in project.config.model.services);
  if (deps.length === 0) return;
  await upProject(engine, project, { ...base, services: deps, detach: true, ...(opts.pull ? { pull: opts.pull } : {}), ...(opts.removeOrphans ? { removeOrphans: true } : {}) }, converging);
  for (const edge of graph.dependencies(service)) {
    if (!deps.includes(edge.service)) continue;
    const list = await engine.listContainers({ labels: { [Label.project]: project.name, [Label.service]: edge.service }, all: true });
    const containers = list.filter((c) => c.labels[Label.oneoff] !== "True").map((c) => ({ id: c.id, name: c.name }));
    if (containers.length === 0) continue;
    try {
      await waitForCondition(engine, { service: edge.service, condition: edge.condition, containers }, opts.signal ? { signal: opts.signal, dependent: service } : { dependent: service });
    } catch (err) {
      if (edge.required) throw err;
    }
  }
}
