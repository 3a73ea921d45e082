/**
 * One application of an `up` plan, as named steps over the state they share (see apply.ts for the
 * order): every container that must be created is created EARLY (creation needs no dependency to
 * be running, only `network_mode`/`volumes_from`/`links`/`ipc`/`pid: service:x` need x's container
 * to exist), while STARTS follow the dependency graph: a service starts once each dependency
 * reached its depends_on condition. So container creation overlaps the waits.
 *
 * Recreate = create the new container as `<oldid12>_<name>` → stop old → remove old → rename
 * new; an interruption leaves either the old container or a temp-named one, which the next plan
 * removes or replaces ("leftover of an interrupted recreate").
 */
import { asServiceError, ServiceError } from "../errors.js";
import type { EventListener } from "../events.js";
import { ServiceGraph } from "../graph/graph.js";
import { criticalOrder, limiter, walkGraph, type Limit } from "../graph/scheduler.js";
import type { ComposeModel, LoadedProject, ServiceConfig } from "../spec/model.js";
import { abortError, tailLogs, waitForCondition, waitUntilReady, type ReadyTarget } from "./conditions.js";
import { anonymousVolumesToInherit, containerSpec, preStartHooks, preStartSpec, serviceHooks, type ContainerSpecResult, type ConvertContext, type InitHook } from "./convert.js";
import type { Engine } from "./engine.js";
import { runHooks } from "./hooks.js";
import { Label } from "./labels.js";
import { CONFIG_LABEL, configLabelValue, parseConfigLabel, storedMountsConfig } from "./config-label.js";
import type { UpOptions } from "./options.js";
import { namespaceParents, type ContainerActionKind, type Plan, type ServiceAction } from "./plan.js";
import { emitter, type ResourceReporter } from "./report.js";
import { applyResources } from "./apply-resources.js";
import { compareText } from "./text-order.js";
import { createWithSecrets, dropSecretsOf } from "./secrets-volume.js";
import { STALE_TASK_REASON, staleTaskWarning, startOrReplace } from "./stale-task.js";

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

/** The old container's mount targets, from its config label (to tell which anonymous volumes it keeps). */
function observedConfig(labels: Record<string, string>): ServiceConfig | undefined {
  return storedMountsConfig(parseConfigLabel(labels[CONFIG_LABEL]));
}

/** A container that may be running when observed (stop it, with its pre_stop hooks). */
function mayRun(a: ServiceAction): boolean {
  return a.state === undefined || a.state === "running" || a.state === "restarting" || a.state === "paused";
}

export class UpSession {
  private readonly model: ComposeModel;
  private readonly emit: EventListener;
  private readonly res: ResourceReporter;
  private readonly signal: AbortSignal | undefined;
  private readonly limit: Limit;
  private readonly warnings: string[];
  private readonly inScope: Set<string>;
  private readonly graph: ServiceGraph;
  private readonly results: UpContainer[] = [];
  /** Final container ids per service (by number), filled as containers exist. */
  private readonly ids: Record<string, Map<number, string>> = {};
  /** id of the freshly created container per action. */
  private readonly newIds = new Map<ServiceAction, string>();
  /** The secrets volume of each freshly created container that has one (see secrets-volume.ts). */
  private readonly newSecrets = new Map<ServiceAction, string>();
  /** The create body of each freshly created container (pre_start steps borrow its networks). */
  private readonly newSpecs = new Map<ServiceAction, ContainerSpecResult>();
  /** -V: the anonymous volumes of each replaced container, removed after it. */
  private readonly renewed = new Map<ServiceAction, string[]>();
  /** Each service's early creation, started once. */
  private readonly created = new Map<string, Promise<void>>();
  /** depends_on restart: true — dependents stopped before their dependency changes, once. */
  private readonly restartStops = new Map<ServiceAction, Promise<void>>();
  /** The engine id of each project network, by name (filled by the resource step): containers attach by id. */
  private networkIds = new Map<string, string>();
  /** Services started (or found running) by this up, for --wait. */
  private readonly startedServices: string[] = [];
  /** Containers known to have started (started by this up, or observed running): service_started needs no inspect for them. */
  private readonly knownStarted = new Set<string>();
  /** Stopped containers created anew because the engine held a stale task of them: action -> new id. */
  private readonly replaced = new Map<ServiceAction, string>();
  /** Services with a container created anew for a stale task (or to follow such a namespace parent). */
  private readonly replacedServices = new Set<string>();

