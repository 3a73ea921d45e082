/**
 * The library's composition root: `Project.load(...)` reads the compose files (pure loader),
 * and the methods drive the runtime against one engine. Defaults for `env`/`cwd` come from the
 * process here (and only here, besides the CLI). The engine connects lazily on first use, so
 * loading a project costs no engine round-trip and no dockerode import.
 */
import { FlotillaError, isFlotillaError } from "../errors.js";
import type { EventListener } from "../events.js";
import type { CommitOptions, ContainerStats, LogChunk, TtySize, ContainerSummary, Engine, ExecOptions, ExecResult, ProcessList, VolumeSummary } from "../runtime/engine.js";
import type { Readable } from "node:stream";
import type { LoadOptions } from "../spec/options.js";
import type { LoadedProject, ServiceConfig } from "../spec/model.js";
import type { ContainerStatus, DownOptions, LogLine, LogsOptions, OperationBase, PsOptions, PullMode, UpOptions } from "../runtime/options.js";
import { observeProject } from "../runtime/observe.js";
import { planUp, resolveTargets, type Plan } from "../runtime/plan.js";
import { applyUp, prepareImages, type UpResult } from "../runtime/apply.js";
import {
  downProject,
  killProject,
  setPaused,
  parseDependsOnLabel,
  removeStopped,
  restartProject,
  startProject,
  stopProject,
  type DownResult,
  type LifecycleOptions,
} from "../runtime/down.js";
import { listContainers, listProjects, type ListProjectsOptions, type ProjectSummary } from "../runtime/ps.js";
import { streamLogs, toEngineTime } from "../runtime/logs.js";
import { Label } from "../runtime/labels.js";
import { buildService, imageName, pullImage, pushImage, withDefaultTag } from "../runtime/images.js";
import { waitForCondition, waitUntilReady, type ReadyTarget } from "../runtime/conditions.js";
import { ServiceGraph } from "../graph/graph.js";
import { oneOffService, runOneOff, type OneOffOptions, type OneOffResult } from "../runtime/run.js";
import { copyFromContainer, copyToContainer, type CopyOptions } from "../runtime/cp.js";

/** `web:/etc/app.conf` → { service, path }; a host path (no colon before the first slash) → undefined. */
export function splitServicePath(arg: string): { service: string; path: string } | undefined {
  const m = /^([a-zA-Z0-9][a-zA-Z0-9._-]*):(.*)$/.exec(arg);
  if (!m) return undefined;
  return { service: m[1]!, path: m[2] === "" ? "/" : m[2]! };
}

export type ProjectLoadOptions = Partial<LoadOptions> & {
  /** Use this engine instead of connecting to DOCKER_HOST / the current context. */
  engine?: Engine;
};

export type ServiceOpOptions = Omit<LifecycleOptions, "services" | "project">;

export interface StartOptions extends ServiceOpOptions {
  /** Wait until the started services are running (healthy when they have a healthcheck). */
  wait?: boolean;
  /** Seconds; 0 or undefined = no limit. */
  waitTimeout?: number;
  dryRun?: boolean;
}

export interface RemoveOptions extends OperationBase {
  /** Accepted for Compose compatibility: the library never asks for confirmation. */
  force?: boolean;
  /** Stop running containers first (otherwise only stopped ones are removed). */
  stop?: boolean;
  /** Remove the containers' anonymous volumes too. */
  volumes?: boolean;
}

export interface BuildOptions extends OperationBase {
  /** Build without the engine's layer cache (overrides `build.no_cache`). */
  noCache?: boolean;
  /** Always pull the base images (overrides `build.pull`). */
  pull?: boolean;
  quiet?: boolean;
  /** Build arguments, over the file's `build.args`. */
  buildArgs?: Record<string, string>;
  /** Also build the services the named ones depend on (`--with-dependencies`). */
  withDependencies?: boolean;
  /** Push each built image (and its build.tags) afterwards (`--push`). */
  push?: boolean;
}

export interface RunOptions extends OneOffOptions, Pick<OperationBase, "onEvent" | "parallel"> {
  /** Do not start the service's dependencies (default: start them and wait for their conditions). */
  noDeps?: boolean;
  pull?: PullMode;
  /** Build the image first (`--build`). */
  build?: boolean;
  /** Remove containers of services no longer in the file while starting the dependencies. */
  removeOrphans?: boolean;
}

export interface ProjectEvent {
  time: Date;
  type: string;
  action: string;
  id: string;
  service: string;
  attributes: Record<string, string>;
}

export interface ContainerImage {
  container: string;
  repository: string;
  tag: string;
  imageId: string;
  size?: number;
}

