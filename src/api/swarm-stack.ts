/**
 * The library API of `flotilla stack`: a compose project deployed to a Docker Swarm.
 *
 *   const stack = await Stack.load({ files: ["compose.yaml"], stack: "shop" });
 *   const { plan, applied } = await stack.deploy({ wait: true });
 *   await stack.rm({ wait: true });
 *
 * Load (the usual spec pipeline) → check and convert (pure, cluster/swarm) → observe the swarm →
 * plan → apply. `Stack.named(name)` reaches a deployed stack without its files (ls/ps/services/rm).
 * Objects carry docker stack's labels, so `docker stack ls/ps/rm` see what Flotilla deployed and
 * the other way round.
 */
import { readFileSync } from "node:fs";
import { EngineError, FlotillaError, ServiceError, type ConfigIssue } from "../errors.js";
import type { EventListener } from "../events.js";
import type { Engine } from "../runtime/engine.js";
import type { ServiceSpec, SwarmEngine, SwarmNode, TaskSummary } from "../runtime/engine-swarm.js";
import type { LoadedProject } from "../spec/model.js";
import type { SwarmPlan } from "../cluster/swarm/plan.js";
import type { StackApplyResult } from "../cluster/swarm/apply.js";
import type { RemoveStackResult } from "../cluster/swarm/remove.js";
import { LABEL_IMAGE, LABEL_NAMESPACE } from "../cluster/swarm/names.js";
import { connectFromEnv, type ProjectLoadOptions } from "./project.js";
import { hostCwd, hostEnv } from "./host.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface StackConnection {
  /** The engine (networks, images); default: DOCKER_HOST / the Docker context. */
  engine?: Engine;
  /** The Swarm half; default: the engine's own (`DockerEngine.swarm()`). */
  swarm?: SwarmEngine;
  env?: Env;
}

export type StackLoadOptions = ProjectLoadOptions & StackConnection & {
  /** The stack's name (default: the project's name). */
  stack?: string;
};

export interface StackDeployOptions {
  /** Print the plan only; nothing is sent. */
  dryRun?: boolean;
  /** Remove services no longer in the file (and their networks). */
  prune?: boolean;
  /** Return when every service converged (or rolled back); default true. */
  wait?: boolean;
  /** Keys sent without (with a warning) instead of refused (`--ignore KEY`). */
  ignore?: string[];
  /** Build services with `build:` and push their images, pinned by digest. */
  push?: boolean;
  /**
   * Pin images by digest (the one the engine knows for the tag): `always` (default) every image,
   * `changed` only new services and changed `image:` values (the others keep what they run),
   * `never` none (an unchanged `image:` keeps what it runs). As docker stack deploy's flag.
   */
  resolveImage?: "always" | "changed" | "never";
  /** Pass registry credentials to the nodes (`--with-registry-auth`). */
  registryAuth?: boolean;
  onEvent?: EventListener;
  signal?: AbortSignal;
  parallel?: number;
  timeoutMs?: number;
  pollMs?: number;
}

export interface StackDeployResult {
  stack: string;
  plan: SwarmPlan;
  /** Warnings at file:line:col from the check (approximations, ignored keys). */
  warnings: ConfigIssue[];
  /** Undefined with dryRun. */
  applied?: StackApplyResult;
}

export interface StackSummary {
  name: string;
  services: number;
}

export interface StackServiceRow {
  id: string;
  name: string;
  mode: string;
  /** "running/desired", e.g. "2/3"; jobs "completed/total (n running)". */
  replicas: string;
  image: string;
  ports: string;
}

export interface StackTaskRow {
  id: string;
  name: string;
  image: string;
  node: string;
  desiredState: string;
  currentState: string;
  /** ISO time of the current state. */
  since: string;
  error: string;
  ports: string;
}

