/**
 * The one narrow port between Flotilla and a container engine. `docker/` implements it with
 * dockerode (the only directory that imports dockerode; `connectEngine` in docker/connection.ts
 * makes one); test/support/fake-engine.ts implements it in memory for planner tests, and
 * test/support/engine-contract.ts holds both to the same behaviour. Failures are EngineErrors
 * whose code says what happened: NOT_FOUND, CONFLICT, IN_USE, IMAGE_NOT_FOUND, PORT_ALLOCATED… All types here are ours; create specs follow the Engine API's JSON shape
 * (PascalCase) because that is the lingua franca of Docker and Podman.
 */
import type { Readable } from "node:stream";

export type Labels = Record<string, string>;

/** A label filter: `{key: value}` matches exactly, `{key: undefined}` matches presence. */
export type LabelFilter = Record<string, string | undefined>;

export interface EngineInfo {
  /** e.g. "unix:///var/run/docker.sock" */
  endpoint: string;
  /** Host name to dial for published ports (localhost for a local socket). */
  host: string;
  serverVersion: string;
  apiVersion: string;
  os: string;
  arch: string;
  /** "docker" or "podman" (from the version components). */
  flavor: "docker" | "podman";
}

export type ContainerState = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

export interface PortBinding {
  /** Container port, e.g. 80 */
  privatePort: number;
  protocol: "tcp" | "udp" | "sctp";
  hostIp?: string;
  publicPort?: number;
}

export interface ContainerSummary {
  id: string;
  /** Without the leading slash. */
  name: string;
  image: string;
  imageId: string;
  command: string;
  created: number; // unix seconds
  state: ContainerState;
  /** Human status from the engine, e.g. "Up 3 seconds (healthy)". */
  status: string;
  labels: Labels;
  ports: PortBinding[];
  networks: string[];
  /**
   * The id of each attached network, by name ("" when the engine has not resolved it yet: a
   * container created by network name and never started). Names repeat across a network's
   * removal and re-creation; ids do not.
   */
  networkIds?: Record<string, string>;
  /** Volume names (named volumes) or host paths (binds), with the volume driver where there is one. */
  mounts?: { name: string; driver?: string }[];
}

export interface ContainerDetails {
  id: string;
  name: string;
  image: string; // image id
  created: string; // ISO
  labels: Labels;
  state: {
    status: ContainerState;
    running: boolean;
    exitCode: number;
    startedAt?: string;
    finishedAt?: string;
    oomKilled: boolean;
    error?: string;
    health?: { status: "starting" | "healthy" | "unhealthy" | "none"; failingStreak: number; log: { exitCode: number; output: string; start: string; end: string }[] };
  };
  restartCount: number;
  /** Created with a TTY / with stdin kept open (what `attach` can do with it). */
  tty: boolean;
  openStdin: boolean;
  ports: PortBinding[];
  /** network name -> endpoint */
  networks: Record<string, { ipAddress?: string; aliases: string[]; networkId: string }>;
  mounts: { type: string; name?: string; source: string; destination: string; rw: boolean }[];
  /** The raw engine document, for `inspect` output. */
  raw: unknown;
}

/** Docker Engine API create body (subset we produce), plus the name. */
export interface ContainerCreateSpec {
  name: string;
  /** `os[/arch[/variant]]`: sent as the create call's platform parameter (the image must match it). */
  platform?: string;
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  Labels?: Labels;
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Domainname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
  StopTimeout?: number;
  Healthcheck?: {
    Test?: string[];
    Interval?: number; // ns
    Timeout?: number;
    Retries?: number;
    StartPeriod?: number;
    StartInterval?: number;
  };
  MacAddress?: string;
  Volumes?: Record<string, Record<string, never>>;
  HostConfig: Record<string, unknown>;
  NetworkingConfig?: { EndpointsConfig: Record<string, EndpointSpec> };
}

export interface EndpointSpec {
  Aliases?: string[];
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] };
  MacAddress?: string;
  DriverOpts?: Record<string, string>;
  Links?: string[];
}

