/**
 * An in-memory Engine for planner and apply tests: containers (states, labels, ports, networks),
 * networks, volumes, images, a call log, engine events, and scripting hooks for health, exits
 * and failures. Deterministic: ids are counters, the only asynchrony is setImmediate.
 *
 * Processes are emulated, not run: a container's command (or an exec) is read by a tiny shell
 * emulator that understands `sh -c` scripts made of `echo`, `cat FILE`, `test -f/-e FILE`,
 * `touch FILE`, `exit N`, `true`, `false`, `sleep`, redirections `>&2` / `1>&2`, and the operators
 * `;`, `&&`, `||`. A main command that reaches `sleep` (or any long-running server such as
 * `httpd`, `nc -l`, `tail -f`) keeps running until stopped; otherwise the container exits with
 * the script's status right after it starts. Files come from `putArchive` and `touch`.
 */
import { parse as parseShell } from "shell-quote";
import { Readable } from "node:stream";
import * as tarStream from "tar-stream";
import { EngineError, FlotillaError } from "../../src/errors.js";
import type {
  BuildSpec,
  CommitOptions,
  ContainerCreateSpec,
  ContainerDetails,
  ContainerState,
  ContainerSummary,
  EndpointSpec,
  Engine,
  EngineEvent,
  EngineInfo,
  ExecOptions,
  ExecResult,
  ImageInfo,
  LabelFilter,
  Labels,
  LogChunk,
  LogOptions,
  NetworkCreateSpec,
  NetworkSummary,
  PortBinding,
  ProgressMessage,
  VolumeCreateSpec,
  VolumeSummary,
} from "../../src/runtime/engine.js";

export interface FakeCall {
  method: string;
  args: unknown[];
}

type HealthStatus = "starting" | "healthy" | "unhealthy";

interface FakeContainer {
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
  networks: Map<string, { aliases: string[]; ipAddress: string }>;
  ports: PortBinding[];
  logs: LogChunk[];
  files: Map<string, Buffer>;
  health?: { sequence: HealthStatus[]; index: number; reported?: HealthStatus };
  /** Resolvers waiting for the container to stop. */
  waiters: (() => void)[];
  /** Wake-ups for followers of the logs. */
  logWaiters: (() => void)[];
  exitTimer?: NodeJS.Immediate | NodeJS.Timeout;
}

interface FakeImage {
  id: string;
  tags: Set<string>;
  labels: Labels;
  cmd: string[];
  created: string;
  /** ISO time of the last pull/build/tag, as the engine's Metadata.LastTagTime. */
  lastTagTime: string;
}

interface FakeNetwork {
  id: string;
  spec: NetworkCreateSpec;
  builtin: boolean;
}

interface FakeVolume {
  spec: VolumeCreateSpec;
}

/** Normalize an image reference the way the engine does for lookups: `busybox` = `busybox:latest`. */
export function normalizeImageRef(ref: string): string {
  if (ref.startsWith("sha256:") || ref.includes("@")) return ref;
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  return colon > slash ? ref : `${ref}:latest`;
}

function labelsMatch(labels: Labels, filter: LabelFilter | undefined): boolean {
  for (const [k, v] of Object.entries(filter ?? {})) {
    if (!(k in labels)) return false;
    if (v !== undefined && labels[k] !== v) return false;
  }
  return true;
}

const LONG_RUNNING = new Set(["sleep", "httpd", "tail", "nc", "top", "watch", "yes"]);

interface EmulatedRun {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** The script reached a command that does not end on its own. */
  keepsRunning: boolean;
}