/** Resolve the Swarm half and check the engine is an active manager (else say what to run). */
export async function connectSwarm(conn: StackConnection): Promise<{ engine: Engine; swarm: SwarmEngine }> {
  const env = conn.env ?? hostEnv();
  const engine = conn.engine ?? (await connectFromEnv(env));
  let swarm = conn.swarm;
  if (!swarm) {
    const maker = (engine as Engine & { swarm?: () => Promise<SwarmEngine> }).swarm;
    if (typeof maker !== "function") {
      throw new EngineError("SWARM_UNAVAILABLE", "this engine has no Swarm API", { hint: "point DOCKER_HOST at a Docker Engine that is a swarm manager" });
    }
    swarm = await maker.call(engine);
  }
  const info = await swarm.swarmInfo();
  if (info.localNodeState !== "active") {
    throw new EngineError("SWARM_UNAVAILABLE", `the engine is not part of a swarm (its swarm state is "${info.localNodeState}")`, {
      hint: "run `docker swarm init` to make it a one-node swarm, or point DOCKER_HOST at a manager of an existing swarm (`docker swarm join` adds an engine to one)",
    });
  }
  if (!info.controlAvailable) {
    throw new EngineError("SWARM_UNAVAILABLE", "the engine is a swarm worker; only managers accept stack commands", {
      hint: "point DOCKER_HOST at a manager node, or promote this node with `docker node promote`",
    });
  }
  return { engine, swarm };
}

const short = (id: string): string => id.slice(0, 12);

/** `repo:tag@sha256:…` → `repo:tag` (as docker service ls shows images). */
export function imageWithoutDigest(image: string): string {
  const at = image.indexOf("@");
  return at >= 0 ? image.slice(0, at) : image;
}

export function modeOf(spec: ServiceSpec): string {
  if (spec.Mode?.Global) return "global";
  if (spec.Mode?.ReplicatedJob) return "replicated job";
  if (spec.Mode?.GlobalJob) return "global job";
  return "replicated";
}

export function portsOf(spec: ServiceSpec): string {
  return (spec.EndpointSpec?.Ports ?? [])
    .map((p) => `${p.PublishMode === "host" ? "" : "*"}:${p.PublishedPort ?? ""}->${p.TargetPort}/${p.Protocol ?? "tcp"}`)
    .join(", ");
}

/** "Running 5 seconds ago", as docker prints a task's state. */
export function stateSince(state: string, since: string, now: number): string {
  const t = Date.parse(since);
  const label = state.charAt(0).toUpperCase() + state.slice(1);
  if (!Number.isFinite(t)) return label;
  const s = Math.max(0, Math.round((now - t) / 1000));
  const ago =
    s < 1 ? "less than a second" : s < 60 ? `${s} second${s === 1 ? "" : "s"}` : s < 3600 ? `${Math.round(s / 60)} minute${Math.round(s / 60) === 1 ? "" : "s"}` : `${Math.round(s / 3600)} hour${Math.round(s / 3600) === 1 ? "" : "s"}`;
  return `${label} ${ago} ago`;
}

export class Stack {
  readonly name: string;
  /** Undefined for a stack reached by name only (`Stack.named`). */
  readonly project: LoadedProject | undefined;
  readonly #conn: StackConnection;
  #connected: Promise<{ engine: Engine; swarm: SwarmEngine }> | undefined;

  private constructor(name: string, project: LoadedProject | undefined, conn: StackConnection) {
    this.name = name;
    this.project = project;
    this.#conn = conn;
  }

  /** Load the project's files (as `up` does: discovery, -p, include, profiles, interpolation…). */
  static async load(options: StackLoadOptions = {}): Promise<Stack> {
    const { engine, swarm, stack, ...rest } = options;
    const env = rest.env ?? hostEnv();
    const { loadProject } = await import("../spec/load.js");
    const project = await loadProject({ ...rest, env, cwd: rest.cwd ?? hostCwd() });
    const name = stack ?? project.model.name;
    checkStackName(name);
    return new Stack(name, project, { env, ...(engine ? { engine } : {}), ...(swarm ? { swarm } : {}) });
  }

  /** A deployed stack by name, without its files (for ls/ps/services/rm). */
  static named(name: string, conn: StackConnection = {}): Stack {
    checkStackName(name);
    return new Stack(name, undefined, conn);
  }

