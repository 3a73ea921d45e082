/**
 * The Swarm half of the engine port (`SwarmEngine`) implemented with dockerode: services, tasks,
 * secrets, configs and nodes of a Docker Engine in swarm mode. Takes the dockerode instance of the
 * `DockerEngine` it belongs to (only the dockerode adapter imports dockerode; this file only uses
 * its type). Every engine failure becomes an EngineError; an engine outside a swarm, a worker, or
 * Podman (no Swarm API) get a message that says what to run.
 */
import type Docker from "dockerode";
import { EngineError, FlotillaError, type ErrorCode } from "../../errors.js";
import type { LabelFilter, Labels } from "../engine.js";
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
  UpdateState,
} from "../engine-swarm.js";
import { labelFilters, matchesLabels } from "./filters.js";
import type { AuthConfig, RegistryAuth } from "../registry-auth.js";

/** The Engine API documents this adapter reads (only the fields it reads; all optional, as engines differ). */
interface ApiService {
  ID?: string;
  Version?: { Index?: number };
  Spec?: ServiceSpec;
  PreviousSpec?: ServiceSpec;
  CreatedAt?: string;
  UpdatedAt?: string;
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string; CompletedAt?: string };
}
interface ApiTask {
  ID?: string;
  ServiceID?: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  CreatedAt?: string;
  UpdatedAt?: string;
  Status?: { State?: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
  Spec?: { ContainerSpec?: { Image?: string } };
}
interface ApiObject {
  ID?: string;
  Spec?: { Name?: string; Labels?: Labels | null };
  CreatedAt?: string;
}
interface ApiNode {
  ID?: string;
  Description?: { Hostname?: string };
  Spec?: { Role?: string; Availability?: string; Labels?: Labels | null };
  Status?: { State?: string; Addr?: string };
}
interface ApiInfo {
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string; Managers?: number; Nodes?: number; Cluster?: { ID?: string } | null };
  Host?: unknown;
  OperatingSystem?: string;
}
/** Query parameters and request options of a raw modem call. */
type Query = Record<string, unknown>;

interface DockerodeError extends Error {
  statusCode?: number;
  json?: unknown;
  code?: string;
}

export interface DockerSwarmOptions {
  /** Resolves the stored credentials for an image (for `registryAuth: true`). */
  registryAuth?: RegistryAuth;
  /** As shown in messages, e.g. "unix:///var/run/docker.sock". */
  endpoint?: string;
  /** The engine is Podman (it has no Swarm API): every call says so without asking the engine. */
  podman?: boolean;
}

/** `{"label": ["k=v", "k"]}` entries. */
function engineMessage(e: unknown): string {
  const err = e as DockerodeError;
  const json = err?.json;
  if (json && typeof json === "object" && !Buffer.isBuffer(json) && typeof (json as { message?: unknown }).message === "string") {
    return String((json as { message: string }).message).trim();
  }
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString("utf8").trim();
  return String(err?.message ?? e)
    .replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, "")
    .trim();
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "ENOTFOUND", "EPIPE"]);

/** The hint for an engine that is not a swarm manager. */
export const SWARM_INIT_HINT =
  "run `docker swarm init` on this engine to make it a one-node swarm, or point DOCKER_HOST at a manager of an existing swarm (`docker swarm join` adds this engine to one)";

export const PODMAN_SWARM_MESSAGE = "Podman has no Swarm API: `flotilla stack` needs a Docker Engine in swarm mode";

/** Whether an engine message says the engine is outside a swarm or not a manager. */
export function swarmStateError(message: string): "inactive" | "worker" | undefined {
  if (/not a swarm manager|swarm is not initialized|not part of a swarm/i.test(message)) {
    return /not a swarm manager/i.test(message) && !/not part of a swarm|not initialized/i.test(message) ? "worker" : "inactive";
  }
  return undefined;
}

