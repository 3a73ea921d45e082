/**
 * The library's composition root: `Project.load(...)` reads the compose files (pure loader), and
 * each method delegates to one operation of the runtime (src/runtime/ops/<verb>.ts), which takes
 * (engine, project, options). Defaults for `env`/`cwd` come from the process here (and only here,
 * besides the CLI). The engine connects lazily on first use, so loading a project costs no engine
 * round-trip and no dockerode import.
 */
import type { Readable } from "node:stream";
import { FlotillaError, isFlotillaError } from "../errors.js";
import type { ContainerStats, Engine, ExecResult, ProcessList, VolumeSummary } from "../runtime/engine.js";
import type { LoadOptions } from "../spec/options.js";
import type { LoadedProject, ServiceConfig } from "../spec/model.js";
import type { ContainerStatus, DownOptions, LogLine, LogsOptions, PsOptions, UpOptions } from "../runtime/options.js";
import type { Plan } from "../runtime/plan.js";
import type { UpResult } from "../runtime/apply.js";
import { listContainers, type ListProjectsOptions, type ProjectSummary } from "../runtime/ps.js";
import { connectFromEnv } from "./engine-projects.js";
import { streamLogs } from "../runtime/logs.js";
import { Label } from "../runtime/labels.js";
import type { OneOffResult } from "../runtime/run.js";
import type { LockSettings } from "../runtime/lock/project-lock.js";
import { containerId, type ProjectRef } from "../runtime/ops/project-ref.js";
import { parseDependsOnLabel, type ServiceOpOptions } from "../runtime/ops/lifecycle.js";
import type { AttachOptions } from "../runtime/ops/attach.js";
import type { BuildOptions } from "../runtime/ops/build.js";
import type { ServiceCommitOptions } from "../runtime/ops/commit.js";
import type { ServiceCopyOptions } from "../runtime/ops/cp.js";
import type { DownResult } from "../runtime/ops/down.js";
import { projectEvents, type EventsOptions, type ProjectEvent } from "../runtime/ops/events.js";
import type { ServiceExecOptions } from "../runtime/ops/exec.js";
import type { ContainerImage } from "../runtime/ops/images.js";
import type { KillOptions } from "../runtime/ops/kill.js";
import { publishedBinding, publishedPort, type PublishedBinding } from "../runtime/ops/port.js";
import type { PullOptions, PullResult } from "../runtime/ops/pull.js";
import type { PushOptions, PushResult } from "../runtime/ops/push.js";
import type { RemoveOptions } from "../runtime/ops/rm.js";
import type { RunOptions } from "../runtime/ops/run.js";
import type { StartOptions } from "../runtime/ops/start.js";
import type { ContainerStatsSample, StatsOptions } from "../runtime/ops/stats.js";
import type { WaitOptions } from "../runtime/ops/wait.js";
import { hostCwd, hostEnv, hostPid, pidAlive } from "./host.js";
import { hostname } from "node:os";

/**
 * The operations, each module loaded on its first use: `ps` or `port` never evaluate what `up`,
 * `build` or `run` need (issue 13: start-up). The light ones `ps`, `port` and the label helpers use
 * are imported above.
 */
const op = {
  attach: () => import("../runtime/ops/attach.js"),
  build: () => import("../runtime/ops/build.js"),
  commit: () => import("../runtime/ops/commit.js"),
  cp: () => import("../runtime/ops/cp.js"),
  down: () => import("../runtime/ops/down.js"),
  exec: () => import("../runtime/ops/exec.js"),
  images: () => import("../runtime/ops/images.js"),
  kill: () => import("../runtime/ops/kill.js"),
  pause: () => import("../runtime/ops/pause.js"),
  pull: () => import("../runtime/ops/pull.js"),
  push: () => import("../runtime/ops/push.js"),
  restart: () => import("../runtime/ops/restart.js"),
  rm: () => import("../runtime/ops/rm.js"),
  run: () => import("../runtime/ops/run.js"),
  start: () => import("../runtime/ops/start.js"),
  stats: () => import("../runtime/ops/stats.js"),
  stop: () => import("../runtime/ops/stop.js"),
  top: () => import("../runtime/ops/top.js"),
  up: () => import("../runtime/ops/up.js"),
  volumes: () => import("../runtime/ops/volumes.js"),
  wait: () => import("../runtime/ops/wait.js"),
};

