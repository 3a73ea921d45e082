/**
 * An in-memory SwarmEngine for unit tests of `stack deploy/rm` (apply): services with versions and
 * UpdateStatus, tasks that move on one step per read (new → running; starting until healthy when
 * the service has a healthcheck; jobs run to complete), rolling updates batch by batch with the
 * service's parallelism and failure action (pause / rollback / continue), scripted failures
 * (`failImage`, `neverHealthy`, and a command `false` or `sh -c "… exit 1"`), secrets and configs (in-use ones cannot be removed, as the engine
 * refuses), and a call log. Deterministic: ids are counters, time is a step counter.
 *
 * It follows what the real engine does (checked on a lab swarm): a stale version fails with
 * "update out of sequence"; a rollback puts the previous spec back and ends in
 * `rollback_completed` whose message no longer says why (the failed task's error does); a removed
 * service's tasks linger for a step before they are gone, except a job's completed task, which
 * stays (as Swarm keeps it).
 */
import { EngineError } from "../../src/errors.js";
import { matchesLabels } from "../../src/runtime/docker/filters.js";
import type { LabelFilter } from "../../src/runtime/engine.js";
import type {
  ServiceSpec,
  ServiceSummary,
  SwarmEngine,
  SwarmInfo,
  SwarmNode,
  SwarmObjectSpec,
  SwarmObjectSummary,
  TaskState,
  TaskSummary,
} from "../../src/runtime/engine-swarm.js";

export interface FakeSwarmCall {
  method: string;
  args: unknown[];
}

interface FakeService extends ServiceSummary {
  /** Task-template generation: tasks of an older one are replaced by a rolling update. */
  generation: number;
  removed: boolean;
}

interface FakeTask {
  id: string;
  serviceId: string;
  slot?: number;
  nodeId: string;
  generation: number;
  spec: ServiceSpec;
  desiredState: TaskState;
  state: TaskState;
  /** Steps spent in the current state. */
  age: number;
  message?: string;
  error?: string;
  exitCode?: number;
  createdAt: string;
  updatedAt: string;
  /** Steps left before a removed service's task disappears. */
  linger?: number;
}

interface FakeObject {
  id: string;
  spec: SwarmObjectSpec;
  createdAt: string;
}

export interface FakeSwarmOptions {
  /** Default "active" manager. */
  state?: SwarmInfo["localNodeState"];
  manager?: boolean;
  nodes?: number;
  /** Steps a task with a healthcheck spends `starting` before it is healthy (running). Default 2. */
  healthSteps?: number;
  /** Advance one step on every read (listTasks / inspectService / listServices). Default true. */
  autoStep?: boolean;
}

const SWARM_INACTIVE = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";
const SWARM_WORKER = "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";

