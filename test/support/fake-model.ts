/**
 * The fake engine's model (containers, images, networks, volumes as plain records), its scripting
 * hooks and small helpers shared by its parts.
 */
import type { ContainerCreateSpec, ContainerDetails, ContainerState, LabelFilter, Labels, LogChunk, NetworkCreateSpec, PortBinding, VolumeCreateSpec } from "../../src/runtime/engine.js";
import { EngineError } from "../../src/errors.js";

export interface FakeCall {
  method: string;
  args: unknown[];
}

export type HealthStatus = "starting" | "healthy" | "unhealthy";

export interface FakeContainer {
  id: string;
  name: string;
  spec: ContainerCreateSpec;
  image: FakeImage;
  state: ContainerState;
  exitCode: number;
  created: number; // ms
  startedAt?: number;
  finishedAt?: number;
  restartCount: number;
  /** network name -> endpoint */
  networks: Map<string, { aliases: string[]; ipAddress: string; networkId?: string }>;
  ports: PortBinding[];
  logs: LogChunk[];
  files: Map<string, Buffer>;
  /** What attachStdin fed the container (all of it, once its input ended). */
  stdin?: Promise<Buffer>;
  health?: { sequence: HealthStatus[]; index: number; reported?: HealthStatus };
  /** Resolvers waiting for the container to stop. */
  waiters: (() => void)[];
  /** Wake-ups for followers of the logs. */
  logWaiters: (() => void)[];
  exitTimer?: NodeJS.Immediate | NodeJS.Timeout;
}

export interface FakeImage {
  id: string;
  tags: Set<string>;
  labels: Labels;
  cmd: string[];
  created: string;
  /** ISO time of the last pull/build/tag, as the engine's Metadata.LastTagTime. */
  lastTagTime: string;
}

export interface FakeNetwork {
  id: string;
  spec: NetworkCreateSpec;
  builtin: boolean;
}

/** A file on a fake volume, with the mode and owner its tar entry gave it. */
export interface FakeVolumeFile {
  data: Buffer;
  mode: number;
  uid: number;
  gid: number;
}

export interface FakeVolume {
  spec: VolumeCreateSpec;
  /** Files put into the volume through a container mounting it (putArchive), by path inside the volume. */
  files: Map<string, FakeVolumeFile>;
}

/** Where the fake engine says a volume's data lives on its host (its inspect `Mountpoint`). */
export function fakeMountpoint(volume: string): string {
  return `/var/lib/docker/volumes/${volume}/_data`;
}

/** The volume and the path inside it of a host path under a volume's mount point (a bind source), if it is one. */
export function volumeOfHostPath(path: string): { volume: string; file: string } | undefined {
  const m = /^\/var\/lib\/docker\/volumes\/([^/]+)\/_data\/(.+)$/.exec(path);
  return m ? { volume: m[1]!, file: m[2]! } : undefined;
}

/** The named volumes a container mounts, by target (long-syntax mounts and `name:/target` binds). */
export function volumeMounts(spec: ContainerCreateSpec): { volume: string; target: string }[] {
  const out: { volume: string; target: string }[] = [];
  for (const bind of (spec.HostConfig["Binds"] as string[] | undefined) ?? []) {
    const [source = "", target = ""] = bind.split(":");
    if (source !== "" && !source.startsWith("/")) out.push({ volume: source, target });
  }
  for (const m of (spec.HostConfig["Mounts"] as { Type?: string; Source?: string; Target?: string }[] | undefined) ?? []) {
    if ((m.Type ?? "volume") === "volume" && m.Source && m.Target) out.push({ volume: m.Source, target: m.Target });
  }
  return out;
}

/** Normalize an image reference the way the engine does for lookups: `busybox` = `busybox:latest`. */
export function normalizeImageRef(ref: string): string {
  if (ref.startsWith("sha256:") || ref.includes("@")) return ref;
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  return colon > slash ? ref : `${ref}:latest`;
}

