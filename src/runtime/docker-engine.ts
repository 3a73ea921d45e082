/**
 * The Engine port implemented with dockerode — the only file in Flotilla that imports it.
 * Maps the Docker Engine API (v1.41+, also Podman's compat API) to our own types and every engine
 * failure to an EngineError with a code, the HTTP status and the engine's own message.
 */
import type Docker from "dockerode";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Duplex, Readable } from "node:stream";
import { EngineError, FlotillaError, type ErrorCode } from "../errors.js";
import type { EndpointConfig } from "./connect.js";
import type { AuthConfig, RegistryAuth } from "./registry-auth.js";
import type {
  BuildSpec,
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
  CommitOptions,
  ContainerStats,
  ProcessList,
  TtySize,
  ImageInfo,
  LabelFilter,
  LogChunk,
  LogOptions,
  NetworkCreateSpec,
  NetworkSummary,
  PortBinding,
  ProgressMessage,
  VolumeCreateSpec,
  VolumeSummary,
} from "./engine.js";

/**
 * Load dockerode without its heaviest dependencies. At require time dockerode pulls in gRPC and
 * protobuf (only for BuildKit sessions, which Flotilla does not use) and docker-modem pulls in ssh2
 * (only for ssh:// hosts): together most of its ~0.3 s load. Both are reached through one small
 * internal module each (`dockerode/lib/session.js`, `docker-modem/lib/ssh.js`) whose export is a
 * function, so we pre-seed the require cache with functions that load the real module on first call.
 */
let dockerodeCtor: typeof Docker | undefined;
function loadDockerode(): typeof Docker {
  if (dockerodeCtor) return dockerodeCtor;
  const req = createRequire(import.meta.url);
  const dockerodeMain = req.resolve("dockerode");
  const modemMain = createRequire(dockerodeMain).resolve("docker-modem");
  for (const file of [join(dirname(dockerodeMain), "session.js"), join(dirname(modemMain), "ssh.js")]) {
    if (req.cache[file]) continue;
    const lazy = function (this: unknown, ...args: unknown[]) {
      delete req.cache[file];
      const real = req(file) as (...a: unknown[]) => unknown;
      return real.apply(this, args);
    };
    req.cache[file] = { id: file, filename: file, loaded: true, exports: lazy, children: [], paths: [] } as unknown as NodeJS.Module;
  }
  dockerodeCtor = req("dockerode") as typeof Docker;
  return dockerodeCtor;
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the methods

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `{"label": ["k=v", "k"]}` as the engine's `filters` JSON. */
export function labelFilters(labels: LabelFilter | undefined): string[] {
  return Object.entries(labels ?? {}).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
}

/**
 * Whether `labels` satisfy `filter` (every key: exact value, or presence). The engine filters
 * already; this re-checks client-side because Podman (4.x) ORs several `label` filters on volume
 * lists where Docker ANDs them.
 */
export function matchesLabels(labels: Record<string, string> | null | undefined, filter: LabelFilter | undefined): boolean {
  const have = labels ?? {};
  for (const [k, v] of Object.entries(filter ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(have, k)) return false;
    if (v !== undefined && have[k] !== v) return false;
  }
  return true;
}

/**
 * Podman reports image names fully qualified (`localhost/app:1`, `docker.io/library/redis:7`) where
 * Docker reports them as the user wrote them (`app:1`, `redis:7`). Returns `tags` plus the
 * familiar form of each Docker Hub name and `ref` itself (with `:latest` when untagged) when the
 * engine resolved that short name to `localhost/<ref>`. Docker's own tags pass through unchanged.
 */
export function familiarRepoTags(tags: readonly string[], ref: string): string[] {
  const out = new Set(tags);
  for (const t of tags) {
    if (t.startsWith("docker.io/library/")) out.add(t.slice("docker.io/library/".length));
    else if (t.startsWith("docker.io/")) out.add(t.slice("docker.io/".length));
  }
  if (!ref.includes("@") && !ref.startsWith("sha256:")) {
    const lastPart = ref.slice(ref.lastIndexOf("/") + 1);
    const tagged = lastPart.includes(":") ? ref : `${ref}:latest`;
    if (out.has(`localhost/${tagged}`)) out.add(tagged);
  }
  return [...out];
}

/** `docker.io/library/redis:7` -> `redis:7`, `localhost/app:1` -> `app:1` (Podman's names as Docker shows them). */
export function familiarImageName(name: string): string {
  for (const prefix of ["docker.io/library/", "docker.io/", "localhost/"]) {
    if (name.startsWith(prefix) && name.length > prefix.length) return name.slice(prefix.length);
  }
  return name;
}

/** Docker's stop timeout (seconds) for a container created without one. */
export const DOCKER_DEFAULT_STOP_TIMEOUT = 10;

/**
 * The create body for Podman: its compat API (4.3) stores `StopTimeout: 0` when the body has none,
 * so a later stop without `t` sends SIGKILL at once (exit 137) where Docker waits 10 s after the
 * stop signal. Give such specs Docker's default; an explicit value (stop_grace_period) is kept.
 */
export function withDockerStopTimeout<T extends { StopTimeout?: number }>(spec: T): T {
  return spec.StopTimeout === undefined ? { ...spec, StopTimeout: DOCKER_DEFAULT_STOP_TIMEOUT } : spec;
}

/** Podman's wording for a network still in use, mapped to Docker's "has active endpoints" (callers retry on it). */
export function isNetworkInUseMessage(message: string): boolean {
  return /active endpoints|is being used|has associated containers/i.test(message);
}

function filtersParam(filters: Record<string, string[]>): string {
  const clean: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(filters)) if (v.length > 0) clean[k] = v;
  return JSON.stringify(clean);
}

interface DockerodeError extends Error {
  statusCode?: number;
  json?: unknown;
  reason?: string;
  code?: string;
}

/** The engine's own message, without dockerode's "(HTTP code 404) no such container - " prefix. */
function engineMessage(e: DockerodeError): string {
  const json = e.json;
  if (json && typeof json === "object" && !Buffer.isBuffer(json) && typeof (json as Json)["message"] === "string") {
    return ((json as Json)["message"] as string).trim();
  }
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString("utf8").trim();
  return String(e.message ?? e)
    .replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, "")
    .trim();
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "ENOTFOUND", "EPIPE"]);

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === "AbortError" || (e as DockerodeError).code === "ABORT_ERR");
}

function abortedError(cause?: unknown): FlotillaError {
  return new FlotillaError("ABORTED", "the operation was cancelled", cause !== undefined ? { cause } : {});
}

function statusOf(e: unknown): number | undefined {
  const s = (e as DockerodeError | undefined)?.statusCode;
  return typeof s === "number" ? s : undefined;
}

function is404(e: unknown): boolean {
  return statusOf(e) === 404;
}

// ---------------------------------------------------------------------------------------------
// Stream demultiplexing

/**
 * Splits the engine's multiplexed stream (8-byte header: stream type, 3 zero bytes, big-endian
 * payload size) into chunks. Frames may arrive split across (or merged within) network chunks.
 */
export class StreamDemuxer {
  #pending: Buffer = Buffer.alloc(0);