function nsToIso(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The Engine API's service document → ServiceSummary. */
export function toServiceSummary(s: ApiService): ServiceSummary {
  const out: ServiceSummary = {
    id: String(s.ID ?? ""),
    version: Number(s.Version?.Index ?? 0),
    spec: s.Spec ?? ({} as ServiceSpec),
    createdAt: nsToIso(s.CreatedAt),
    updatedAt: nsToIso(s.UpdatedAt),
  };
  if (s.PreviousSpec) out.previousSpec = s.PreviousSpec;
  const u = s.UpdateStatus;
  if (u && typeof u.State === "string" && u.State !== "") {
    out.updateStatus = { state: u.State as UpdateState };
    if (typeof u.Message === "string" && u.Message !== "") out.updateStatus.message = u.Message;
    if (typeof u.StartedAt === "string") out.updateStatus.startedAt = u.StartedAt;
    if (typeof u.CompletedAt === "string") out.updateStatus.completedAt = u.CompletedAt;
  }
  return out;
}

/** The Engine API's task document → TaskSummary. */
export function toTaskSummary(t: ApiTask): TaskSummary {
  const status = t.Status ?? {};
  const out: TaskSummary = {
    id: String(t.ID ?? ""),
    serviceId: String(t.ServiceID ?? ""),
    desiredState: String(t.DesiredState ?? "") as TaskState,
    state: String(status.State ?? "") as TaskState,
    createdAt: nsToIso(t.CreatedAt),
    updatedAt: nsToIso(t.UpdatedAt),
  };
  if (typeof t.NodeID === "string" && t.NodeID !== "") out.nodeId = t.NodeID;
  if (typeof t.Slot === "number") out.slot = t.Slot;
  if (typeof status.Message === "string" && status.Message !== "") out.message = status.Message;
  if (typeof status.Err === "string" && status.Err !== "") out.error = status.Err;
  const cs = status.ContainerStatus;
  if (cs && typeof cs.ContainerID === "string" && cs.ContainerID !== "") out.containerId = cs.ContainerID;
  if (cs && typeof cs.ExitCode === "number") out.exitCode = cs.ExitCode;
  const image = t.Spec?.ContainerSpec?.Image;
  if (typeof image === "string") out.image = image;
  return out;
}

function toObjectSummary(o: ApiObject): SwarmObjectSummary {
  return {
    id: String(o.ID ?? ""),
    name: String(o.Spec?.Name ?? ""),
    labels: o.Spec?.Labels ?? {},
    createdAt: nsToIso(o.CreatedAt),
  };
}

export class DockerSwarm implements SwarmEngine {
  readonly #docker: Docker;
  readonly #options: DockerSwarmOptions;

  constructor(docker: Docker, options: DockerSwarmOptions = {}) {
    this.#docker = docker;
    this.#options = options;
  }

  /** Turn whatever dockerode threw into a FlotillaError with a code and, for swarm state, what to run. */
  #fail(e: unknown, what: string, notFound?: ErrorCode): FlotillaError {
    if (e instanceof FlotillaError) return e;
    const err = e as DockerodeError;
    if (err instanceof Error && (err.name === "AbortError" || err.code === "ABORT_ERR")) {
      return new FlotillaError("ABORTED", "the operation was cancelled", { cause: e });
    }
    if (err && typeof err.code === "string" && CONNECTION_CODES.has(err.code) && err.statusCode === undefined) {
      return new EngineError("ENGINE_UNREACHABLE", `cannot connect to the engine${this.#options.endpoint ? ` at ${this.#options.endpoint}` : ""} (${err.code})`, {
        hint: "is the Docker daemon running? Check DOCKER_HOST",
        cause: e,
      });
    }
    const status = typeof err?.statusCode === "number" ? err.statusCode : undefined;
    const message = engineMessage(e);
    const state = swarmStateError(message);
    if (state === "inactive") {
      return new EngineError("SWARM_UNAVAILABLE", `${what}: the engine${this.#endpointText()} is not part of a swarm`, {
        hint: SWARM_INIT_HINT,
        cause: e,
        ...(status !== undefined ? { statusCode: status } : {}),
      });
    }
    if (state === "worker") {
      return new EngineError("SWARM_UNAVAILABLE", `${what}: the engine${this.#endpointText()} is a swarm worker; only managers accept stack commands`, {
        hint: "point DOCKER_HOST at a manager node (`docker node ls` on a manager lists them), or promote this node with `docker node promote`",
        cause: e,
        ...(status !== undefined ? { statusCode: status } : {}),
      });
    }
    if (status === 404 && /page not found|404 page/i.test(message)) {
      return this.#podmanError(e);
    }
    const code: ErrorCode = status === 404 && notFound ? notFound : "ENGINE";
    return new EngineError(code, `${what}: ${message}`, { ...(status !== undefined ? { statusCode: status } : {}), cause: e });
  }

  #endpointText(): string {
    return this.#options.endpoint ? ` at ${this.#options.endpoint}` : "";
  }

  #podmanError(cause?: unknown): EngineError {
    return new EngineError("SWARM_UNAVAILABLE", `${PODMAN_SWARM_MESSAGE}${this.#endpointText() ? ` (the engine${this.#endpointText()} is Podman)` : ""}`, {
      hint: "use a Docker Engine (`docker swarm init`), or `flotilla up` to run the project on this host",
      ...(cause !== undefined ? { cause } : {}),
    });
  }

  #checkPodman(): void {
    if (this.#options.podman) throw this.#podmanError();
  }

  /** GET/POST/DELETE through the modem with an exact query and body. */
  #dial<T>(method: "GET" | "POST" | "DELETE", path: string, query: Query | undefined, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return new Promise((resolve, reject) => {
      const opts: Record<string, unknown> = {
        path: `${path}?`,
        method,
        statusCodes: { 200: true, 201: true, 204: true, 304: true, 400: "bad parameter", 404: "not found", 409: "conflict", 500: "server error", 503: "node is not part of a swarm" },
        options: { _query: query ?? {}, ...(body !== undefined ? { _body: body } : {}) },
      };
      if (headers) opts["headers"] = headers;
      // With an empty query, the modem drops the trailing "?".
      if (!query || Object.keys(query).length === 0) {
        opts["path"] = path;
        opts["options"] = body !== undefined ? { _body: body } : {};
        if (body === undefined && method !== "POST") opts["options"] = undefined;
      }
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the modem hands over its own Error objects
      this.#docker.modem.dial(opts as unknown as Parameters<Docker["modem"]["dial"]>[0], (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as T)));
    });
  }

  async #authHeader(image: string, registryAuth: boolean | undefined): Promise<Record<string, string> | undefined> {
    if (!registryAuth || !this.#options.registryAuth) return undefined;
    const auth: AuthConfig | undefined = await this.#options.registryAuth(image);
    if (!auth) return undefined;
    return { "X-Registry-Auth": Buffer.from(JSON.stringify(auth)).toString("base64url") };
  }

  async swarmInfo(): Promise<SwarmInfo> {
    this.#checkPodman();
    let info: ApiInfo;
    try {
      info = (await this.#docker.info()) as ApiInfo;
    } catch (e) {
      throw this.#fail(e, "cannot read the engine's swarm state");
    }
    const sw = info.Swarm ?? {};
    if (!info.Swarm && /podman/i.test(JSON.stringify(info.Host ?? info.OperatingSystem ?? ""))) throw this.#podmanError();
    const out: SwarmInfo = {
      localNodeState: (String(sw.LocalNodeState ?? "inactive") || "inactive") as SwarmInfo["localNodeState"],
      controlAvailable: sw.ControlAvailable === true,
      nodeId: String(sw.NodeID ?? ""),
      managers: Number(sw.Managers ?? 0),
      nodes: Number(sw.Nodes ?? 0),
    };
    const clusterId = sw.Cluster?.ID;
    if (typeof clusterId === "string" && clusterId !== "") out.clusterId = clusterId;
    return out;
  }

  /**
   * Throws a SWARM_UNAVAILABLE error that says what to run unless the engine is an active
   * manager; resolves with the swarm info otherwise. `stack` commands call it first.
   */
  async requireManager(): Promise<SwarmInfo> {
    const info = await this.swarmInfo();
    if (info.localNodeState !== "active") {
      throw new EngineError(
        "SWARM_UNAVAILABLE",
        `the engine${this.#endpointText()} is not part of a swarm (its swarm state is "${info.localNodeState}")`,
        { hint: SWARM_INIT_HINT },
      );
    }
    if (!info.controlAvailable) {
      throw new EngineError("SWARM_UNAVAILABLE", `the engine${this.#endpointText()} is a swarm worker; only managers accept stack commands`, {
        hint: "point DOCKER_HOST at a manager node (`docker node ls` on a manager lists them), or promote this node with `docker node promote`",
      });
    }
    return info;
  }

  async listNodes(): Promise<SwarmNode[]> {
    this.#checkPodman();
    let list: ApiNode[];
    try {
      list = (await this.#docker.listNodes()) as ApiNode[];
    } catch (e) {
      throw this.#fail(e, "cannot list the swarm's nodes");
    }
    return list.map((n) => {
      const node: SwarmNode = {
        id: String(n.ID ?? ""),
        hostname: String(n.Description?.Hostname ?? ""),
        role: n.Spec?.Role === "manager" ? "manager" : "worker",
        availability: (n.Spec?.Availability ?? "active") as SwarmNode["availability"],
        state: String(n.Status?.State ?? ""),
        labels: n.Spec?.Labels ?? {},
      };
      if (typeof n.Status?.Addr === "string") node.addr = n.Status.Addr;
      return node;
    });
  }

  async listServices(filter: { labels?: LabelFilter }): Promise<ServiceSummary[]> {
    this.#checkPodman();
    let list: ApiService[];
    try {
      const filters = JSON.stringify(filter.labels ? { label: labelFilters(filter.labels) } : {});
      list = await this.#dial<ApiService[]>("GET", "/services", { filters, status: true });
    } catch (e) {
      throw this.#fail(e, "cannot list services");
    }
    return list.filter((s) => matchesLabels(s.Spec?.Labels, filter.labels)).map(toServiceSummary);
  }

  async inspectService(idOrName: string): Promise<ServiceSummary | undefined> {
    this.#checkPodman();
    try {
      return toServiceSummary(await this.#dial<ApiService>("GET", `/services/${encodeURIComponent(idOrName)}`, undefined));
    } catch (e) {
      if ((e as DockerodeError)?.statusCode === 404 && swarmStateError(engineMessage(e)) === undefined && !/page not found/i.test(engineMessage(e))) return undefined;
      throw this.#fail(e, `cannot inspect service ${idOrName}`);
    }
  }

  async createService(spec: ServiceSpec, options: { registryAuth?: boolean } = {}): Promise<string> {
    this.#checkPodman();
    try {
      const headers = await this.#authHeader(spec.TaskTemplate.ContainerSpec.Image, options.registryAuth);
      const res = await this.#dial<{ ID?: string }>("POST", "/services/create", undefined, spec, headers);
      return String(res?.["ID"] ?? "");
    } catch (e) {
      throw this.#fail(e, `cannot create service ${spec.Name}`);
    }
  }

  async updateService(id: string, version: number, spec: ServiceSpec, options: { registryAuth?: boolean; rollback?: boolean } = {}): Promise<void> {
    this.#checkPodman();
    try {
      const headers = await this.#authHeader(spec.TaskTemplate.ContainerSpec.Image, options.registryAuth);
      const query: Query = { version };
      if (options.rollback) query["rollback"] = "previous";
      // Image resolution is the caller's (pinned by digest); the engine must not re-resolve.
      const res = await this.#dial<{ Warnings?: string[] | null }>("POST", `/services/${encodeURIComponent(id)}/update`, query, spec, headers);
      // The engine reports non-fatal problems (e.g. an image it could not resolve) as warnings.
      void res;
    } catch (e) {
      throw this.#fail(e, `cannot update service ${spec.Name}`, "NO_SUCH_SERVICE");
    }
  }

  async removeService(idOrName: string): Promise<void> {
    this.#checkPodman();
    try {
      await this.#dial<unknown>("DELETE", `/services/${encodeURIComponent(idOrName)}`, undefined);
    } catch (e) {
      if ((e as DockerodeError)?.statusCode === 404 && swarmStateError(engineMessage(e)) === undefined) return;
      throw this.#fail(e, `cannot remove service ${idOrName}`);
    }
  }

  async listTasks(filter: { service?: string; labels?: LabelFilter; desiredState?: "running" | "shutdown" | "accepted" }): Promise<TaskSummary[]> {
    this.#checkPodman();
    const f: Record<string, string[]> = {};
    if (filter.service !== undefined) f["service"] = [filter.service];
    if (filter.labels) f["label"] = labelFilters(filter.labels);
    if (filter.desiredState) f["desired-state"] = [filter.desiredState];
    let list: ApiTask[];
    try {
      list = await this.#dial<ApiTask[]>("GET", "/tasks", { filters: JSON.stringify(f) });
    } catch (e) {
      throw this.#fail(e, "cannot list tasks");
    }
    return list.map(toTaskSummary);
  }

  async listSecrets(filter: { labels?: LabelFilter; name?: string }): Promise<SwarmObjectSummary[]> {
    return this.#listObjects("secrets", filter);
  }

  async createSecret(spec: SwarmObjectSpec): Promise<string> {
    return this.#createObject("secrets", "secret", spec);
  }

  async removeSecret(idOrName: string): Promise<void> {
    return this.#removeObject("secrets", "secret", idOrName);
  }

  async listConfigs(filter: { labels?: LabelFilter; name?: string }): Promise<SwarmObjectSummary[]> {
    return this.#listObjects("configs", filter);
  }

  async createConfig(spec: SwarmObjectSpec): Promise<string> {
    return this.#createObject("configs", "config", spec);
  }

  async removeConfig(idOrName: string): Promise<void> {
    return this.#removeObject("configs", "config", idOrName);
  }

  async #listObjects(kind: "secrets" | "configs", filter: { labels?: LabelFilter; name?: string }): Promise<SwarmObjectSummary[]> {
    this.#checkPodman();
    const f: Record<string, string[]> = {};
    if (filter.labels) f["label"] = labelFilters(filter.labels);
    if (filter.name !== undefined) f["name"] = [filter.name];
    let list: ApiObject[];
    try {
      list = await this.#dial<ApiObject[]>("GET", `/${kind}`, { filters: JSON.stringify(f) });
    } catch (e) {
      throw this.#fail(e, `cannot list ${kind}`);
    }
    return list
      .map(toObjectSummary)
      .filter((o) => matchesLabels(o.labels, filter.labels))
      // The engine's name filter matches prefixes; the port's is exact.
      .filter((o) => filter.name === undefined || o.name === filter.name);
  }

  async #createObject(kind: "secrets" | "configs", what: string, spec: SwarmObjectSpec): Promise<string> {
    this.#checkPodman();
    try {
      const res = await this.#dial<{ ID?: string }>("POST", `/${kind}/create`, undefined, spec);
      return String(res?.["ID"] ?? "");
    } catch (e) {
      // Never echo the content: only the name.
      throw this.#fail(e, `cannot create ${what} ${spec.Name}`);
    }
  }

  async #removeObject(kind: "secrets" | "configs", what: string, idOrName: string): Promise<void> {
    this.#checkPodman();
    try {
      await this.#dial<unknown>("DELETE", `/${kind}/${encodeURIComponent(idOrName)}`, undefined);
    } catch (e) {
      if ((e as DockerodeError)?.statusCode === 404 && swarmStateError(engineMessage(e)) === undefined) return;
      throw this.#fail(e, `cannot remove ${what} ${idOrName}`);
    }
  }
}