/** Run a command through the tiny shell emulator (see the file comment). */
export function emulateCommand(argv: readonly string[], files: Map<string, Buffer>): EmulatedRun {
  const result: EmulatedRun = { stdout: "", stderr: "", exitCode: 0, keepsRunning: false };
  let tokens: (string | { op: string })[];
  const first = argv[0]?.replace(/^.*\//, "");
  if ((first === "sh" || first === "bash" || first === "ash") && argv[1] === "-c") {
    tokens = parseShell(argv[2] ?? "") as (string | { op: string })[];
  } else if ((first === "sh" || first === "bash") && argv.length === 1) {
    return result; // an interactive shell without stdin ends at once
  } else {
    tokens = [...argv];
  }
  // Split into [operator-before, words, toStderr] commands.
  const commands: { op: string; words: string[]; toStderr: boolean }[] = [];
  let current = { op: ";", words: [] as string[], toStderr: false };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string | { op: string };
    if (typeof t === "string") {
      current.words.push(t);
    } else if (t.op === ">&") {
      const target = tokens[i + 1];
      if (target === "2") current.toStderr = true;
      i++;
      // "1>&2" arrives as word "1" then ">&": drop the stray fd number
      if (current.words[current.words.length - 1] === "1") current.words.pop();
    } else if (t.op === ";" || t.op === "&&" || t.op === "||" || t.op === "\n") {
      commands.push(current);
      current = { op: t.op, words: [], toStderr: false };
    } else if (t.op === ">" || t.op === ">>") {
      const target = tokens[i + 1];
      i++;
      if (target === "/dev/stderr") current.toStderr = true;
    }
  }
  commands.push(current);

  let status = 0;
  for (const cmd of commands) {
    if (cmd.words.length === 0) continue;
    if (cmd.op === "&&" && status !== 0) continue;
    if (cmd.op === "||" && status === 0) continue;
    const [name, ...args] = cmd.words as [string, ...string[]];
    const out = (text: string): void => {
      if (cmd.toStderr) result.stderr += text;
      else result.stdout += text;
    };
    const base = name.replace(/^.*\//, "");
    if (LONG_RUNNING.has(base) && !(base === "sleep" && args[0] !== undefined && Number(args[0]) === 0)) {
      result.keepsRunning = true;
      result.exitCode = status;
      return result;
    }
    switch (base) {
      case "echo": {
        const noNewline = args[0] === "-n";
        out(`${(noNewline ? args.slice(1) : args).join(" ")}${noNewline ? "" : "\n"}`);
        status = 0;
        break;
      }
      case "cat": {
        status = 0;
        for (const f of args) {
          const data = files.get(f);
          if (data === undefined) {
            result.stderr += `cat: can't open '${f}': No such file or directory\n`;
            status = 1;
          } else out(data.toString("utf8"));
        }
        break;
      }
      case "test":
      case "[": {
        const path = args[1];
        status = (args[0] === "-f" || args[0] === "-e") && path !== undefined && files.has(path) ? 0 : 1;
        break;
      }
      case "touch":
        for (const f of args) if (!files.has(f)) files.set(f, Buffer.alloc(0));
        status = 0;
        break;
      case "true":
      case ":":
        status = 0;
        break;
      case "false":
        status = 1;
        break;
      case "sleep":
        status = 0;
        break;
      case "exit":
        result.exitCode = Number(args[0] ?? status) || 0;
        return result;
      default:
        result.stderr += `sh: ${name}: not found\n`;
        status = 127;
    }
  }
  result.exitCode = status;
  return result;
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
  /** startContainer for this name rejects with `error`. */
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

function hex64(prefix: string, n: number): string {
  const h = n.toString(16);
  return (prefix + "0".repeat(64)).slice(0, 64 - h.length) + h;
}

export class FakeEngine implements Engine {
  readonly calls: FakeCall[] = [];
  readonly script = new FakeScript();
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, FakeNetwork>();
  readonly volumes = new Map<string, FakeVolume>();
  readonly images = new Map<string, FakeImage>();
  #seq = 0;
  #nextPort = 49153;
  #subscribers = new Set<(e: EngineEvent) => void>();
  #clock: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#clock = options.now ?? (() => Date.now());
    for (const [name, driver] of [["bridge", "bridge"], ["host", "host"], ["none", "null"]] as const) {
      this.networks.set(name, { id: this.#id("e"), spec: { Name: name, Driver: driver }, builtin: true });
    }
  }

  #id(prefix: string): string {
    return hex64(prefix, ++this.#seq);
  }

  #log(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  /** The call log restricted to some methods (handy in planner tests). */
  callsOf(...methods: string[]): FakeCall[] {
    return this.calls.filter((c) => methods.includes(c.method));
  }

  #emit(type: string, action: string, id: string, attributes: Record<string, string>): void {
    const now = this.#clock();
    const event: EngineEvent = { type, action, id, attributes, time: now / 1000 };
    for (const s of this.#subscribers) s(event);
  }

  #containerEvent(c: FakeContainer, action: string, extra: Record<string, string> = {}): void {
    this.#emit("container", action, c.id, { ...(c.spec.Labels ?? {}), name: c.name, image: c.spec.Image, ...extra });
  }

  // --- images ---------------------------------------------------------------------------------

  /** Make an image available locally (no pull needed). `taggedAt` (ms): when it was last pulled/tagged. */
  addImage(ref: string, options: { labels?: Labels; cmd?: string[]; taggedAt?: number } = {}): string {
    const tag = normalizeImageRef(ref);
    const existing = this.#findImage(tag);
    if (existing) return existing.id;
    const id = `sha256:${this.#id("a")}`;
    const now = new Date(this.#clock()).toISOString();
    const lastTagTime = options.taggedAt !== undefined ? new Date(options.taggedAt).toISOString() : now;
    this.images.set(id, { id, tags: new Set([tag]), labels: options.labels ?? {}, cmd: options.cmd ?? ["sh"], created: now, lastTagTime });
    return id;
  }

  #findImage(ref: string): FakeImage | undefined {
    const direct = this.images.get(ref) ?? this.images.get(`sha256:${ref}`);
    if (direct) return direct;
    const tag = normalizeImageRef(ref);
    for (const img of this.images.values()) if (img.tags.has(tag)) return img;
    if (/^[0-9a-f]{6,64}$/.test(ref)) {
      for (const img of this.images.values()) if (img.id.slice(7).startsWith(ref)) return img;
    }
    return undefined;
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    this.#log("inspectImage", ref);
    const img = this.#findImage(ref);
    if (!img) return undefined;
    return { id: img.id, repoTags: [...img.tags], repoDigests: [], labels: { ...img.labels }, created: img.created, lastTagTime: img.lastTagTime };
  }

  async pullImage(ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal, platform?: string): Promise<void> {
    this.#log("pullImage", ref, platform);
    await tick();
    if (signal?.aborted) throw new FlotillaError("ABORTED", "the operation was cancelled");
    const failure = this.script.pullFailures.get(normalizeImageRef(ref));
    if (failure !== undefined) {
      throw new EngineError("PULL_FAILED", `cannot pull image ${ref}: ${failure}`, { hint: "check the image name and tag, your network and registry credentials (docker login)" });
    }
    onProgress?.({ status: `Pulling from ${ref}` });
    this.#findImage(this.addImage(ref))!.lastTagTime = new Date(this.#clock()).toISOString();
    onProgress?.({ status: `Status: Downloaded newer image for ${normalizeImageRef(ref)}` });
    this.#emit("image", "pull", normalizeImageRef(ref), { name: normalizeImageRef(ref) });
  }

  /** Pushed references, in order (what a registry would now hold). */
  readonly pushed: string[] = [];

  async pushImage(ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<void> {
    this.#log("pushImage", ref);
    await tick();
    if (signal?.aborted) throw new FlotillaError("ABORTED", "the operation was cancelled");
    if (!this.#findImage(ref)) throw new EngineError("PUSH_FAILED", `cannot push image ${ref}: An image does not exist locally with the tag: ${ref}`, { statusCode: 404 });
    const failure = this.script.pushFailures.get(normalizeImageRef(ref));
    if (failure !== undefined) throw new EngineError("PUSH_FAILED", `cannot push image ${ref}: ${failure}`, { hint: "check your registry credentials (docker login)" });
    onProgress?.({ status: `The push refers to repository [${ref}]` });
    this.pushed.push(normalizeImageRef(ref));
    this.#emit("image", "push", normalizeImageRef(ref), { name: normalizeImageRef(ref) });
  }

  async buildImage(spec: BuildSpec, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<string> {
    this.#log("buildImage", { ...spec, context: "<stream>" });
    // Drain the context like the engine would.
    for await (const _ of spec.context) void _;
    if (signal?.aborted) throw new FlotillaError("ABORTED", "the operation was cancelled");
    for (const tag of spec.tags) {
      const failure = this.script.buildFailures.get(normalizeImageRef(tag));
      if (failure !== undefined) {
        throw new EngineError("BUILD_FAILED", `cannot build ${spec.tags[0]}: ${failure}`, { hint: "fix the Dockerfile or the build context" });
      }
    }
    const id = `sha256:${this.#id("b")}`;
    const now = new Date(this.#clock()).toISOString();
    const image: FakeImage = { id, tags: new Set(), labels: { ...(spec.labels ?? {}) }, cmd: ["sh"], created: now, lastTagTime: now };
    for (const tag of spec.tags) {
      const t = normalizeImageRef(tag);
      for (const other of this.images.values()) other.tags.delete(t);
      image.tags.add(t);
    }
    this.images.set(id, image);
    onProgress?.({ stream: `Successfully built ${id.slice(7, 19)}\n` });
    return id;
  }

  async removeImage(ref: string, force?: boolean): Promise<void> {
    this.#log("removeImage", ref, force);
    const img = this.#findImage(ref);
    if (!img) return;
    if (!force) {
      for (const c of this.containers.values()) {
        if (c.image === img) throw new EngineError("CONFLICT", `conflict: unable to remove image ${ref}: image is being used by container ${c.id.slice(0, 12)}`, { statusCode: 409 });
      }
    }
    this.images.delete(img.id);
  }

  async tagImage(ref: string, repo: string, tag: string): Promise<void> {
    this.#log("tagImage", ref, repo, tag);
    const img = this.#findImage(ref);
    if (!img) throw new EngineError("IMAGE_NOT_FOUND", `No such image: ${ref}`, { statusCode: 404 });
    const t = normalizeImageRef(`${repo}:${tag}`);
    for (const other of this.images.values()) other.tags.delete(t);
    img.tags.add(t);
    img.lastTagTime = new Date(this.#clock()).toISOString();
  }

  // --- containers -----------------------------------------------------------------------------

  #find(idOrName: string): FakeContainer | undefined {
    const byId = this.containers.get(idOrName);
    if (byId) return byId;
    const name = idOrName.replace(/^\//, "");
    for (const c of this.containers.values()) if (c.name === name) return c;
    if (/^[0-9a-f]{3,63}$/.test(idOrName)) {
      const matches = [...this.containers.values()].filter((c) => c.id.startsWith(idOrName));
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }

  #get(idOrName: string): FakeContainer {
    const c = this.#find(idOrName);
    if (!c) throw new EngineError("NOT_FOUND", `No such container: ${idOrName}`, { statusCode: 404 });
    return c;
  }

  async info(): Promise<EngineInfo> {
    this.#log("info");
    return { endpoint: "fake://", host: "localhost", serverVersion: "20.10.0-fake", apiVersion: "1.41", os: "linux", arch: "amd64", flavor: "docker" };
  }

  async listContainers(filter: { labels: LabelFilter; all?: boolean }): Promise<ContainerSummary[]> {
    this.#log("listContainers", filter);
    const out: ContainerSummary[] = [];
    for (const c of this.containers.values()) {
      if (!filter.all && c.state !== "running" && c.state !== "paused" && c.state !== "restarting") continue;
      if (!labelsMatch(c.spec.Labels ?? {}, filter.labels)) continue;
      out.push({
        id: c.id,
        name: c.name,
        image: c.spec.Image,
        imageId: c.image.id,
        command: [...(c.spec.Entrypoint ?? []), ...(c.spec.Cmd ?? c.image.cmd)].join(" "),
        created: Math.floor(c.created / 1000),
        state: c.state,
        status: this.#status(c),
        labels: { ...(c.spec.Labels ?? {}) },
        ports: c.ports.map((p) => ({ ...p })),
        networks: [...c.networks.keys()],
        mounts: fakeMounts(c).map((m) => (m.type === "volume" ? { name: m.name ?? m.source, driver: "local" } : { name: m.source })),
      });
    }
    return out;
  }

  #status(c: FakeContainer): string {
    switch (c.state) {
      case "running": {
        const h = c.health ? c.health.sequence[Math.min(c.health.index, c.health.sequence.length - 1)] : undefined;
        return `Up${h ? ` (${h === "starting" ? "health: starting" : h})` : ""}`;
      }
      case "exited":
        return `Exited (${c.exitCode})`;
      case "created":
        return "Created";
      case "paused":
        return "Up (Paused)";
      default:
        return c.state;
    }
  }

  async inspectContainer(idOrName: string): Promise<ContainerDetails | undefined> {
    this.#log("inspectContainer", idOrName);
    const c = this.#find(idOrName);
    if (!c) return undefined;
    const state: ContainerDetails["state"] = {
      status: c.state,
      running: c.state === "running" || c.state === "paused" || c.state === "restarting",
      exitCode: c.exitCode,
      oomKilled: false,
    };
    if (c.startedAt !== undefined) state.startedAt = new Date(c.startedAt).toISOString();
    if (c.finishedAt !== undefined) state.finishedAt = new Date(c.finishedAt).toISOString();
    if (c.health) {
      const h = c.health;
      const status = h.sequence[Math.min(h.index, h.sequence.length - 1)] as HealthStatus;
      state.health = { status, failingStreak: status === "unhealthy" ? 3 : 0, log: [] };
      if (state.running) {
        // The first inspect that reports a new status also emits its health_status event.
        if (status !== "starting" && h.reported !== status) this.#containerEvent(c, `health_status: ${status}`);
        h.reported = status;
        // Each inspect of a running container advances the scripted sequence by one step.
        if (h.index < h.sequence.length - 1) h.index++;
      }
    }
    const networks: ContainerDetails["networks"] = {};
    for (const [name, ep] of c.networks) {
      const net = this.networks.get(name);
      const entry: ContainerDetails["networks"][string] = { aliases: [...ep.aliases], networkId: net?.id ?? "" };
      if (state.running) entry.ipAddress = ep.ipAddress;
      networks[name] = entry;
    }
    const mounts = fakeMounts(c);
    const raw = {
      Id: c.id,
      Name: `/${c.name}`,
      Image: c.image.id,
      Config: { ...c.spec, Labels: { ...(c.spec.Labels ?? {}) }, Tty: c.spec.Tty === true },
      HostConfig: c.spec.HostConfig,
      State: { Status: c.state, ExitCode: c.exitCode },
    };
    return {
      id: c.id,
      name: c.name,
      image: c.image.id,
      created: new Date(c.created).toISOString(),
      labels: { ...(c.spec.Labels ?? {}) },
      state,
      restartCount: c.restartCount,
      tty: c.spec.Tty === true,
      openStdin: c.spec.OpenStdin === true,
      ports: c.ports.map((p) => ({ ...p })),
      networks,
      mounts,
      raw,
    };
  }

  async createContainer(spec: ContainerCreateSpec): Promise<string> {
    this.#log("createContainer", spec);
    await tick();
    const scripted = this.script.createFailures.get(spec.name);
    if (scripted) throw scripted;
    if (spec.name !== "" && this.#find(spec.name)) {
      const other = this.#find(spec.name) as FakeContainer;
      throw new EngineError("CONFLICT", `Conflict. The container name "/${spec.name}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`, { statusCode: 409 });
    }
    const image = this.#findImage(spec.Image);
    if (!image) {
      throw new EngineError("IMAGE_NOT_FOUND", `cannot create container ${spec.name}: No such image: ${spec.Image}`, { statusCode: 404, hint: "pull or build the image first (flotilla pull / flotilla build)" });
    }
    const networks = new Map<string, { aliases: string[]; ipAddress: string }>();
    const mode = spec.HostConfig["NetworkMode"];
    const wanted = new Map<string, EndpointSpec>(Object.entries(spec.NetworkingConfig?.EndpointsConfig ?? {}));
    if (typeof mode === "string" && mode !== "" && mode !== "default" && !mode.startsWith("container:") && !wanted.has(mode)) wanted.set(mode, {});
    if (wanted.size === 0 && (mode === undefined || mode === "" || mode === "default")) wanted.set("bridge", {});
    for (const [name, ep] of wanted) {
      if (!this.networks.has(name) && !this.#findNetwork(name)) {
        throw new EngineError("NOT_FOUND", `network ${name} not found`, { statusCode: 404 });
      }
      const net = (this.networks.get(name) ?? this.#findNetwork(name)) as FakeNetwork;
      networks.set(net.spec.Name, { aliases: [...(ep.Aliases ?? [])], ipAddress: "" });
    }
    const name = spec.name !== "" ? spec.name : `fake_${this.#seq + 1}`;
    const id = this.#id("c");
    const c: FakeContainer = {
      id,
      name,
      spec: structuredClone({ ...spec, name }),
      image,
      state: "created",
      exitCode: 0,
      created: this.#clock(),
      restartCount: 0,
      networks,
      ports: [],
      logs: [],
      files: new Map(),
      waiters: [],
      logWaiters: [],
    };
    const scriptedHealth = this.script.healthSequences.get(name);
    const test = spec.Healthcheck?.Test;
    if (scriptedHealth) c.health = { sequence: scriptedHealth, index: 0 };
    else if (test && test.length > 0 && test[0] !== "NONE") c.health = { sequence: ["starting", "healthy"], index: 0 };
    this.containers.set(id, c);
    this.#containerEvent(c, "create");
    return id;
  }

  #publishPorts(c: FakeContainer): void {
    const bindings = (c.spec.HostConfig["PortBindings"] ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>;
    const ports: PortBinding[] = [];
    const taken = new Set<string>();
    for (const other of this.containers.values()) {
      if (other === c || other.state !== "running") continue;
      for (const p of other.ports) if (p.publicPort !== undefined) taken.add(`${p.protocol}/${p.publicPort}`);
    }
    for (const [key, list] of Object.entries(bindings)) {
      // Like the engine: a binding publishes only when its port is in ExposedPorts.
      if (!(key in (c.spec.ExposedPorts ?? {})) && !(`${key}/tcp` in (c.spec.ExposedPorts ?? {}))) continue;
      const [port = "0", proto = "tcp"] = key.split("/");
      const protocol = (proto === "udp" || proto === "sctp" ? proto : "tcp") as PortBinding["protocol"];
      for (const b of list ?? [{}]) {
        let publicPort = b.HostPort ? Number(b.HostPort.split("-")[0]) : 0;
        if (publicPort === 0) {
          while (taken.has(`${protocol}/${this.#nextPort}`)) this.#nextPort++;
          publicPort = this.#nextPort++;
        } else if (taken.has(`${protocol}/${publicPort}`)) {
          throw new EngineError(
            "PORT_ALLOCATED",
            `cannot start container ${c.name}: driver failed programming external connectivity on endpoint ${c.name}: Bind for ${b.HostIp || "0.0.0.0"}:${publicPort} failed: port is already allocated`,
            { statusCode: 500, hint: "another container or process uses this host port: stop it or publish a different port" },
          );
        }
        taken.add(`${protocol}/${publicPort}`);
        ports.push({ privatePort: Number(port), protocol, hostIp: b.HostIp || "0.0.0.0", publicPort });
      }
    }
    for (const key of Object.keys(c.spec.ExposedPorts ?? {})) {
      const [port = "0", proto = "tcp"] = key.split("/");
      if (!ports.some((p) => `${p.privatePort}/${p.protocol}` === `${port}/${proto}`)) {
        ports.push({ privatePort: Number(port), protocol: (proto === "udp" || proto === "sctp" ? proto : "tcp") as PortBinding["protocol"] });
      }
    }
    c.ports = ports;
  }

  #appendLog(c: FakeContainer, chunk: LogChunk): void {
    if (chunk.data.length === 0) return;
    c.logs.push(chunk);
    this.#wakeLogs(c);
  }

  #wakeLogs(c: FakeContainer): void {
    const waiters = c.logWaiters.splice(0);
    for (const w of waiters) w();
  }

  #exit(c: FakeContainer, code: number, action = "die"): void {
    if (c.exitTimer) {
      clearTimeout(c.exitTimer as NodeJS.Timeout);
      clearImmediate(c.exitTimer as NodeJS.Immediate);
      delete c.exitTimer;
    }
    if (c.state !== "running" && c.state !== "paused" && c.state !== "restarting") return;
    c.state = "exited";
    c.exitCode = code;
    c.finishedAt = this.#clock();
    for (const n of c.networks.values()) n.ipAddress = "";
    this.#containerEvent(c, action, { exitCode: String(code) });
    const waiters = c.waiters.splice(0);
    for (const w of waiters) w();
    this.#wakeLogs(c);
  }

  async startContainer(id: string): Promise<void> {
    this.#log("startContainer", id);
    await this.#start(id);
  }

  async #start(id: string): Promise<void> {
    await tick();
    const c = this.#get(id);
    const scripted = this.script.startFailures.get(c.name);
    if (scripted) throw scripted;
    if (c.state === "running") return;
    if (c.state === "paused") throw new EngineError("ENGINE", `cannot start a paused container, try unpause instead`, { statusCode: 500 });
    this.#publishPorts(c);
    if (c.health) {
      c.health.index = 0;
      delete c.health.reported;
    }
    c.state = "running";
    c.startedAt = this.#clock();
    let ip = 2;
    for (const n of c.networks.values()) n.ipAddress = `172.18.0.${ip++}`;
    this.#containerEvent(c, "start");
    const argv = [...(c.spec.Entrypoint ?? []), ...(c.spec.Cmd ?? (c.spec.Entrypoint ? [] : c.image.cmd))];
    const run = emulateCommand(argv, c.files);
    if (run.stdout) this.#appendLog(c, { stream: c.spec.Tty ? "stdout" : "stdout", data: Buffer.from(run.stdout) });
    if (run.stderr) this.#appendLog(c, { stream: c.spec.Tty ? "stdout" : "stderr", data: Buffer.from(run.stderr) });
    for (const chunk of this.script.outputs.get(c.name) ?? []) this.#appendLog(c, { ...chunk });
    const exit = this.script.exits.get(c.name);
    if (exit) {
      c.exitTimer = exit.delayMs > 0 ? setTimeout(() => this.#exit(c, exit.code), exit.delayMs) : setImmediate(() => this.#exit(c, exit.code));
    } else if (!run.keepsRunning) {
      c.exitTimer = setImmediate(() => this.#exit(c, run.exitCode));
    }
  }

  async stopContainer(id: string, timeout?: number): Promise<void> {
    this.#log("stopContainer", id, timeout);
    await tick();
    const c = this.#get(id);
    if (c.state === "running" || c.state === "paused") {
      this.#containerEvent(c, "kill", { signal: "15" });
      this.#exit(c, 143);
      this.#containerEvent(c, "stop");
    }
  }

  async restartContainer(id: string, timeout?: number): Promise<void> {
    this.#log("restartContainer", id, timeout);
    const c = this.#get(id);
    if (c.state === "running" || c.state === "paused") this.#exit(c, 143);
    c.restartCount++;
    await this.#start(c.id);
  }

  async killContainer(id: string, signal = "SIGKILL"): Promise<void> {
    this.#log("killContainer", id, signal);
    await tick();
    const c = this.#get(id);
    if (c.state !== "running" && c.state !== "paused") {
      throw new EngineError("CONFLICT", `Cannot kill container: ${id}: Container ${c.id} is not running`, { statusCode: 409 });
    }
    this.#containerEvent(c, "kill", { signal });
    this.#exit(c, signal === "SIGKILL" || signal === "KILL" || signal === "9" ? 137 : 143);
  }

  async pauseContainer(id: string): Promise<void> {
    this.#log("pauseContainer", id);
    const c = this.#get(id);
    if (c.state !== "running") throw new EngineError("CONFLICT", `Container ${c.id} is not running`, { statusCode: 409 });
    c.state = "paused";
    this.#containerEvent(c, "pause");
  }

  async unpauseContainer(id: string): Promise<void> {
    this.#log("unpauseContainer", id);
    const c = this.#get(id);
    if (c.state !== "paused") throw new EngineError("CONFLICT", `Container ${c.id} is not paused`, { statusCode: 409 });
    c.state = "running";
    this.#containerEvent(c, "unpause");
  }

  async removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    this.#log("removeContainer", id, options);
    await tick();
    const c = this.#find(id);
    if (!c) return;
    if ((c.state === "running" || c.state === "paused") && !options.force) {
      throw new EngineError("CONFLICT", `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`, { statusCode: 409 });
    }
    if (c.state === "running" || c.state === "paused") this.#exit(c, 137);
    this.containers.delete(c.id);
    this.#containerEvent(c, "destroy");
    this.#wakeLogs(c);
  }

  async renameContainer(id: string, name: string): Promise<void> {
    this.#log("renameContainer", id, name);
    const c = this.#get(id);
    const other = this.#find(name);
    if (other && other !== c) throw new EngineError("CONFLICT", `Conflict. The container name "/${name}" is already in use by container "${other.id}"`, { statusCode: 409 });
    c.name = name;
    c.spec.name = name;
    this.#containerEvent(c, "rename");
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    this.#log("waitContainer", id);
    const c = this.#get(id);
    if (c.state !== "running" && c.state !== "paused" && c.state !== "restarting") return c.exitCode;
    return new Promise<number>((resolve, reject) => {
      const onAbort = (): void => {
        c.waiters.splice(c.waiters.indexOf(done), 1);
        reject(new FlotillaError("ABORTED", "the operation was cancelled"));
      };
      const done = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(c.exitCode);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      c.waiters.push(done);
    });
  }

  logs(id: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogChunk> {
    this.#log("logs", id, options);
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const c = self.#get(id);
        const wantOut = options.stdout ?? true;
        const wantErr = options.stderr ?? true;
        const keep = (chunk: LogChunk): boolean => (chunk.stream === "stdout" ? wantOut : wantErr);
        let start = 0;
        if (typeof options.tail === "number") start = Math.max(0, c.logs.length - options.tail);
        let i = start;
        for (;;) {
          while (i < c.logs.length) {
            const chunk = c.logs[i++] as LogChunk;
            if (keep(chunk)) yield { stream: chunk.stream, data: Buffer.from(chunk.data) };
          }
          const alive = self.containers.has(c.id) && (c.state === "running" || c.state === "paused" || c.state === "restarting");
          if (!options.follow || !alive || signal?.aborted) return;
          await new Promise<void>((resolve) => {
            const wake = (): void => {
              signal?.removeEventListener("abort", wake);
              resolve();
            };
            c.logWaiters.push(wake);
            signal?.addEventListener("abort", wake, { once: true });
          });
          if (signal?.aborted) return;
        }
      },
    };
  }

  async exec(id: string, options: ExecOptions, signal?: AbortSignal): Promise<ExecResult> {
    this.#log("exec", id, options);
    await tick();
    if (signal?.aborted) throw new FlotillaError("ABORTED", "the operation was cancelled");
    const c = this.#get(id);
    if (c.state !== "running") throw new EngineError("CONFLICT", `Container ${c.id} is not running`, { statusCode: 409 });
    const run = emulateCommand(options.cmd, c.files);
    if (options.detach) return { exitCode: 0, stdout: "", stderr: "" };
    const stdout = options.tty ? run.stdout + run.stderr : run.stdout;
    const stderr = options.tty ? "" : run.stderr;
    if (options.onOutput) {
      if (stdout) options.onOutput({ stream: "stdout", data: Buffer.from(stdout) });
      if (stderr) options.onOutput({ stream: "stderr", data: Buffer.from(stderr) });
      return { exitCode: run.exitCode, stdout: "", stderr: "" };
    }
    return { exitCode: run.exitCode, stdout, stderr };
  }

  /** A committed image copies the container image's metadata (layers are not modelled). */
  async commitContainer(id: string, options: CommitOptions): Promise<string> {
    this.#log("commitContainer", id, options);
    const c = this.#get(id);
    const imageId = `sha256:${this.#id("c")}`;
    const now = new Date(this.#clock()).toISOString();
    const image: FakeImage = { id: imageId, tags: new Set(), labels: { ...c.image.labels }, cmd: [...c.image.cmd], created: now, lastTagTime: now };
    if (options.reference) {
      const t = normalizeImageRef(options.reference);
      for (const other of this.images.values()) other.tags.delete(t);
      image.tags.add(t);
    }
    this.images.set(imageId, image);
    return imageId;
  }

  /** The container's files (those the fake tracks) as a tar stream. */
  async exportContainer(id: string): Promise<Readable> {
    this.#log("exportContainer", id);
    const c = this.#get(id);
    const pack = tarStream.pack();
    for (const [file, data] of [...c.files.entries()].sort(([a], [b]) => a.localeCompare(b))) pack.entry({ name: file.replace(/^\//, "") }, data);
    pack.finalize();
    return pack as unknown as Readable;
  }

  async putArchive(id: string, path: string, tar: Readable | Buffer, options: { copyUIDGID?: boolean } = {}): Promise<void> {
    this.#log("putArchive", id, path, options);
    const c = this.#get(id);
    const extract = tarStream.extract();
    const source = Buffer.isBuffer(tar) ? Readable.from([tar]) : tar;
    source.pipe(extract);
    const base = path.endsWith("/") ? path : `${path}/`;
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const name = entry.header.name.replace(/^\.\//, "").replace(/^\//, "");
      if (entry.header.type === "file" || entry.header.type === "contiguous-file") {
        c.files.set(`${base}${name}`.replace(/\/+/g, "/"), Buffer.concat(chunks));
      }
    }
  }

  // --- networks -------------------------------------------------------------------------------

  #findNetwork(idOrName: string): FakeNetwork | undefined {
    const byName = this.networks.get(idOrName);
    if (byName) return byName;
    for (const n of this.networks.values()) if (n.id === idOrName || (idOrName.length >= 6 && n.id.startsWith(idOrName))) return n;
    return undefined;
  }

  #networkSummary(n: FakeNetwork): NetworkSummary {
    const containers: NetworkSummary["containers"] = {};
    for (const c of this.containers.values()) {
      if (c.networks.has(n.spec.Name) && (c.state === "running" || c.state === "paused")) containers[c.id] = { name: c.name };
    }
    const config: NetworkSummary["ipam"]["config"] = (n.spec.IPAM?.Config ?? []).map((x) => {
      const o: NetworkSummary["ipam"]["config"][number] = {};
      if (x.Subnet) o.subnet = x.Subnet;
      if (x.Gateway) o.gateway = x.Gateway;
      if (x.IPRange) o.ipRange = x.IPRange;
      return o;
    });
    return {
      id: n.id,
      name: n.spec.Name,
      driver: n.spec.Driver ?? "bridge",
      labels: { ...(n.spec.Labels ?? {}) },
      internal: n.spec.Internal === true,
      attachable: n.spec.Attachable === true,
      enableIPv6: n.spec.EnableIPv6 === true,
      ipam: { driver: n.spec.IPAM?.Driver ?? "default", config, options: { ...(n.spec.IPAM?.Options ?? {}) } },
      options: { ...(n.spec.Options ?? {}) },
      containers,
    };
  }

  async listNetworks(filter: { labels?: LabelFilter; name?: string }): Promise<NetworkSummary[]> {
    this.#log("listNetworks", filter);
    return [...this.networks.values()]
      .filter((n) => labelsMatch(n.spec.Labels ?? {}, filter.labels) && (filter.name === undefined || n.spec.Name === filter.name))
      .map((n) => this.#networkSummary(n));
  }

  async inspectNetwork(idOrName: string): Promise<NetworkSummary | undefined> {
    this.#log("inspectNetwork", idOrName);
    const n = this.#findNetwork(idOrName);
    return n ? this.#networkSummary(n) : undefined;
  }

  async createNetwork(spec: NetworkCreateSpec): Promise<string> {
    this.#log("createNetwork", spec);
    await tick();
    if (this.networks.has(spec.Name)) throw new EngineError("CONFLICT", `cannot create network ${spec.Name}: network with name ${spec.Name} already exists`, { statusCode: 409 });
    const id = this.#id("d");
    this.networks.set(spec.Name, { id, spec: structuredClone(spec), builtin: false });
    this.#emit("network", "create", id, { name: spec.Name, type: spec.Driver ?? "bridge" });
    return id;
  }

  async removeNetwork(idOrName: string): Promise<void> {
    this.#log("removeNetwork", idOrName);
    await tick();
    const n = this.#findNetwork(idOrName);
    if (!n) return;
    if (n.builtin) throw new EngineError("ENGINE", `cannot remove network ${idOrName}: ${n.spec.Name} is a pre-defined network and cannot be removed`, { statusCode: 403 });
    if (Object.keys(this.#networkSummary(n).containers).length > 0) {
      throw new EngineError("IN_USE", `cannot remove network ${idOrName}: error while removing network: network ${n.spec.Name} id ${n.id} has active endpoints`, { statusCode: 403 });
    }
    for (const c of this.containers.values()) c.networks.delete(n.spec.Name);
    this.networks.delete(n.spec.Name);
    this.#emit("network", "destroy", n.id, { name: n.spec.Name });
  }

  async connectNetwork(network: string, containerId: string, endpoint: EndpointSpec): Promise<void> {
    this.#log("connectNetwork", network, containerId, endpoint);
    const n = this.#findNetwork(network);
    if (!n) throw new EngineError("NOT_FOUND", `cannot connect container ${containerId} to network ${network}: network ${network} not found`, { statusCode: 404 });
    const c = this.#get(containerId);
    if (c.networks.has(n.spec.Name)) {
      throw new EngineError("ENGINE", `cannot connect container ${containerId} to network ${network}: endpoint with name ${c.name} already exists in network ${n.spec.Name}`, { statusCode: 403 });
    }
    c.networks.set(n.spec.Name, { aliases: [...(endpoint.Aliases ?? [])], ipAddress: c.state === "running" ? `172.19.0.${c.networks.size + 2}` : "" });
    this.#emit("network", "connect", n.id, { name: n.spec.Name, container: c.id });
  }

  async disconnectNetwork(network: string, containerId: string, force?: boolean): Promise<void> {
    this.#log("disconnectNetwork", network, containerId, force);
    const n = this.#findNetwork(network);
    if (!n) throw new EngineError("NOT_FOUND", `network ${network} not found`, { statusCode: 404 });
    const c = this.#get(containerId);
    if (!c.networks.delete(n.spec.Name) && !force) {
      throw new EngineError("ENGINE", `container ${c.id} is not connected to network ${n.spec.Name}`, { statusCode: 403 });
    }
    this.#emit("network", "disconnect", n.id, { name: n.spec.Name, container: c.id });
  }

  // --- volumes --------------------------------------------------------------------------------

  #volumeSummary(v: FakeVolume): VolumeSummary {
    return {
      name: v.spec.Name,
      driver: v.spec.Driver ?? "local",
      labels: { ...(v.spec.Labels ?? {}) },
      mountpoint: `/var/lib/docker/volumes/${v.spec.Name}/_data`,
      options: { ...(v.spec.DriverOpts ?? {}) },
    };
  }

  async listVolumes(filter: { labels?: LabelFilter }): Promise<VolumeSummary[]> {
    this.#log("listVolumes", filter);
    return [...this.volumes.values()].filter((v) => labelsMatch(v.spec.Labels ?? {}, filter.labels)).map((v) => this.#volumeSummary(v));
  }

  async inspectVolume(name: string): Promise<VolumeSummary | undefined> {
    this.#log("inspectVolume", name);
    const v = this.volumes.get(name);
    return v ? this.#volumeSummary(v) : undefined;
  }

  async createVolume(spec: VolumeCreateSpec): Promise<void> {
    this.#log("createVolume", spec);
    await tick();
    // Like the engine, creating an existing volume is a no-op.
    if (!this.volumes.has(spec.Name)) {
      this.volumes.set(spec.Name, { spec: structuredClone(spec) });
      this.#emit("volume", "create", spec.Name, { driver: spec.Driver ?? "local" });
    }
  }

  async removeVolume(name: string, force?: boolean): Promise<void> {
    this.#log("removeVolume", name, force);
    await tick();
    if (!this.volumes.has(name)) return;
    for (const c of this.containers.values()) {
      const binds = (c.spec.HostConfig["Binds"] as string[] | undefined) ?? [];
      const mounts = (c.spec.HostConfig["Mounts"] as { Source?: string }[] | undefined) ?? [];
      if (binds.some((b) => b.split(":")[0] === name) || mounts.some((m) => m.Source === name)) {
        throw new EngineError("IN_USE", `cannot remove volume ${name}: remove ${name}: volume is in use - [${c.id}]`, { statusCode: 409 });
      }
    }
    this.volumes.delete(name);
    this.#emit("volume", "destroy", name, {});
  }

  // --- events ---------------------------------------------------------------------------------

  /** Live events only: the fake keeps no history, so `since` and `until` are not modelled. */
  events(filter: { labels?: LabelFilter; since?: number | string; until?: number | string }, signal?: AbortSignal): AsyncIterable<EngineEvent> {
    this.#log("events", filter);
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const queue: EngineEvent[] = [];
        let wake: (() => void) | undefined;
        const subscriber = (e: EngineEvent): void => {
          if (filter.labels && !labelsMatch(e.attributes, filter.labels)) return;
          queue.push(e);
          wake?.();
        };
        const onAbort = (): void => wake?.();
        self.#subscribers.add(subscriber);
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
          for (;;) {
            while (queue.length > 0) yield queue.shift() as EngineEvent;
            if (signal?.aborted) return;
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
        } finally {
          self.#subscribers.delete(subscriber);
          signal?.removeEventListener("abort", onAbort);
        }
      },
    };
  }
}

/** The mounts a container's create spec asks for (binds and long-syntax mounts), as inspect lists them. */
function fakeMounts(c: FakeContainer): ContainerDetails["mounts"] {
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

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