export interface NetworkSummary {
  id: string;
  name: string;
  driver: string;
  labels: Labels;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  ipam: { driver: string; config: { subnet?: string; gateway?: string; ipRange?: string }[]; options: Record<string, string> };
  options: Record<string, string>;
  /** container id -> name, when inspected. */
  containers: Record<string, { name: string }>;
}

export interface NetworkCreateSpec {
  Name: string;
  Driver?: string;
  Options?: Record<string, string>;
  IPAM?: { Driver?: string; Config?: { Subnet?: string; IPRange?: string; Gateway?: string; AuxiliaryAddresses?: Record<string, string> }[]; Options?: Record<string, string> };
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  Labels?: Labels;
  CheckDuplicate?: boolean;
}

export interface VolumeSummary {
  name: string;
  driver: string;
  labels: Labels;
  mountpoint: string;
  options: Record<string, string>;
}

export interface VolumeCreateSpec {
  Name: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Labels;
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  labels: Labels;
  created: string;
  /** Bytes, when the engine reports it. */
  size?: number;
  /** When the engine last tagged the image locally (pull, build, tag); what refresh pull policies compare. */
  lastTagTime?: string;
  /** The image's platform (`Os`, `Architecture`, `Variant` of the inspect), when the engine reports it. */
  platform?: { os: string; architecture: string; variant?: string };
}

/** One resource-usage sample of a container, as `docker stats` shows it. */
export interface ContainerStats {
  /** Percent of one CPU × the number of CPUs (as Docker computes it). */
  cpuPercent: number;
  memoryUsage: number;
  memoryLimit: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
}

/** The processes of a container, as `ps` inside it shows them. */
export interface ProcessList {
  titles: string[];
  processes: string[][];
}

/** One message of a pull or build progress stream, already checked for errors. */
export interface ProgressMessage {
  id?: string;
  status?: string;
  progress?: string;
  /** Build output line. */
  stream?: string;
  current?: number;
  total?: number;
}

export interface BuildSpec {
  /** A tar stream of the build context (already filtered by .dockerignore). */
  context: Readable;
  tags: string[];
  dockerfile?: string;
  buildargs?: Record<string, string>;
  target?: string;
  labels?: Labels;
  cachefrom?: string[];
  networkmode?: string;
  extrahosts?: string;
  shmsize?: number;
  nocache?: boolean;
  pull?: boolean;
  platform?: string;
}

export interface LogOptions {
  follow?: boolean;
  /** Number of lines from the end, or "all". */
  tail?: number | "all";
  since?: number | string;
  until?: number | string;
  timestamps?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

export interface LogChunk {
  stream: "stdout" | "stderr";
  data: Buffer;
}

export interface ExecOptions {
  cmd: string[];
  /** Start the command in the background and return at once (exit code 0, no output), as `exec -d`. */
  detach?: boolean;
  user?: string;
  env?: string[];
  workingDir?: string;
  privileged?: boolean;
  tty?: boolean;
  /**
   * Receive the output as it arrives instead of in the result (whose stdout/stderr then stay
   * empty): for long-running commands and CLI `exec`.
   */
  onOutput?: (chunk: LogChunk) => void;
  /**
   * Fed to the command's stdin, which is closed at its end (e.g. `exec -T db psql < dump.sql`).
   * When the command exits first, reading stops; a stream still open then is destroyed.
   */
  stdin?: AsyncIterable<Buffer | string>;
  /** With `tty`: the terminal's size, set once the command started. */
  ttySize?: TtySize;
  /** With `tty`: receives, once the command started, a function that resizes its TTY. */
  onResizable?: (resize: (size: TtySize) => void) => void;
}

export interface CommitOptions {
  /** `repo[:tag]` to tag the new image with (none: an untagged image). */
  reference?: string;
  author?: string;
  message?: string;
  /** Dockerfile instructions applied to the image (`CMD ["x"]`, `ENV A=1`, …). */
  changes?: string[];
  /** Pause the container while committing (default true, as Docker). */
  pause?: boolean;
}

export interface TtySize {
  rows: number;
  cols: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface EngineEvent {
  type: string; // container, network, volume, image
  action: string; // start, die, health_status: healthy, ...
  id: string;
  attributes: Record<string, string>;
  time: number; // unix seconds (fractional)
}

export interface Engine {
  readonly info: () => Promise<EngineInfo>;