  /** Feed a network chunk; returns every complete frame it finished. */
  push(chunk: Buffer): LogChunk[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const out: LogChunk[] = [];
    let offset = 0;
    while (this.#pending.length - offset >= 8) {
      const type = this.#pending[offset] as number;
      const size = this.#pending.readUInt32BE(offset + 4);
      if (this.#pending.length - offset - 8 < size) break;
      const data = this.#pending.subarray(offset + 8, offset + 8 + size);
      offset += 8 + size;
      // 0 = stdin (written back by a TTY-less attach), 1 = stdout, 2 = stderr
      if (size > 0) out.push({ stream: type === 2 ? "stderr" : "stdout", data: Buffer.from(data) });
    }
    this.#pending = offset === 0 ? this.#pending : Buffer.from(this.#pending.subarray(offset));
    return out;
  }

  /** Bytes of an unfinished frame still held back. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}

async function* demuxed(stream: AsyncIterable<Buffer | string>, tty: boolean, signal?: AbortSignal): AsyncGenerator<LogChunk> {
  const demux = new StreamDemuxer();
  try {
    for await (const raw of stream) {
      const chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
      if (tty) {
        if (chunk.length > 0) yield { stream: "stdout", data: chunk };
      } else {
        for (const c of demux.push(chunk)) yield c;
      }
    }
  } catch (e) {
    if (signal?.aborted || isAbort(e)) return;
    if ((e as DockerodeError).code === "ECONNRESET" || (e as Error).message === "aborted") return;
    throw e;
  }
}

/** Split a stream of bytes into JSON-lines objects. */
async function* jsonLines(stream: AsyncIterable<Buffer | string>, signal?: AbortSignal): AsyncGenerator<Json> {
  let buf = "";
  try {
    for await (const raw of stream) {
      buf += typeof raw === "string" ? raw : raw.toString("utf8");
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line !== "") yield JSON.parse(line) as Json;
      }
    }
  } catch (e) {
    if (signal?.aborted || isAbort(e)) return;
    throw e;
  }
  if (buf.trim() !== "") yield JSON.parse(buf) as Json;
}

// ---------------------------------------------------------------------------------------------
// Mapping engine documents to our types

const STATES: readonly ContainerState[] = ["created", "running", "paused", "restarting", "removing", "exited", "dead"];
function toState(s: unknown): ContainerState {
  const v = typeof s === "string" ? s.toLowerCase() : "";
  return (STATES as readonly string[]).includes(v) ? (v as ContainerState) : v === "configured" || v === "initialized" ? "created" : "exited";
}

function toProtocol(p: unknown): PortBinding["protocol"] {
  return p === "udp" || p === "sctp" ? p : "tcp";
}

/**
 * The engine lists a port's IPv4 and IPv6 bindings in no fixed order; IPv4 first (stable otherwise),
 * as `docker ps` shows them and so `port` answers with an address one can dial.
 */
export function ipv4First(bindings: PortBinding[]): PortBinding[] {
  const v6 = (b: PortBinding): number => (b.hostIp?.includes(":") ? 1 : 0);
  return bindings.map((b, i) => ({ b, i })).sort((x, y) => v6(x.b) - v6(y.b) || x.i - y.i).map((x) => x.b);
}

function summaryPorts(ports: unknown): PortBinding[] {
  if (!Array.isArray(ports)) return [];
  return ipv4First(ports.map((p: Json) => {
    const b: PortBinding = { privatePort: Number(p["PrivatePort"]), protocol: toProtocol(p["Type"]) };
    if (typeof p["IP"] === "string" && p["IP"] !== "") b.hostIp = p["IP"];
    if (p["PublicPort"] !== undefined && p["PublicPort"] !== null) b.publicPort = Number(p["PublicPort"]);
    return b;
  }));
}

function inspectPorts(ports: unknown): PortBinding[] {
  if (!ports || typeof ports !== "object") return [];
  const out: PortBinding[] = [];
  for (const [key, bindings] of Object.entries(ports as Json)) {
    const [port, proto] = key.split("/");
    const privatePort = Number(port);
    const protocol = toProtocol(proto);
    if (!Array.isArray(bindings) || bindings.length === 0) {
      out.push({ privatePort, protocol });
      continue;
    }
    for (const b of bindings as Json[]) {
      const pb: PortBinding = { privatePort, protocol };
      if (typeof b["HostIp"] === "string" && b["HostIp"] !== "") pb.hostIp = b["HostIp"];
      if (b["HostPort"] !== undefined && b["HostPort"] !== "") pb.publicPort = Number(b["HostPort"]);
      out.push(pb);
    }
  }
  return ipv4First(out);
}