export interface PullOptions extends OperationBase {
  /** Skip services that have a `build:` section. */
  ignoreBuildable?: boolean;
  /** Report failed pulls as warnings and go on (the result lists them). */
  ignorePullFailures?: boolean;
  /** Pull the named services' dependencies too. */
  includeDeps?: boolean;
  /** `missing`: pull only images the engine does not have. */
  policy?: PullMode;
  quiet?: boolean;
}

export interface AttachOptions {
  /** Container number (default 1). */
  index?: number;
  onOutput?: (chunk: LogChunk) => void;
  /** Passed to the container's stdin when it keeps stdin open (`stdin_open: true`). */
  stdin?: AsyncIterable<Buffer | string>;
  ttySize?: TtySize;
  onResizable?: (resize: (size: TtySize) => void) => void;
  /** Detach: stop following (the container keeps running). */
  signal?: AbortSignal;
  /** Called once attached, with whether the container has a TTY and a function that signals it. */
  onAttached?: (info: { tty: boolean; kill: (signal: string) => Promise<void> }) => void;
}

export interface PushOptions extends OperationBase {
  /** Report failed pushes as warnings and go on (the result lists them). */
  ignorePushFailures?: boolean;
  /** Push the named services' dependencies too. */
  includeDeps?: boolean;
  quiet?: boolean;
}

export interface PushResult {
  /** The references pushed (a service's image and its build.tags). */
  pushed: string[];
  /** Services with nothing to push (no build section or no image name). */
  skipped: string[];
  /** References whose push failed (only with ignorePushFailures). */
  failed: string[];
}

export interface PullResult {
  pulled: string[];
  skipped: string[];
  /** Services whose pull failed (only with ignorePullFailures). */
  failed: string[];
}

