/** Container logs, demultiplexed into stdout/stderr chunks. */
import type { Readable } from "node:stream";
import type { LogChunk, LogOptions } from "../engine.js";
import { isTty } from "./containers.js";
import type { DockerContext } from "./context.js";
import { demuxed, destroyOnAbort } from "./streams.js";

function logsQuery(options: LogOptions): Record<string, unknown> {
  const query: Record<string, unknown> = {
    follow: options.follow ?? false,
    stdout: options.stdout ?? true,
    stderr: options.stderr ?? true,
    timestamps: options.timestamps ?? false,
    tail: options.tail === undefined ? "all" : String(options.tail),
  };
  if (options.since !== undefined) query["since"] = options.since;
  if (options.until !== undefined) query["until"] = options.until;
  return query;
}

/**
 * Dial the logs endpoint directly so the body is always a stream (dockerode buffers and
 * JSON-parses it when not following, which would mangle output that happens to be JSON).
 */
function openLogs(ctx: DockerContext, id: string, query: Record<string, unknown>, signal?: AbortSignal): Promise<Readable> {
  return new Promise<Readable>((resolve, reject) => {
    ctx.docker.modem.dial(
      {
        path: `/containers/${encodeURIComponent(id)}/logs?`,
        method: "GET",
        isStream: true,
        statusCodes: { 200: true, 404: "no such container", 500: "server error" },
        options: query,
        ...(signal ? { abortSignal: signal } : {}),
      },
      (err, data) => (err ? reject(err) : resolve(data as Readable)),
    );
  });
}

export function logs(ctx: DockerContext, id: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogChunk> {
  return {
    async *[Symbol.asyncIterator]() {
      const tty = await isTty(ctx, id);
      if (signal?.aborted) return;
      let stream: Readable;
      try {
        stream = await openLogs(ctx, id, logsQuery(options), signal);
      } catch (e) {
        if (signal?.aborted) return;
        throw ctx.fail(e, `cannot read the logs of container ${id}`);
      }
      const stopListening = destroyOnAbort(stream, signal);
      try {
        yield* demuxed(stream as AsyncIterable<Buffer>, tty, signal);
      } finally {
        stopListening();
        stream.destroy();
      }
    },
  };
}
