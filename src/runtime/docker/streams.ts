/**
 * The engine's byte streams: multiplexed stdout/stderr frames, JSON-lines (events), progress
 * streams (pull, push, build) and hijacked connections fed with stdin.
 */
import type { Duplex, Readable } from "node:stream";
import type { LogChunk, ProgressMessage } from "../engine.js";
import type { DockerContext } from "./context.js";
import { abortedError, isAbort } from "./errors.js";
import type { DockerodeError, ProgressDoc } from "./types.js";

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
      const type = this.#pending.readUInt8(offset);
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

/** The chunks of a log or exec stream (raw bytes as stdout with a TTY, demultiplexed without). */
export async function* demuxed(stream: AsyncIterable<Buffer | string>, tty: boolean, signal?: AbortSignal): AsyncGenerator<LogChunk> {
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

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Split a stream of bytes into JSON-lines objects. */
export async function* jsonLines<T>(stream: AsyncIterable<Buffer | string>, signal?: AbortSignal): AsyncGenerator<T> {
  let buf = "";
  try {
    for await (const raw of stream) {
      buf += typeof raw === "string" ? raw : raw.toString("utf8");
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line !== "") yield JSON.parse(line) as T;
      }
    }
  } catch (e) {
    if (signal?.aborted || isAbort(e)) return;
    throw e;
  }
  if (buf.trim() !== "") yield JSON.parse(buf) as T;
}

/** Resolves once `stream` can take more (or closed). */
function drained(stream: Duplex): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("close", done);
  });
}

/**
 * Write `input` to a hijacked exec/attach connection, then half-close it (the process sees EOF).
 * `stop` (the command ended) stops reading `input` at once, even if it never ends (an open pipe).
 */
export async function feedStdin(stream: Duplex, input: AsyncIterable<Buffer | string>, stop: AbortSignal): Promise<void> {
  const it = input[Symbol.asyncIterator]();
  const stopped = new Promise<undefined>((resolve) => stop.addEventListener("abort", () => resolve(undefined), { once: true }));
  try {
    for (;;) {
      const next = await Promise.race([it.next(), stopped]);
      if (next === undefined || next.done || stream.destroyed || stream.writableEnded) break;
      if (!stream.write(next.value)) await drained(stream);
    }
  } finally {
    // A stream's iterator cannot return while a read is pending: destroy the stream itself.
    const destroy = (input as { destroy?: () => void }).destroy;
    if (stop.aborted && typeof destroy === "function") destroy.call(input);
    else void Promise.resolve(it.return?.()).catch(() => {});
  }
  if (!stop.aborted && !stream.destroyed && !stream.writableEnded) stream.end();
}

/**
 * Follow a progress stream, checking EVERY message for an error (the engine reports pull and
 * build failures inside a 200 response): `onMessage` throws to fail. Resolves with all messages.
 */
export function followProgress(ctx: DockerContext, stream: Readable, onMessage: (m: ProgressDoc) => void, signal?: AbortSignal): Promise<ProgressDoc[]> {
  return new Promise<ProgressDoc[]>((resolve, reject) => {
    let failed: unknown;
    const onAbort = (): void => {
      stream.destroy();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    ctx.docker.modem.followProgress(
      stream,
      (err: unknown, output: ProgressDoc[]) => {
        signal?.removeEventListener("abort", onAbort);
        if (failed !== undefined) return reject(asError(failed));
        if (signal?.aborted) return reject(abortedError(signal.reason));
        if (err) return reject(asError(err));
        resolve(output);
      },
      (m: ProgressDoc) => {
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

export function toProgress(m: ProgressDoc): ProgressMessage {
  const p: ProgressMessage = {};
  if (typeof m.id === "string") p.id = m.id;
  if (typeof m.status === "string") p.status = m.status;
  if (typeof m.progress === "string") p.progress = m.progress;
  if (typeof m.stream === "string") p.stream = m.stream;
  const d = m.progressDetail;
  if (d && typeof d.current === "number") p.current = d.current;
  if (d && typeof d.total === "number") p.total = d.total;
  return p;
}

/** The error carried inside a progress message, if any. */
export function streamError(m: ProgressDoc): string | undefined {
  const detail = m.errorDetail?.message;
  if (typeof detail === "string" && detail !== "") return detail;
  if (typeof m.error === "string" && m.error !== "") return m.error;
  if (m.error && typeof m.error === "object") return JSON.stringify(m.error);
  return undefined;
}

/** Destroy `stream` when `signal` aborts; returns the function that stops listening. */
export function destroyOnAbort(stream: { destroy(): unknown }, signal: AbortSignal | undefined): () => void {
  const onAbort = (): void => {
    stream.destroy();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  return () => signal?.removeEventListener("abort", onAbort);
}