function toSummary(c: Json): ContainerSummary {
  const names = Array.isArray(c["Names"]) ? (c["Names"] as string[]) : [];
  return {
    id: c["Id"],
    name: (names[0] ?? "").replace(/^\//, ""),
    image: c["Image"] ?? "",
    imageId: c["ImageID"] ?? "",
    command: c["Command"] ?? "",
    created: Number(c["Created"] ?? 0),
    state: toState(c["State"]),
    status: c["Status"] ?? "",
    labels: c["Labels"] ?? {},
    ports: summaryPorts(c["Ports"]),
    networks: Object.keys(c["NetworkSettings"]?.["Networks"] ?? {}),
    ...summaryMounts(c["Mounts"]),
  };
}

/** The list's mount points; left out when the engine does not give them as objects (then nothing is inferred from them). */
function summaryMounts(raw: unknown): { mounts?: ContainerSummary["mounts"] } {
  if (!Array.isArray(raw) || raw.some((m) => m === null || typeof m !== "object")) return {};
  return {
    mounts: (raw as Json[]).map((m) => ({
      name: String(m["Name"] || m["Source"] || ""),
      ...(typeof m["Driver"] === "string" && m["Driver"] !== "" ? { driver: m["Driver"] as string } : {}),
    })),
  };
}

function toDetails(c: Json): ContainerDetails {
  const st: Json = c["State"] ?? {};
  const state: ContainerDetails["state"] = {
    status: toState(st["Status"]),
    running: st["Running"] === true,
    exitCode: Number(st["ExitCode"] ?? 0),
    oomKilled: st["OOMKilled"] === true,
  };
  if (st["StartedAt"]) state.startedAt = st["StartedAt"];
  if (st["FinishedAt"]) state.finishedAt = st["FinishedAt"];
  if (st["Error"]) state.error = st["Error"];
  const h: Json | undefined = st["Health"];
  if (h) {
    const status = h["Status"];
    state.health = {
      status: status === "starting" || status === "healthy" || status === "unhealthy" ? status : "none",
      failingStreak: Number(h["FailingStreak"] ?? 0),
      log: (Array.isArray(h["Log"]) ? (h["Log"] as Json[]) : []).map((l) => ({
        exitCode: Number(l["ExitCode"] ?? 0),
        output: String(l["Output"] ?? ""),
        start: String(l["Start"] ?? ""),
        end: String(l["End"] ?? ""),
      })),
    };
  }
  const networks: ContainerDetails["networks"] = {};
  for (const [name, n] of Object.entries((c["NetworkSettings"]?.["Networks"] ?? {}) as Json)) {
    const ep: ContainerDetails["networks"][string] = { aliases: Array.isArray(n?.["Aliases"]) ? n["Aliases"] : [], networkId: n?.["NetworkID"] ?? "" };
    if (n?.["IPAddress"]) ep.ipAddress = n["IPAddress"];
    networks[name] = ep;
  }
  return {
    id: c["Id"],
    name: String(c["Name"] ?? "").replace(/^\//, ""),
    image: c["Image"] ?? "",
    created: c["Created"] ?? "",
    labels: c["Config"]?.["Labels"] ?? {},
    state,
    restartCount: Number(c["RestartCount"] ?? 0),
    tty: c["Config"]?.["Tty"] === true,
    openStdin: c["Config"]?.["OpenStdin"] === true,
    ports: inspectPorts(c["NetworkSettings"]?.["Ports"]),
    networks,
    mounts: (Array.isArray(c["Mounts"]) ? (c["Mounts"] as Json[]) : []).map((m) => {
      const mount: ContainerDetails["mounts"][number] = {
        type: m["Type"] ?? "",
        source: m["Source"] ?? "",
        destination: m["Destination"] ?? "",
        rw: m["RW"] !== false,
      };
      if (m["Name"]) mount.name = m["Name"];
      return mount;
    }),
    raw: c,
  };
}

function toNetwork(n: Json): NetworkSummary {
  const containers: NetworkSummary["containers"] = {};
  for (const [id, c] of Object.entries((n["Containers"] ?? {}) as Json)) containers[id] = { name: c?.["Name"] ?? "" };
  const ipam: Json = n["IPAM"] ?? {};
  return {
    id: n["Id"] ?? n["ID"] ?? "",
    name: n["Name"] ?? "",
    driver: n["Driver"] ?? "",
    labels: n["Labels"] ?? {},
    internal: n["Internal"] === true,
    attachable: n["Attachable"] === true,
    enableIPv6: n["EnableIPv6"] === true,
    ipam: {
      driver: ipam["Driver"] ?? "default",
      config: (Array.isArray(ipam["Config"]) ? (ipam["Config"] as Json[]) : []).map((c) => {
        const out: NetworkSummary["ipam"]["config"][number] = {};
        if (c["Subnet"]) out.subnet = c["Subnet"];
        if (c["Gateway"]) out.gateway = c["Gateway"];
        if (c["IPRange"]) out.ipRange = c["IPRange"];
        return out;
      }),
      options: ipam["Options"] ?? {},
    },
    options: n["Options"] ?? {},
    containers,
  };
}

function toVolume(v: Json): VolumeSummary {
  return {
    name: v["Name"] ?? "",
    driver: v["Driver"] ?? "",
    labels: v["Labels"] ?? {},
    mountpoint: v["Mountpoint"] ?? "",
    options: v["Options"] ?? {},
  };
}

function toProgress(m: Json): ProgressMessage {
  const p: ProgressMessage = {};
  if (typeof m["id"] === "string") p.id = m["id"];
  if (typeof m["status"] === "string") p.status = m["status"];
  if (typeof m["progress"] === "string") p.progress = m["progress"];
  if (typeof m["stream"] === "string") p.stream = m["stream"];
  const d: Json | undefined = m["progressDetail"];
  if (d && typeof d["current"] === "number") p.current = d["current"];
  if (d && typeof d["total"] === "number") p.total = d["total"];
  return p;
}

/** The error carried inside a progress message, if any. */
function streamError(m: Json): string | undefined {
  const detail = m["errorDetail"]?.["message"];
  if (typeof detail === "string" && detail !== "") return detail;
  if (typeof m["error"] === "string" && m["error"] !== "") return m["error"];
  if (m["error"] && typeof m["error"] === "object") return JSON.stringify(m["error"]);
  return undefined;
}

/** The libpod API version when the /version document comes from Podman, else undefined. */
export function podmanApiVersion(v: Json): string | undefined {
  const components = Array.isArray(v["Components"]) ? (v["Components"] as Json[]) : [];
  const podman = components.find((c) => /podman/i.test(String(c["Name"] ?? "")));
  if (podman) return String(podman["Details"]?.["APIVersion"] ?? podman["Version"] ?? "4.0.0");
  return /podman/i.test(String(v["Platform"]?.["Name"] ?? "")) ? "4.0.0" : undefined;
}

/**
 * Whether a running container's healthcheck is overdue: its last result (or its start, before
 * the first one) is older than the interval. Podman schedules healthchecks with systemd timers;
 * without systemd (containers, CI) they never run and the status stays "starting" forever.
 */
export function healthcheckOverdue(c: Json, now: number): boolean {
  const st: Json = c["State"] ?? {};
  const test = c["Config"]?.["Healthcheck"]?.["Test"];
  if (st["Running"] !== true || !st["Health"] || !Array.isArray(test) || test.length === 0 || test[0] === "NONE") return false;
  const log = Array.isArray(st["Health"]["Log"]) ? (st["Health"]["Log"] as Json[]) : [];
  const lastText = log.length > 0 ? String(log[log.length - 1]?.["End"] ?? "") : String(st["StartedAt"] ?? "");
  const last = Date.parse(lastText);
  if (!Number.isFinite(last) || last <= 0) return false;
  const intervalNs = Number(c["Config"]["Healthcheck"]["Interval"] ?? 0);
  const intervalMs = intervalNs > 0 ? intervalNs / 1e6 : 30_000;
  return now - last >= intervalMs;
}

const HEALTH_SUFFIX: Record<string, string> = { healthy: " (healthy)", unhealthy: " (unhealthy)", starting: " (health: starting)" };

// ---------------------------------------------------------------------------------------------

/**
 * Write `input` to a hijacked exec/attach connection, then half-close it (the process sees EOF).
 * `stop` (the command ended) stops reading `input` at once, even if it never ends (an open pipe).
 */
async function feedStdin(stream: Duplex, input: AsyncIterable<Buffer | string>, stop: AbortSignal): Promise<void> {
  const it = input[Symbol.asyncIterator]();
  const stopped = new Promise<undefined>((resolve) => stop.addEventListener("abort", () => resolve(undefined), { once: true }));
  try {
    for (;;) {
      const next = await Promise.race([it.next(), stopped]);
      if (next === undefined || next.done || stream.destroyed || stream.writableEnded) break;
      if (!stream.write(next.value)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stream.off("drain", done);
            stream.off("close", done);
            resolve();
          };
          stream.once("drain", done);
          stream.once("close", done);
        });
      }
    }
  } finally {
    // A stream's iterator cannot return while a read is pending: destroy the stream itself.
    const destroy = (input as { destroy?: () => void }).destroy;
    if (stop.aborted && typeof destroy === "function") destroy.call(input);
    else void Promise.resolve(it.return?.()).catch(() => {});
  }
  if (!stop.aborted && !stream.destroyed && !stream.writableEnded) stream.end();
}

/** Docker's stats document → the figures `docker stats` prints (its CPU and memory formulas). */
export function containerStats(st: Json): ContainerStats {
  const cpu: Json = st["cpu_stats"] ?? {};
  const pre: Json = st["precpu_stats"] ?? {};
  const cpuDelta = Number(cpu["cpu_usage"]?.["total_usage"] ?? 0) - Number(pre["cpu_usage"]?.["total_usage"] ?? 0);
  const systemDelta = Number(cpu["system_cpu_usage"] ?? 0) - Number(pre["system_cpu_usage"] ?? 0);
  const cpus = Number(cpu["online_cpus"] ?? (cpu["cpu_usage"]?.["percpu_usage"] as unknown[] | undefined)?.length ?? 1) || 1;
  const cpuPercent = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
  const mem: Json = st["memory_stats"] ?? {};
  const memStats: Json = mem["stats"] ?? {};
  // The page cache is not the container's: cgroup v1 reports it as total_inactive_file/cache, v2 as inactive_file.
  const cache = Number(memStats["total_inactive_file"] ?? memStats["inactive_file"] ?? memStats["cache"] ?? 0);
  const usage = Math.max(0, Number(mem["usage"] ?? 0) - cache);
  let rx = 0;
  let tx = 0;
  for (const n of Object.values((st["networks"] ?? {}) as Record<string, Json>)) {
    rx += Number(n["rx_bytes"] ?? 0);
    tx += Number(n["tx_bytes"] ?? 0);
  }
  let read = 0;
  let write = 0;
  for (const e of (st["blkio_stats"]?.["io_service_bytes_recursive"] ?? []) as Json[]) {
    const op = String(e["op"] ?? "").toLowerCase();
    if (op === "read") read += Number(e["value"] ?? 0);
    if (op === "write") write += Number(e["value"] ?? 0);
  }
  return { cpuPercent, memoryUsage: usage, memoryLimit: Number(mem["limit"] ?? 0), networkRx: rx, networkTx: tx, blockRead: read, blockWrite: write, pids: Number(st["pids_stats"]?.["current"] ?? 0) };
}

