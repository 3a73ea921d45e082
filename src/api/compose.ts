/**
 * The library API for integration tests: `compose(options).waitFor(...).up()` returns a started
 * stack keyed by service, torn down by `await using` (or `down()`), with one overall deadline for
 * its waits, a generated project name per stack, and a watchdog that removes the stack if the
 * test process dies first. Built on `Project` (load → observe → plan → apply).
 */
import { randomBytes } from "node:crypto";
import { FlotillaError, UsageError, WaitError } from "../errors.js";
import { silent, type EventListener, type FlotillaEvent } from "../events.js";
import { abortError, tailLogs } from "../runtime/conditions.js";
import type { ContainerDetails, ContainerSummary, Engine, ExecOptions, ExecResult } from "../runtime/engine.js";
import { Label } from "../runtime/labels.js";
import type { LogLine, PullMode } from "../runtime/options.js";
import type { LoadedProject, ServiceConfig } from "../spec/model.js";
import { connectFromEnv, Project, type DownResult } from "./project.js";
import { ownerLabels, startReaper, sweepAbandoned, type Reaper } from "./reaper.js";
import { healthy } from "./wait/healthy.js";
import { inspectTarget, publishedPort, WaitFailure, type WaitStrategy, type WaitTarget } from "./wait/strategy.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface ComposeOptions {
  /** Compose files (relative to `cwd`). Without files or documents: discovery in `cwd`. */
  files?: readonly string[];
  /**
   * Inline compose documents: YAML text or objects (merged in order, like several files). With
   * `files`, merged after them like override files: change one service for one test.
   */
  documents?: readonly (string | Record<string, unknown>)[];
  /** Working directory for relative paths and discovery (default: process.cwd()). */
  cwd?: string;
  projectDirectory?: string;
  /** Overrides merged over process.env for interpolation; process.env itself is never changed. */
  env?: Env;
  envFiles?: readonly string[];
  profiles?: readonly string[];
  /** Start only these services (and their dependencies). */
  services?: readonly string[];
  /** Default: `flotilla-test-<random>` so parallel stacks never collide. Required with `reuse`. */
  projectName?: string;
  pull?: PullMode;
  /** true: build images before starting; false: never build (fail if missing). Default: build when missing. */
  build?: boolean;
  /** One deadline for `up` and all waits, in ms (default 60 000). */
  timeout?: number;
  /** Default wait for every service without its own (else: healthy when it has a healthcheck, running otherwise). */
  waitForAll?: WaitStrategy;
  /** Per-service waits. */
  waitFor?: Readonly<Record<string, WaitStrategy>>;
  signal?: AbortSignal;
  /** Progress events, wait events, and (while the stack is up) container log lines. */
  onEvent?: EventListener;
  /** Keep what `up` made when it or a wait fails (for debugging); default false = tear down. */
  keepOnFailure?: boolean;
  /** Keep a named stack across runs: no recreate of existing containers, no teardown on dispose. */
  reuse?: boolean;
  /** Crash-safe cleanup watchdog (default true; never with `reuse`). */
  reaper?: boolean;
  /** Log lines of the container quoted in a WaitError (default 20). */
  logLines?: number;
  /** Use this engine instead of DOCKER_HOST / the Docker context. */
  engine?: Engine;
}

export interface StackDownOptions {
  /** Remove named and anonymous volumes (default true). */
  volumes?: boolean;
  /** Stop timeout in seconds (default 0: tests do not need a graceful stop). */
  timeout?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** Start describing a stack. Nothing touches the engine until `up()`. */
export function compose(options: ComposeOptions = {}): ComposeBuilder {
  return new ComposeBuilder(options);
}

export class ComposeBuilder {
  readonly options: Readonly<ComposeOptions>;

  constructor(options: ComposeOptions) {
    this.options = options;
  }

  /** Wait for `service` with `strategy` (replaces an earlier one for the same service). Returns a new builder. */
  waitFor(service: string, strategy: WaitStrategy): ComposeBuilder {
    return new ComposeBuilder({ ...this.options, waitFor: { ...this.options.waitFor, [service]: strategy } });
  }

  /** Default wait for every service without its own. Returns a new builder. */
  waitForAll(strategy: WaitStrategy): ComposeBuilder {
    return new ComposeBuilder({ ...this.options, waitForAll: strategy });
  }