export function labelsMatch(labels: Labels, filter: LabelFilter | undefined): boolean {
  for (const [k, v] of Object.entries(filter ?? {})) {
    if (!(k in labels)) return false;
    if (v !== undefined && labels[k] !== v) return false;
  }
  return true;
}

/** Scripting hooks: make the fake behave like a particular scenario. */
export class FakeScript {
  readonly healthSequences = new Map<string, HealthStatus[]>();
  readonly exits = new Map<string, { code: number; delayMs: number }>();
  readonly createFailures = new Map<string, Error>();
  readonly startFailures = new Map<string, Error>();
  readonly pullFailures = new Map<string, string>();
  readonly pushFailures = new Map<string, string>();
  readonly buildFailures = new Map<string, string>();
  readonly outputs = new Map<string, LogChunk[]>();

  /** Health reported by successive inspects of the container; the last value sticks. */
  health(containerName: string, sequence: HealthStatus[]): this {
    if (sequence.length === 0) throw new TypeError("health sequence must not be empty");
    this.healthSequences.set(containerName, [...sequence]);
    return this;
  }
  /** The container exits with `code` right after it starts (or after `delayMs`). */
  exitAfterStart(containerName: string, code: number, delayMs = 0): this {
    this.exits.set(containerName, { code, delayMs });
    return this;
  }
  /** createContainer for this name rejects with `error`. */
  failCreate(containerName: string, error: Error = new EngineError("ENGINE", `scripted create failure for ${containerName}`)): this {
    this.createFailures.set(containerName, error);
    return this;
  }
  /** startContainer for this name (or this container id) rejects with `error`. */
  failStart(containerName: string, error: Error = new EngineError("ENGINE", `scripted start failure for ${containerName}`)): this {
    this.startFailures.set(containerName, error);
    return this;
  }
  /** pullImage of this reference rejects with PULL_FAILED. */
  pullFails(ref: string, message = "manifest unknown"): this {
    this.pullFailures.set(normalizeImageRef(ref), message);
    return this;
  }
  /** pushImage of this reference rejects with PUSH_FAILED. */
  pushFails(ref: string, message = "denied: requested access to the resource is denied"): this {
    this.pushFailures.set(normalizeImageRef(ref), message);
    return this;
  }
  /** buildImage with this tag rejects with BUILD_FAILED. */
  buildFails(tag: string, message = "The command '/bin/sh -c false' returned a non-zero code: 1"): this {
    this.buildFailures.set(normalizeImageRef(tag), message);
    return this;
  }
  /** Extra log output the container writes when it starts. */
  output(containerName: string, chunks: { stream: "stdout" | "stderr"; data: string }[]): this {
    this.outputs.set(containerName, chunks.map((c) => ({ stream: c.stream, data: Buffer.from(c.data) })));
    return this;
  }
}

export function hex64(prefix: string, n: number): string {
  const h = n.toString(16);
  return (prefix + "0".repeat(64)).slice(0, 64 - h.length) + h;
}

/** The mounts a container's create spec asks for (binds and long-syntax mounts), as inspect lists them. */
export function fakeMounts(c: FakeContainer): ContainerDetails["mounts"] {
  const mounts: ContainerDetails["mounts"] = [];
  for (const bind of (c.spec.HostConfig["Binds"] as string[] | undefined) ?? []) {
    const [source = "", destination = "", mode] = bind.split(":");
    const isVolume = !source.startsWith("/");
    const m: ContainerDetails["mounts"][number] = { type: isVolume ? "volume" : "bind", source, destination, rw: mode !== "ro" };
    if (isVolume) m.name = source;
    mounts.push(m);
  }
  for (const m of (c.spec.HostConfig["Mounts"] as { Type?: string; Source?: string; Target?: string; ReadOnly?: boolean }[] | undefined) ?? []) {
    const mount: ContainerDetails["mounts"][number] = { type: m.Type ?? "volume", source: m.Source ?? "", destination: m.Target ?? "", rw: m.ReadOnly !== true };
    if (m.Type === "volume" && m.Source) mount.name = m.Source;
    mounts.push(mount);
  }
  return mounts;
}

/** One turn of the event loop, as the engine's answers take. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
