/**
 * Applying an `up` plan: the only place with side effects.
 *
 * Order: orphans removed (if asked) and networks/volumes created, in parallel; then every
 * container that must be created is created EARLY (creation needs no dependency to be running,
 * only `network_mode`/`volumes_from`/`links`/`ipc`/`pid: service:x` need x's container to
 * exist), while STARTS follow the dependency graph: a service starts once each dependency
 * reached its depends_on condition. So container creation overlaps the waits.
 *
 * Recreate = create the new container as `<oldid12>_<name>` → stop old → remove old → rename
 * new; an interruption leaves either the old container or a temp-named one, which the next plan
 * removes or replaces ("leftover of an interrupted recreate").
 */
import { pack } from "tar-stream";
import { FlotillaError, ServiceError } from "../errors.js";
import { silent, type EventListener, type FlotillaEvent } from "../events.js";
import { ServiceGraph } from "../graph/graph.js";
import { limiter, walkGraph } from "../graph/scheduler.js";
import type { LoadedProject, ServiceConfig } from "../spec/model.js";
import { abortError, tailLogs, waitForCondition, waitUntilReady, type ReadyTarget } from "./conditions.js";
import { networkSpec, removeNetworkPatiently, volumeSpec } from "./network/networks.js";
import {
  anonymousVolumesToInherit,
  containerSpec,
  hookExecOptions,
  preStartHooks,
  preStartSpec,
  serviceHooks,
  type ContainerSpecResult,
  type ConvertContext,
  type InitHook,
} from "./convert.js";
import type { Engine } from "./engine.js";
import { imageName, planImages, runImageActions } from "./images.js";
import { CONFIG_LABEL, CONFIG_LABEL_MAX } from "./observe.js";
import { Label } from "./labels.js";
import type { UpOptions } from "./options.js";
import { namespaceParents, type ContainerActionKind, type Plan, type ServiceAction } from "./plan.js";

export interface UpContainer {
  service: string;
  number: number;
  name: string;
  id: string;
  action: ContainerActionKind;
}

export interface UpResult {
  plan: Plan;
  containers: UpContainer[];
  warnings: string[];
}

export type ApplyOptions = UpOptions & { imageIds?: Record<string, string> };

/** Services referenced through `service:x` namespaces, volumes_from and links: their containers must exist first. */
export function creationDependencies(svc: ServiceConfig): string[] {
  const out = new Set<string>(namespaceParents(svc));
  for (const l of svc.links ?? []) out.add(l.split(":")[0]!);
  return [...out];
}

/**
 * Pull/build what the services need (planImages + runImageActions) and return the current image
 * id of every service whose image exists (for the "image changed" rule of the planner).
 */
export async function prepareImages(
  project: LoadedProject,
  services: string[],
  engine: Engine,
  opts: Pick<UpOptions, "pull" | "build" | "noBuild" | "onEvent" | "signal" | "parallel" | "dryRun">,
): Promise<Record<string, string>> {
  const actionOpts: { pull?: UpOptions["pull"]; build?: boolean; noBuild?: boolean } = {};
  if (opts.pull !== undefined) actionOpts.pull = opts.pull;
  if (opts.build !== undefined) actionOpts.build = opts.build;
  if (opts.noBuild !== undefined) actionOpts.noBuild = opts.noBuild;
  const actions = await planImages(project, services, engine, actionOpts);
  if (!opts.dryRun) {
    await runImageActions(actions, engine, project, { onEvent: opts.onEvent ?? silent, signal: opts.signal, parallel: opts.parallel ?? 4 } as Parameters<typeof runImageActions>[3]);
  }
  const ids: Record<string, string> = {};
  await Promise.all(
    services.map(async (s) => {
      const svc = project.model.services[s];
      if (!svc) return;
      const info = await engine.inspectImage(imageName(project.model.name, s, svc));
      if (info) ids[s] = info.id;
    }),
  );
  return ids;
}

