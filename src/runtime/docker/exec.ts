/** Commands in containers (`exec`), stdin for `run` one-offs, and TTY sizes. */
import type Docker from "dockerode";
import type { Duplex, Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { EngineError } from "../../errors.js";
import type { ExecOptions, ExecResult, LogChunk, TtySize } from "../engine.js";
import type { DockerContext } from "./context.js";
import { abortedError } from "./errors.js";
import { demuxed, destroyOnAbort, feedStdin } from "./streams.js";
import type { ExecDoc } from "./types.js";

function createOptions(options: ExecOptions): Docker.ExecCreateOptions {
  const detach = options.detach === true;
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
  return create;
}

/** `exec -d`: the engine answers at once with an empty body; drain it, or the socket keeps the process alive. */
async function startDetached(exec: Docker.Exec, tty: boolean): Promise<void> {
  const reply = (await exec.start({ Detach: true, Tty: tty })) as Readable | undefined;
  if (reply && typeof reply.resume === "function") {
    await new Promise<void>((resolve) => {
      reply
        .once("end", resolve)
        .once("close", resolve)
        .once("error", () => resolve());
      reply.resume();
    });
  }
}

/** The exit code, which can lag the end of the output stream by a moment. */
async function exitCodeOf(exec: Docker.Exec, id: string): Promise<number> {
  for (let i = 0; ; i++) {
    const info: ExecDoc = await exec.inspect();
    if (info.Running !== true && info.ExitCode !== null && info.ExitCode !== undefined) return Number(info.ExitCode);
    if (i >= 100) throw new EngineError("ENGINE", `exec in container ${id} did not report an exit code`);
    await sleep(20);
  }
}

/** Run an attached exec: stdin is written while the output is read; resolves with the exit code. */
async function runAttached(exec: Docker.Exec, id: string, options: ExecOptions, onChunk: (c: LogChunk) => void, signal?: AbortSignal): Promise<number> {
  const tty = options.tty ?? false;
  const stream: Duplex = await exec.start({ hijack: true, stdin: options.stdin !== undefined, Tty: tty });
  // stdin's end half-closes the connection (EOF for the command).
  const stopFeeding = new AbortController();
  const feeding = options.stdin ? feedStdin(stream, options.stdin, stopFeeding.signal) : Promise.resolve();
  feeding.catch(() => {});
  if (tty) {
    const resize = (size: TtySize): void => void exec.resize({ h: size.rows, w: size.cols }).catch(() => {});
    if (options.ttySize) resize(options.ttySize);
    options.onResizable?.(resize);
  }
  const stopListening = destroyOnAbort(stream, signal);
  try {
    for await (const c of demuxed(stream as AsyncIterable<Buffer>, tty, signal)) onChunk(c);
  } finally {
    stopListening();
  }
  if (signal?.aborted) throw abortedError(signal.reason);
  // The command ended: stop reading stdin (it may be a pipe that never closes). A command that
  // exits without reading all of it is not an error.
  stopFeeding.abort();
  await feeding.catch(() => {});
  return exitCodeOf(exec, id);
}

export async function execIn(ctx: DockerContext, id: string, options: ExecOptions, signal?: AbortSignal): Promise<ExecResult> {
  if (signal?.aborted) throw abortedError(signal.reason);
  let exec: Docker.Exec;
  try {
    exec = await ctx.docker.getContainer(id).exec(createOptions(options));
    if (options.detach === true) {
      await startDetached(exec, options.tty ?? false);
      return { exitCode: 0, stdout: "", stderr: "" };
    }
  } catch (e) {
    throw ctx.fail(e, `cannot exec in container ${id}`);
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const onChunk = (c: LogChunk): void => {
    if (options.onOutput) options.onOutput(c);
    else (c.stream === "stderr" ? err : out).push(c.data);
  };
  try {
    const exitCode = await runAttached(exec, id, options, onChunk, signal);
    return { exitCode, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
  } catch (e) {
    throw ctx.fail(e, `exec in container ${id} failed`);
  }
}

export async function resizeTty(ctx: DockerContext, id: string, size: TtySize): Promise<void> {
  try {
    await ctx.docker.getContainer(id).resize({ h: size.rows, w: size.cols });
  } catch (e) {
    throw ctx.fail(e, `cannot resize the TTY of container ${id}`);
  }
}

/**
 * A hijacked attach connection carrying the container's stdin. Sent with an empty body: dockerode
 * would send its options as a JSON body too, which Docker drops when it takes over the connection
 * but Podman passes to the container as the first bytes of its stdin. Podman (4.3) passes no input
 * to a TTY container attached for stdin alone: there the output is attached too (and dropped; the
 * caller reads it from the logs).
 */
async function attachForStdin(ctx: DockerContext, id: string): Promise<Duplex> {
  const output = (await ctx.podman()) !== undefined;
  return new Promise((resolve, reject) => {
    ctx.docker.modem.dial(
      {
        path: `/containers/${encodeURIComponent(id)}/attach?`,
        method: "POST",
        options: { stream: true, stdin: true, stdout: output, stderr: output },
        file: Buffer.alloc(0),
        hijack: true,
        openStdin: true,
        isStream: true,
        statusCodes: { 101: true, 200: true, 400: "bad parameter", 404: "no such container", 409: "conflict", 500: "server error" },
      },
      (err, stream) => (err ? reject(err) : resolve(stream as Duplex)),
    );
  });
}

/** Feed `input` to the stdin of a container created with OpenStdin/StdinOnce, closing it at the end. */
export async function attachStdin(ctx: DockerContext, id: string, input: AsyncIterable<Buffer | string>, stop: AbortSignal): Promise<void> {
  let stream: Duplex;
  try {
    stream = await attachForStdin(ctx, id);
  } catch (e) {
    throw ctx.fail(e, `cannot attach to container ${id}`);
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
