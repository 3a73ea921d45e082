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
import type { CommitOptions, Engine, ExecOptions, ExecResult, LogChunk, LogOptions } from "../../src/runtime/engine.js";
import { FakeContainers } from "./fake-containers.js";
import { normalizeImageRef, tick, type FakeImage } from "./fake-model.js";
import { emulateCommand } from "./fake-shell.js";

export { emulateCommand, type EmulatedRun } from "./fake-shell.js";
export { FakeScript, normalizeImageRef, type FakeCall } from "./fake-model.js";

export class FakeEngine extends FakeContainers implements Engine {
  logs(id: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogChunk> {
    this.record("logs", id, options);
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const c = self.getContainer(id);
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
        c.files.set(`${base}${name}`.replace(/\/+/g, "/"), Buffer.concat(chunks));
      }
    }
  }
}
