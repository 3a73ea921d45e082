/**
 * The Engine port implemented with dockerode. Each resource lives in its own module (containers,
 * exec, logs, archive, stats, images, build, networks, volumes, events); this class composes them
 * over one shared DockerContext. Every engine failure becomes an EngineError with a code
 * (errors.ts). The dockerode client itself is made in connection.ts, the only place that does.
 */
import type Docker from "dockerode";
import type { Readable } from "node:stream";
import { FlotillaError } from "../../errors.js";
import type { EndpointConfig } from "../connect.js";
import type {
  BuildSpec,
  CommitOptions,
  ContainerCreateSpec,
  ContainerDetails,
  ContainerStats,
  ContainerSummary,
  EndpointSpec,
  Engine,
  EngineEvent,
  EngineInfo,
  ExecOptions,
  ExecResult,
  ImageInfo,
  LabelFilter,
  LogChunk,
  LogOptions,
  NetworkCreateSpec,
  NetworkSummary,
  ProcessList,
  ProgressMessage,
  TtySize,
  VolumeCreateSpec,
  VolumeSummary,
} from "../engine.js";
import type { RegistryAuth } from "../registry-auth.js";
import * as archive from "./archive.js";
import { buildImage } from "./build.js";
import * as containers from "./containers.js";
import { DockerContext } from "./context.js";
import { ANSWER_TIMEOUT_MS, notAnswering, unreachable } from "./errors.js";
import { events, type EventFilter } from "./events.js";
import * as execs from "./exec.js";
import * as images from "./images.js";
import { logs } from "./logs.js";
import * as networks from "./networks.js";
import { podmanApiVersion } from "./podman.js";
import * as usage from "./stats.js";
import type { VersionDoc } from "./types.js";
import * as volumes from "./volumes.js";
import type { SwarmEngine } from "../engine-swarm.js";
import { DockerSwarm } from "./swarm.js";

export interface DockerEngineOptions {
  /** Where pulls and pushes get registry credentials (see registry-auth.ts). */
  registryAuth?: RegistryAuth;
}

export class DockerEngine implements Engine {
  readonly endpoint: EndpointConfig;
  readonly docker: Docker;
  readonly #ctx: DockerContext;

  /** Use connectEngine (connection.ts), which makes the dockerode client for an endpoint. */
  constructor(docker: Docker, endpoint: EndpointConfig, options: DockerEngineOptions = {}) {
    this.docker = docker;
    this.endpoint = endpoint;
    this.#ctx = new DockerContext(docker, endpoint, options.registryAuth);
  }

  async info(): Promise<EngineInfo> {
    let v: VersionDoc;
    try {
      v = await this.#ctx.readVersion();
    } catch (e) {
      throw this.#ctx.fail(e, "cannot read the engine version");
    }
    return {
      endpoint: this.endpoint.url,
      host: this.endpoint.kind === "tcp" ? (this.endpoint.host ?? "localhost") : "localhost",
      serverVersion: String(v.Version ?? ""),
      apiVersion: String(v.ApiVersion ?? ""),
      os: String(v.Os ?? ""),
      arch: String(v.Arch ?? ""),
      flavor: podmanApiVersion(v) !== undefined ? "podman" : "docker",
    };
  }