/** A command the fake knows exits non-zero at once: `false`, or `sh -c "… exit N"` with N > 0. */
function failingCommand(spec: ServiceSpec): boolean {
  const c = spec.TaskTemplate.ContainerSpec;
  const words = [...(c.Command ?? []), ...(c.Args ?? [])];
  if (words.length === 1 && words[0] === "false") return true;
  return /(^|[;&|\s])exit [1-9]\d*\s*$/.test(words[words.length - 1] ?? "");
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

export class FakeSwarm implements SwarmEngine {
  readonly calls: FakeSwarmCall[] = [];
  readonly #services = new Map<string, FakeService>();
  readonly #tasks: FakeTask[] = [];
  readonly #secrets = new Map<string, FakeObject>();
  readonly #configs = new Map<string, FakeObject>();
  readonly #failImages = new Set<string>();
  readonly #neverHealthy = new Set<string>();
  readonly #nodes: SwarmNode[];
  readonly #options: Required<Omit<FakeSwarmOptions, "nodes">>;
  #counter = 0;
  #index = 10;
  #clock = 0;

  constructor(options: FakeSwarmOptions = {}) {
    this.#options = { state: options.state ?? "active", manager: options.manager ?? true, healthSteps: options.healthSteps ?? 2, autoStep: options.autoStep ?? true };
    this.#nodes = Array.from({ length: options.nodes ?? 1 }, (_, i) => ({
      id: `node${i + 1}`,
      hostname: `node-${i + 1}`,
      role: i === 0 ? "manager" : "worker",
      availability: "active",
      state: "ready",
      addr: `10.0.0.${i + 2}`,
      labels: {},
    }));
  }

  // --- scripting --------------------------------------------------------------------------------

  /** Tasks running this image fail at once (exit 1). */
  failImage(image: string): void {
    this.#failImages.add(image);
  }
  /** Tasks running this image stay `starting` (their healthcheck never passes). */
  neverHealthy(image: string): void {
    this.#neverHealthy.add(image);
  }
  /** Every task (not only a service's) for inspection in tests. */
  get taskCount(): number {
    return this.#tasks.length;
  }
  /** Names of existing secrets / configs. */
  get secretNames(): string[] {
    return [...this.#secrets.values()].map((o) => o.spec.Name).sort();
  }
  get configNames(): string[] {
    return [...this.#configs.values()].map((o) => o.spec.Name).sort();
  }
  /** Calls by method name (reads excluded when `writes`). */
  callsOf(method: string): FakeSwarmCall[] {
    return this.calls.filter((c) => c.method === method);
  }
  get writes(): FakeSwarmCall[] {
    return this.calls.filter((c) => /^(create|update|remove)/.test(c.method));
  }

  // --- helpers -----------------------------------------------------------------------------------

  #log(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args: clone(args) });
  }
  #id(prefix: string): string {
    this.#counter += 1;
    return `${prefix}${String(this.#counter).padStart(6, "0")}`;
  }
  #now(): string {
    return new Date(Date.UTC(2026, 0, 1, 0, 0, this.#clock)).toISOString();
  }
  #requireManager(): void {
    if (this.#options.state !== "active") throw new EngineError("ENGINE", SWARM_INACTIVE, { statusCode: 503 });
    if (!this.#options.manager) throw new EngineError("ENGINE", SWARM_WORKER, { statusCode: 503 });
  }
  #service(idOrName: string): FakeService | undefined {
    return [...this.#services.values()].find((s) => !s.removed && (s.id === idOrName || s.spec.Name === idOrName));
  }
  #summary(s: FakeService): ServiceSummary {
    const out: ServiceSummary = { id: s.id, version: s.version, spec: clone(s.spec), createdAt: s.createdAt, updatedAt: s.updatedAt };
    if (s.previousSpec) out.previousSpec = clone(s.previousSpec);
    if (s.updateStatus) out.updateStatus = { ...s.updateStatus };
    return out;
  }
  #replicas(s: FakeService): number {
    const m = s.spec.Mode;
    if (m?.Global || m?.GlobalJob) return this.#nodes.length;
    if (m?.ReplicatedJob) return m.ReplicatedJob.TotalCompletions ?? m.ReplicatedJob.MaxConcurrent ?? 1;
    return m?.Replicated?.Replicas ?? 1;
  }
  #isJob(s: ServiceSpec): boolean {
    return !!(s.Mode?.ReplicatedJob || s.Mode?.GlobalJob);
  }
  #checkRefs(spec: ServiceSpec): void {
    const c = spec.TaskTemplate.ContainerSpec;
    for (const r of c.Secrets ?? []) {
      if (!r.SecretID || !this.#secrets.has(r.SecretID)) throw new EngineError("ENGINE", `secret not found: ${r.SecretName ?? r.SecretID ?? "?"}`, { statusCode: 400 });
    }
    for (const r of c.Configs ?? []) {
      if (!r.ConfigID || !this.#configs.has(r.ConfigID)) throw new EngineError("ENGINE", `config not found: ${r.ConfigName ?? r.ConfigID ?? "?"}`, { statusCode: 400 });
    }
    if (!spec.Name) throw new EngineError("ENGINE", "name must be valid as a DNS name component", { statusCode: 400 });
  }
  #newTask(s: FakeService, slot: number | undefined, node: string): FakeTask {
    const t: FakeTask = {
      id: this.#id("task"),
      serviceId: s.id,
      nodeId: node,
      generation: s.generation,
      spec: clone(s.spec),
      desiredState: this.#isJob(s.spec) ? "complete" : "running",
      state: "new",
      age: 0,
      createdAt: this.#now(),
      updatedAt: this.#now(),
    };
    if (slot !== undefined) t.slot = slot;
    this.#tasks.push(t);
    return t;
  }
  #setState(t: FakeTask, state: TaskState, extra: Partial<FakeTask> = {}): void {
    t.state = state;
    t.age = 0;
    t.updatedAt = this.#now();
    Object.assign(t, extra);
  }
  /** Fill the service's slots with tasks of its current generation (create / scale / restart). */
  #reconcile(s: FakeService): void {
    if (s.removed) return;
    const live = this.#tasks.filter((t) => t.serviceId === s.id && t.desiredState !== "shutdown" && t.desiredState !== "remove");
    const global = !!(s.spec.Mode?.Global || s.spec.Mode?.GlobalJob);
    const job = this.#isJob(s.spec);
    const want = this.#replicas(s);
    if (job) {
      const done = this.#tasks.filter((t) => t.serviceId === s.id && t.generation === s.generation && t.state === "complete").length;
      const active = live.filter((t) => t.generation === s.generation && !["complete", "failed", "rejected", "shutdown"].includes(t.state)).length;
      for (let i = done + active; i < want; i++) this.#newTask(s, global ? undefined : i + 1, this.#nodes[i % this.#nodes.length]!.id);
      return;
    }
    for (let i = 0; i < want; i++) {
      const slot = global ? undefined : i + 1;
      const node = this.#nodes[i % this.#nodes.length]!.id;
      const has = live.some((t) => (global ? t.nodeId === node : t.slot === slot) && !["failed", "rejected", "complete"].includes(t.state));
      if (!has) this.#newTask(s, slot, node);
    }
    // scale down
    if (!global) {
      for (const t of live) if (t.slot !== undefined && t.slot > want) t.desiredState = "shutdown";
    }
  }

  /** Advance every task and rolling update by one step. */
  step(): void {
    this.#clock += 1;
    for (const t of this.#tasks) t.age += 1;
    // removed services: their tasks shut down, then disappear
    for (let i = this.#tasks.length - 1; i >= 0; i--) {
      const t = this.#tasks[i];
      if (t?.linger !== undefined) {
        if (t.linger <= 0) this.#tasks.splice(i, 1);
        else t.linger -= 1;
      }
    }
    for (const t of this.#tasks) {
      if (t.desiredState === "shutdown" || t.desiredState === "remove") {
        if (t.state === "running" || t.state === "starting" || t.state === "new") this.#setState(t, "shutdown", { message: "shutdown" });
        continue;
      }
      const image = t.spec.TaskTemplate.ContainerSpec.Image;
      if (t.state === "new") {
        if (this.#failImages.has(image) || failingCommand(t.spec)) {
          this.#setState(t, "failed", { message: "started", error: "task: non-zero exit (1)", exitCode: 1 });
        } else if (t.spec.TaskTemplate.ContainerSpec.Healthcheck?.Test && t.spec.TaskTemplate.ContainerSpec.Healthcheck.Test[0] !== "NONE") {
          this.#setState(t, "starting", { message: "starting" });
        } else {
          this.#setState(t, "running", { message: "started" });
        }
      } else if (t.state === "starting") {
        if (!this.#neverHealthy.has(image) && t.age >= this.#options.healthSteps) this.#setState(t, "running", { message: "started" });
      } else if (t.state === "running" && this.#isJob(t.spec) && t.age >= 1) {
        this.#setState(t, "complete", { message: "finished", exitCode: 0 });
      }
    }
    for (const s of this.#services.values()) this.#advanceUpdate(s);
    for (const s of this.#services.values()) {
      // restart policy: failed tasks of a service not mid-rollout are replaced
      const cond = s.spec.TaskTemplate.RestartPolicy?.Condition ?? "any";
      if (!s.removed && cond !== "none" && s.updateStatus?.state !== "updating" && s.updateStatus?.state !== "rollback_started") {
        for (const t of this.#tasks) {
          if (t.serviceId === s.id && t.desiredState === "running" && (t.state === "failed" || t.state === "rejected") && t.age >= 1) t.desiredState = "shutdown";
        }
        this.#reconcile(s);
      }
    }
  }

  #advanceUpdate(s: FakeService): void {
    const st = s.updateStatus?.state;
    if (s.removed || (st !== "updating" && st !== "rollback_started")) return;
    const rollback = st === "rollback_started";
    const cfg = (rollback ? s.spec.RollbackConfig : s.spec.UpdateConfig) ?? {};
    const parallelism = cfg.Parallelism === 0 ? Infinity : (cfg.Parallelism ?? 1);
    const mine = this.#tasks.filter((t) => t.serviceId === s.id && t.desiredState === "running");
    const fresh = mine.filter((t) => t.generation === s.generation);
    const failed = fresh.find((t) => t.state === "failed" || t.state === "rejected");
    if (failed && !rollback) {
      const action = cfg.FailureAction ?? "pause";
      const why = `update ${action === "rollback" ? "rolled back" : "paused"} due to failure or early termination of task ${failed.id}`;
      if (action === "pause") {
        s.updateStatus = { ...s.updateStatus!, state: "paused", message: why };
        return;
      }
      if (action === "rollback" && s.previousSpec) {
        const prev = s.previousSpec;
        s.previousSpec = s.spec;
        s.spec = prev;
        s.generation += 1;
        this.#index += 1;
        s.version = this.#index;
        s.updateStatus = { state: "rollback_started", message: why, startedAt: this.#now() };
        return;
      }
    }
    if (failed && rollback) {
      s.updateStatus = { ...s.updateStatus!, state: "rollback_paused", message: `rollback paused due to failure or early termination of task ${failed.id}` };
      return;
    }
    // the batch in flight must be running before the next one starts
    const inFlight = fresh.filter((t) => t.state !== "running" && t.state !== "complete").length;
    if (inFlight > 0) return;
    const old = mine.filter((t) => t.generation !== s.generation);
    if (old.length === 0) {
      s.updateStatus = { ...s.updateStatus!, state: rollback ? "rollback_completed" : "completed", message: rollback ? "rollback completed" : "update completed", completedAt: this.#now() };
      return;
    }
    for (const t of old.slice(0, parallelism)) {
      t.desiredState = "shutdown";
      this.#newTask(s, t.slot, t.nodeId);
    }
  }

  // --- SwarmEngine ---------------------------------------------------------------------------------

  async swarmInfo(): Promise<SwarmInfo> {
    this.#log("swarmInfo");
    const active = this.#options.state === "active";
    return {
      localNodeState: this.#options.state,
      controlAvailable: active && this.#options.manager,
      nodeId: active ? "node1" : "",
      ...(active ? { clusterId: "cluster1" } : {}),
      managers: active ? 1 : 0,
      nodes: active ? this.#nodes.length : 0,
    };
  }

  async listNodes(): Promise<SwarmNode[]> {
    this.#log("listNodes");
    this.#requireManager();
    return clone(this.#nodes);
  }

  async listServices(filter: { labels?: LabelFilter }): Promise<ServiceSummary[]> {
    this.#log("listServices", filter);
    this.#requireManager();
    if (this.#options.autoStep) this.step();
    return [...this.#services.values()].filter((s) => !s.removed && matchesLabels(s.spec.Labels, filter.labels)).map((s) => this.#summary(s));
  }

  async inspectService(idOrName: string): Promise<ServiceSummary | undefined> {
    this.#log("inspectService", idOrName);
    this.#requireManager();
    if (this.#options.autoStep) this.step();
    const s = this.#service(idOrName);
    return s ? this.#summary(s) : undefined;
  }

  async createService(spec: ServiceSpec, options?: { registryAuth?: boolean }): Promise<string> {
    this.#log("createService", spec, options);
    this.#requireManager();
    this.#checkRefs(spec);
    if (this.#service(spec.Name)) throw new EngineError("ENGINE", `rpc error: code = AlreadyExists desc = name conflicts with an existing object: service ${spec.Name} already exists`, { statusCode: 409 });
    this.#index += 1;
    const s: FakeService = { id: this.#id("svc"), version: this.#index, spec: clone(spec), createdAt: this.#now(), updatedAt: this.#now(), generation: 1, removed: false };
    this.#services.set(s.id, s);
    this.#reconcile(s);
    return s.id;
  }

  async updateService(id: string, version: number, spec: ServiceSpec, options: { registryAuth?: boolean; rollback?: boolean } = {}): Promise<void> {
    this.#log("updateService", id, version, spec, options);
    this.#requireManager();
    const s = this.#service(id);
    if (!s) throw new EngineError("NO_SUCH_SERVICE", `service ${id} not found`, { statusCode: 404 });
    if (version !== s.version) throw new EngineError("ENGINE", "rpc error: code = Unknown desc = update out of sequence", { statusCode: 500 });
    this.#checkRefs(spec);
    if (spec.Name !== s.spec.Name) throw new EngineError("ENGINE", "rpc error: code = Unimplemented desc = renaming services is not supported", { statusCode: 501 });
    const templateChanged = canon(spec.TaskTemplate) !== canon(s.spec.TaskTemplate);
    s.previousSpec = s.spec;
    s.spec = clone(spec);
    this.#index += 1;
    s.version = this.#index;
    s.updatedAt = this.#now();
    if (templateChanged) {
      s.generation += 1;
      if (this.#isJob(spec)) this.#reconcile(s);
      else s.updateStatus = { state: "updating", message: "update in progress", startedAt: this.#now() };
    } else {
      this.#reconcile(s);
    }
  }

  async removeService(idOrName: string): Promise<void> {
    this.#log("removeService", idOrName);
    this.#requireManager();
    const s = this.#service(idOrName);
    if (!s) return;
    s.removed = true;
    for (const t of this.#tasks) {
      // A finished job task outlives its service (Swarm keeps it, with its exited container).
      if (t.serviceId === s.id && t.state !== "complete") {
        t.desiredState = "remove";
        t.linger = 2;
      }
    }
  }

  async listTasks(filter: { service?: string; labels?: LabelFilter; desiredState?: "running" | "shutdown" | "accepted" }): Promise<TaskSummary[]> {
    this.#log("listTasks", filter);
    this.#requireManager();
    if (this.#options.autoStep) this.step();
    let svcId: string | undefined;
    if (filter.service !== undefined) {
      const s = [...this.#services.values()].find((x) => x.id === filter.service || x.spec.Name === filter.service);
      if (!s) return [];
      svcId = s.id;
    }
    return this.#tasks
      .filter((t) => svcId === undefined || t.serviceId === svcId)
      .filter((t) => matchesLabels(t.spec.Labels, filter.labels))
      .filter((t) => filter.desiredState === undefined || t.desiredState === filter.desiredState)
      .map((t) => {
        const out: TaskSummary = {
          id: t.id,
          serviceId: t.serviceId,
          nodeId: t.nodeId,
          desiredState: t.desiredState,
          state: t.state,
          createdAt: t.createdAt,
          updatedAt: t.updatedAt,
          image: t.spec.TaskTemplate.ContainerSpec.Image,
        };
        if (t.slot !== undefined) out.slot = t.slot;
        if (t.message !== undefined) out.message = t.message;
        if (t.error !== undefined) out.error = t.error;
        if (t.exitCode !== undefined) out.exitCode = t.exitCode;
        if (t.state === "running" || t.state === "starting" || t.state === "complete" || t.state === "failed") out.containerId = `ctr-${t.id}`;
        return out;
      });
  }

  #list(store: Map<string, FakeObject>, filter: { labels?: LabelFilter; name?: string }): SwarmObjectSummary[] {
    return [...store.values()]
      .filter((o) => matchesLabels(o.spec.Labels, filter.labels) && (filter.name === undefined || o.spec.Name === filter.name))
      .map((o) => ({ id: o.id, name: o.spec.Name, labels: { ...(o.spec.Labels ?? {}) }, createdAt: o.createdAt }));
  }
  #create(store: Map<string, FakeObject>, kind: string, spec: SwarmObjectSpec): string {
    this.#requireManager();
    if ([...store.values()].some((o) => o.spec.Name === spec.Name)) {
      throw new EngineError("ENGINE", `rpc error: code = AlreadyExists desc = ${kind} ${spec.Name} already exists`, { statusCode: 409 });
    }
    const id = this.#id(kind);
    store.set(id, { id, spec: clone(spec), createdAt: this.#now() });
    return id;
  }
  #remove(store: Map<string, FakeObject>, kind: "secret" | "config", idOrName: string): void {
    this.#requireManager();
    const o = [...store.values()].find((x) => x.id === idOrName || x.spec.Name === idOrName);
    if (!o) return;
    const users = [...this.#services.values()].filter(
      (s) => !s.removed && (kind === "secret" ? s.spec.TaskTemplate.ContainerSpec.Secrets : s.spec.TaskTemplate.ContainerSpec.Configs)?.some((r) => (kind === "secret" ? r.SecretID : r.ConfigID) === o.id),
    );
    if (users.length > 0) {
      throw new EngineError("ENGINE", `rpc error: code = InvalidArgument desc = ${kind} '${o.spec.Name}' is in use by the following service: ${users.map((u) => u.spec.Name).join(", ")}`, { statusCode: 400 });
    }
    store.delete(o.id);
  }

  async listSecrets(filter: { labels?: LabelFilter; name?: string }): Promise<SwarmObjectSummary[]> {
    this.#log("listSecrets", filter);
    this.#requireManager();
    return this.#list(this.#secrets, filter);
  }
  async createSecret(spec: SwarmObjectSpec): Promise<string> {
    this.#log("createSecret", { ...spec, Data: "<redacted>" });
    return this.#create(this.#secrets, "secret", spec);
  }
  async removeSecret(idOrName: string): Promise<void> {
    this.#log("removeSecret", idOrName);
    this.#remove(this.#secrets, "secret", idOrName);
  }
  async listConfigs(filter: { labels?: LabelFilter; name?: string }): Promise<SwarmObjectSummary[]> {
    this.#log("listConfigs", filter);
    this.#requireManager();
    return this.#list(this.#configs, filter);
  }
  async createConfig(spec: SwarmObjectSpec): Promise<string> {
    this.#log("createConfig", spec);
    return this.#create(this.#configs, "config", spec);
  }
  async removeConfig(idOrName: string): Promise<void> {
    this.#log("removeConfig", idOrName);
    this.#remove(this.#configs, "config", idOrName);
  }
}
