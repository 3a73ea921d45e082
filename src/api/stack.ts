/**
 * A started stack (`compose(...).up()`) and its services, keyed by service name: ports read at up,
 * exec, logs, stop/restart, and `down` (or `await using`) to remove it.
 */
import { FlotillaError, UsageError } from "../errors.js";
import { silent, type EventListener, type FlotillaEvent } from "../events.js";
import type { ContainerDetails, ContainerSummary, Engine, ExecOptions, ExecResult } from "../runtime/engine.js";
import { Label } from "../runtime/labels.js";
import type { LogLine } from "../runtime/options.js";
import { DEFAULT_TIMEOUT_MS, type ComposeOptions, type StackDownOptions } from "./compose-options.js";
import type { DownResult, Project } from "./project.js";
import type { Reaper } from "./reaper.js";
import { defaultStrategy, runWait } from "./wait/run.js";
import { publishedPort, type WaitStrategy, type WaitTarget } from "./wait/strategy.js";

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
