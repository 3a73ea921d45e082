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
import { Readable } from "node:stream";
import * as tarStream from "tar-stream";
import { EngineError, FlotillaError } from "../../src/errors.js";
import type { CommitOptions, ContainerStats, Engine, ExecOptions, ExecResult, LogChunk, LogOptions, ProcessList, TtySize } from "../../src/runtime/engine.js";
import { FakeContainers } from "./fake-containers.js";
import { normalizeImageRef, tick, volumeMounts, type FakeImage } from "./fake-model.js";
import { emulateCommand } from "./fake-shell.js";

export { emulateCommand, type EmulatedRun } from "./fake-shell.js";
export { FakeScript, normalizeImageRef, type FakeCall } from "./fake-model.js";

export class FakeEngine extends FakeContainers implements Engine {
  logs(id: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogChunk> {
    this.record("logs", id, options);
    return this.logStream(id, options, signal);
  }

  private async *logStream(id: string, options: LogOptions, signal?: AbortSignal): AsyncGenerator<LogChunk> {
    const c = this.getContainer(id);
    const wantOut = options.stdout ?? true;
    const wantErr = options.stderr ?? true;
    const keep = (chunk: LogChunk): boolean => (chunk.stream === "stdout" ? wantOut : wantErr);
    let i = typeof options.tail === "number" ? Math.max(0, c.logs.length - options.tail) : 0;
    for (;;) {
      for (let chunk = c.logs[i]; chunk !== undefined; chunk = c.logs[++i]) {
        if (keep(chunk)) yield { stream: chunk.stream, data: Buffer.from(chunk.data) };
      }
      const alive = this.containers.has(c.id) && (c.state === "running" || c.state === "paused" || c.state === "restarting");
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
  }

  async exec(id: string, options: ExecOptions, signal?: AbortSignal): Promise<ExecResult> {
    this.record("exec", id, options);
    await tick();
    if (signal?.aborted) throw new FlotillaError("ABORTED", "the operation was cancelled");
    const c = this.getContainer(id);
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
    this.record("commitContainer", id, options);
    const c = this.getContainer(id);
    const imageId = `sha256:${this.newId("c")}`;
    const now = new Date(this.clock()).toISOString();
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
    this.record("exportContainer", id);
    const c = this.getContainer(id);
    const pack = tarStream.pack();
    for (const [file, data] of [...c.files.entries()].sort(([a], [b]) => a.localeCompare(b))) pack.entry({ name: file.replace(/^\//, "") }, data);
    pack.finalize();
    return pack as unknown as Readable;
  }

  async putArchive(id: string, path: string, tar: Readable | Buffer, options: { copyUIDGID?: boolean } = {}): Promise<void> {
    this.record("putArchive", id, path, options);
    const c = this.getContainer(id);
    const extract = tarStream.extract();
    const source = Buffer.isBuffer(tar) ? Readable.from([tar]) : tar;
    source.pipe(extract);
    const base = path.endsWith("/") ? path : `${path}/`;
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const name = entry.header.name.replace(/^\.\//, "").replace(/^\//, "");
      if (entry.header.type === "file" || entry.header.type === "contiguous-file") {
        const full = `${base}${name}`.replace(/\/+/g, "/");
        const data = Buffer.concat(chunks);
        // Under a volume the container mounts: the file lands in the volume (with its mode and owner), as on the engine.
        const mount = volumeMounts(c.spec).find((m) => full.startsWith(`${m.target.replace(/\/+$/, "")}/`));
        const volume = mount ? this.volumes.get(mount.volume) : undefined;
        if (mount && volume) {
          const header = entry.header;
          volume.files.set(full.slice(mount.target.replace(/\/+$/, "").length + 1), { data, mode: (header.mode ?? 0o644) & 0o7777, uid: header.uid ?? 0, gid: header.gid ?? 0 });
        } else c.files.set(full, data);
      }
    }
  }

  /** Reads all of `input` (until `stop`); a container running `cat` with stdin open echoes it and exits. */
  async attachStdin(id: string, input: AsyncIterable<Buffer | string>, stop: AbortSignal): Promise<void> {
    this.record("attachStdin", id);
    const c = this.getContainer(id);
    const chunks: Buffer[] = [];
    let done!: (data: Buffer) => void;
    c.stdin = new Promise<Buffer>((resolve) => (done = resolve));
    for await (const chunk of input) {
      if (stop.aborted) break;
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    }
    done(Buffer.concat(chunks));
  }

  /** A tar of one tracked file (named by its base name) or of a directory's tracked files. */
  async getArchive(id: string, path: string): Promise<Readable> {
    this.record("getArchive", id, path);
    const c = this.getContainer(id);
    const clean = path.replace(/\/+$/, "") || "/";
    const base = clean.slice(clean.lastIndexOf("/") + 1);
    const pack = tarStream.pack();
    const file = c.files.get(clean);
    if (file !== undefined) {
      pack.entry({ name: base, mode: 0o644 }, file);
    } else {
      const prefix = clean === "/" ? "/" : `${clean}/`;
      const inside = [...c.files.entries()].filter(([f]) => f.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b));
      if (inside.length === 0 && clean !== "/") throw new EngineError("NOT_FOUND", `no such file or directory in container ${id}: ${path}`, { statusCode: 404 });
      for (const [f, data] of inside) pack.entry({ name: `${base === "" ? "" : `${base}/`}${f.slice(prefix.length)}`, mode: 0o644 }, data);
    }
    pack.finalize();
    return pack as unknown as Readable;
  }

  /** "/" and every parent of a tracked file are directories; tracked files are files. */
  async statPath(id: string, path: string): Promise<{ isDirectory: boolean } | undefined> {
    this.record("statPath", id, path);
    const c = this.getContainer(id);
    const clean = path.replace(/\/+$/, "") || "/";
    if (c.files.has(clean)) return { isDirectory: false };
    if (clean === "/" || [...c.files.keys()].some((f) => f.startsWith(`${clean}/`))) return { isDirectory: true };
    return undefined;
  }

  /** A running container uses one process and a little memory; nothing else is modelled. */
  async stats(id: string): Promise<ContainerStats> {
    this.record("stats", id);
    const c = this.getContainer(id);
    const running = c.state === "running" || c.state === "paused";
    return { cpuPercent: 0, memoryUsage: running ? 1 << 20 : 0, memoryLimit: 1 << 30, networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pids: running ? 1 : 0 };
  }

  /** The main command as the one process, in `ps -ef` columns (the engine's default). */
  async top(id: string): Promise<ProcessList> {
    this.record("top", id);
    const c = this.getContainer(id);
    if (c.state !== "running" && c.state !== "paused") throw new EngineError("CONFLICT", `Container ${c.id} is not running`, { statusCode: 409 });
    const argv = [...(c.spec.Entrypoint ?? []), ...(c.spec.Cmd ?? (c.spec.Entrypoint ? [] : c.image.cmd))];
    return { titles: ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], processes: [["root", "1", "0", "0", "00:00", "?", "00:00:00", argv.join(" ")]] };
  }

  /** Recorded only: the fake has no terminal. */
  async resizeTty(id: string, size: TtySize): Promise<void> {
    this.record("resizeTty", id, size);
    this.getContainer(id);
  }
}