export class DockerEngine implements Engine {
  readonly endpoint: EndpointConfig;
  readonly docker: Docker;
  /** The engine's /version document, read once (it tells Docker from Podman). */
  #version: Promise<Json> | undefined;
  /** Podman healthchecks this adapter is running, by container id (one at a time each). */
  readonly #healthRuns = new Map<string, Promise<void>>();

  /** Registry credentials for pulls and pushes (none: anonymous). */
  readonly #auth: RegistryAuth | undefined;

  constructor(endpoint: EndpointConfig, engineOptions: DockerEngineOptions = {}) {
    this.endpoint = endpoint;
    this.#auth = engineOptions.registryAuth;
    const options: Docker.DockerOptions = {};
    if (endpoint.kind === "unix" || endpoint.kind === "npipe") {
      options.socketPath = endpoint.socketPath ?? "/var/run/docker.sock";
    } else {
      options.host = endpoint.host ?? "localhost";
      options.port = endpoint.port ?? 2375;
      if (endpoint.tls) {
        options.protocol = "https";
        if (endpoint.tls.ca !== undefined) options.ca = endpoint.tls.ca;
        if (endpoint.tls.cert !== undefined) options.cert = endpoint.tls.cert;
        if (endpoint.tls.key !== undefined) options.key = endpoint.tls.key;
      } else {
        options.protocol = "http";
      }
    }
    this.docker = new (loadDockerode())(options);
  }

