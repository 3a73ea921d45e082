/**
 * down / stop / start / restart / kill / rm: everything found by the project label, so these work
 * after the file changed or without a file. Ordering follows the dependency graph: from the model
 * when given, else rebuilt from the `com.docker.compose.depends_on` labels.
 */
import { FlotillaError } from "../errors.js";
import { silent, type EventListener, type FlotillaEvent } from "../events.js";
import { ServiceGraph } from "../graph/graph.js";
import { limiter, walkGraph } from "../graph/scheduler.js";
import type { DependsOnCondition, LoadedProject, ServiceConfig } from "../spec/model.js";
import { isNotFound, removeNetworkPatiently } from "./network/networks.js";
import type { Engine } from "./engine.js";
import { imageName } from "./images.js";
import { runHooks } from "./apply.js";
import { serviceHooks } from "./convert.js";
import { Label } from "./labels.js";
import { toObservedContainer, type ObservedContainer } from "./observe.js";
import type { DownOptions } from "./options.js";

export interface DownResult {
  containers: string[];
  networks: string[];
  volumes: string[];
  images: string[];
  warnings: string[];
}

export interface LifecycleOptions {
  services?: string[];
  project?: LoadedProject;
  onEvent?: EventListener;
  signal?: AbortSignal;
  parallel?: number;
  /** Seconds (stop/restart); undefined = each container's own StopTimeout. */
  timeout?: number;
  /** Report what would happen (the same events), change nothing. */
  dryRun?: boolean;
}

type Status = Extract<FlotillaEvent, { type: "resource" }>["status"];

function emitter(onEvent: EventListener | undefined) {
  const emit = onEvent ?? silent;
  return {
    emit,
    res(kind: "network" | "volume" | "container" | "image", name: string, status: Status, service?: string, detail?: string): void {
      const e: FlotillaEvent = { type: "resource", kind, name, status };
      if (service) e.service = service;
      if (detail) e.detail = detail;
      emit(e);
    },
  };
}

/** Parse a `com.docker.compose.depends_on` label (`dep:condition:restart`, comma-joined). */
export function parseDependsOnLabel(label: string | undefined): NonNullable<ServiceConfig["depends_on"]> {
  const out: NonNullable<ServiceConfig["depends_on"]> = {};
  for (const part of (label ?? "").split(",")) {
    const [dep, condition, restart] = part.trim().split(":");
    if (!dep) continue;
    const cond = (["service_started", "service_healthy", "service_completed_successfully"] as const).find((c) => c === condition) ?? "service_started";
    out[dep] = { condition: cond as DependsOnCondition, required: true, restart: restart === "true" };
  }
  return out;
}

/** A graph over the services seen on containers; the model's definitions win when given. */
export function graphFor(containers: readonly ObservedContainer[], project?: LoadedProject): ServiceGraph {
  const services: Record<string, ServiceConfig> = {};
  for (const c of containers) {
    if (!services[c.service]) services[c.service] = { depends_on: parseDependsOnLabel(c.labels[Label.dependsOn]) };
  }
  if (project) for (const [name, svc] of Object.entries(project.model.services)) services[name] = svc;
  return ServiceGraph.fromServices(services);
}

async function listProject(engine: Engine, projectName: string): Promise<ObservedContainer[]> {
  const list = await engine.listContainers({ labels: { [Label.project]: projectName }, all: true });
  return list.map(toObservedContainer);
}

function selectServices(containers: ObservedContainer[], services?: string[]): ObservedContainer[] {
  if (!services || services.length === 0) return containers;
  const want = new Set(services);
  return containers.filter((c) => want.has(c.service));
}

/** Stop (then optionally remove) containers in reverse dependency order, parallel where the graph allows. */
async function walkContainers(
  engine: Engine,
  containers: ObservedContainer[],
  graph: ServiceGraph,
  direction: "up" | "down",
  opts: LifecycleOptions,
  perContainer: (c: ObservedContainer) => Promise<void>,
): Promise<void> {
  const limit = limiter(Math.max(1, opts.parallel ?? 4));
  const byService = new Map<string, ObservedContainer[]>();
  for (const c of containers) {
    const list = byService.get(c.service) ?? [];
    list.push(c);
    byService.set(c.service, list);
  }
  const visit = async (s: string): Promise<void> => {
    await Promise.all((byService.get(s) ?? []).map((c) => limit(() => perContainer(c))));
  };
  const inGraph = [...byService.keys()].filter((s) => graph.has(s));
  const outside = [...byService.keys()].filter((s) => !graph.has(s));
  await Promise.all(outside.map(visit));
  await walkGraph(graph, opts.signal ? { direction, services: inGraph, signal: opts.signal } : { direction, services: inGraph }, visit);
}