  // containers
  listContainers(filter: { labels: LabelFilter; all?: boolean }): Promise<ContainerSummary[]>;
  /** Undefined when there is no such container. */
  inspectContainer(idOrName: string): Promise<ContainerDetails | undefined>;
  createContainer(spec: ContainerCreateSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** timeout in seconds; undefined = the container's StopTimeout / engine default. */
  stopContainer(id: string, timeout?: number): Promise<void>;
  restartContainer(id: string, timeout?: number): Promise<void>;
  killContainer(id: string, signal?: string): Promise<void>;
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  /** Resolves with the exit code once the container is not running. */
  waitContainer(id: string, signal?: AbortSignal): Promise<number>;
  logs(id: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogChunk>;
  exec(id: string, options: ExecOptions, signal?: AbortSignal): Promise<ExecResult>;
  /**
   * Feed `input` to the stdin of a container created with OpenStdin/StdinOnce (a `run` one-off),
   * closing it at the end. Resolves once the input is written (or `stop` aborts). Optional: an
   * engine without it cannot pass stdin to `run`.
   */
  attachStdin?(id: string, input: AsyncIterable<Buffer | string>, stop: AbortSignal): Promise<void>;
  /** A tar archive of `path` inside the container (its last element is the archive's top entry), for `cp`. Optional. */
  getArchive?(id: string, path: string): Promise<Readable>;
  /** Whether `path` exists in the container and is a directory (undefined: it does not exist). Optional. */
  statPath?(id: string, path: string): Promise<{ isDirectory: boolean } | undefined>;
  /** One resource-usage sample of a running container (`stats`). Optional. */
  stats?(id: string): Promise<ContainerStats>;
  /** A new image from the container's changes (`docker commit`); resolves with the image id. */
  commitContainer?(id: string, options: CommitOptions): Promise<string>;
  /** The container's filesystem as a tar stream (`docker export`). */
  exportContainer?(id: string): Promise<Readable>;
  /** The processes running in a container (`top`). Optional. */
  top?(id: string): Promise<ProcessList>;
  /** Resize the TTY of a running container created with `Tty: true`. Optional. */
  resizeTty?(id: string, size: TtySize): Promise<void>;
  /** Extract a tar archive at `path` inside the container. */
  /** `copyUIDGID`: the extracted files belong to the container's user (as Compose's watch sync). */
  putArchive(id: string, path: string, tar: Readable | Buffer, options?: { copyUIDGID?: boolean }): Promise<void>;

  // networks
  listNetworks(filter: { labels?: LabelFilter; name?: string }): Promise<NetworkSummary[]>;
  inspectNetwork(idOrName: string): Promise<NetworkSummary | undefined>;
  createNetwork(spec: NetworkCreateSpec): Promise<string>;
  removeNetwork(idOrName: string): Promise<void>;
  connectNetwork(network: string, containerId: string, endpoint: EndpointSpec): Promise<void>;
  disconnectNetwork(network: string, containerId: string, force?: boolean): Promise<void>;

  // volumes
  listVolumes(filter: { labels?: LabelFilter }): Promise<VolumeSummary[]>;
  inspectVolume(name: string): Promise<VolumeSummary | undefined>;
  createVolume(spec: VolumeCreateSpec): Promise<void>;
  removeVolume(name: string, force?: boolean): Promise<void>;

  // images
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  /** `platform` (`linux/arm64`): pull that variant of a multi-platform image. */
  pullImage(ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal, platform?: string): Promise<void>;
  /** Push `ref` (one tag) to its registry; failures inside the stream reject with PUSH_FAILED. */
  pushImage(ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<void>;
  /** Resolves with the built image id; build errors inside the stream reject with BUILD_FAILED. */
  buildImage(spec: BuildSpec, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<string>;
  removeImage(ref: string, force?: boolean): Promise<void>;
  tagImage(ref: string, repo: string, tag: string): Promise<void>;

  // events
  /** `since`/`until`: unix seconds or RFC 3339 (with `until`, the stream ends there). */
  events(filter: { labels?: LabelFilter; since?: number | string; until?: number | string }, signal?: AbortSignal): AsyncIterable<EngineEvent>;
}