/** List the Compose projects an engine knows of (by container labels), like `docker compose ls`. */
export async function listEngineProjects(
  options: ListProjectsOptions & { engine?: Engine; env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<ProjectSummary[]> {
  const { engine, env, ...rest } = options;
  return listProjects(engine ?? (await connectFromEnv(env ?? process.env)), rest);
}

/** Connect to the engine named by the environment (DOCKER_HOST, docker context, default socket). */
export async function connectFromEnv(env: Readonly<Record<string, string | undefined>>): Promise<Engine> {
  // The endpoint and the registry credentials come from the same Docker config (docker login, credential helpers).
  const { connectEngine } = await import("../runtime/docker/connection.js");
  return connectEngine(env);
}

export class Project {
  readonly name: string;
  readonly config: LoadedProject;
  readonly #env: Readonly<Record<string, string | undefined>>;
  #engine: Engine | undefined;
  #connecting: Promise<Engine> | undefined;
  #brought = false;
  /** Set when the project was rebuilt from container labels: the error that loading the files gave. */
  readonly #missingFiles: FlotillaError | undefined;

  private constructor(config: LoadedProject, env: Readonly<Record<string, string | undefined>>, engine?: Engine, missingFiles?: FlotillaError) {
    this.config = config;
    this.name = config.model.name;
    this.#env = env;
    this.#engine = engine;
    this.#missingFiles = missingFiles;
  }

  /** True when this project was rebuilt from the engine's labels (no compose file was read). */
  get fromLabels(): boolean {
    return this.#missingFiles !== undefined;
  }

  /** Load a project (files, inline `documents`, env…). `env` defaults to process.env, `cwd` to process.cwd(). */
  static async load(options: ProjectLoadOptions = {}): Promise<Project> {
    const { engine, ...rest } = options;
    const env = rest.env ?? process.env;
    const cwd = rest.cwd ?? process.cwd();
    const { loadProject } = await import("../spec/load.js");
    const loaded = await loadProject({ ...rest, env, cwd });
    return new Project(loaded, env, engine);
  }

  /**
   * Like `load`, but when a project name is given, no file is named (`files`/`documents`) and no
   * compose file can be found, the project is rebuilt from the engine's container labels (as
   * Compose does for `-p NAME down|ps|logs|stop|start|rm`). Such a project can observe and tear
   * down, not converge: `up`/`plan`/`build`/`pull` throw the original CONFIG_NOT_FOUND error.
   */
  static async loadOrFromLabels(options: ProjectLoadOptions = {}): Promise<Project> {
    try {
      return await Project.load(options);
    } catch (e) {
      const named = options.projectName !== undefined && options.projectName !== "";
      const noFiles = (options.files?.length ?? 0) === 0 && (options.documents?.length ?? 0) === 0 && options.stdin === undefined && !(options.env ?? process.env)["COMPOSE_FILE"];
      if (!named || !noFiles || !isFlotillaError(e) || e.code !== "CONFIG_NOT_FOUND") throw e;
      return Project.fromLabels(options.projectName!, { ...(options.engine ? { engine: options.engine } : {}), env: options.env ?? process.env, cause: e });
    }
  }

  /**
   * A project rebuilt from the labels of its containers: services (with their depends_on and
   * image), working directory and config files as recorded at `up`. Nothing else is known.
   */
  static async fromLabels(
    name: string,
    options: { engine?: Engine; env?: Readonly<Record<string, string | undefined>>; cause?: FlotillaError } = {},
  ): Promise<Project> {
    const env = options.env ?? process.env;
    const engine = options.engine ?? (await connectFromEnv(env));
    const containers = await engine.listContainers({ labels: { [Label.project]: name }, all: true });
    const config = configFromLabels(name, containers);
    const missing =
      options.cause ??
      new FlotillaError("CONFIG_NOT_FOUND", `project "${name}" was rebuilt from its containers: no compose file was read`, {
        hint: "run in the project's directory or pass -f <file>",
      });
    return new Project(config, env, engine, missing);
  }

  /** Wrap an already loaded project. */
  static from(config: LoadedProject, options: { engine?: Engine; env?: Readonly<Record<string, string | undefined>> } = {}): Project {
    return new Project(config, options.env ?? process.env, options.engine);
  }

  /** The engine (connected on first use). */
  async engine(): Promise<Engine> {
    if (this.#engine) return this.#engine;
    this.#connecting ??= connectFromEnv(this.#env).then((e) => (this.#engine = e));
    return this.#connecting;
  }

  /** What `up` would do (pull/build are planned, not run). */
  async plan(opts: UpOptions = {}): Promise<Plan> {
    this.#needFiles("plan");
    const engine = await this.engine();
    const services = planServices(this.config, opts);
    const [imageIds, observed] = await Promise.all([
      prepareImages(this.config, services, engine, { ...opts, dryRun: true }),
      observeProject(engine, this.name, { model: this.config.model }),
    ]);
    return planUp(this.config, observed, { ...opts, imageIds });
  }

  /** Converge the project: pull/build, then create/recreate/start what the plan says. With dryRun, returns the plan only. */
  async up(opts: UpOptions = {}): Promise<UpResult> {
    this.#needFiles("up");
    const engine = await this.engine();
    if (opts.dryRun) return { plan: await this.plan(opts), containers: [], warnings: [] };
    for (const w of this.config.warnings) opts.onEvent?.({ type: "warning", message: w });
    const services = planServices(this.config, opts);
    const observed0 = observeProject(engine, this.name, { model: this.config.model });
    observed0.catch(() => {});
    const imageIds = await prepareImages(this.config, services, engine, opts);
    const observed = await observed0;
    const plan = planUp(this.config, observed, { ...opts, imageIds });
    this.#brought = true;
    return applyUp(this.config, plan, engine, { ...opts, imageIds });
  }

  async down(opts: DownOptions = {}): Promise<DownResult> {
    return downProject(await this.engine(), this.name, { ...opts, ...this.#model() });
  }

  async ps(opts: PsOptions = {}): Promise<ContainerStatus[]> {
    return listContainers(await this.engine(), this.name, opts, Object.keys(this.config.model.services));
  }

  async *logs(opts: LogsOptions = {}): AsyncIterable<LogLine> {
    yield* streamLogs(await this.engine(), this.name, opts);
  }

  /**
   * `run`: start the service's dependencies (unless `noDeps`) and wait for its depends_on
   * conditions, make sure its networks, volumes and image exist, then run a one-off container.
   * Attached (the default), it resolves with the command's exit code once the container exited.
   */
  async run(service: string, opts: RunOptions = {}): Promise<OneOffResult> {
    this.#needFiles("run");
    this.#checkService(service);
    const engine = await this.engine();
    const model = this.config.model;
    const graph = ServiceGraph.fromServices(model.services);
    const base = { ...(opts.onEvent ? { onEvent: opts.onEvent } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.parallel !== undefined ? { parallel: opts.parallel } : {}) };
    const deps = [...graph.closure([service])].filter((s) => s !== service && s in model.services);
    if (!opts.noDeps && deps.length > 0) {
      await this.up({ ...base, services: deps, detach: true, ...(opts.pull ? { pull: opts.pull } : {}), ...(opts.removeOrphans ? { removeOrphans: true } : {}) });
      for (const edge of graph.dependencies(service)) {
        if (!deps.includes(edge.service)) continue;
        const list = await engine.listContainers({ labels: { [Label.project]: this.name, [Label.service]: edge.service }, all: true });
        const containers = list.filter((c) => c.labels[Label.oneoff] !== "True").map((c) => ({ id: c.id, name: c.name }));
        if (containers.length === 0) continue;
        try {
          await waitForCondition(engine, { service: edge.service, condition: edge.condition, containers }, opts.signal ? { signal: opts.signal, dependent: service } : { dependent: service });
        } catch (err) {
          if (edge.required) throw err;
        }
      }
    }
    const imageIds = await prepareImages(this.config, [service], engine, { ...base, ...(opts.pull ? { pull: opts.pull } : {}), ...(opts.build ? { build: true } : {}) });
    const observed = await observeProject(engine, this.name, { model });
    // Planned with the one-off's own mounts, so a project volume only `run -v` names is created (labelled) too.
    const runView = opts.volumes?.length
      ? { ...this.config, model: { ...model, services: { ...model.services, [service]: { ...model.services[service]!, volumes: oneOffService(model.services[service]!, opts).volumes ?? [] } } } }
      : this.config;
    const plan = planUp(runView, observed, { services: [service], noDeps: true, imageIds });
    // Only the networks and volumes of that plan: the one-off container replaces the service's.
    await applyUp(this.config, { ...plan, targets: [], services: {}, orphans: [] }, engine, base);
    this.#brought = true;
    const first = (s: string): string | undefined => observed.byService[s]?.[0]?.id;
    return runOneOff(this.config, engine, service, { ...opts, configHash: plan.hashes[service] ?? "", resolveContainer: first });
  }

  /** Start existing containers in dependency order; with `wait`, until they are running/healthy. */
  async start(services?: string[], opts: StartOptions = {}): Promise<string[]> {
    const { wait, waitTimeout, dryRun, ...rest } = opts;
    const engine = await this.engine();
    if (dryRun) return [];
    const started = await startProject(engine, this.name, { ...rest, ...this.#model(), ...(services && services.length > 0 ? { services } : {}) });
    if (wait) await this.#waitReady(engine, services, waitTimeout, "start --wait", opts.signal);
    return started;
  }

  /** Remove stopped containers of the services (all by default); `stop` stops running ones first. */
  async rm(services?: string[], opts: RemoveOptions = {}): Promise<string[]> {
    this.#checkServices(services);
    const { force: _force, dryRun, ...rest } = opts;
    const engine = await this.engine();
    if (dryRun) return [];
    return removeStopped(engine, this.name, { ...rest, ...this.#model(), ...(services && services.length > 0 ? { services } : {}) });
  }

  /** Build the images of the services that have a `build:` section; returns the services built. */
  async build(services?: string[], opts: BuildOptions = {}): Promise<string[]> {
    this.#needFiles("build");
    this.#checkServices(services);
    const engine = await this.engine();
    let names = services && services.length > 0 ? services : Object.keys(this.config.model.services).sort();
    if (services && services.length > 0 && opts.withDependencies) {
      // dependencies first, so an image another one builds FROM is there
      const wanted = new Set(resolveTargets(this.config, { services }));
      names = ServiceGraph.fromServices(this.config.model.services).order().filter((s) => wanted.has(s));
    }
    const todo = names.filter((s) => this.config.model.services[s]?.build);
    if (opts.dryRun) return todo;
    const config = withBuildOverrides(this.config, opts);
    const built: string[] = [];
    for (const s of todo) {
      await buildService(engine, config, s, opts.onEvent, opts.signal);
      built.push(s);
    }
    if (opts.push && built.length > 0) {
      const pushable = built.filter((s) => this.config.model.services[s]?.image !== undefined);
      if (pushable.length > 0) await this.push(pushable, { ...(opts.onEvent ? { onEvent: opts.onEvent } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    }
    return built;
  }

  /**
   * Push the images of services that have both `build:` and `image:` (the image and every
   * `build.tags` entry), as Compose does; other services are skipped.
   */
  async push(services?: string[], opts: PushOptions = {}): Promise<PushResult> {
    this.#needFiles("push");
    this.#checkServices(services);
    const engine = await this.engine();
    const names = resolveTargets(this.config, { ...(services ? { services } : {}), noDeps: !opts.includeDeps });
    const result: PushResult = { pushed: [], skipped: [], failed: [] };
    for (const s of names) {
      const svc = this.config.model.services[s]!;
      if (!svc.build || !svc.image) {
        result.skipped.push(s);
        opts.onEvent?.({ type: "resource", kind: "service", name: s, status: "Skipped", service: s });
        continue;
      }
      for (const ref of [...new Set([svc.image, ...(svc.build.tags ?? [])])].map(withDefaultTag)) {
        if (opts.dryRun) {
          result.pushed.push(ref);
          continue;
        }
        const ok = await tolerated(() => pushImage(engine, s, ref, opts.quiet ? undefined : opts.onEvent, opts.signal), s, opts.ignorePushFailures, opts.onEvent);
        (ok ? result.pushed : result.failed).push(ref);
      }
    }
    return result;
  }

  /** Pull the services' images (services without `image:` have nothing to pull). */
  async pull(services?: string[], opts: PullOptions = {}): Promise<PullResult> {
    this.#needFiles("pull");
    this.#checkServices(services);
    const engine = await this.engine();
    const names = resolveTargets(this.config, { ...(services ? { services } : {}), noDeps: !opts.includeDeps });
    const result: PullResult = { pulled: [], skipped: [], failed: [] };
    for (const s of names) {
      const svc = this.config.model.services[s]!;
      if (!svc.image || (svc.build && opts.ignoreBuildable)) {
        result.skipped.push(s);
        continue;
      }
      // As Compose's pull: a service whose own policy is never/build is not pulled; missing skips a present image.
      if (svc.pull_policy === "never" || svc.pull_policy === "build") {
        result.skipped.push(s);
        continue;
      }
      const ref = imageName(this.name, s, svc);
      if ((opts.policy === "missing" || svc.pull_policy === "missing") && (await engine.inspectImage(ref))) {
        result.skipped.push(s);
        continue;
      }
      if (opts.dryRun) {
        result.pulled.push(s);
        continue;
      }
      const ok = await tolerated(() => pullImage(engine, s, ref, opts.onEvent, opts.signal, svc.platform), s, opts.ignorePullFailures, opts.onEvent);
      (ok ? result.pulled : result.failed).push(s);
    }
    return result;
  }

  async stop(services?: string[], opts: ServiceOpOptions = {}): Promise<string[]> {
    return stopProject(await this.engine(), this.name, { ...opts, ...this.#model(), ...(services ? { services } : {}) });
  }

  async restart(services?: string[], opts: ServiceOpOptions = {}): Promise<string[]> {
    return restartProject(await this.engine(), this.name, { ...opts, ...this.#model(), ...(services ? { services } : {}) });
  }

  /**
   * `wait`: resolve when the first container of the services stops, with its name and exit code
   * (the others go on running). Containers already stopped count at once.
   */
  async wait(services: string[], opts: { signal?: AbortSignal } = {}): Promise<{ container: string; exitCode: number }> {
    this.#checkServices(services);
    const engine = await this.engine();
    // No service named is nothing to wait for (the helper would read it as "all").
    const targets = services.length > 0 ? await this.#serviceContainers(engine, services, true) : [];
    if (targets.length === 0) throw new FlotillaError("NO_SUCH_SERVICE", `no containers for service(s): ${services.join(", ")}`, { hint: "create them first with `up`" });
    // Each wait ends when its container stops; the first one decides, the others are cancelled.
    const stop = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    try {
      return await Promise.any(targets.map(async (c) => ({ container: c.name, exitCode: await engine.waitContainer(c.id, signal) })));
    } catch (err) {
      throw err instanceof AggregateError ? err.errors[0] : err;
    } finally {
      stop.abort();
    }
  }

  /** The project's service containers (not one-offs) of the named services, or all; by name. `all`: stopped ones too. */
  async #serviceContainers(engine: Engine, services: string[] | undefined, all: boolean): Promise<ContainerSummary[]> {
    const list = await engine.listContainers({ labels: { [Label.project]: this.name }, all });
    return list
      .filter((c) => c.labels[Label.oneoff] !== "True" && (!services?.length || services.includes(c.labels[Label.service] ?? "")))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The images of the project's containers (of the named services, or all), as `images` lists them. */
  async images(services?: string[]): Promise<ContainerImage[]> {
    this.#checkServices(services);
    const engine = await this.engine();
    const containers = await this.#serviceContainers(engine, services, true);
    return Promise.all(
      containers.map(async (c) => {
        const info = await engine.inspectImage(c.imageId || c.image);
        const ref = info?.repoTags[0] ?? c.image;
        const at = ref.lastIndexOf(":");
        const tagged = at > ref.lastIndexOf("/");
        return {
          container: c.name,
          repository: tagged ? ref.slice(0, at) : ref,
          tag: tagged ? ref.slice(at + 1) : "",
          imageId: info?.id ?? c.imageId,
          ...(info?.size !== undefined ? { size: info.size } : {}),
        };
      }),
    );
  }

  /**
   * The project's volumes (by label), as `docker compose volumes`: with services, only the volumes
   * those services mount.
   */
  async volumes(services?: string[]): Promise<VolumeSummary[]> {
    this.#checkServices(services);
    const engine = await this.engine();
    const all = await engine.listVolumes({ labels: { [Label.project]: this.name } });
    if (!services || services.length === 0 || this.#missingFiles) return all.sort((a, b) => a.name.localeCompare(b.name));
    const model = this.config.model;
    const used = new Set(
      services.flatMap((s) => (model.services[s]?.volumes ?? []).filter((m) => m.type === "volume" && m.source).map((m) => model.volumes[m.source!]?.name ?? m.source!)),
    );
    return all.filter((v) => used.has(v.name)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One resource-usage sample of each running container of the services (or all), for `stats`. */
  async stats(services?: string[], opts: { all?: boolean } = {}): Promise<{ id: string; container: string; stats: ContainerStats }[]> {
    this.#checkServices(services);
    const engine = await this.engine();
    if (!engine.stats) throw new FlotillaError("ENGINE", "this engine cannot report container resource usage");
    const containers = await this.#serviceContainers(engine, services, opts.all === true);
    // a stopped container uses nothing: zeros, as docker stats -a shows it
    const idle: ContainerStats = { cpuPercent: 0, memoryUsage: 0, memoryLimit: 0, networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pids: 0 };
    return Promise.all(containers.map(async (c) => ({ id: c.id, container: c.name, stats: c.state === "running" ? await engine.stats!(c.id) : { ...idle } })));
  }

  /** The processes of each running container of the services (or all), for `top`. */
  async top(services?: string[]): Promise<{ container: string; processes: ProcessList }[]> {
    this.#checkServices(services);
    const engine = await this.engine();
    if (!engine.top) throw new FlotillaError("ENGINE", "this engine cannot list container processes");
    const running = await this.#serviceContainers(engine, services, false);
    return Promise.all(running.map(async (c) => ({ container: c.name, processes: await engine.top!(c.id) })));
  }

  /**
   * The engine's container events for this project (of the named services, or all), until `signal`
   * aborts; `since` replays past ones, `until` ends the stream (unix seconds, RFC 3339, or a
   * duration back from now such as "10m").
   */
  async *events(services?: string[], opts: { signal?: AbortSignal; since?: string; until?: string } = {}): AsyncIterable<ProjectEvent> {
    this.#checkServices(services);
    const engine = await this.engine();
    const filter: { labels: Record<string, string>; since?: number | string; until?: number | string } = { labels: { [Label.project]: this.name } };
    if (opts.since !== undefined) filter.since = toEngineTime(opts.since);
    if (opts.until !== undefined) filter.until = toEngineTime(opts.until);
    for await (const e of engine.events(filter, opts.signal)) {
      if (e.type !== "container") continue;
      const service = e.attributes[Label.service] ?? "";
      if (services?.length && !services.includes(service)) continue;
      yield { time: new Date(e.time * 1000), type: e.type, action: e.action, id: e.id, service, attributes: e.attributes };
    }
  }

  /** Pause the running containers of the services (all when none named). */
  async pause(services?: string[], opts: ServiceOpOptions = {}): Promise<string[]> {
    this.#checkServices(services);
    return setPaused(await this.engine(), this.name, true, { ...opts, ...(services ? { services } : {}) });
  }

  async unpause(services?: string[], opts: ServiceOpOptions = {}): Promise<string[]> {
    this.#checkServices(services);
    return setPaused(await this.engine(), this.name, false, { ...opts, ...(services ? { services } : {}) });
  }

  async kill(services?: string[], opts: ServiceOpOptions & { killSignal?: string } = {}): Promise<string[]> {
    return killProject(await this.engine(), this.name, { ...opts, ...this.#model(), ...(services ? { services } : {}) });
  }

  /** The id of a service's container number `index` (default 1). */
  async containerId(service: string, index = 1): Promise<string> {
    this.#checkService(service);
    const engine = await this.engine();
    const list = await engine.listContainers({ labels: { [Label.project]: this.name, [Label.service]: service, [Label.containerNumber]: String(index) }, all: true });
    const c = list.find((x) => x.labels[Label.oneoff] !== "True");
    if (!c) throw new FlotillaError("NO_SUCH_SERVICE", `service "${service}" has no container number ${index}`, { service, hint: "run `up` first" });
    return c.id;
  }

  /**
   * `cp`: one side is `SERVICE:PATH` (its container number `index`, default 1), the other a host
   * path; `docker cp`'s rules for where the copy lands.
   */
  async cp(source: string, dest: string, opts: CopyOptions & { index?: number } = {}): Promise<void> {
    const from = splitServicePath(source);
    const to = splitServicePath(dest);
    if ((from === undefined) === (to === undefined)) {
      throw new FlotillaError("USAGE", "cp copies between a service and the host: one of the two paths must be SERVICE:PATH", { hint: "e.g. cp web:/etc/nginx/nginx.conf ./nginx.conf" });
    }
    const engine = await this.engine();
    const { index, ...copy } = opts;
    if (from) await copyFromContainer(engine, await this.containerId(from.service, index ?? 1), from.path, dest, copy);
    else await copyToContainer(engine, await this.containerId(to!.service, index ?? 1), source, to!.path, copy);
  }

  /** The host port published for a container port of a service (undefined when not published). */
  async port(service: string, privatePort: number, protocol: "tcp" | "udp" = "tcp", index = 1): Promise<number | undefined> {
    const engine = await this.engine();
    const d = await engine.inspectContainer(await this.containerId(service, index));
    const b = d?.ports.find((p) => p.privatePort === privatePort && p.protocol === protocol && p.publicPort);
    return b?.publicPort;
  }

  /** Run a command in a service's container (like `exec -T`). */
  async exec(service: string, cmd: string[], opts: Omit<ExecOptions, "cmd"> & { index?: number; signal?: AbortSignal } = {}): Promise<ExecResult> {
    const { index, signal, ...rest } = opts;
    const engine = await this.engine();
    const id = await this.containerId(service, index ?? 1);
    return engine.exec(id, { ...rest, cmd }, signal);
  }

  /**
   * Attach to a running service container (`attach`): its output from now on goes to `onOutput`,
   * `stdin` (when the container keeps stdin open) to its input; resolves with its exit code once it
   * stops, or undefined when `signal` aborts first (detached, the container keeps running).
   */
  async attach(service: string, opts: AttachOptions = {}): Promise<number | undefined> {
    const engine = await this.engine();
    const id = await this.containerId(service, opts.index ?? 1);
    const details = await engine.inspectContainer(id);
    if (!details?.state.running) {
      throw new FlotillaError("CONTAINER_FAILED", `service "${service}": container ${details?.name ?? id} is not running`, { service, hint: "start it first (flotilla start / up -d)" });
    }
    const stop = new AbortController();
    const detach = (): void => stop.abort();
    opts.signal?.addEventListener("abort", detach, { once: true });
    let feeding: Promise<void> = Promise.resolve();
    // Output from this moment (fractional seconds): taken before stdin is fed, so no reply is missed.
    const since = (Date.now() / 1000).toFixed(3);
    try {
      if (opts.stdin && details.openStdin && engine.attachStdin) {
        feeding = engine.attachStdin(id, opts.stdin, stop.signal);
        feeding.catch(() => {});
      }
      if (details.tty && engine.resizeTty) {
        const resize = (size: TtySize): void => void engine.resizeTty!(id, size).catch(() => {});
        if (opts.ttySize) resize(opts.ttySize);
        opts.onResizable?.(resize);
      }
      opts.onAttached?.({ tty: details.tty, kill: (sig) => engine.killContainer(id, sig) });
      for await (const chunk of engine.logs(id, { follow: true, stdout: true, stderr: true, since }, stop.signal)) opts.onOutput?.(chunk);
      if (stop.signal.aborted) return undefined;
      return await engine.waitContainer(id);
    } finally {
      opts.signal?.removeEventListener("abort", detach);
      stop.abort();
      await feeding.catch(() => {});
    }
  }

  /** A new image from a service container's changes (`commit`); resolves with the image id. */
  async commit(service: string, opts: CommitOptions & { index?: number } = {}): Promise<string> {
    const { index, ...rest } = opts;
    const engine = await this.engine();
    if (!engine.commitContainer) throw new FlotillaError("ENGINE", "this engine cannot commit containers");
    return engine.commitContainer(await this.containerId(service, index ?? 1), rest);
  }

  /** A service container's filesystem as a tar stream (`export`). */
  async export(service: string, opts: { index?: number } = {}): Promise<Readable> {
    const engine = await this.engine();
    if (!engine.exportContainer) throw new FlotillaError("ENGINE", "this engine cannot export containers");
    return engine.exportContainer(await this.containerId(service, opts.index ?? 1));
  }

  /** `await using p = await Project.load(...)`: tears down (down, keeping named volumes) if this handle ran `up`. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#brought) await this.down();
  }

  /** Runtime options naming the model, unless it was rebuilt from labels (then the runtime reads the labels itself). */
  #model(): { project?: LoadedProject } {
    return this.#missingFiles ? {} : { project: this.config };
  }

  #needFiles(verb: string): void {
    const e = this.#missingFiles;
    if (!e) return;
    throw new FlotillaError("CONFIG_NOT_FOUND", `${verb} needs a compose file: ${e.message}`, { hint: e.hint ?? "pass -f <file>", cause: e });
  }

  #checkServices(services: readonly string[] | undefined): void {
    for (const s of services ?? []) this.#checkService(s);
  }

  /**
   * `--wait`: poll the services' containers until each is running (healthy when it has a
   * healthcheck; exited 0 for one-shots others wait on with service_completed_successfully).
   */
  async #waitReady(engine: Engine, services: string[] | undefined, timeoutSeconds: number | undefined, strategy: string, signal?: AbortSignal): Promise<void> {
    const want = services && services.length > 0 ? new Set(services) : undefined;
    const graph = ServiceGraph.fromServices(this.config.model.services);
    const oneShots = new Set<string>();
    for (const s of Object.keys(this.config.model.services)) {
      if (want && !want.has(s)) continue;
      for (const e of graph.dependencies(s)) if (e.condition === "service_completed_successfully") oneShots.add(e.service);
    }
    const list = await engine.listContainers({ labels: { [Label.project]: this.name }, all: true });
    const targets: ReadyTarget[] = [];
    for (const c of list) {
      const service = c.labels[Label.service] ?? "";
      if (c.labels[Label.oneoff] === "True" || (want && !want.has(service))) continue;
      targets.push({ service, id: c.id, name: c.name, kind: oneShots.has(service) ? "completed" : "running" });
    }
    await waitUntilReady(engine, targets, { timeoutSeconds, signal, strategy, describe: (names, secs) => `services not ready after ${secs}s: ${names.join(", ")}` });
  }

  #checkService(service: string): void {
    if (!(service in this.config.model.services)) {
      throw new FlotillaError("NO_SUCH_SERVICE", `no such service: ${service}`, { service, hint: `services: ${Object.keys(this.config.model.services).sort().join(", ")}` });
    }
  }
}

/** The LoadedProject a set of containers describes (see Project.fromLabels). */
export function configFromLabels(name: string, containers: readonly { labels: Readonly<Record<string, string>>; image: string }[]): LoadedProject {
  const services: Record<string, ServiceConfig> = {};
  let workingDir = "";
  const configFiles: string[] = [];
  for (const c of containers) {
    const service = c.labels[Label.service];
    if (!service || c.labels[Label.oneoff] === "True") continue;
    services[service] ??= { image: c.labels[Label.image] || c.image, depends_on: parseDependsOnLabel(c.labels[Label.dependsOn]) };
    workingDir ||= c.labels[Label.workingDir] ?? "";
    for (const f of (c.labels[Label.configFiles] ?? "").split(",")) if (f !== "" && !configFiles.includes(f)) configFiles.push(f);
  }
  return {
    model: { name, services, networks: {}, volumes: {}, secrets: {}, configs: {} },
    workingDir,
    configFiles,
    envFiles: [],
    environment: {},
    profiles: [],
    disabledServices: {},
    warnings: [],
  };
}

/** A copy of the project whose build sections carry the CLI's --no-cache / --pull / --build-arg. */
/**
 * One pull or push of `pull`/`push`: true when it went through. With `ignore`, a failure (but not
 * an abort) is a warning naming the service and false; without, it is thrown.
 */
async function tolerated(run: () => Promise<void>, service: string, ignore: boolean | undefined, onEvent: EventListener | undefined): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (e) {
    if (!ignore || (isFlotillaError(e) && e.code === "ABORTED")) throw e;
    onEvent?.({ type: "warning", message: `${service}: ${e instanceof Error ? e.message : String(e)}`, service });
    return false;
  }
}

function withBuildOverrides(config: LoadedProject, opts: BuildOptions): LoadedProject {
  if (!opts.noCache && !opts.pull && !opts.buildArgs) return config;
  const services: Record<string, ServiceConfig> = {};
  for (const [name, svc] of Object.entries(config.model.services)) {
    if (!svc.build) {
      services[name] = svc;
      continue;
    }
    const build = { ...svc.build };
    if (opts.noCache) build.no_cache = true;
    if (opts.pull) build.pull = true;
    if (opts.buildArgs) build.args = { ...(build.args ?? {}), ...opts.buildArgs };
    services[name] = { ...svc, build };
  }
  return { ...config, model: { ...config.model, services } };
}

function planServices(config: LoadedProject, opts: UpOptions): string[] {
  return resolveTargets(config, opts);
}

export type { Plan, UpResult, DownResult, ProjectSummary, ListProjectsOptions };