/**
 * Stop one container, running its service's `pre_stop` hooks first (Compose's order). The hooks
 * come from the model when given, else from the config Flotilla stored on the container. A
 * failing hook is reported as a warning and the stop goes on: `down` must not be blocked by it.
 */
async function stopContainerWithHooks(
  engine: Engine,
  c: ObservedContainer,
  opts: { project?: LoadedProject | undefined; timeout?: number | undefined; signal?: AbortSignal | undefined },
  warn: (message: string) => void,
): Promise<void> {
  const svc = opts.project?.model.services[c.service] ?? c.config;
  if (svc && c.state === "running" && serviceHooks(svc, "pre_stop").length > 0) {
    try {
      await runHooks(engine, svc, c.service, { id: c.id, name: c.name }, "pre_stop", opts.signal);
    } catch (err) {
      warn(err instanceof Error ? err.message : String(err));
    }
  }
  await engine.stopContainer(c.id, opts.timeout);
}

const ANONYMOUS_VOLUME = /^[0-9a-f]{64}$/;

async function anonymousVolumesOf(engine: Engine, id: string): Promise<string[]> {
  const d = await engine.inspectContainer(id);
  return (d?.mounts ?? []).filter((m) => m.type === "volume" && m.name !== undefined && ANONYMOUS_VOLUME.test(m.name)).map((m) => m.name!);
}