  /** The Swarm half of the port on the same connection (Podman: every call says it has no Swarm API). */
  async swarm(): Promise<SwarmEngine & { requireManager: DockerSwarm["requireManager"] }> {
    const podman = (await this.#ctx.podman()) !== undefined;
    return new DockerSwarm(this.docker, { endpoint: this.endpoint.url, podman, ...(this.#ctx.auth ? { registryAuth: this.#ctx.auth } : {}) });
  }

  /**
   * Ping once, bounded (ANSWER_TIMEOUT_MS): an engine that accepts the connection but never
   * answers fails in seconds, naming the socket; a refused connection is "cannot reach".
   */
  async ping(timeoutMs = ANSWER_TIMEOUT_MS): Promise<void> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      // dockerode takes an abort signal here too; its typings only name the callback form.
      const ping = this.docker.ping.bind(this.docker) as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
      await ping({ abortSignal: signal });
    } catch (e) {
      throw signal.aborted ? notAnswering(this.endpoint, e, timeoutMs) : unreachable(this.endpoint, e);
    }
  }

  /**
   * The first call on a new connection: GET /_ping, bounded like `ping` (an engine that accepts but
   * never answers fails in seconds; a refused connection is "cannot reach"). The answer is kept: its
   * headers tell Docker from Podman, which the adapter asks before it maps a container list, so
   * `ps`, `ls` and `port` make one call fewer.
   */
  async handshake(): Promise<void> {
    try {
      await this.#ctx.probe();
    } catch (e) {
      throw e instanceof FlotillaError ? e : unreachable(this.endpoint, e);
    }
  }

  // --- containers ----------------------------------------------------------------------------
  listContainers(filter: { labels: LabelFilter; all?: boolean }): Promise<ContainerSummary[]> {
    return containers.listContainers(this.#ctx, filter);
  }
  inspectContainer(idOrName: string): Promise<ContainerDetails | undefined> {
    return containers.inspectContainer(this.#ctx, idOrName);
  }
  createContainer(spec: ContainerCreateSpec): Promise<string> {
    return containers.createContainer(this.#ctx, spec);
  }
  startContainer(id: string): Promise<void> {
    return containers.startContainer(this.#ctx, id);
  }
  stopContainer(id: string, timeout?: number): Promise<void> {
    return containers.stopContainer(this.#ctx, id, timeout);
  }
  restartContainer(id: string, timeout?: number): Promise<void> {
    return containers.restartContainer(this.#ctx, id, timeout);
  }
  killContainer(id: string, signal?: string): Promise<void> {
    return containers.killContainer(this.#ctx, id, signal);
  }
  pauseContainer(id: string): Promise<void> {
    return containers.pauseContainer(this.#ctx, id);
  }
  unpauseContainer(id: string): Promise<void> {
    return containers.unpauseContainer(this.#ctx, id);
  }
  removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void> {
    return containers.removeContainer(this.#ctx, id, options);
  }
  renameContainer(id: string, name: string): Promise<void> {
    return containers.renameContainer(this.#ctx, id, name);
  }
  waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    return containers.waitContainer(this.#ctx, id, signal);
  }
  commitContainer(id: string, options: CommitOptions): Promise<string> {
    return containers.commitContainer(this.#ctx, id, options);
  }
  exportContainer(id: string): Promise<Readable> {
    return containers.exportContainer(this.#ctx, id);
  }
  logs(id: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogChunk> {
    return logs(this.#ctx, id, options, signal);
  }
  exec(id: string, options: ExecOptions, signal?: AbortSignal): Promise<ExecResult> {
    return execs.execIn(this.#ctx, id, options, signal);
  }
  attachStdin(id: string, input: AsyncIterable<Buffer | string>, stop: AbortSignal): Promise<void> {
    return execs.attachStdin(this.#ctx, id, input, stop);
  }
  resizeTty(id: string, size: TtySize): Promise<void> {
    return execs.resizeTty(this.#ctx, id, size);
  }
  stats(id: string): Promise<ContainerStats> {
    return usage.stats(this.#ctx, id);
  }
  top(id: string): Promise<ProcessList> {
    return usage.top(this.#ctx, id);
  }
  putArchive(id: string, path: string, tar: Readable | Buffer, options?: { copyUIDGID?: boolean }): Promise<void> {
    return archive.putArchive(this.#ctx, id, path, tar, options);
  }
  getArchive(id: string, path: string): Promise<Readable> {
    return archive.getArchive(this.#ctx, id, path);
  }
  statPath(id: string, path: string): Promise<{ isDirectory: boolean } | undefined> {
    return archive.statPath(this.#ctx, id, path);
  }

  // --- networks ------------------------------------------------------------------------------
  listNetworks(filter: { labels?: LabelFilter; name?: string }): Promise<NetworkSummary[]> {
    return networks.listNetworks(this.#ctx, filter);
  }
  inspectNetwork(idOrName: string): Promise<NetworkSummary | undefined> {
    return networks.inspectNetwork(this.#ctx, idOrName);
  }
  createNetwork(spec: NetworkCreateSpec): Promise<string> {
    return networks.createNetwork(this.#ctx, spec);
  }
  removeNetwork(idOrName: string): Promise<void> {
    return networks.removeNetwork(this.#ctx, idOrName);
  }
  connectNetwork(network: string, containerId: string, endpoint: EndpointSpec): Promise<void> {
    return networks.connectNetwork(this.#ctx, network, containerId, endpoint);
  }
  disconnectNetwork(network: string, containerId: string, force?: boolean): Promise<void> {
    return networks.disconnectNetwork(this.#ctx, network, containerId, force);
  }

  // --- volumes -------------------------------------------------------------------------------
  listVolumes(filter: { labels?: LabelFilter }): Promise<VolumeSummary[]> {
    return volumes.listVolumes(this.#ctx, filter);
  }
  inspectVolume(name: string): Promise<VolumeSummary | undefined> {
    return volumes.inspectVolume(this.#ctx, name);
  }
  createVolume(spec: VolumeCreateSpec): Promise<void> {
    return volumes.createVolume(this.#ctx, spec);
  }
  removeVolume(name: string, force?: boolean): Promise<void> {
    return volumes.removeVolume(this.#ctx, name, force);
  }

  // --- images --------------------------------------------------------------------------------
  inspectImage(ref: string): Promise<ImageInfo | undefined> {
    return images.inspectImage(this.#ctx, ref);
  }
  pullImage(ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal, platform?: string): Promise<void> {
    return images.pullImage(this.#ctx, ref, onProgress, signal, platform);
  }
  pushImage(ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<void> {
    return images.pushImage(this.#ctx, ref, onProgress, signal);
  }
  buildImage(spec: BuildSpec, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<string> {
    return buildImage(this.#ctx, spec, onProgress, signal);
  }
  removeImage(ref: string, force?: boolean): Promise<void> {
    return images.removeImage(this.#ctx, ref, force);
  }
  tagImage(ref: string, repo: string, tag: string): Promise<void> {
    return images.tagImage(this.#ctx, ref, repo, tag);
  }

  // --- events --------------------------------------------------------------------------------
  events(filter: EventFilter, signal?: AbortSignal): AsyncIterable<EngineEvent> {
    return events(this.#ctx, filter, signal);
  }
}