  constructor(
    private readonly project: LoadedProject,
    private readonly plan: Plan,
    private readonly engine: Engine,
    private readonly opts: ApplyOptions,
  ) {
    this.model = project.model;
    const { emit, res } = emitter(opts.onEvent);
    this.emit = emit;
    this.res = res;
    this.signal = opts.signal;
    this.limit = limiter(Math.max(1, opts.parallel ?? 4));
    this.warnings = [...plan.warnings];
    this.inScope = new Set(plan.targets);
    this.graph = ServiceGraph.fromServices(this.model.services);
    for (const s of plan.targets) {
      const m = new Map<number, string>();
      for (const a of plan.services[s] ?? []) {
        if (a.containerId && (a.kind === "noop" || a.kind === "start" || a.kind === "restart")) m.set(a.number, a.containerId);
        if (a.containerId && a.kind === "noop" && a.state === "running") this.knownStarted.add(a.containerId);
      }
      this.ids[s] = m;
    }
  }

  /** 1. orphans, networks, volumes; 2. containers, walking the graph; 3. --wait. */
  async run(): Promise<UpResult> {
    const { plan, opts } = this;
    for (const w of plan.warnings) this.emit({ type: "warning", message: w });
    this.networkIds = await applyResources({ engine: this.engine, project: this.project, plan, timeout: opts.timeout, limit: this.limit, res: this.res, emit: this.emit });
    this.checkAbort();
    // Every container is created early, chain heads first (the create queue yields to starts, which
    // are urgent); recreated services need their new container ids visible before dependents create.
    for (const s of criticalOrder(this.graph, plan.targets)) void this.createService(s);
    const signal = this.signal;
    try {
      await walkGraph(this.graph, signal ? { direction: "up", services: plan.targets, signal } : { direction: "up", services: plan.targets }, (s) => this.visit(s));
    } finally {
      await Promise.allSettled([...this.created.values()]);
    }
    if (opts.wait && !opts.noStart) await this.waitReady();
    this.results.sort((a, b) => compareText(a.service, b.service) || a.number - b.number);
    return { plan, containers: this.results, warnings: this.warnings };
  }

  private warn(message: string, service?: string): void {
    this.warnings.push(message);
    this.emit(service ? { type: "warning", message, service } : { type: "warning", message });
  }

  private checkAbort(): void {
    if (this.signal?.aborted) throw abortError();
  }

  private firstContainer(service: string): string | undefined {
    const m = this.ids[service];
    if (!m || m.size === 0) return undefined;
    return m.get(Math.min(...m.keys()));
  }

  /** Early creation: a service's new containers, as soon as its creation dependencies exist (once per service). */
  private createService(s: string): Promise<void> {
    let p = this.created.get(s);
    if (p) return p;
    p = (async () => {
      for (const dep of creationDependencies(this.model.services[s]!)) {
        if (this.inScope.has(dep) && dep !== s) await this.createService(dep);
      }
      const warnOnce = { done: false };
      const todo = (this.plan.services[s] ?? []).filter((a) => a.kind === "create" || a.kind === "recreate");
      if (todo.length === 0) return;
      try {
        await Promise.all(todo.map((a) => this.createFor(s, a, warnOnce)));
      } catch (err) {
        throw asServiceError(s, err);
      }
      // Recreated namespace parents: their new id is what dependents must use.
      for (const a of todo) if (a.kind === "recreate") this.ids[s]!.set(a.number, this.newIds.get(a)!);
    })();
    p.catch(() => {}); // observed through the walk; avoid unhandled rejections
    this.created.set(s, p);
    return p;
  }