  /** More options (env is merged, the rest replaced). Returns a new builder. */
  with(options: ComposeOptions): ComposeBuilder {
    const env = this.options.env || options.env ? { ...this.options.env, ...options.env } : undefined;
    return new ComposeBuilder({ ...this.options, ...options, ...(env ? { env } : {}) });
  }

  /** Create and start the stack, then wait until every wait passes. On failure, tears down and rethrows. */
  async up(): Promise<StartedStack> {
    return bringUp(this.options);
  }
}

export function generateProjectName(): string {
  return `flotilla-test-${randomBytes(5).toString("hex")}`;
}

/** A copy of the project whose services carry the owner labels (so a later sweep can find it). */
function withOwnerLabels(config: LoadedProject, labels: Record<string, string>): LoadedProject {
  const services: Record<string, ServiceConfig> = {};
  for (const [name, svc] of Object.entries(config.model.services)) services[name] = { ...svc, labels: { ...(svc.labels ?? {}), ...labels } };
  return { ...config, model: { ...config.model, services } };
}

function endpointOf(engine: Engine): unknown {
  return (engine as { endpoint?: unknown }).endpoint;
}

async function bringUp(o: ComposeOptions): Promise<StartedStack> {
  const started = Date.now();
  const emit = o.onEvent ?? silent;
  if (o.reuse && !o.projectName) {
    throw new UsageError("compose({ reuse: true }) needs a projectName", "name the stack, e.g. compose({ projectName: \"my-tests\", reuse: true })");
  }
  const timeoutMs = o.timeout ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new UsageError(`compose: timeout must be a positive number of milliseconds, got ${timeoutMs}`);
  if (o.signal?.aborted) throw abortError();
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;

  const env: Env = { ...process.env, ...o.env };
  const cwd = o.cwd ?? process.cwd();
  const projectName = o.projectName ?? generateProjectName();
  const engine = o.engine ?? (await connectFromEnv(env));
  const loaded = await Project.load({
    engine,
    env,
    cwd,
    projectName,
    ...(o.files ? { files: o.files } : {}),
    ...(o.documents ? { documents: o.documents } : {}),
    ...(o.projectDirectory ? { projectDirectory: o.projectDirectory } : {}),
    ...(o.envFiles ? { envFiles: o.envFiles } : {}),
    ...(o.profiles ? { profiles: o.profiles } : {}),
    ...(o.services ? { services: o.services } : {}),
  });
  const known = Object.keys(loaded.config.model.services).sort();
  for (const s of Object.keys(o.waitFor ?? {})) {
    if (!known.includes(s)) {
      throw new FlotillaError("NO_SUCH_SERVICE", `waitFor("${s}"): no such service in project ${projectName}`, { service: s, hint: `services: ${known.join(", ")}` });
    }
  }
  const project = o.reuse ? loaded : Project.from(withOwnerLabels(loaded.config, ownerLabels()), { engine, env });
  const info = await engine.info();
  const host = info.host === "localhost" ? "127.0.0.1" : info.host;

  let reaper: Reaper | undefined;
  const endpoint = endpointOf(engine);
  if (!o.reuse && o.reaper !== false && endpoint) {
    reaper = startReaper({ endpoint: endpoint as never, project: projectName });
  }
  // Belt and braces: stacks of test processes that died without their watchdog doing its job.
  const sweep = sweepAbandoned(engine, { exclude: projectName }).then(
    (swept) => {
      if (swept.length > 0) emit({ type: "info", message: `removed abandoned test stacks: ${swept.join(", ")}` });
    },
    (e: unknown) => emit({ type: "warning", message: `sweeping abandoned test stacks failed: ${(e as Error).message}` }),
  );

  const stack = new StartedStack(project, engine, host, o, reaper);
  try {
    try {
      await project.up({
        signal,
        onEvent: emit,
        ...(o.services ? { services: [...o.services] } : {}),
        ...(o.pull ? { pull: o.pull } : {}),
        ...(o.build === true ? { build: true } : o.build === false ? { noBuild: true } : {}),
        ...(o.reuse ? { noRecreate: true } : {}),
      });
    } catch (e) {
      if (deadline.aborted && !o.signal?.aborted) {
        throw new FlotillaError("WAIT_TIMEOUT", `stack ${projectName} did not come up within ${seconds(Date.now() - started)}`, {
          hint: "raise the `timeout` option (ms), or check image pulls/builds",
          cause: e,
        });
      }
      throw e;
    }
    await stack.refresh();
    await stack.waitServices(undefined, signal, deadline, started);
  } catch (e) {
    await sweep;
    if (o.keepOnFailure) {
      reaper?.disarm();
      emit({ type: "info", message: `keepOnFailure: stack ${projectName} left in place (remove it with: flotilla -p ${projectName} down -v)` });
    } else {
      await stack.down().catch((err: unknown) => emit({ type: "warning", message: `teardown of ${projectName} after a failed up: ${(err as Error).message}` }));
    }
    throw e;
  }
  await sweep;
  stack.startLogForwarding();
  return stack;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** One container of a service. */
export interface ContainerHandle {
  readonly id: string;
  readonly name: string;
  /** com.docker.compose.container-number */
  readonly number: number;
  inspect(): Promise<ContainerDetails>;
}

export type ExecCommand = string | readonly string[];

/** A service of a started stack. Ports are read at `up` (and `refresh()`), so `port()` is synchronous. */
export class ServiceHandle {
  readonly name: string;
  readonly #stack: StartedStack;

  constructor(stack: StartedStack, name: string) {
    this.#stack = stack;
    this.name = name;
  }

  /** The service's containers, by number. */
  containers(): ContainerHandle[] {
    return this.#stack.containersOf(this.name).map((c) => this.#handle(c));
  }

  /** Container number `n` (default 1). */
  container(n = 1): ContainerHandle {
    const c = this.#stack.containersOf(this.name).find((x) => Number(x.labels[Label.containerNumber]) === n);
    if (!c) {
      throw new FlotillaError("NO_SUCH_SERVICE", `service "${this.name}" has no container number ${n}`, {
        service: this.name,
        hint: `it has ${this.#stack.containersOf(this.name).length} container(s); after a restart or scale, call stack.refresh()`,
      });
    }
    return this.#handle(c);
  }

  /** The host port published for `containerPort` (read at up / last refresh). Throws when not published. */
  port(containerPort: number, protocol: "tcp" | "udp" = "tcp", n = 1): number {
    const c = this.#stack.containersOf(this.name).find((x) => Number(x.labels[Label.containerNumber]) === n);
    const p = c ? publishedPort(c, containerPort, protocol) : undefined;
    if (p === undefined) {
      throw new UsageError(
        `service "${this.name}" does not publish port ${containerPort}/${protocol}${c ? "" : ` (no container number ${n})`}`,
        `publish it in the compose file, e.g. ports: ["127.0.0.1::${containerPort}"]`,
      );
    }
    return p;
  }

  /** Like `port`, re-reading the container from the engine first. */
  async resolvePort(containerPort: number, protocol: "tcp" | "udp" = "tcp", n = 1): Promise<number> {
    await this.#stack.refresh();
    return this.port(containerPort, protocol, n);
  }

  /** `http://host:port` (+ path) for a published container port. */
  url(containerPort: number, path = "", n = 1): string {
    const host = this.#stack.host.includes(":") ? `[${this.#stack.host}]` : this.#stack.host;
    return `http://${host}:${this.port(containerPort, "tcp", n)}${path && !path.startsWith("/") ? `/${path}` : path}`;
  }

  /** Run a command in container `n` (a string runs through `sh -c`). Never throws on a non-zero exit. */
  async exec(cmd: ExecCommand, opts: Omit<ExecOptions, "cmd"> & { index?: number; signal?: AbortSignal } = {}): Promise<ExecResult> {
    const { index, signal, ...rest } = opts;
    const argv = typeof cmd === "string" ? ["sh", "-c", cmd] : [...cmd];
    return this.#stack.engine.exec(this.container(index ?? 1).id, { ...rest, cmd: argv }, signal);
  }

  /** Log lines of the service's containers so far (stdout and stderr). */
  async logs(opts: { tail?: number; index?: number } = {}): Promise<LogLine[]> {
    const out: LogLine[] = [];
    for await (const l of this.#stack.project.logs({ services: [this.name], ...(opts.tail !== undefined ? { tail: opts.tail } : {}), ...(opts.index !== undefined ? { index: opts.index } : {}) })) {
      out.push(l);
    }
    return out;
  }

  /** The log text of the service (lines joined with "\n"). */
  async logText(opts: { tail?: number; index?: number } = {}): Promise<string> {
    return (await this.logs(opts)).map((l) => l.line).join("\n");
  }

  inspect(n = 1): Promise<ContainerDetails> {
    return this.container(n).inspect();
  }

  #handle(c: ContainerSummary): ContainerHandle {
    const engine = this.#stack.engine;
    const service = this.name;
    return {
      id: c.id,
      name: c.name,
      number: Number(c.labels[Label.containerNumber]),
      async inspect() {
        const d = await engine.inspectContainer(c.id);
        if (!d) throw new FlotillaError("NO_SUCH_SERVICE", `container ${c.name} of service "${service}" no longer exists`, { service });
        return d;
      },
    };
  }
}

/** A started stack. `await using` (or `down()`) removes its containers, networks and volumes. */
export class StartedStack implements AsyncDisposable {
  readonly name: string;
  /** Host to dial for published ports (from the engine endpoint; 127.0.0.1 for a local socket). */
  readonly host: string;
  readonly project: Project;
  readonly engine: Engine;
  readonly #options: ComposeOptions;
  #reaper: Reaper | undefined;
  #containers = new Map<string, ContainerSummary[]>();
  #logs: AbortController | undefined;
  #down: Promise<DownResult> | undefined;