/** `down`: stop and remove containers, then networks, (with volumes:true) named volumes, (with rmi) images. */
export async function downProject(engine: Engine, projectName: string, opts: DownOptions & { project?: LoadedProject } = {}): Promise<DownResult> {
  const { emit, res } = emitter(opts.onEvent);
  const result: DownResult = { containers: [], networks: [], volumes: [], images: [], warnings: [] };
  const warn = (message: string): void => {
    result.warnings.push(message);
    emit({ type: "warning", message });
  };
  const project = opts.project;
  const all = await listProject(engine, projectName);
  const known = project ? new Set([...Object.keys(project.model.services), ...Object.keys(project.disabledServices)]) : undefined;
  let containers = selectServices(all, opts.services);
  if (known) {
    // One-offs are orphans (kept without --remove-orphans), but a leftover pre_start container always goes.
    const orphans = containers.filter((c) => !known.has(c.service) || (c.oneoff && c.labels[Label.hook] === undefined));
    if (!opts.removeOrphans && orphans.length > 0) {
      containers = containers.filter((c) => !orphans.includes(c));
      if (!opts.ignoreOrphans) {
        warn(
          `Found orphan containers ([${orphans.map((c) => c.name).join(", ")}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
        );
      }
    }
  }
  if (opts.dryRun) {
    result.containers = containers.map((c) => c.name);
  } else {
    const graph = graphFor(containers, project);
    // Only the stops need the reverse dependency order (a dependency keeps running until its
    // dependents have stopped). Each removal is queued once its container has stopped, so the walk
    // moves on to the dependencies while removals fill the gaps between its steps.
    const removeLimit = limiter(Math.max(1, opts.parallel ?? 4));
    const removals: Promise<void>[] = [];
    const remove = async (c: ObservedContainer): Promise<void> => {
      res("container", c.name, "Removing", c.service);
      // An anonymous volume a recreate handed over is mounted by name, so the engine's `volumes`
      // flag no longer removes it: with -v, remove the container's anonymous volumes explicitly.
      const anonymous = opts.volumes ? await anonymousVolumesOf(engine, c.id) : [];
      await engine.removeContainer(c.id, { force: true, volumes: !!opts.volumes });
      for (const v of anonymous) await engine.removeVolume(v).catch(() => {});
      res("container", c.name, "Removed", c.service);
      result.containers.push(c.name);
    };
    const walked = walkContainers(engine, containers, graph, "down", opts, async (c) => {
      if (c.state === "running" || c.state === "restarting" || c.state === "paused") {
        res("container", c.name, "Stopping", c.service);
        await stopContainerWithHooks(engine, c, { project, timeout: opts.timeout, signal: opts.signal }, warn);
        res("container", c.name, "Stopped", c.service);
      }
      removals.push(removeLimit(() => remove(c)));
    });
    const outcome = await Promise.allSettled([walked]);
    // Every queued removal has finished (or failed) before down reports anything.
    const failed = [...outcome, ...(await Promise.allSettled(removals))].find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) throw failed.reason;
  }

  // With services named, only their containers go (networks/volumes may still be in use).
  if (opts.services && opts.services.length > 0) return result;

  const limit = limiter(Math.max(1, opts.parallel ?? 4));
  const externalNetworks = new Set(Object.values(project?.model.networks ?? {}).filter((n) => n?.external).map((n) => n.name));
  const externalVolumes = new Set(Object.values(project?.model.volumes ?? {}).filter((v) => v?.external).map((v) => v.name));
  const [networks, volumes] = await Promise.all([
    engine.listNetworks({ labels: { [Label.project]: projectName } }),
    opts.volumes ? engine.listVolumes({ labels: { [Label.project]: projectName } }) : Promise.resolve([]),
  ]);
  const jobs: Promise<void>[] = [];
  for (const n of networks) {
    if (externalNetworks.has(n.name) || n.labels[Label.network] === undefined) continue;
    jobs.push(
      limit(async () => {
        res("network", n.name, "Removing");
        if (opts.dryRun) return;
        try {
          if (!(await removeNetworkPatiently(engine, n.id || n.name))) return;
          res("network", n.name, "Removed");
          result.networks.push(n.name);
        } catch (err) {
          res("network", n.name, "Warning", undefined, "still in use");
          warn(`network ${n.name}: not removed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
  }
  // With the file at hand, only the volumes it declares go, as Compose does; a labelled volume the
  // file no longer has is kept (its data may still be wanted) and named.
  const declared = project ? new Set(Object.values(project.model.volumes ?? {}).filter((v) => v && !v.external).map((v) => v.name)) : undefined;
  for (const v of volumes) {
    if (externalVolumes.has(v.name) || v.labels[Label.volume] === undefined) continue;
    if (declared && !declared.has(v.name)) {
      warn(`volume ${v.name} belongs to the project but is no longer in the file: kept (remove it with docker volume rm ${v.name})`);
      continue;
    }
    jobs.push(
      limit(async () => {
        res("volume", v.name, "Removing");
        if (opts.dryRun) return;
        try {
          await engine.removeVolume(v.name);
          res("volume", v.name, "Removed");
          result.volumes.push(v.name);
        } catch (err) {
          if (isNotFound(err)) return;
          warn(`volume ${v.name}: not removed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
  }
  if (opts.rmi) {
    for (const ref of imagesToRemove(projectName, all, project, opts.rmi)) {
      jobs.push(
        limit(async () => {
          res("image", ref, "Removing");
          if (opts.dryRun) return;
          try {
            await engine.removeImage(ref);
            res("image", ref, "Removed");
            result.images.push(ref);
          } catch (err) {
            if (isNotFound(err)) return;
            warn(`image ${ref}: not removed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }),
      );
    }
  }
  await Promise.all(jobs);
  return result;
}

/** Images for `down --rmi`: local = built for services without `image:`; all = every service image. */
export function imagesToRemove(projectName: string, containers: readonly ObservedContainer[], project: LoadedProject | undefined, mode: "local" | "all"): string[] {
  const out = new Set<string>();
  if (project) {
    for (const [s, svc] of Object.entries(project.model.services)) {
      if (mode === "local" && svc.image) continue;
      out.add(imageName(projectName, s, svc));
    }
  } else {
    for (const c of containers) {
      const isLocal = c.image === `${projectName}-${c.service}` || c.image === `${projectName}-${c.service}:latest`;
      if (mode === "local" && !isLocal) continue;
      out.add(c.image);
    }
  }
  return [...out].sort();
}

/** `stop`: reverse dependency order. */
export async function stopProject(engine: Engine, projectName: string, opts: LifecycleOptions = {}): Promise<string[]> {
  const { res, emit } = emitter(opts.onEvent);
  const containers = selectServices(await listProject(engine, projectName), opts.services).filter((c) => c.state === "running" || c.state === "restarting" || c.state === "paused");
  const stopped: string[] = [];
  await walkContainers(engine, containers, graphFor(containers, opts.project), "down", opts, async (c) => {
    res("container", c.name, "Stopping", c.service);
    if (!opts.dryRun) await stopContainerWithHooks(engine, c, opts, (message) => emit({ type: "warning", message, service: c.service }));
    res("container", c.name, "Stopped", c.service);
    stopped.push(c.name);
  });
  return stopped;
}

/** `start`: existing containers, dependency order. */
export async function startProject(engine: Engine, projectName: string, opts: LifecycleOptions = {}): Promise<string[]> {
  const { res } = emitter(opts.onEvent);
  const all = await listProject(engine, projectName);
  const containers = selectServices(all, opts.services).filter((c) => !c.oneoff && c.state !== "running" && c.state !== "restarting");
  if (opts.services && opts.services.length > 0) {
    const present = new Set(all.map((c) => c.service));
    const missing = opts.services.filter((s) => !present.has(s));
    if (missing.length > 0) throw new FlotillaError("NO_SUCH_SERVICE", `no containers to start for service(s): ${missing.join(", ")}`, { hint: "create them first with `up`" });
  }
  const started: string[] = [];
  await walkContainers(engine, containers, graphFor(all, opts.project), "up", opts, async (c) => {
    res("container", c.name, "Starting", c.service);
    if (!opts.dryRun) await engine.startContainer(c.id);
    res("container", c.name, "Started", c.service);
    started.push(c.name);
  });
  return started;
}

/** `restart`: dependency order; does not apply config changes. */
export async function restartProject(engine: Engine, projectName: string, opts: LifecycleOptions = {}): Promise<string[]> {
  const { res } = emitter(opts.onEvent);
  const all = await listProject(engine, projectName);
  const graph = graphFor(all, opts.project);
  // Named services bring the services that depend on them with `restart: true`.
  const services = opts.services && opts.services.length > 0 ? [...graph.restartClosure(opts.services)] : opts.services;
  const containers = selectServices(all, services).filter((c) => !c.oneoff);
  const restarted: string[] = [];
  await walkContainers(engine, containers, graph, "up", opts, async (c) => {
    res("container", c.name, "Starting", c.service, "restart");
    if (!opts.dryRun) await engine.restartContainer(c.id, opts.timeout);
    res("container", c.name, "Started", c.service);
    restarted.push(c.name);
  });
  return restarted;
}

/** `kill`: default SIGKILL, running containers only, all at once. */
/** `pause` (freeze running containers) or `unpause` (thaw paused ones); returns the names changed. */
export async function setPaused(engine: Engine, projectName: string, paused: boolean, opts: LifecycleOptions = {}): Promise<string[]> {
  const { res } = emitter(opts.onEvent);
  const limit = limiter(Math.max(1, opts.parallel ?? 4));
  const want = paused ? "running" : "paused";
  const containers = selectServices(await listProject(engine, projectName), opts.services).filter((c) => c.state === want && !c.oneoff);
  const changed: string[] = [];
  await Promise.all(
    containers.map((c) =>
      limit(async () => {
        res("container", c.name, paused ? "Pausing" : "Unpausing", c.service);
        if (!opts.dryRun) await (paused ? engine.pauseContainer(c.id) : engine.unpauseContainer(c.id));
        res("container", c.name, paused ? "Paused" : "Unpaused", c.service);
        changed.push(c.name);
      }),
    ),
  );
  return changed.sort();
}

export async function killProject(engine: Engine, projectName: string, opts: LifecycleOptions & { killSignal?: string } = {}): Promise<string[]> {
  const { res } = emitter(opts.onEvent);
  const limit = limiter(Math.max(1, opts.parallel ?? 4));
  const containers = selectServices(await listProject(engine, projectName), opts.services).filter((c) => c.state === "running" || c.state === "restarting" || c.state === "paused");
  const killed: string[] = [];
  await Promise.all(
    containers.map((c) =>
      limit(async () => {
        if (!opts.dryRun) await engine.killContainer(c.id, opts.killSignal ?? "SIGKILL");
        res("container", c.name, "Stopped", c.service, "killed");
        killed.push(c.name);
      }),
    ),
  );
  return killed;
}

/** `rm`: remove stopped containers (with `stop: true`, stop running ones first). */
export async function removeStopped(engine: Engine, projectName: string, opts: LifecycleOptions & { volumes?: boolean; stop?: boolean } = {}): Promise<string[]> {
  const { res } = emitter(opts.onEvent);
  const limit = limiter(Math.max(1, opts.parallel ?? 4));
  let containers = selectServices(await listProject(engine, projectName), opts.services);
  if (opts.stop) await stopProject(engine, projectName, opts);
  else containers = containers.filter((c) => c.state !== "running" && c.state !== "restarting" && c.state !== "paused");
  const removed: string[] = [];
  await Promise.all(
    containers.map((c) =>
      limit(async () => {
        res("container", c.name, "Removing", c.service);
        await engine.removeContainer(c.id, { force: true, volumes: !!opts.volumes });
        res("container", c.name, "Removed", c.service);
        removed.push(c.name);
      }),
    ),
  );
  return removed;
}