  /** Create one container of a create/recreate action (a recreate's under a temporary name). */
  private async createFor(s: string, a: ServiceAction, warnOnce: { done: boolean }): Promise<void> {
    const out = containerSpec(this.model.services[s]!, s, { project: this.model.name, service: s, number: a.number, name: a.target }, await this.convertContext(s, a));
    if (!warnOnce.done) {
      warnOnce.done = true;
      for (const w of out.warnings ?? []) this.warn(w, s);
    }
    const spec = { ...out.spec, Labels: { ...(out.spec.Labels ?? {}) } };
    // Salted per-key hashes, a fresh salt per container: no value of the service in the label.
    spec.Labels[CONFIG_LABEL] = configLabelValue(this.model.services[s]!);
    if (a.kind === "recreate" && a.containerId) {
      spec.name = `${a.containerId.slice(0, 12)}_${a.target}`;
      spec.Labels[Label.replace] = a.currentName ?? a.target; // as Compose: the container this one replaces
    } else spec.name = a.target;
    const id = await this.limit(async () => {
      this.checkAbort();
      if (a.kind === "create") this.res("container", a.target, "Creating", s);
      // Injected files (secrets, configs from environment/content) are mounted read-only from a volume of their own.
      const { id: newId, secretsVolume } = await createWithSecrets(this.engine, spec, out.filesToInject, { project: this.model.name, container: a.target });
      if (secretsVolume) this.newSecrets.set(a, secretsVolume);
      for (const n of out.extraNetworks ?? []) await this.engine.connectNetwork(n.name, newId, n.endpoint);
      return newId;
    });
    this.newIds.set(a, id);
    this.newSpecs.set(a, out);
    if (a.kind === "create") {
      this.ids[s]!.set(a.number, id);
      this.res("container", a.target, "Created", s);
    }
  }

  /** What converting the service needs; a recreate keeps the replaced container's anonymous volumes (Compose does), -V drops them. */
  private async convertContext(s: string, a: ServiceAction): Promise<ConvertContext> {
    const ctx: ConvertContext = { project: this.project, configHash: this.plan.hashes[s]!, resolveContainer: (other: string) => this.firstContainer(other), networkId: (name) => this.networkIds.get(name) };
    const digest = this.opts.imageIds?.[s];
    if (digest) ctx.imageDigest = digest;
    if (a.kind === "recreate" && a.containerId) {
      const old = await this.limit(() => this.engine.inspectContainer(a.containerId!));
      if (old) {
        const inherited = anonymousVolumesToInherit(this.model.services[s]!, old.mounts, observedConfig(old.labels));
        if (this.opts.renewAnonVolumes) this.renewed.set(a, inherited.map((v) => v.name));
        else if (inherited.length > 0) ctx.inheritedVolumes = inherited;
      }
    }
    return ctx;
  }

  /** Stop a running container, running the service's pre_stop hooks first (a failing hook is a warning). */
  private async stopWithHooks(s: string, id: string, name: string, running: boolean): Promise<void> {
    if (running && serviceHooks(this.model.services[s]!, "pre_stop").length > 0) {
      try {
        await runHooks(this.engine, this.model.services[s]!, s, { id, name }, "pre_stop", this.signal);
      } catch (err) {
        this.warn(err instanceof Error ? err.message : String(err), s);
      }
    }
    await this.engine.stopContainer(id, this.opts.timeout);
  }

  private stopForRestart(s: string, a: ServiceAction): Promise<void> {
    let p = this.restartStops.get(a);
    if (!p) {
      p = this.limit(async () => {
        this.res("container", a.target, "Stopping", s, a.reason);
        await this.stopWithHooks(s, a.containerId!, a.target, true);
        this.res("container", a.target, "Stopped", s);
      }, true);
      this.restartStops.set(a, p);
    }
    return p;
  }