  /** @internal created by `compose().up()` */
  constructor(project: Project, engine: Engine, host: string, options: ComposeOptions, reaper: Reaper | undefined) {
    this.project = project;
    this.name = project.name;
    this.engine = engine;
    this.host = host;
    this.#options = options;
    this.#reaper = reaper;
  }

  /** The handle of a service (throws NO_SUCH_SERVICE for a name not in the project). */
  service(name: string): ServiceHandle {
    if (!(name in this.project.config.model.services)) {
      throw new FlotillaError("NO_SUCH_SERVICE", `no such service: ${name}`, {
        service: name,
        hint: `services: ${Object.keys(this.project.config.model.services).sort().join(", ")}`,
      });
    }
    return new ServiceHandle(this, name);
  }

  /** Services with at least one container. */
  services(): string[] {
    return [...this.#containers.keys()].sort();
  }

  /** @internal */
  containersOf(service: string): ContainerSummary[] {
    return this.#containers.get(service) ?? [];
  }

  /** Re-read containers and ports from the engine. */
  async refresh(): Promise<void> {
    const list = await this.engine.listContainers({ labels: { [Label.project]: this.name }, all: true });
    const map = new Map<string, ContainerSummary[]>();
    for (const c of list) {
      if (c.labels[Label.oneoff] === "True") continue;
      const s = c.labels[Label.service];
      if (!s) continue;
      const arr = map.get(s) ?? [];
      arr.push(c);
      map.set(s, arr);
    }
    for (const arr of map.values()) arr.sort((a, b) => Number(a.labels[Label.containerNumber]) - Number(b.labels[Label.containerNumber]));
    this.#containers = map;
  }

  /** Stop the stack's containers (they keep their state; `restart()` or `down()` later). */
  async stop(services?: string[]): Promise<void> {
    await this.project.stop(services, { timeout: 0, ...this.#eventOpt() });
    await this.refresh();
  }

  /** Restart one service (or all), then wait for it again under a fresh deadline. */
  async restart(service?: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (service !== undefined) this.service(service);
    await this.project.restart(service ? [service] : undefined, { timeout: 0, ...this.#eventOpt() });
    await this.refresh();
    const started = Date.now();
    const deadline = AbortSignal.timeout(this.#options.timeout ?? DEFAULT_TIMEOUT_MS);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    await this.waitServices(service ? [service] : undefined, signal, deadline, started);
  }

  /** Remove containers, networks and (default) volumes; stop timeout 0 by default. Idempotent. */
  down(opts: StackDownOptions = {}): Promise<DownResult> {
    this.#down ??= (async () => {
      this.#logs?.abort();
      try {
        return await this.project.down({ volumes: opts.volumes ?? true, timeout: opts.timeout ?? 0, removeOrphans: true, ...this.#eventOpt() });
      } finally {
        this.#reaper?.disarm();
        this.#containers = new Map();
      }
    })();
    return this.#down;
  }

  /** `await using`: `down()`, or with `reuse` only stop watching (the stack stays for the next run). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#options.reuse) {
      this.#logs?.abort();
      this.#reaper?.disarm();
      return;
    }
    await this.down();
  }

  #eventOpt(): { onEvent?: EventListener } {
    return this.#options.onEvent ? { onEvent: this.#options.onEvent } : {};
  }

  /** @internal Forward container log lines as events while the stack is up. */
  startLogForwarding(): void {
    const onEvent = this.#options.onEvent;
    if (!onEvent || this.#logs) return;
    const ac = new AbortController();
    this.#logs = ac;
    void (async () => {
      try {
        for await (const l of this.project.logs({ follow: true, tail: "all", signal: ac.signal })) {
          const e: FlotillaEvent = { type: "log", service: l.service, container: l.container, stream: l.stream, line: l.line };
          onEvent(e);
        }
      } catch {
        // ends on abort (down) or when the engine goes away; logs are best effort
      }
    })();
  }

  /** @internal Run the waits of `services` (default all), all under `signal`. */
  async waitServices(services: string[] | undefined, signal: AbortSignal, deadline: AbortSignal, started: number): Promise<void> {
    const o = this.#options;
    const emit = o.onEvent ?? silent;
    const jobs: { target: WaitTarget; strategy: WaitStrategy }[] = [];
    for (const service of services ?? this.services()) {
      const strategy = o.waitFor?.[service] ?? o.waitForAll ?? defaultStrategy();
      for (const c of this.containersOf(service)) {
        jobs.push({ target: { service, number: Number(c.labels[Label.containerNumber]), id: c.id, name: c.name }, strategy });
      }
    }
    const inner = new AbortController();
    const all = AbortSignal.any([signal, inner.signal]);
    try {
      await Promise.all(
        jobs.map(async ({ target, strategy }) => {
          emit({ type: "resource", kind: "service", name: target.name, service: target.service, status: "Waiting", detail: strategy.description });
          await runWait(this.engine, this.host, target, strategy, all, { deadline, user: o.signal, started, logLines: o.logLines ?? 20 });
          emit({ type: "resource", kind: "service", name: target.name, service: target.service, status: "Healthy", detail: strategy.description });
        }),
      );
    } catch (e) {
      inner.abort();
      throw e;
    }
  }
}

/** Without an explicit wait: healthy when the container has a healthcheck, else running (or exited 0). */
function defaultStrategy(): WaitStrategy {
  const h = healthy();
  return {
    description: "running (healthy if it has a healthcheck)",
    async wait(ctx) {
      const d = await inspectTarget(ctx);
      const health = d.state.health?.status;
      if (health && health !== "none") return h.wait(ctx);
      if (d.state.running || d.state.exitCode === 0) return;
      throw new WaitFailure(`container ${ctx.target.name} exited with code ${d.state.exitCode}`, d.state.exitCode);
    },
  };
}

async function runWait(
  engine: Engine,
  host: string,
  target: WaitTarget,
  strategy: WaitStrategy,
  signal: AbortSignal,
  ctx: { deadline: AbortSignal; user: AbortSignal | undefined; started: number; logLines: number },
): Promise<void> {
  let last = "";
  const begun = Date.now();
  try {
    await strategy.wait({ engine, host, target, signal, note: (o) => (last = o) });
  } catch (e) {
    if (ctx.user?.aborted) throw abortError();
    const timedOut = ctx.deadline.aborted;
    if (!timedOut && signal.aborted) throw e; // another service's wait failed first
    const elapsed = Date.now() - begun;
    const logs = await tailLogs(engine, target.id, ctx.logLines);
    const what = `service "${target.service}" (${target.name}) not ready: ${strategy.description}`;
    const why = timedOut ? `timed out after ${seconds(elapsed)}${last ? ` (${last})` : ""}` : `failed after ${seconds(elapsed)}: ${e instanceof Error ? e.message : String(e)}`;
    const tail = logs.length > 0 ? `\nlast ${logs.length} log line${logs.length > 1 ? "s" : ""} of ${target.name}:\n${logs.map((l) => `  ${l}`).join("\n")}` : `\n(no log output from ${target.name})`;
    const exitCode = e instanceof WaitFailure ? e.exitCode : undefined;
    throw new WaitError(timedOut ? "WAIT_TIMEOUT" : "WAIT_FAILED", target.service, strategy.description, elapsed, `${what} ${why}${tail}`, {
      logs,
      ...(timedOut ? {} : { cause: e }),
      ...(exitCode !== undefined ? { exitCode } : {}),
    });
  }
}