  /** Every stack the swarm knows of (by docker stack's namespace label), with its service count. */
  static async ls(conn: StackConnection = {}): Promise<StackSummary[]> {
    const { swarm } = await connectSwarm(conn);
    const counts = new Map<string, number>();
    for (const s of await swarm.listServices({ labels: { [LABEL_NAMESPACE]: undefined } })) {
      const ns = s.spec.Labels?.[LABEL_NAMESPACE];
      if (ns !== undefined) counts.set(ns, (counts.get(ns) ?? 0) + 1);
    }
    return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, services]) => ({ name, services }));
  }

  #connect(): Promise<{ engine: Engine; swarm: SwarmEngine }> {
    if (!this.#connected) {
      const p = connectSwarm(this.#conn);
      this.#connected = p;
      p.catch(() => {
        if (this.#connected === p) this.#connected = undefined;
      });
    }
    return this.#connected;
  }

  /** Build and push the services with `build:` (`--push`); returns their keys. */
  async #buildAndPush(engine: Engine, options: StackDeployOptions): Promise<Set<string>> {
    const project = this.project!;
    const built = Object.entries(project.model.services).filter(([, s]) => s.build).map(([k]) => k);
    if (!options.push || options.dryRun || built.length === 0) return new Set();
    const { Project } = await import("./project.js");
    const p = Project.from(project, { engine, env: this.#conn.env ?? hostEnv() });
    await p.build(built, options.onEvent ? { onEvent: options.onEvent } : {});
    await p.push(built, options.onEvent ? { onEvent: options.onEvent } : {});
    return new Set(built);
  }

  /**
   * Check, convert, observe, plan and (unless dryRun) apply. Refusals throw one ConfigError with
   * all of them, before anything is sent. With `wait` (the default), a service that did not
   * converge (or rolled back) makes it reject with ROLLOUT_FAILED after the rest was applied;
   * the error's `result` has the details.
   */
  async deploy(options: StackDeployOptions = {}): Promise<StackDeployResult> {
    const project = this.project;
    if (!project) throw new FlotillaError("CONFIG_NOT_FOUND", `stack ${this.name} was reached by name: deploy needs its compose files`, { hint: "use Stack.load({ files })" });
    const [{ checkForSwarm, assertSwarmReady }, { convertStack }, { planStack }, apply, { chooseImages }] = await Promise.all([
      import("../cluster/swarm/check.js"),
      import("../cluster/swarm/convert.js"),
      import("../cluster/swarm/plan.js"),
      import("../cluster/swarm/apply.js"),
      import("../cluster/swarm/images.js"),
    ]);
    // Refusals first: nothing is sent (not even a connection attempt) for a file Swarm cannot run.
    const checked = checkForSwarm(project, { ignore: options.ignore ?? [], push: options.push === true });
    assertSwarmReady(checked);
    const { engine, swarm } = await this.#connect();
    const pushed = await this.#buildAndPush(engine, options);
    const observed = await apply.observeStack(this.name, swarm, engine);
    const images = await chooseImages({
      stack: this.name,
      services: project.model.services,
      deployed: observed.services,
      resolve: options.resolveImage ?? "always",
      pushed,
      digestOf: (ref) => localDigest(engine, ref),
    });
    const spec = convertStack({
      model: project.model,
      stack: this.name,
      environment: project.environment,
      readFile: (p) => readFileSync(p),
      images,
      ...(project.locations ? { locations: project.locations } : {}),
    });
    const plan = planStack(spec, observed, project.model.services, { prune: options.prune === true });
    const result: StackDeployResult = { stack: this.name, plan, warnings: checked.warnings };
    if (options.dryRun) return result;
    const applied = await apply.applyStackPlan(plan, {
      swarm,
      engine,
      wait: options.wait !== false,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      ...(options.registryAuth ? { registryAuth: true } : {}),
    });
    result.applied = applied;
    const [f0] = applied.failures;
    if (f0 !== undefined) {
      const f = applied.failures;
      const err = new ServiceError(
        "ROLLOUT_FAILED",
        f0.service,
        f.length === 1 ? (f0.error ?? `service ${f0.service} failed`) : `${f.length} services did not converge:\n${f.map((x) => `  ${x.error ?? x.service}`).join("\n")}`,
        { hint: f.some((x) => x.rolledBack) ? "the previous version runs again; fix the file and deploy again" : "see `flotilla stack ps " + this.name + "` for the tasks' errors" },
      );
      (err as ServiceError & { result?: StackDeployResult }).result = result;
      throw err;
    }
    return result;
  }

  /** The stack's services, as `docker stack services` lists them. */
  async services(): Promise<StackServiceRow[]> {
    const { swarm } = await this.#connect();
    const labels = { [LABEL_NAMESPACE]: this.name };
    const [services, tasks] = await Promise.all([swarm.listServices({ labels }), swarm.listTasks({ labels })]);
    return services
      .sort((a, b) => a.spec.Name.localeCompare(b.spec.Name))
      .map((s) => {
        const mine = tasks.filter((t) => t.serviceId === s.id);
        const running = mine.filter((t) => t.desiredState === "running" && t.state === "running").length;
        let replicas: string;
        if (s.spec.Mode?.ReplicatedJob || s.spec.Mode?.GlobalJob) {
          const done = mine.filter((t) => t.state === "complete").length;
          const total = s.spec.Mode.ReplicatedJob?.TotalCompletions ?? mine.length;
          replicas = `${running}/${total} (${done}/${total} completed)`;
        } else {
          const desired = s.spec.Mode?.Global ? mine.filter((t) => t.desiredState === "running").length : (s.spec.Mode?.Replicated?.Replicas ?? 1);
          replicas = `${running}/${desired}`;
        }
        return {
          id: short(s.id),
          name: s.spec.Name,
          mode: modeOf(s.spec),
          replicas,
          image: s.spec.Labels?.[LABEL_IMAGE] ?? imageWithoutDigest(s.spec.TaskTemplate.ContainerSpec.Image),
          ports: portsOf(s.spec),
        };
      });
  }

  /** The stack's tasks, as `docker stack ps` lists them (newest first per slot). */
  async ps(options: { all?: boolean } = {}): Promise<StackTaskRow[]> {
    const { swarm } = await this.#connect();
    const labels = { [LABEL_NAMESPACE]: this.name };
    const [services, tasks, nodes] = await Promise.all([swarm.listServices({ labels }), swarm.listTasks({ labels }), swarm.listNodes().catch((): SwarmNode[] => [])]);
    const svcName = new Map(services.map((s) => [s.id, s.spec.Name]));
    const svcPorts = new Map(services.map((s) => [s.id, s.spec]));
    const host = new Map(nodes.map((n) => [n.id, n.hostname]));
    const now = Date.now();
    const shown: TaskSummary[] = options.all ? tasks : tasks.filter((t) => t.desiredState === "running" || t.desiredState === "complete" || t.state === "failed" || t.state === "rejected");
    const slotKey = (t: TaskSummary): string => `${svcName.get(t.serviceId) ?? t.serviceId}.${t.slot ?? t.nodeId ?? ""}`;
    return shown
      .sort((a, b) => slotKey(a).localeCompare(slotKey(b), undefined, { numeric: true }) || (a.createdAt < b.createdAt ? 1 : -1))
      .map((t, i, all) => {
        const prev = all[i - 1];
        const first = prev === undefined || slotKey(prev) !== slotKey(t);
        const spec = svcPorts.get(t.serviceId);
        const hostPorts = spec?.EndpointSpec?.Ports?.filter((p) => p.PublishMode === "host") ?? [];
        return {
          id: short(t.id),
          name: first ? slotKey(t) : ` \\_ ${slotKey(t)}`,
          image: imageWithoutDigest(t.image ?? ""),
          node: host.get(t.nodeId ?? "") ?? t.nodeId ?? "",
          desiredState: t.desiredState.charAt(0).toUpperCase() + t.desiredState.slice(1),
          currentState: stateSince(t.state, t.updatedAt, now),
          since: t.updatedAt,
          error: t.error ? `"${t.error}"` : "",
          ports: t.state === "running" ? hostPorts.map((p) => `*:${p.PublishedPort}->${p.TargetPort}/${p.Protocol ?? "tcp"}`).join(",") : "",
        };
      });
  }

  /** `stack rm`: with `wait`, resolves only when services, tasks, containers, networks, secrets and configs are gone. */
  async rm(options: { wait?: boolean; onEvent?: EventListener; signal?: AbortSignal; timeoutMs?: number; pollMs?: number } = {}): Promise<RemoveStackResult> {
    const { engine, swarm } = await this.#connect();
    const { removeStack } = await import("../cluster/swarm/remove.js");
    const result = await removeStack(this.name, {
      swarm,
      engine,
      wait: options.wait === true,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    });
    return result;
  }
}

/** The digest the engine has recorded for `ref` in its repository (after a pull or a push), if any. */
async function localDigest(engine: Engine, ref: string): Promise<string | undefined> {
  const info = await engine.inspectImage(ref).catch(() => undefined);
  const repo = ref.replace(/:[^/:]+$/, "");
  const found = info?.repoDigests.find((d) => d.startsWith(`${repo}@`));
  return found?.slice(found.indexOf("@") + 1);
}

function checkStackName(name: string): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
    throw new FlotillaError("PROJECT_NAME", `invalid stack name ${JSON.stringify(name)}`, { hint: "use letters, digits, '_', '.' and '-', starting with a letter or digit" });
  }
}