  private async stopDependentsOf(dep: string): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const t of this.plan.targets) {
      for (const a of this.plan.services[t] ?? []) {
        if (a.kind === "restart" && a.containerId && a.restartAfter?.includes(dep)) jobs.push(this.stopForRestart(t, a));
      }
    }
    await Promise.all(jobs);
  }

  /** One service's turn in the walk: its dependencies' conditions, removals, swaps, pre_start, starts. */
  private async visit(s: string): Promise<void> {
    this.checkAbort();
    await this.createService(s);
    const actions = this.plan.services[s] ?? [];
    const noStart = !!this.opts.noStart;
    try {
      if (!noStart) await this.waitForDependencies(s);
      // Dependents that restart around this service's recreate/start are stopped first.
      if (!noStart && actions.some((a) => a.kind === "recreate" || a.kind === "start")) await this.stopDependentsOf(s);
      await this.removeExtras(s, actions);
      await this.swapRecreated(s, actions);
      const acts = await this.followReplacedParents(s, actions);
      // pre_start steps (init containers) for the containers this up created, before any starts.
      if (!noStart) await this.runPreStart(s, acts.filter((a) => a.kind === "create" || a.kind === "recreate"));
      await this.startContainers(s, acts);
      this.record(s, acts);
    } catch (err) {
      throw asServiceError(s, err);
    }
  }

  /** Wait for each in-scope dependency's depends_on condition; a failed optional one is a warning. */
  private async waitForDependencies(s: string): Promise<void> {
    const signal = this.signal;
    for (const edge of this.graph.dependencies(s)) {
      if (!this.inScope.has(edge.service)) continue;
      const depIds = this.ids[edge.service]!;
      if (depIds.size === 0) continue; // scaled to 0
      const containers = (this.plan.services[edge.service] ?? []).filter((x) => x.kind !== "remove" && depIds.has(x.number)).map((x) => ({ id: depIds.get(x.number)!, name: x.target }));
      // Started by this up (or running when observed): service_started holds without asking the engine.
      if (edge.condition === "service_started" && containers.every((c) => this.knownStarted.has(c.id))) continue;
      if (edge.condition !== "service_started") for (const c of containers) this.res("container", c.name, "Waiting", edge.service);
      try {
        await waitForCondition(this.engine, { service: edge.service, condition: edge.condition, containers }, signal ? { signal, dependent: s } : { dependent: s });
        if (edge.condition === "service_healthy") for (const c of containers) this.res("container", c.name, "Healthy", edge.service);
        if (edge.condition === "service_completed_successfully") for (const c of containers) this.res("container", c.name, "Exited", edge.service);
      } catch (err) {
        if (!edge.required && err instanceof ServiceError && err.code === "DEPENDENCY_FAILED") {
          this.warn(`optional dependency "${edge.service}" of "${s}" failed: ${err.message}`, s);
          continue;
        }
        throw err;
      }
    }
  }

  /** Scale-down and leftovers. */
  private async removeExtras(s: string, actions: readonly ServiceAction[]): Promise<void> {
    await Promise.all(
      actions
        .filter((a) => a.kind === "remove" && a.containerId)
        .map((a) =>
          this.limit(async () => {
            const name = a.currentName ?? a.target;
            this.res("container", name, "Stopping", s);
            await this.stopWithHooks(s, a.containerId!, name, mayRun(a));
            this.res("container", name, "Removing", s);
            await this.engine.removeContainer(a.containerId!, { force: true });
            await dropSecretsOf(this.engine, a.secretsVolume);
            this.res("container", name, "Removed", s);
          }, true),
        ),
    );
  }

  /** Swap recreated containers in: stop and remove the old one, give the new one its name. */
  private async swapRecreated(s: string, actions: readonly ServiceAction[]): Promise<void> {
    await Promise.all(
      actions
        .filter((a) => a.kind === "recreate")
        .map((a) =>
          this.limit(async () => {
            const newId = this.newIds.get(a)!;
            this.res("container", a.target, "Recreate", s, a.reason);
            if (a.containerId) {
              await this.stopWithHooks(s, a.containerId, a.currentName ?? a.target, mayRun(a));
              // -V: the old anonymous volumes go with the old container (they were not inherited).
              await this.engine.removeContainer(a.containerId, { force: true, volumes: !!this.opts.renewAnonVolumes });
              await dropSecretsOf(this.engine, a.secretsVolume);
              // A volume it had inherited by name is not "anonymous" to the engine any more: remove it explicitly.
              for (const v of this.renewed.get(a) ?? []) await this.engine.removeVolume(v).catch(() => {});
            }
            await this.engine.renameContainer(newId, a.target);
            this.ids[s]!.set(a.number, newId);
            this.res("container", a.target, "Recreated", s);
          }, true),
        ),
    );
  }

  /**
   * Run a service's pre_start steps in order, each in its own container (see preStartSpec) that
   * must exit 0 before the next step (and the service) starts. A step runs once per up for the
   * service, on its first new container, or on every new container with `per_replica: true`. Only
   * new (created/recreated) containers get them: an unchanged service does not run them again.
   */
  private async runPreStart(s: string, fresh: ServiceAction[]): Promise<void> {
    const hooks = preStartHooks(this.model.services[s]!);
    if (hooks.length === 0 || fresh.length === 0) return;
    for (const [i, hook] of hooks.entries()) {
      const on = hook.per_replica ? fresh : fresh.slice(0, 1);
      await Promise.all(on.map((a) => this.limit(() => this.runInitContainer(s, a, hook, i), true)));
    }
  }

  private async runInitContainer(s: string, a: ServiceAction, hook: InitHook, index: number): Promise<void> {
    this.checkAbort();
    const { engine, res } = this;
    const out = this.newSpecs.get(a)!;
    const spec = preStartSpec(hook, { spec: out.spec, id: this.newIds.get(a)!, name: a.target, service: s, project: this.model.name }, index);
    const name = spec.name ?? `${a.target}-pre_start-${index + 1}`;
    res("container", name, "Creating", s, "pre_start");
    const id = await engine.createContainer(spec);
    try {
      for (const n of out.extraNetworks ?? []) await engine.connectNetwork(n.name, id, { ...n.endpoint, Aliases: [], IPAMConfig: undefined });
      res("container", name, "Starting", s, "pre_start");
      await engine.startContainer(id);
      const code = await engine.waitContainer(id, this.signal);
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
  }

  /** Start what the plan starts (each then runs its post_start hooks); report up-to-date containers as Running. */
  private async startContainers(s: string, actions: readonly ServiceAction[]): Promise<void> {
    const toStart = this.opts.noStart ? [] : actions.filter((a) => a.kind === "create" || a.kind === "recreate" || a.kind === "start" || a.kind === "restart");
    // A restart whose trigger did not stop it (e.g. the dependency had nothing to do after all) stops now.
    await Promise.all(toStart.filter((a) => a.kind === "restart").map((a) => this.stopForRestart(s, a)));
    await Promise.all(
      toStart.map(async (a) => {
        const start = (id: string): Promise<void> => this.limit(() => this.startOne(s, a, id), true);
        // An existing container may meet a stale task (see stale-task.ts); a new one cannot.
        if (a.kind === "start" || a.kind === "restart") await startOrReplace({ id: a.containerId!, name: a.target, service: s }, start, () => this.replaceStale(s, a));
        else await start(this.newIds.get(a)!);
      }),
    );
    // Up-to-date containers are reported like Compose does (` Container x  Running`), so a no-op up is not silent.
    for (const a of actions) if (a.kind === "noop") this.res("container", a.target, "Running", s);
    if (toStart.length > 0 || actions.some((a) => a.kind === "noop")) this.startedServices.push(s);
  }

  private async startOne(s: string, a: ServiceAction, id: string): Promise<void> {
    this.checkAbort();
    this.res("container", a.target, "Starting", s, a.kind === "restart" ? a.reason : undefined);
    await this.engine.startContainer(id);
    this.knownStarted.add(id);
    await runHooks(this.engine, this.model.services[s]!, s, { id, name: a.target }, "post_start", this.signal);
    this.res("container", a.target, "Started", s);
  }

  /**
   * A stopped container whose start the engine refuses because containerd still holds its task (an
   * engine killed while starting it leaves that behind, and only removing the container clears it):
   * created anew as a recreate would (its anonymous volumes inherited), under the same name.
   */
  private async replaceStale(s: string, a: ServiceAction): Promise<string> {
    this.warn(staleTaskWarning(a.target), s);
    // Not running (its start failed): no pre_stop hooks before its removal.
    const fresh: ServiceAction = { ...a, kind: "recreate", state: "exited", reason: STALE_TASK_REASON };
    await this.createFor(s, fresh, { done: true });
    await this.swapRecreated(s, [fresh]);
    const id = this.newIds.get(fresh)!;
    this.replaced.set(a, id);
    this.replacedServices.add(s);
    return id;
  }

  /**
   * A service sharing a namespace (or volumes_from) with a container created anew for a stale task
   * refers to the old one by id: its containers to start are created anew too, joining the new one.
   */
  private async followReplacedParents(s: string, actions: readonly ServiceAction[]): Promise<readonly ServiceAction[]> {
    const parent = namespaceParents(this.model.services[s]!).find((p) => this.replacedServices.has(p));
    if (!parent) return actions;
    this.replacedServices.add(s);
    const reason = `its namespace parent ${parent} was created anew (stale task)`;
    return Promise.all(
      actions.map(async (a) => {
        if (a.kind === "noop" || a.kind === "remove") return a;
        const made = a.kind === "create" || a.kind === "recreate";
        const current = made ? this.newIds.get(a)! : a.containerId!;
        const secretsVolume = made ? this.newSecrets.get(a) : a.secretsVolume;
        const fresh: ServiceAction = { ...a, kind: "recreate", containerId: current, currentName: a.target, state: "created", reason, secretsVolume };
        await this.createFor(s, fresh, { done: true });
        await this.swapRecreated(s, [fresh]);
        return fresh;
      }),
    );
  }

  private record(s: string, actions: readonly ServiceAction[]): void {
    for (const a of actions) {
      if (a.kind === "remove") continue;
      const id = a.kind === "create" || a.kind === "recreate" ? this.newIds.get(a)! : (this.replaced.get(a) ?? a.containerId!);
      this.results.push({ service: s, number: a.number, name: a.target, id, action: a.kind });
    }
  }

  /** --wait: the started services' containers until running (healthy when they have a healthcheck; exited 0 for one-shots). */
  private async waitReady(): Promise<void> {
    const { plan, opts } = this;
    const oneShots = new Set<string>();
    for (const s of plan.targets) {
      for (const e of this.graph.dependencies(s)) if (e.condition === "service_completed_successfully" && this.inScope.has(e.service)) oneShots.add(e.service);
    }
    const targets: ReadyTarget[] = this.results
      .filter((r) => this.startedServices.includes(r.service))
      .map((r) => ({ service: r.service, id: r.id, name: r.name, kind: oneShots.has(r.service) ? "completed" : "running" }));
    await waitUntilReady(this.engine, targets, {
      timeoutSeconds: opts.waitTimeout,
      signal: opts.signal,
      strategy: "up --wait",
      describe: (names, secs) => `application not healthy after ${secs}s: services not ready: ${names.join(", ")}`,
    });
  }
}