/** A tar (as a Buffer) holding files at absolute container paths, for putArchive at "/". */
export async function tarFiles(files: readonly { containerPath: string; content: string | Buffer; mode?: number; uid?: number; gid?: number }[]): Promise<Buffer> {
  const p = pack();
  for (const f of files) {
    const content = typeof f.content === "string" ? Buffer.from(f.content) : f.content;
    p.entry({ name: f.containerPath.replace(/^\/+/, ""), mode: f.mode ?? 0o444, size: content.length, uid: f.uid ?? 0, gid: f.gid ?? 0 }, content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * Run a service's `post_start` or `pre_stop` hooks in one container, in order, through
 * `engine.exec`. A hook that exits non-zero throws CONTAINER_FAILED naming the service, the
 * container, the command and its output (the caller decides whether that fails the operation).
 */
export async function runHooks(
  engine: Engine,
  svc: ServiceConfig,
  service: string,
  container: { id: string; name: string },
  kind: "post_start" | "pre_stop",
  signal?: AbortSignal,
): Promise<number> {
  const hooks = serviceHooks(svc, kind);
  for (const hook of hooks) {
    const result = await engine.exec(container.id, hookExecOptions(hook), signal);
    if (result.exitCode !== 0) {
      const output = `${result.stdout}${result.stderr}`.trim();
      const tail = output.split("\n").slice(-20).join("\n");
      throw new ServiceError(
        "CONTAINER_FAILED",
        service,
        `service "${service}": ${kind} hook ${JSON.stringify(hook.command)} in container ${container.name} exited with status ${result.exitCode}${tail ? `:\n${tail}` : ""}`,
        { hint: `fix the ${kind} command of service ${service} (it runs inside the container, like \`exec\`)` },
      );
    }
  }
  return hooks.length;
}

function asServiceError(service: string, err: unknown): unknown {
  if (err instanceof FlotillaError) {
    if (err.service !== undefined) return err;
    return new ServiceError(err.code, service, `service "${service}": ${err.message}`, err.hint !== undefined ? { hint: err.hint, cause: err } : { cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new ServiceError("CONTAINER_FAILED", service, `service "${service}": ${msg}`, { cause: err });
}

/** Apply a plan made by `planUp`. Throws typed errors naming the service; leaves what was made in place. */
export async function applyUp(project: LoadedProject, plan: Plan, engine: Engine, opts: ApplyOptions = {}): Promise<UpResult> {
  const emit: EventListener = opts.onEvent ?? silent;
  const signal = opts.signal;
  const limit = limiter(Math.max(1, opts.parallel ?? 4));
  const model = project.model;
  const warnings: string[] = [...plan.warnings];
  const warn = (message: string, service?: string): void => {
    warnings.push(message);
    emit(service ? { type: "warning", message, service } : { type: "warning", message });
  };
  const res = (kind: "network" | "volume" | "container", name: string, status: Extract<FlotillaEvent, { type: "resource" }>["status"], service?: string, detail?: string): void => {
    const e: FlotillaEvent = { type: "resource", kind, name, status };
    if (service) e.service = service;
    if (detail) e.detail = detail;
    emit(e);
  };
  const checkAbort = (): void => {
    if (signal?.aborted) throw abortError();
  };
  for (const w of plan.warnings) emit({ type: "warning", message: w });

  // 1. Orphans (if asked), networks and volumes, in parallel.
  const first: Promise<void>[] = [];
  for (const o of plan.orphans) {
    if (o.kind !== "remove" || !o.containerId) continue;
    const id = o.containerId;
    first.push(
      limit(async () => {
        res("container", o.target, "Stopping", o.service);
        await engine.stopContainer(id, opts.timeout);
        res("container", o.target, "Removing", o.service);
        await engine.removeContainer(id, { force: true });
        res("container", o.target, "Removed", o.service);
      }),
    );
  }
  for (const a of plan.networks) {
    if (a.kind === "recreate") {
      first.push(limit(() => recreateNetwork(engine, model.name, a, networkSpec(a.key, model.networks[a.key]!, model.name), opts.timeout, res)));
      continue;
    }
    if (a.kind !== "create") continue;
    const net = model.networks[a.key]!;
    first.push(
      limit(async () => {
        res("network", a.target, "Creating");
        try {
          await engine.createNetwork(networkSpec(a.key, net, model.name));
        } catch (err) {
          // Created meanwhile by someone else: fine.
          if (!(await engine.inspectNetwork(a.target))) throw err;
        }
        res("network", a.target, "Created");
      }),
    );
  }
  for (const a of plan.volumes) {
    if (a.kind !== "create") continue;
    const vol = model.volumes[a.key]!;
    first.push(
      limit(async () => {
        res("volume", a.target, "Creating");
        await engine.createVolume(volumeSpec(a.key, vol, model.name));
        res("volume", a.target, "Created");
      }),
    );
  }
  const firstResults = await Promise.allSettled(first);
  const firstFailure = firstResults.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (firstFailure) throw firstFailure.reason;
  checkAbort();

  // 2. Containers.
  const targets = plan.targets;
  const inScope = new Set(targets);
  const graph = ServiceGraph.fromServices(model.services);
  const results: UpContainer[] = [];
  /** Final container ids per service (by number), filled as containers exist. */
  const ids: Record<string, Map<number, string>> = {};
  /** id of the freshly created container per action. */
  const newIds = new Map<ServiceAction, string>();
  /** The create body of each freshly created container (pre_start steps borrow its networks). */
  const newSpecs = new Map<ServiceAction, ContainerSpecResult>();
  /** -V: the anonymous volumes of each replaced container, removed after it. */
  const renewed = new Map<ServiceAction, string[]>();
  for (const s of targets) {
    const m = new Map<number, string>();
    for (const a of plan.services[s] ?? []) if (a.containerId && (a.kind === "noop" || a.kind === "start" || a.kind === "restart")) m.set(a.number, a.containerId);
    ids[s] = m;
  }
  const firstContainer = (service: string): string | undefined => {
    const m = ids[service];
    if (!m || m.size === 0) return undefined;
    return m.get(Math.min(...m.keys()));
  };

  const createFor = async (s: string, a: ServiceAction, warnOnce: { done: boolean }): Promise<void> => {
    const svc = model.services[s]!;
    const identity = { project: model.name, service: s, number: a.number, name: a.target };
    const ctx: ConvertContext = { project, configHash: plan.hashes[s]!, resolveContainer: (other: string) => firstContainer(other) };
    const digest = opts.imageIds?.[s];
    if (digest) ctx.imageDigest = digest;
    if (a.kind === "recreate" && a.containerId) {
      // Keep the replaced container's anonymous volumes (Compose does); with -V they are dropped instead.
      const old = await limit(() => engine.inspectContainer(a.containerId!));
      if (old) {
        const inherited = anonymousVolumesToInherit(svc, old.mounts, observedConfig(old.labels));
        if (opts.renewAnonVolumes) renewed.set(a, inherited.map((v) => v.name));
        else if (inherited.length > 0) ctx.inheritedVolumes = inherited;
      }
    }
    const out = containerSpec(svc, s, identity, ctx);
    if (!warnOnce.done) {
      warnOnce.done = true;
      for (const w of out.warnings ?? []) warn(w, s);
    }
    const spec = { ...out.spec, Labels: { ...(out.spec.Labels ?? {}) } };
    const json = JSON.stringify(svc);
    if (json.length <= CONFIG_LABEL_MAX) spec.Labels[CONFIG_LABEL] = json;
    if (a.kind === "recreate" && a.containerId) {
      spec.name = `${a.containerId.slice(0, 12)}_${a.target}`;
      spec.Labels[Label.replace] = a.currentName ?? a.target; // as Compose: the container this one replaces
    } else spec.name = a.target;
    const id = await limit(async () => {
      checkAbort();
      if (a.kind === "create") res("container", a.target, "Creating", s);
      const newId = await engine.createContainer(spec);
      for (const n of out.extraNetworks ?? []) await engine.connectNetwork(n.name, newId, n.endpoint);
      if (out.filesToInject && out.filesToInject.length > 0) await engine.putArchive(newId, "/", await tarFiles(out.filesToInject));
      return newId;
    });
    newIds.set(a, id);
    newSpecs.set(a, out);
    if (a.kind === "create") {
      ids[s]!.set(a.number, id);
      res("container", a.target, "Created", s);
    }
  };

  // Early creation: every service's new containers, as soon as its creation dependencies exist.
  const created = new Map<string, Promise<void>>();
  const createService = (s: string): Promise<void> => {
    let p = created.get(s);
    if (p) return p;
    p = (async () => {
      const svc = model.services[s]!;
      for (const dep of creationDependencies(svc)) {
        if (inScope.has(dep) && dep !== s) await createService(dep);
      }
      const warnOnce = { done: false };
      const todo = (plan.services[s] ?? []).filter((a) => a.kind === "create" || a.kind === "recreate");
      if (todo.length === 0) {
        // Surface convert warnings even when nothing is created? Only when something is made.
        return;
      }
      try {
        await Promise.all(todo.map((a) => createFor(s, a, warnOnce)));
      } catch (err) {
        throw asServiceError(s, err);
      }
      // Recreated namespace parents: their new id is what dependents must use.
      for (const a of todo) if (a.kind === "recreate") ids[s]!.set(a.number, newIds.get(a)!);
    })();
    p.catch(() => {}); // observed through the walk; avoid unhandled rejections
    created.set(s, p);
    return p;
  };
  // Recreated services need their new container ids visible before dependents create.
  for (const s of targets) void createService(s);

  /** Stop a running container, running the service's pre_stop hooks first (a failing hook is a warning). */
  const stopWithHooks = async (s: string, id: string, name: string, running: boolean): Promise<void> => {
    if (running && serviceHooks(model.services[s]!, "pre_stop").length > 0) {
      try {
        await runHooks(engine, model.services[s]!, s, { id, name }, "pre_stop", signal);
      } catch (err) {
        warn(err instanceof Error ? err.message : String(err), s);
      }
    }
    await engine.stopContainer(id, opts.timeout);
  };
  const isRunning = (a: ServiceAction): boolean => a.state === undefined || a.state === "running" || a.state === "restarting" || a.state === "paused";

  // depends_on restart: true — dependents stopped before their dependency changes, once.
  const restartStops = new Map<ServiceAction, Promise<void>>();
  const stopForRestart = (s: string, a: ServiceAction): Promise<void> => {
    let p = restartStops.get(a);
    if (!p) {
      p = limit(async () => {
        res("container", a.target, "Stopping", s, a.reason);
        await stopWithHooks(s, a.containerId!, a.target, true);
        res("container", a.target, "Stopped", s);
      });
      restartStops.set(a, p);
    }
    return p;
  };
  const stopDependentsOf = async (dep: string): Promise<void> => {
    const jobs: Promise<void>[] = [];
    for (const t of targets) {
      for (const a of plan.services[t] ?? []) {
        if (a.kind === "restart" && a.containerId && a.restartAfter?.includes(dep)) jobs.push(stopForRestart(t, a));
      }
    }
    await Promise.all(jobs);
  };

  /**
   * Run a service's pre_start steps in order, each in its own container (see preStartSpec) that
   * must exit 0 before the next step (and the service) starts. A step runs once per up for the
   * service, on its first new container, or on every new container with `per_replica: true`. Only
   * new (created/recreated) containers get them: an unchanged service does not run them again.
   */
  const runPreStart = async (s: string, fresh: ServiceAction[]): Promise<void> => {
    const hooks = preStartHooks(model.services[s]!);
    if (hooks.length === 0 || fresh.length === 0) return;
    for (const [i, hook] of hooks.entries()) {
      const on = hook.per_replica ? fresh : fresh.slice(0, 1);
      await Promise.all(on.map((a) => limit(() => runInitContainer(s, a, hook, i))));
    }
  };
  const runInitContainer = async (s: string, a: ServiceAction, hook: InitHook, index: number): Promise<void> => {
    checkAbort();
    const out = newSpecs.get(a)!;
    const spec = preStartSpec(hook, { spec: out.spec, id: newIds.get(a)!, name: a.target, service: s, project: model.name }, index);
    const name = spec.name ?? `${a.target}-pre_start-${index + 1}`;
    res("container", name, "Creating", s, "pre_start");
    const id = await engine.createContainer(spec);
    try {
      for (const n of out.extraNetworks ?? []) await engine.connectNetwork(n.name, id, { ...n.endpoint, Aliases: [], IPAMConfig: undefined });
      res("container", name, "Starting", s, "pre_start");
      await engine.startContainer(id);
      const code = await engine.waitContainer(id, signal);
      if (code !== 0) {
        const logs = await tailLogs(engine, id, 20);
        throw new ServiceError("CONTAINER_FAILED", s, `pre_start step ${index + 1} ${JSON.stringify(hook.command)} exited with code ${code}`, {
          exitCode: code,
          logs,
          hint: `service ${s} is not started until its pre_start steps exit 0: fix the command, then run up again`,
        });
      }
      res("container", name, "Exited", s, "pre_start");
    } finally {
      await engine.removeContainer(id, { force: true }).catch(() => {});
    }
  };

  const startedServices: string[] = [];
  const visit = async (s: string): Promise<void> => {
    checkAbort();
    await createService(s);
    const actions = plan.services[s] ?? [];
    try {
      // Wait for each dependency's condition.
      if (!opts.noStart) {
        for (const edge of graph.dependencies(s)) {
          if (!inScope.has(edge.service)) continue;
          const depIds = ids[edge.service]!;
          if (depIds.size === 0) continue; // scaled to 0
          const containers = (plan.services[edge.service] ?? [])
            .filter((x) => x.kind !== "remove" && depIds.has(x.number))
            .map((x) => ({ id: depIds.get(x.number)!, name: x.target }));
          if (edge.condition !== "service_started") for (const c of containers) res("container", c.name, "Waiting", edge.service);
          try {
            await waitForCondition(engine, { service: edge.service, condition: edge.condition, containers }, signal ? { signal, dependent: s } : { dependent: s });
            if (edge.condition === "service_healthy") for (const c of containers) res("container", c.name, "Healthy", edge.service);
            if (edge.condition === "service_completed_successfully") for (const c of containers) res("container", c.name, "Exited", edge.service);
          } catch (err) {
            if (!edge.required && err instanceof ServiceError && err.code === "DEPENDENCY_FAILED") {
              warn(`optional dependency "${edge.service}" of "${s}" failed: ${err.message}`, s);
              continue;
            }
            throw err;
          }
        }
      }
      // Dependents that restart around this service's recreate/start are stopped first.
      if (!opts.noStart && actions.some((a) => a.kind === "recreate" || a.kind === "start")) await stopDependentsOf(s);
      // Scale-down and leftovers.
      await Promise.all(
        actions
          .filter((a) => a.kind === "remove" && a.containerId)
          .map((a) =>
            limit(async () => {
              res("container", a.currentName ?? a.target, "Stopping", s);
              await stopWithHooks(s, a.containerId!, a.currentName ?? a.target, isRunning(a));
              res("container", a.currentName ?? a.target, "Removing", s);
              await engine.removeContainer(a.containerId!, { force: true });
              res("container", a.currentName ?? a.target, "Removed", s);
            }),
          ),
      );
      // Swap recreated containers in.
      await Promise.all(
        actions
          .filter((a) => a.kind === "recreate")
          .map((a) =>
            limit(async () => {
              const newId = newIds.get(a)!;
              res("container", a.target, "Recreate", s, a.reason);
              if (a.containerId) {
                await stopWithHooks(s, a.containerId, a.currentName ?? a.target, isRunning(a));
                // -V: the old anonymous volumes go with the old container (they were not inherited).
                await engine.removeContainer(a.containerId, { force: true, volumes: !!opts.renewAnonVolumes });
                // A volume it had inherited by name is not "anonymous" to the engine any more: remove it explicitly.
                for (const v of renewed.get(a) ?? []) await engine.removeVolume(v).catch(() => {});
              }
              await engine.renameContainer(newId, a.target);
              ids[s]!.set(a.number, newId);
              res("container", a.target, "Recreated", s);
            }),
          ),
      );
      // pre_start steps (init containers) for the containers this up created, before any starts.
      if (!opts.noStart) await runPreStart(s, actions.filter((a) => a.kind === "create" || a.kind === "recreate"));
      // Start.
      const toStart = opts.noStart ? [] : actions.filter((a) => a.kind === "create" || a.kind === "recreate" || a.kind === "start" || a.kind === "restart");
      // A restart whose trigger did not stop it (e.g. the dependency had nothing to do after all) stops now.
      await Promise.all(toStart.filter((a) => a.kind === "restart").map((a) => stopForRestart(s, a)));
      await Promise.all(
        toStart.map((a) =>
          limit(async () => {
            checkAbort();
            const id = a.kind === "start" || a.kind === "restart" ? a.containerId! : newIds.get(a)!;
            res("container", a.target, "Starting", s, a.kind === "restart" ? a.reason : undefined);
            await engine.startContainer(id);
            await runHooks(engine, model.services[s]!, s, { id, name: a.target }, "post_start", signal);
            res("container", a.target, "Started", s);
          }),
        ),
      );
      // Up-to-date containers are reported like Compose does (` Container x  Running`), so a no-op up is not silent.
      for (const a of actions) if (a.kind === "noop") res("container", a.target, "Running", s);
      if (toStart.length > 0 || actions.some((a) => a.kind === "noop")) startedServices.push(s);
      for (const a of actions) {
        if (a.kind === "remove") continue;
        const id = a.kind === "create" || a.kind === "recreate" ? newIds.get(a)! : a.containerId!;
        results.push({ service: s, number: a.number, name: a.target, id, action: a.kind });
      }
    } catch (err) {
      throw asServiceError(s, err);
    }
  };

  try {
    await walkGraph(graph, signal ? { direction: "up", services: targets, signal } : { direction: "up", services: targets }, visit);
  } finally {
    await Promise.allSettled([...created.values()]);
  }

  // 3. --wait
  if (opts.wait && !opts.noStart) {
    await waitReady(engine, plan, graph, results, startedServices, opts);
  }
  results.sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
  return { plan, containers: results, warnings };
}

function observedConfig(labels: Record<string, string>): ServiceConfig | undefined {
  const raw = labels[CONFIG_LABEL];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as ServiceConfig;
  } catch {
    return undefined;
  }
}

async function waitReady(engine: Engine, plan: Plan, graph: ServiceGraph, results: UpContainer[], services: string[], opts: ApplyOptions): Promise<void> {
  const inScope = new Set(plan.targets);
  const oneShots = new Set<string>();
  for (const s of plan.targets) {
    for (const e of graph.dependencies(s)) if (e.condition === "service_completed_successfully" && inScope.has(e.service)) oneShots.add(e.service);
  }
  const targets: ReadyTarget[] = results
    .filter((r) => services.includes(r.service))
    .map((r) => ({ service: r.service, id: r.id, name: r.name, kind: oneShots.has(r.service) ? "completed" : "running" }));
  await waitUntilReady(engine, targets, {
    timeoutSeconds: opts.waitTimeout,
    signal: opts.signal,
    strategy: "up --wait",
    describe: (names, secs) => `application not healthy after ${secs}s: services not ready: ${names.join(", ")}`,
  });
}

/**
 * Replace a network whose definition changed, as Compose does: the project's service containers on
 * it are stopped (the plan recreates them), everything on it is disconnected, then it is removed
 * and created again from the file.
 */
async function recreateNetwork(
  engine: Engine,
  project: string,
  a: { target: string; reason: string },
  spec: Parameters<Engine["createNetwork"]>[0],
  timeout: number | undefined,
  res: (kind: "network" | "volume" | "container", name: string, status: Extract<FlotillaEvent, { type: "resource" }>["status"], service?: string, detail?: string) => void,
): Promise<void> {
  res("network", a.target, "Recreate", undefined, a.reason);
  const attached = Object.keys((await engine.inspectNetwork(a.target))?.containers ?? {});
  const ours = new Map((await engine.listContainers({ labels: { [Label.project]: project }, all: true })).map((c) => [c.id, c]));
  for (const id of attached) {
    const c = ours.get(id);
    // one-off and foreign containers keep running, only off this network
    if (c && c.labels[Label.oneoff] !== "True" && c.state !== "exited" && c.state !== "created") await engine.stopContainer(id, timeout);
    await engine.disconnectNetwork(a.target, id, true).catch(() => {});
  }
  await removeNetworkPatiently(engine, a.target);
  await engine.createNetwork(spec);
  res("network", a.target, "Recreated");
}