  /** Turn whatever dockerode threw into an EngineError (or pass our own errors through). */
  #fail(e: unknown, what: string, codeFor?: (status: number | undefined, message: string) => ErrorCode | undefined): FlotillaError {
    if (e instanceof FlotillaError) return e;
    if (isAbort(e)) return abortedError(e);
    const err = e as DockerodeError;
    if (err && typeof err.code === "string" && CONNECTION_CODES.has(err.code) && err.statusCode === undefined) {
      return unreachable(this.endpoint, e);
    }
    const status = statusOf(e);
    const message = err instanceof Error ? engineMessage(err) : String(e);
    let code: ErrorCode = codeFor?.(status, message) ?? "ENGINE";
    if (code === "ENGINE" && /port is already allocated|address already in use/i.test(message)) code = "PORT_ALLOCATED";
    const hint =
      code === "PORT_ALLOCATED"
        ? "another container or process uses this host port: stop it or publish a different port"
        : code === "IMAGE_NOT_FOUND"
          ? /does not match the specified platform/i.test(message)
            ? "the local image is for another platform: pull or build it for the service's platform, or remove platform:"
            : "pull or build the image first (flotilla pull / flotilla build)"
          : undefined;
    return new EngineError(code, `${what}: ${message}`, {
      ...(status !== undefined ? { statusCode: status } : {}),
      ...(hint !== undefined ? { hint } : {}),
      cause: e,
    });
  }

  async info(): Promise<EngineInfo> {
    let v: Json;
    try {
      v = await this.#readVersion();
    } catch (e) {
      throw this.#fail(e, "cannot read the engine version");
    }
    const podman = podmanApiVersion(v) !== undefined;
    return {
      endpoint: this.endpoint.url,
      host: this.endpoint.kind === "tcp" ? (this.endpoint.host ?? "localhost") : "localhost",
      serverVersion: String(v["Version"] ?? ""),
      apiVersion: String(v["ApiVersion"] ?? ""),
      os: String(v["Os"] ?? ""),
      arch: String(v["Arch"] ?? ""),
      flavor: podman ? "podman" : "docker",
    };
  }

  #readVersion(): Promise<Json> {
    if (this.#version === undefined) {
      const p = this.docker.version() as unknown as Promise<Json>;
      this.#version = p;
      p.catch(() => {
        if (this.#version === p) this.#version = undefined; // try again next time
      });
    }
    return this.#version;
  }

  /** The libpod API version when the engine is Podman; undefined for Docker (or when unknown). */
  async #podman(): Promise<string | undefined> {
    try {
      return podmanApiVersion(await this.#readVersion());
    } catch {
      return undefined;
    }
  }

  /** GET a libpod (Podman-native) endpoint, e.g. `/containers/json`. */
  #libpodGet(api: string, path: string, query: Json = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(
        {
          path: `/v${api}/libpod${path}?`,
          method: "GET",
          options: query,
          statusCodes: { 200: true, 404: "no such container", 409: "conflict", 500: "server error" },
        } as unknown as Parameters<typeof this.docker.modem.dial>[0],
        (err: unknown, data: unknown) => (err ? reject(err) : resolve(data)),
      );
    });
  }

  /**
   * Run an overdue Podman healthcheck now (libpod's healthcheck endpoint runs it and records the
   * result), so health-based waits progress without systemd. Failures are ignored: the caller
   * sees the state as it is.
   */
  async #runHealthcheck(api: string, id: string): Promise<void> {
    let run = this.#healthRuns.get(id);
    if (!run) {
      run = this.#libpodGet(api, `/containers/${encodeURIComponent(id)}/healthcheck`).then(
        () => undefined,
        () => undefined,
      );
      this.#healthRuns.set(id, run);
      void run.finally(() => this.#healthRuns.delete(id));
    }
    await run;
  }

  /** Ping once (10 s at most, so a black-holed TCP host does not hang the CLI). */
  async ping(timeoutMs = 10_000): Promise<void> {
    try {
      await (this.docker.ping as (opts: { abortSignal: AbortSignal }) => Promise<unknown>).call(this.docker, {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw unreachable(this.endpoint, e);
    }
  }

  // --- containers ----------------------------------------------------------------------------

  async listContainers(filter: { labels: LabelFilter; all?: boolean }): Promise<ContainerSummary[]> {
    try {
      const filters = filtersParam({ label: labelFilters(filter.labels) });
      const list = ((await this.docker.listContainers({ all: filter.all ?? false, filters })) as unknown as Json[]).filter((c) =>
        matchesLabels(c["Labels"], filter.labels),
      );
      const api = list.length > 0 ? await this.#podman() : undefined;
      if (api !== undefined) await this.#podmanSummaries(api, list, filter.all ?? false, filters);
      return list.map(toSummary);
    } catch (e) {
      throw this.#fail(e, "cannot list containers");
    }
  }

  /**
   * Podman's Docker-compatible list leaves the health out of `Status` ("Up 3 minutes", where Docker
   * says "Up 3 minutes (healthy)") and names images fully qualified (`localhost/app:1`): add the
   * health from libpod's own list and show the names as Docker would.
   */
  async #podmanSummaries(api: string, list: Json[], all: boolean, filters: string): Promise<void> {
    for (const c of list) {
      if (typeof c["Image"] === "string") c["Image"] = familiarImageName(c["Image"]);
    }
    if (!list.some((c) => c["State"] === "running")) return;
    let native: Json[];
    try {
      native = (await this.#libpodGet(api, "/containers/json", { all, filters })) as Json[];
    } catch {
      return; // best effort: the summaries stay as the compat API gave them
    }
    const health = new Map<string, string>();
    for (const n of Array.isArray(native) ? native : []) {
      if (typeof n["Id"] === "string" && typeof n["Status"] === "string") health.set(n["Id"], n["Status"]);
    }
    for (const c of list) {
      const suffix = HEALTH_SUFFIX[health.get(c["Id"]) ?? ""];
      if (suffix && c["State"] === "running" && typeof c["Status"] === "string" && !c["Status"].includes("(")) c["Status"] += suffix;
    }
  }

  async inspectContainer(idOrName: string): Promise<ContainerDetails | undefined> {
    try {
      let raw = (await this.docker.getContainer(idOrName).inspect()) as unknown as Json;
      if (healthcheckOverdue(raw, Date.now())) {
        const api = await this.#podman();
        if (api !== undefined) {
          await this.#runHealthcheck(api, String(raw["Id"]));
          raw = (await this.docker.getContainer(idOrName).inspect()) as unknown as Json;
        }
      }
      return toDetails(raw);
    } catch (e) {
      if (is404(e)) return undefined;
      throw this.#fail(e, `cannot inspect container ${idOrName}`);
    }
  }

  async createContainer(spec: ContainerCreateSpec): Promise<string> {
    try {
      const body = (await this.#podman()) !== undefined ? withDockerStopTimeout(spec) : spec;
      const c = await this.docker.createContainer({ ...body } as unknown as Docker.ContainerCreateOptions);
      return c.id;
    } catch (e) {
      throw this.#fail(e, `cannot create container ${spec.name}`, (status, message) =>
        status === 404 || /no such image/i.test(message) ? "IMAGE_NOT_FOUND" : undefined,
      );
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      if (statusOf(e) === 304) return; // already started
      throw this.#fail(e, `cannot start container ${id}`);
    }
  }

  async stopContainer(id: string, timeout?: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop(timeout !== undefined ? { t: timeout } : {});
    } catch (e) {
      if (statusOf(e) === 304) return; // already stopped
      throw this.#fail(e, `cannot stop container ${id}`);
    }
  }

  async restartContainer(id: string, timeout?: number): Promise<void> {
    try {
      await this.docker.getContainer(id).restart(timeout !== undefined ? { t: timeout } : {});
    } catch (e) {
      throw this.#fail(e, `cannot restart container ${id}`);
    }
  }

  async killContainer(id: string, signal?: string): Promise<void> {
    try {
      await this.docker.getContainer(id).kill(signal !== undefined ? { signal } : {});
    } catch (e) {
      throw this.#fail(e, `cannot kill container ${id}`);
    }
  }

  async pauseContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).pause();
    } catch (e) {
      throw this.#fail(e, `cannot pause container ${id}`);
    }
  }

  async unpauseContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).unpause();
    } catch (e) {
      throw this.#fail(e, `cannot unpause container ${id}`);
    }
  }

  async removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: options.force ?? false, v: options.volumes ?? false });
    } catch (e) {
      if (is404(e)) return; // already gone
      // "removal of container X is already in progress" — someone else is removing it.
      if (statusOf(e) === 409 && /already in progress/i.test(engineMessage(e as DockerodeError))) return;
      throw this.#fail(e, `cannot remove container ${id}`);
    }
  }

  async renameContainer(id: string, name: string): Promise<void> {
    try {
      await this.docker.getContainer(id).rename({ name });
    } catch (e) {
      throw this.#fail(e, `cannot rename container ${id} to ${name}`);
    }
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) throw abortedError(signal.reason);
    try {
      const r = (await this.docker.getContainer(id).wait(signal ? { abortSignal: signal } : {})) as Json;
      if (r["Error"]?.["Message"]) throw new EngineError("ENGINE", `waiting for container ${id}: ${r["Error"]["Message"]}`);
      return Number(r["StatusCode"] ?? 0);
    } catch (e) {
      if (signal?.aborted) throw abortedError(signal.reason);
      throw this.#fail(e, `cannot wait for container ${id}`);
    }
  }

  async #isTty(id: string): Promise<boolean> {
    const details = await this.inspectContainer(id);
    if (!details) throw new EngineError("ENGINE", `no such container: ${id}`, { statusCode: 404 });
    return (details.raw as Json)["Config"]?.["Tty"] === true;
  }

  logs(id: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogChunk> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const tty = await self.#isTty(id);
        const query: Json = {
          follow: options.follow ?? false,
          stdout: options.stdout ?? true,
          stderr: options.stderr ?? true,
          timestamps: options.timestamps ?? false,
          tail: options.tail === undefined ? "all" : String(options.tail),
        };
        if (options.since !== undefined) query["since"] = options.since;
        if (options.until !== undefined) query["until"] = options.until;
        if (signal?.aborted) return;
        let stream: Readable;
        try {
          // Dial directly so the body is always a stream (dockerode buffers and JSON-parses it
          // when not following, which would mangle output that happens to be JSON).
          stream = await new Promise<Readable>((resolve, reject) => {
            self.docker.modem.dial(
              {
                path: `/containers/${encodeURIComponent(id)}/logs?`,
                method: "GET",
                isStream: true,
                statusCodes: { 200: true, 404: "no such container", 500: "server error" },
                options: query,
                ...(signal ? { abortSignal: signal } : {}),
              } as unknown as Parameters<typeof self.docker.modem.dial>[0],
              (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as Readable)),
            );
          });
        } catch (e) {
          if (signal?.aborted) return;
          throw self.#fail(e, `cannot read the logs of container ${id}`);
        }
        const onAbort = (): void => {
          stream.destroy();
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
          yield* demuxed(stream as AsyncIterable<Buffer>, tty, signal);
        } finally {
          signal?.removeEventListener("abort", onAbort);
          stream.destroy();
        }
      },
    };
  }

  async exec(id: string, options: ExecOptions, signal?: AbortSignal): Promise<ExecResult> {
    if (signal?.aborted) throw abortedError(signal.reason);
    const container = this.docker.getContainer(id);
    const detach = options.detach === true;
    let exec: Docker.Exec;
    try {
      const create: Docker.ExecCreateOptions = {
        Cmd: options.cmd,
        AttachStdout: !detach,
        AttachStderr: !detach,
        AttachStdin: options.stdin !== undefined && !detach,
        Tty: options.tty ?? false,
      };
      if (options.user !== undefined) create.User = options.user;
      if (options.env !== undefined) create.Env = options.env;
      if (options.workingDir !== undefined) create.WorkingDir = options.workingDir;
      if (options.privileged !== undefined) create.Privileged = options.privileged;
      exec = await container.exec(create);
      if (detach) {
        // The engine answers at once with an empty body: drain it, or the socket keeps the process alive.
        const reply = (await exec.start({ Detach: true, Tty: options.tty ?? false })) as unknown as Readable | undefined;
        if (reply && typeof reply.resume === "function") {
          await new Promise<void>((resolve) => {
            reply.once("end", resolve).once("close", resolve).once("error", () => resolve());
            reply.resume();
          });
        }
        return { exitCode: 0, stdout: "", stderr: "" };
      }
    } catch (e) {
      throw this.#fail(e, `cannot exec in container ${id}`);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    try {
      const stream = (await exec.start({ hijack: true, stdin: options.stdin !== undefined, Tty: options.tty ?? false })) as unknown as Duplex;
      // stdin is written while the output is read; its end half-closes the connection (EOF for the command).
      const stopFeeding = new AbortController();
      const feeding = options.stdin ? feedStdin(stream, options.stdin, stopFeeding.signal) : Promise.resolve();
      feeding.catch(() => {});
      if (options.tty) {
        const resize = (size: TtySize): void => void exec.resize({ h: size.rows, w: size.cols }).catch(() => {});
        if (options.ttySize) resize(options.ttySize);
        options.onResizable?.(resize);
      }
      const onAbort = (): void => {
        stream.destroy();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        for await (const c of demuxed(stream as AsyncIterable<Buffer>, options.tty ?? false, signal)) {
          if (options.onOutput) options.onOutput(c);
          else (c.stream === "stderr" ? err : out).push(c.data);
        }
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
      if (signal?.aborted) throw abortedError(signal.reason);
      // The command ended: stop reading stdin (it may be a pipe that never closes). A command that
      // exits without reading all of it is not an error.
      stopFeeding.abort();
      await feeding.catch(() => {});
      // The exit code can lag the end of the stream by a moment.
      for (let i = 0; ; i++) {
        const info = (await exec.inspect()) as unknown as Json;
        if (info["Running"] !== true && info["ExitCode"] !== null && info["ExitCode"] !== undefined) {
          return {
            exitCode: Number(info["ExitCode"]),
            stdout: Buffer.concat(out).toString("utf8"),
            stderr: Buffer.concat(err).toString("utf8"),
          };
        }
        if (i >= 100) throw new EngineError("ENGINE", `exec in container ${id} did not report an exit code`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } catch (e) {
      throw this.#fail(e, `exec in container ${id} failed`);
    }
  }

  async stats(id: string): Promise<ContainerStats> {
    let st: Json;
    try {
      st = (await this.docker.getContainer(id).stats({ stream: false })) as unknown as Json;
    } catch (e) {
      throw this.#fail(e, `cannot read the resource usage of container ${id}`);
    }
    return containerStats(st);
  }

  async top(id: string): Promise<ProcessList> {
    try {
      const t = (await this.docker.getContainer(id).top()) as unknown as Json;
      return { titles: (t["Titles"] as string[] | undefined) ?? [], processes: (t["Processes"] as string[][] | undefined) ?? [] };
    } catch (e) {
      throw this.#fail(e, `cannot list the processes of container ${id}`);
    }
  }

  async resizeTty(id: string, size: TtySize): Promise<void> {
    try {
      await this.docker.getContainer(id).resize({ h: size.rows, w: size.cols });
    } catch (e) {
      throw this.#fail(e, `cannot resize the TTY of container ${id}`);
    }
  }

  async attachStdin(id: string, input: AsyncIterable<Buffer | string>, stop: AbortSignal): Promise<void> {
    let stream: Duplex;
    try {
      stream = (await this.docker.getContainer(id).attach({ stream: true, stdin: true, stdout: false, stderr: false, hijack: true })) as unknown as Duplex;
    } catch (e) {
      throw this.#fail(e, `cannot attach to container ${id}`);
    }
    stream.on("error", () => {}); // the container may exit before its input is written
    stream.resume(); // nothing is read from it (stdout and stderr come from logs)
    const close = (): void => {
      stream.destroy();
    };
    // Once the container exited, the connection has nothing more to carry.
    stop.addEventListener("abort", close, { once: true });
    if (stop.aborted) close();
    await feedStdin(stream, input, stop);
  }

  async putArchive(id: string, path: string, tar: Readable | Buffer, options: { copyUIDGID?: boolean } = {}): Promise<void> {
    try {
      await this.docker.getContainer(id).putArchive(tar as unknown as NodeJS.ReadableStream, { path, ...(options.copyUIDGID ? { copyUIDGID: true } : {}) });
    } catch (e) {
      throw this.#fail(e, `cannot copy files to ${path} in container ${id}`);
    }
  }

  async getArchive(id: string, path: string): Promise<Readable> {
    try {
      return (await this.docker.getContainer(id).getArchive({ path })) as unknown as Readable;
    } catch (e) {
      if (is404(e)) throw new EngineError("ENGINE", `no such file or directory in container ${id}: ${path}`, { statusCode: 404 });
      throw this.#fail(e, `cannot copy ${path} from container ${id}`);
    }
  }

  async statPath(id: string, path: string): Promise<{ isDirectory: boolean } | undefined> {
    try {
      // HEAD /containers/{id}/archive: the X-Docker-Container-Path-Stat header, base64 JSON with the mode.
      // dockerode hands back the response itself (a stream): read its headers, then close it, or
      // its socket keeps the process alive.
      const res = (await this.docker.getContainer(id).infoArchive({ path })) as unknown as { headers: Record<string, string>; destroy?: () => void };
      const raw = res.headers["x-docker-container-path-stat"];
      res.destroy?.();
      if (!raw) return { isDirectory: false };
      const stat = JSON.parse(Buffer.from(raw, "base64").toString("utf8")) as { mode?: number };
      // Go's os.ModeDir is the top bit of a 32-bit mode.
      return { isDirectory: ((stat.mode ?? 0) & 0x80000000) !== 0 };
    } catch (e) {
      if (is404(e)) return undefined;
      throw this.#fail(e, `cannot look up ${path} in container ${id}`);
    }
  }

  // --- networks ------------------------------------------------------------------------------

  /** `name` matches exactly (the engine's name filter matches substrings; we narrow it). */
  async listNetworks(filter: { labels?: LabelFilter; name?: string }): Promise<NetworkSummary[]> {
    try {
      const filters: Record<string, string[]> = { label: labelFilters(filter.labels) };
      if (filter.name !== undefined) filters["name"] = [filter.name];
      const list = (await this.docker.listNetworks({ filters: filtersParam(filters) })) as unknown as Json[];
      return list
        .map(toNetwork)
        .filter((n) => (filter.name === undefined || n.name === filter.name) && matchesLabels(n.labels, filter.labels));
    } catch (e) {
      throw this.#fail(e, "cannot list networks");
    }
  }

  async inspectNetwork(idOrName: string): Promise<NetworkSummary | undefined> {
    try {
      return toNetwork((await this.docker.getNetwork(idOrName).inspect()) as Json);
    } catch (e) {
      if (is404(e)) return undefined;
      throw this.#fail(e, `cannot inspect network ${idOrName}`);
    }
  }

  async createNetwork(spec: NetworkCreateSpec): Promise<string> {
    try {
      const n = await this.docker.createNetwork({ CheckDuplicate: true, ...spec } as Docker.NetworkCreateOptions);
      return n.id;
    } catch (e) {
      throw this.#fail(e, `cannot create network ${spec.Name}`);
    }
  }

  /** A missing network is fine. "has active endpoints" throws EngineError("ENGINE") so the caller can retry. */
  async removeNetwork(idOrName: string): Promise<void> {
    try {
      await this.docker.getNetwork(idOrName).remove();
    } catch (e) {
      if (is404(e)) return;
      const f = this.#fail(e, `cannot remove network ${idOrName}`);
      // Podman says "... has associated containers with it ...: network is being used": use
      // Docker's words so callers that retry "has active endpoints" treat both alike.
      if (f.code === "ENGINE" && !/active endpoints/i.test(f.message) && isNetworkInUseMessage(f.message)) {
        throw new EngineError("ENGINE", `cannot remove network ${idOrName}: network has active endpoints (${engineMessage(e as DockerodeError)})`, {
          ...(statusOf(e) !== undefined ? { statusCode: statusOf(e) as number } : {}),
          cause: e,
        });
      }
      throw f;
    }
  }

  async connectNetwork(network: string, containerId: string, endpoint: EndpointSpec): Promise<void> {
    try {
      await this.docker.getNetwork(network).connect({ Container: containerId, EndpointConfig: endpoint });
    } catch (e) {
      throw this.#fail(e, `cannot connect container ${containerId} to network ${network}`);
    }
  }

  async disconnectNetwork(network: string, containerId: string, force?: boolean): Promise<void> {
    try {
      await this.docker.getNetwork(network).disconnect({ Container: containerId, Force: force ?? false });
    } catch (e) {
      throw this.#fail(e, `cannot disconnect container ${containerId} from network ${network}`);
    }
  }

  // --- volumes -------------------------------------------------------------------------------

  async listVolumes(filter: { labels?: LabelFilter }): Promise<VolumeSummary[]> {
    try {
      const r = (await this.docker.listVolumes({ filters: filtersParam({ label: labelFilters(filter.labels) }) })) as unknown as Json;
      return (Array.isArray(r["Volumes"]) ? (r["Volumes"] as Json[]) : []).map(toVolume).filter((v) => matchesLabels(v.labels, filter.labels));
    } catch (e) {
      throw this.#fail(e, "cannot list volumes");
    }
  }

  async inspectVolume(name: string): Promise<VolumeSummary | undefined> {
    try {
      return toVolume((await this.docker.getVolume(name).inspect()) as unknown as Json);
    } catch (e) {
      if (is404(e)) return undefined;
      throw this.#fail(e, `cannot inspect volume ${name}`);
    }
  }

  async createVolume(spec: VolumeCreateSpec): Promise<void> {
    try {
      await this.docker.createVolume({ ...spec } as unknown as Docker.VolumeCreateOptions);
    } catch (e) {
      throw this.#fail(e, `cannot create volume ${spec.Name}`);
    }
  }

  /** A missing volume is fine; a volume in use throws EngineError("ENGINE"). */
  async removeVolume(name: string, force?: boolean): Promise<void> {
    try {
      await this.docker.getVolume(name).remove(force ? { force: true } : {});
    } catch (e) {
      if (is404(e)) return;
      throw this.#fail(e, `cannot remove volume ${name}`);
    }
  }

  // --- images --------------------------------------------------------------------------------

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    try {
      const i = (await this.docker.getImage(ref).inspect()) as unknown as Json;
      return {
        id: i["Id"] ?? "",
        repoTags: familiarRepoTags(Array.isArray(i["RepoTags"]) ? (i["RepoTags"] as string[]) : [], ref),
        repoDigests: i["RepoDigests"] ?? [],
        labels: i["Config"]?.["Labels"] ?? {},
        created: i["Created"] ?? "",
        ...(typeof i["Size"] === "number" ? { size: i["Size"] as number } : {}),
        ...(typeof i["Metadata"]?.["LastTagTime"] === "string" ? { lastTagTime: i["Metadata"]["LastTagTime"] as string } : {}),
        ...(typeof i["Os"] === "string" ? { platform: { os: i["Os"] as string, architecture: String(i["Architecture"] ?? ""), ...(i["Variant"] ? { variant: String(i["Variant"]) } : {}) } } : {}),
      };
    } catch (e) {
      if (is404(e)) return undefined;
      throw this.#fail(e, `cannot inspect image ${ref}`);
    }
  }

  /**
   * Follow a progress stream, checking EVERY message for an error (the engine reports pull and
   * build failures inside a 200 response). Resolves with all messages.
   */
  #follow(stream: Readable, onMessage: (m: Json) => void, signal?: AbortSignal): Promise<Json[]> {
    return new Promise<Json[]>((resolve, reject) => {
      let failed: unknown;
      const onAbort = (): void => {
        stream.destroy();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.docker.modem.followProgress(
        stream,
        (err: unknown, output: Json[]) => {
          signal?.removeEventListener("abort", onAbort);
          if (failed !== undefined) return reject(failed);
          if (signal?.aborted) return reject(abortedError(signal.reason));
          if (err) return reject(err);
          resolve(output);
        },
        (m: Json) => {
          if (failed !== undefined) return;
          try {
            onMessage(m);
          } catch (e) {
            failed = e;
          }
        },
      );
    });
  }

  async commitContainer(id: string, options: CommitOptions): Promise<string> {
    const query: Record<string, unknown> = { pause: options.pause !== false };
    if (options.reference) {
      const { repository, tag } = splitTag(options.reference);
      query["repo"] = repository;
      if (tag) query["tag"] = tag;
    }
    if (options.author) query["author"] = options.author;
    if (options.message) query["comment"] = options.message;
    if (options.changes && options.changes.length > 0) query["changes"] = options.changes;
    try {
      const res = (await this.docker.getContainer(id).commit(query)) as unknown as Json;
      return String(res["Id"] ?? "");
    } catch (e) {
      throw this.#fail(e, `cannot commit container ${id}`);
    }
  }

  async exportContainer(id: string): Promise<Readable> {
    try {
      return (await this.docker.getContainer(id).export()) as unknown as Readable;
    } catch (e) {
      throw this.#fail(e, `cannot export container ${id}`);
    }
  }

  async pullImage(ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal, platform?: string): Promise<void> {
    const authconfig = await this.#registryAuth(ref);
    await this.#transfer("pull", ref, (abort) => this.docker.pull(ref, { ...abort, ...(platform ? { platform } : {}), ...(authconfig ? { authconfig } : {}) }), onProgress, signal);
  }

  async pushImage(ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<void> {
    const authconfig = await this.#registryAuth(ref);
    // The tag is passed on its own: without one the engine would push every tag of the repository.
    const { repository, tag } = splitTag(ref);
    await this.#transfer("push", ref, (abort) => this.docker.getImage(repository).push({ tag, ...abort, ...(authconfig ? { authconfig } : {}) }), onProgress, signal);
  }

  async #registryAuth(ref: string): Promise<AuthConfig | undefined> {
    return this.#auth ? this.#auth(ref) : undefined;
  }

  /** A pull or push: the engine reports failures inside the progress stream, so every message is checked. */
  async #transfer(verb: "pull" | "push", ref: string, open: (abort: { abortSignal?: AbortSignal }) => Promise<unknown>, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortedError(signal.reason);
    const failed = (message: string, status?: number, cause?: unknown): EngineError =>
      new EngineError(verb === "pull" ? "PULL_FAILED" : "PUSH_FAILED", `cannot ${verb} image ${ref}: ${message}`, {
        hint: `check the image name and tag, your network and registry credentials (docker login${verb === "push" ? "; pushing needs write access" : ""})`,
        ...(status !== undefined ? { statusCode: status } : {}),
        ...(cause !== undefined ? { cause } : {}),
      });
    let stream: Readable;
    try {
      stream = (await open(signal ? { abortSignal: signal } : {})) as Readable;
    } catch (e) {
      if (signal?.aborted || isAbort(e)) throw abortedError(e);
      const f = this.#fail(e, `cannot ${verb} image ${ref}`);
      if (f.code === "ENGINE_UNREACHABLE" || f.code === "ABORTED") throw f;
      throw failed(e instanceof Error ? engineMessage(e) : String(e), statusOf(e), e);
    }
    try {
      await this.#follow(
        stream,
        (m) => {
          const error = streamError(m);
          if (error !== undefined) throw failed(error);
          onProgress?.(toProgress(m));
        },
        signal,
      );
    } catch (e) {
      if (e instanceof FlotillaError) throw e;
      throw failed(e instanceof Error ? e.message : String(e), undefined, e);
    }
  }

  async buildImage(spec: BuildSpec, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) throw abortedError(signal.reason);
    const tail: string[] = [];
    const remember = (text: string): void => {
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        tail.push(line.replace(/\r$/, ""));
        if (tail.length > 20) tail.shift();
      }
    };
    const name = spec.tags[0] ?? "image";
    const failed = (message: string, status?: number, cause?: unknown): EngineError => {
      const last = tail.slice(-10);
      return new EngineError(
        "BUILD_FAILED",
        `cannot build ${name}: ${message}${last.length > 0 ? `\n${last.map((l) => `  > ${l}`).join("\n")}` : ""}`,
        {
          hint: "fix the Dockerfile or the build context; the last build output lines are shown above",
          ...(status !== undefined ? { statusCode: status } : {}),
          ...(cause !== undefined ? { cause } : {}),
        },
      );
    };
    // rm + forcerm: no intermediate containers are left behind, even when a step fails.
    const opts: Json = { t: spec.tags, rm: true, forcerm: true };
    if (spec.dockerfile !== undefined) opts["dockerfile"] = spec.dockerfile;
    if (spec.buildargs !== undefined) opts["buildargs"] = spec.buildargs;
    if (spec.target !== undefined) opts["target"] = spec.target;
    if (spec.labels !== undefined) opts["labels"] = spec.labels;
    if (spec.cachefrom !== undefined) opts["cachefrom"] = JSON.stringify(spec.cachefrom);
    if (spec.networkmode !== undefined) opts["networkmode"] = spec.networkmode;
    if (spec.extrahosts !== undefined) opts["extrahosts"] = spec.extrahosts;
    if (spec.shmsize !== undefined) opts["shmsize"] = spec.shmsize;
    if (spec.nocache !== undefined) opts["nocache"] = spec.nocache;
    if (spec.pull !== undefined) opts["pull"] = spec.pull;
    if (spec.platform !== undefined) opts["platform"] = spec.platform;
    if (signal) opts["abortSignal"] = signal;
    let stream: Readable;
    try {
      stream = (await this.docker.buildImage(spec.context as unknown as NodeJS.ReadableStream, opts)) as unknown as Readable;
    } catch (e) {
      if (signal?.aborted || isAbort(e)) throw abortedError(e);
      const f = this.#fail(e, `cannot build ${name}`);
      if (f.code === "ENGINE_UNREACHABLE" || f.code === "ABORTED") throw f;
      throw failed(e instanceof Error ? engineMessage(e) : String(e), statusOf(e), e);
    }
    let imageId: string | undefined;
    try {
      await this.#follow(
        stream,
        (m) => {
          if (typeof m["stream"] === "string") remember(m["stream"]);
          const error = streamError(m);
          if (error !== undefined) throw failed(error.trim());
          const auxId = m["aux"]?.["ID"];
          if (typeof auxId === "string") imageId = auxId;
          const built = typeof m["stream"] === "string" ? /Successfully built ([0-9a-f]+)/.exec(m["stream"]) : null;
          if (built && imageId === undefined) imageId = built[1];
          onProgress?.(toProgress(m));
        },
        signal,
      );
    } catch (e) {
      if (e instanceof FlotillaError) throw e;
      throw failed(e instanceof Error ? e.message : String(e), undefined, e);
    }
    if (imageId === undefined) {
      // Fall back to the tag we asked for.
      const tagged = spec.tags[0] !== undefined ? await this.inspectImage(spec.tags[0]) : undefined;
      if (tagged) return tagged.id;
      throw failed("the engine did not report the built image id");
    }
    if (!imageId.startsWith("sha256:") && /^[0-9a-f]+$/.test(imageId)) {
      const full = await this.inspectImage(imageId);
      if (full) imageId = full.id;
    }
    return imageId;
  }

  async removeImage(ref: string, force?: boolean): Promise<void> {
    try {
      await this.docker.getImage(ref).remove(force ? { force: true } : {});
    } catch (e) {
      if (is404(e)) return;
      throw this.#fail(e, `cannot remove image ${ref}`);
    }
  }

  async tagImage(ref: string, repo: string, tag: string): Promise<void> {
    try {
      await this.docker.getImage(ref).tag({ repo, tag });
    } catch (e) {
      throw this.#fail(e, `cannot tag image ${ref} as ${repo}:${tag}`, (status) => (status === 404 ? "IMAGE_NOT_FOUND" : undefined));
    }
  }

  // --- events --------------------------------------------------------------------------------

  events(filter: { labels?: LabelFilter; since?: number | string; until?: number | string }, signal?: AbortSignal): AsyncIterable<EngineEvent> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        if (signal?.aborted) return;
        const opts: Json = { filters: filtersParam({ label: labelFilters(filter.labels) }) };
        if (filter.since !== undefined) opts["since"] = String(filter.since);
        if (filter.until !== undefined) opts["until"] = String(filter.until);
        if (signal) opts["abortSignal"] = signal;
        let stream: Readable;
        try {
          stream = (await self.docker.getEvents(opts)) as unknown as Readable;
        } catch (e) {
          if (signal?.aborted) return;
          throw self.#fail(e, "cannot read engine events");
        }
        const onAbort = (): void => {
          stream.destroy();
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
          for await (const m of jsonLines(stream as AsyncIterable<Buffer>, signal)) {
            const actor: Json = m["Actor"] ?? {};
            const nano = Number(m["timeNano"] ?? 0);
            yield {
              type: String(m["Type"] ?? m["type"] ?? ""),
              action: String(m["Action"] ?? m["status"] ?? ""),
              id: String(actor["ID"] ?? m["id"] ?? ""),
              attributes: (actor["Attributes"] ?? {}) as Record<string, string>,
              time: nano > 0 ? nano / 1e9 : Number(m["time"] ?? 0),
            };
          }
        } finally {
          signal?.removeEventListener("abort", onAbort);
          stream.destroy();
        }
      },
    };
  }
}

function unreachable(endpoint: EndpointConfig, cause: unknown): EngineError {
  return new EngineError("ENGINE_UNREACHABLE", `cannot reach the Docker engine at ${endpoint.url}: is dockerd running?`, {
    hint: "start it (e.g. `sudo systemctl start docker`, or scripts/engine.sh here) or set DOCKER_HOST",
    cause,
  });
}

/** Create the adapter and ping the engine once; ENGINE_UNREACHABLE when it does not answer. */
export interface DockerEngineOptions {
  /** Where pulls and pushes get registry credentials (see registry-auth.ts). */
  registryAuth?: RegistryAuth;
}

/** `host:5000/app:1` → repository `host:5000/app`, tag `1` (`latest` when none; a digest is kept whole). */
export function splitTag(ref: string): { repository: string; tag: string } {
  if (ref.includes("@")) return { repository: ref, tag: "" };
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  return colon > slash ? { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repository: ref, tag: "latest" };
}

export async function connectEngine(endpoint: EndpointConfig, options: DockerEngineOptions = {}): Promise<DockerEngine> {
  const engine = new DockerEngine(endpoint, options);
  await engine.ping();
  return engine;
}