// Each operation's options live beside it; named here too, as before the split.
export { connectFromEnv, listEngineProjects } from "./engine-projects.js";
export type {
  AttachOptions,
  BuildOptions,
  ContainerImage,
  ContainerStatsSample,
  EventsOptions,
  KillOptions,
  ProjectEvent,
  PullOptions,
  PullResult,
  PushOptions,
  PublishedBinding,
  PushResult,
  RemoveOptions,
  RunOptions,
  ServiceCommitOptions,
  ServiceCopyOptions,
  ServiceExecOptions,
  ServiceOpOptions,
  StartOptions,
  StatsOptions,
  WaitOptions,
};

export type ProjectLoadOptions = Partial<LoadOptions> & {
  /** Use this engine instead of connecting to DOCKER_HOST / the current context. */
  engine?: Engine;
  /**
   * How the mutating methods (up, down, start, stop, restart, rm, kill, run) lock the project
   * against other commands on the same engine: wait up to `timeout` seconds (default 600; 0 fails
   * at once with PROJECT_LOCKED), or `disabled`.
   */
  lock?: LockSettings;
};

export class Project {
  readonly name: string;
  readonly config: LoadedProject;
  readonly #env: Readonly<Record<string, string | undefined>>;
  #engine: Engine | undefined;
  #connecting: Promise<Engine> | undefined;
  #brought = false;
  /** What the operations see: name, config, and (rebuilt from labels) the error loading the files gave. */
  readonly #ref: ProjectRef;
  /** The engine, connected when an operation first needs it (after checking its input). */
  readonly #lazy = (): Promise<Engine> => this.engine();
  /** Called by up/run once they start changing the project: dispose then tears it down. */
  readonly #converging = (): void => {
    this.#brought = true;
  };

  private constructor(config: LoadedProject, env: Readonly<Record<string, string | undefined>>, engine?: Engine, missingFiles?: FlotillaError, lock?: LockSettings) {
    this.config = config;
    this.name = config.model.name;
    this.#env = env;
    this.#engine = engine;
    this.#ref = { name: this.name, config, missingFiles, lock: { self: { pid: hostPid(), host: hostname() }, isAlive: pidAlive, ...lock } };
  }

  /** True when this project was rebuilt from the engine's labels (no compose file was read). */
  get fromLabels(): boolean {
    return this.#ref.missingFiles !== undefined;
  }

  /** Load a project (files, inline `documents`, env…). `env` defaults to process.env, `cwd` to process.cwd(). */
  static async load(options: ProjectLoadOptions = {}): Promise<Project> {
    const { engine, lock, ...rest } = options;
    const env = rest.env ?? hostEnv();
    const cwd = rest.cwd ?? hostCwd();
    const { loadProject } = await import("../spec/load.js");
    const loaded = await loadProject({ ...rest, env, cwd });
    return new Project(loaded, env, engine, undefined, lock);
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
      const noFiles = (options.files?.length ?? 0) === 0 && (options.documents?.length ?? 0) === 0 && options.stdin === undefined && !(options.env ?? hostEnv())["COMPOSE_FILE"];
      if (!named || !noFiles || !isFlotillaError(e) || e.code !== "CONFIG_NOT_FOUND") throw e;
      return Project.fromLabels(options.projectName!, { ...(options.engine ? { engine: options.engine } : {}), ...(options.lock ? { lock: options.lock } : {}), env: options.env ?? hostEnv(), cause: e });
    }
  }

  /**
   * A project rebuilt from the labels of its containers: services (with their depends_on and
   * image), working directory and config files as recorded at `up`. Nothing else is known.
   */
  static async fromLabels(
    name: string,
    options: { engine?: Engine; env?: Readonly<Record<string, string | undefined>>; cause?: FlotillaError; lock?: LockSettings } = {},
  ): Promise<Project> {
    const env = options.env ?? hostEnv();
    const engine = options.engine ?? (await connectFromEnv(env));
    const containers = await engine.listContainers({ labels: { [Label.project]: name }, all: true });
    const config = configFromLabels(name, containers);
    const missing =
      options.cause ??
      new FlotillaError("CONFIG_NOT_FOUND", `project "${name}" was rebuilt from its containers: no compose file was read`, {
        hint: "run in the project's directory or pass -f <file>",
      });
    return new Project(config, env, engine, missing, options.lock);
  }

  /** Wrap an already loaded project. */
  static from(config: LoadedProject, options: { engine?: Engine; env?: Readonly<Record<string, string | undefined>>; lock?: LockSettings } = {}): Project {
    return new Project(config, options.env ?? hostEnv(), options.engine, undefined, options.lock);
  }

  /** The engine (connected on first use). */
  async engine(): Promise<Engine> {
    if (this.#engine) return this.#engine;
    this.#connecting ??= connectFromEnv(this.#env).then((e) => (this.#engine = e));
    return this.#connecting;
  }

  /** What `up` would do (pull/build are planned, not run). */
  async plan(opts: UpOptions = {}): Promise<Plan> {
    return (await op.up()).planProject(this.#lazy, this.#ref, opts);
  }

  /** Converge the project: pull/build, then create/recreate/start what the plan says. With dryRun, returns the plan only. */
  async up(opts: UpOptions = {}): Promise<UpResult> {
    return (await op.up()).upProject(this.#lazy, this.#ref, opts, this.#converging);
  }

  async down(opts: DownOptions = {}): Promise<DownResult> {
    return (await op.down()).downServices(this.#lazy, this.#ref, opts);
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
    return (await op.run()).runService(this.#lazy, this.#ref, service, opts, this.#converging);
  }

  /** Start existing containers in dependency order; with `wait`, until they are running/healthy. */
  async start(services?: string[], opts: StartOptions = {}): Promise<string[]> {
    return (await op.start()).startServices(this.#lazy, this.#ref, { ...opts, services });
  }

  /** Remove stopped containers of the services (all by default); `stop` stops running ones first. */
  async rm(services?: string[], opts: RemoveOptions = {}): Promise<string[]> {
    return (await op.rm()).removeServices(this.#lazy, this.#ref, { ...opts, services });
  }

  /** Build the images of the services that have a `build:` section; returns the services built. */
  async build(services?: string[], opts: BuildOptions = {}): Promise<string[]> {
    return (await op.build()).buildServices(this.#lazy, this.#ref, { ...opts, services });
  }

  /**
   * Push the images of services that have both `build:` and `image:` (the image and every
   * `build.tags` entry), as Compose does; other services are skipped.
   */
  async push(services?: string[], opts: PushOptions = {}): Promise<PushResult> {
    return (await op.push()).pushServices(this.#lazy, this.#ref, { ...opts, services });
  }

  /** Pull the services' images (services without `image:` have nothing to pull). */
  async pull(services?: string[], opts: PullOptions = {}): Promise<PullResult> {
    return (await op.pull()).pullServices(this.#lazy, this.#ref, { ...opts, services });
  }

  async stop(services?: string[], opts: ServiceOpOptions = {}): Promise<string[]> {
    return (await op.stop()).stopServices(this.#lazy, this.#ref, { ...opts, services });
  }

  async restart(services?: string[], opts: ServiceOpOptions = {}): Promise<string[]> {
    return (await op.restart()).restartServices(this.#lazy, this.#ref, { ...opts, services });
  }

  /**
   * `wait`: resolve when the first container of the services stops, with its name and exit code
   * (the others go on running). Containers already stopped count at once.
   */
  async wait(services: string[], opts: WaitOptions = {}): Promise<{ container: string; exitCode: number }> {
    return (await op.wait()).waitServices(this.#lazy, this.#ref, services, opts);
  }

  /** The images of the project's containers (of the named services, or all), as `images` lists them. */
  async images(services?: string[]): Promise<ContainerImage[]> {
    return (await op.images()).containerImages(this.#lazy, this.#ref, services);
  }

  /**
   * The project's volumes (by label), as `docker compose volumes`: with services, only the volumes
   * those services mount.
   */
  async volumes(services?: string[]): Promise<VolumeSummary[]> {
    return (await op.volumes()).projectVolumes(this.#lazy, this.#ref, services);
  }

  /** One resource-usage sample of each running container of the services (or all), for `stats`. */
  async stats(services?: string[], opts: StatsOptions = {}): Promise<{ id: string; container: string; stats: ContainerStats }[]> {
    return (await op.stats()).serviceStats(this.#lazy, this.#ref, services, opts);
  }

  /** The processes of each running container of the services (or all), for `top`. */
  async top(services?: string[]): Promise<{ container: string; processes: ProcessList }[]> {
    return (await op.top()).serviceProcesses(this.#lazy, this.#ref, services);
  }

  /**
   * The engine's container events for this project (of the named services, or all), until `signal`
   * aborts; `since` replays past ones, `until` ends the stream (unix seconds, RFC 3339, or a
   * duration back from now such as "10m").
   */
  events(services?: string[], opts: EventsOptions = {}): AsyncIterable<ProjectEvent> {
    return projectEvents(this.#lazy, this.#ref, services, opts);
  }

  /** Pause the running containers of the services (all when none named). */
  async pause(services?: string[], opts: ServiceOpOptions = {}): Promise<string[]> {
    return (await op.pause()).pauseServices(this.#lazy, this.#ref, true, { ...opts, services });
  }

  async unpause(services?: string[], opts: ServiceOpOptions = {}): Promise<string[]> {
    return (await op.pause()).pauseServices(this.#lazy, this.#ref, false, { ...opts, services });
  }

  async kill(services?: string[], opts: KillOptions = {}): Promise<string[]> {
    return (await op.kill()).killServices(this.#lazy, this.#ref, { ...opts, services });
  }

  /** The id of a service's container number `index` (default 1). */
  containerId(service: string, index = 1): Promise<string> {
    return containerId(this.#lazy, this.#ref, service, index);
  }

  /**
   * `cp`: one side is `SERVICE:PATH` (its container number `index`, default 1), the other a host
   * path; `docker cp`'s rules for where the copy lands.
   */
  async cp(source: string, dest: string, opts: ServiceCopyOptions = {}): Promise<void> {
    return (await op.cp()).copyFiles(this.#lazy, this.#ref, source, dest, opts);
  }

  /** The host port published for a container port of a service (undefined when not published). */
  port(service: string, privatePort: number, protocol: "tcp" | "udp" = "tcp", index = 1): Promise<number | undefined> {
    return publishedPort(this.#lazy, this.#ref, service, privatePort, protocol, index);
  }

  /** The host address and port published for a container port of a service (undefined when not published). */
  portBinding(service: string, privatePort: number, protocol: "tcp" | "udp" = "tcp", index = 1): Promise<PublishedBinding | undefined> {
    return publishedBinding(this.#lazy, this.#ref, service, privatePort, protocol, index);
  }

  /** Run a command in a service's container (like `exec -T`). */
  async exec(service: string, cmd: string[], opts: ServiceExecOptions = {}): Promise<ExecResult> {
    return (await op.exec()).execInService(this.#lazy, this.#ref, service, cmd, opts);
  }

  /**
   * Attach to a running service container (`attach`): its output from now on goes to `onOutput`,
   * `stdin` (when the container keeps stdin open) to its input; resolves with its exit code once it
   * stops, or undefined when `signal` aborts first (detached, the container keeps running).
   */
  async attach(service: string, opts: AttachOptions = {}): Promise<number | undefined> {
    return (await op.attach()).attachService(this.#lazy, this.#ref, service, opts);
  }

  /** A new image from a service container's changes (`commit`); resolves with the image id. */
  async commit(service: string, opts: ServiceCommitOptions = {}): Promise<string> {
    return (await op.commit()).commitService(this.#lazy, this.#ref, service, opts);
  }

  /** A service container's filesystem as a tar stream (`export`). */
  async export(service: string, opts: { index?: number } = {}): Promise<Readable> {
    return (await op.commit()).exportService(this.#lazy, this.#ref, service, opts);
  }

  /** `await using p = await Project.load(...)`: tears down (down, keeping named volumes) if this handle ran `up`. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#brought) await this.down();
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

export type { Plan, UpResult, DownResult, ProjectSummary, ListProjectsOptions };
