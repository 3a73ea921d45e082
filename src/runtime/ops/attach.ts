/**
 * `attach`: a running service container's output from now on goes to `onOutput`, `stdin` (when the
 * container keeps stdin open) to its input.
 */
import { FlotillaError } from "../../errors.js";
import type { Engine, LogChunk, TtySize } from "../engine.js";
import { containerId, engineOf, type EngineLike, type ProjectRef } from "./project-ref.js";

export interface AttachOptions {
  /** Container number (default 1). */
  index?: number;
  onOutput?: (chunk: LogChunk) => void;
  /** Passed to the container's stdin when it keeps stdin open (`stdin_open: true`). */
  stdin?: AsyncIterable<Buffer | string>;
  ttySize?: TtySize;
  onResizable?: (resize: (size: TtySize) => void) => void;
  /** Detach: stop following (the container keeps running). */
  signal?: AbortSignal;
  /** Called once attached, with whether the container has a TTY and a function that signals it. */
  onAttached?: (info: { tty: boolean; kill: (signal: string) => Promise<void> }) => void;
}

/** Resolves with the exit code once the container stops, or undefined when `signal` aborts first (detached, the container keeps running). */
export async function attachService(engine: EngineLike, project: ProjectRef, service: string, opts: AttachOptions = {}): Promise<number | undefined> {
  const connected = await engineOf(engine);
  const id = await containerId(connected, project, service, opts.index ?? 1);
  const details = await connected.inspectContainer(id);
  if (!details?.state.running) {
    throw new FlotillaError("CONTAINER_FAILED", `service "${service}": container ${details?.name ?? id} is not running`, { service, hint: "start it first (flotilla start / up -d)" });
  }
  const stop = new AbortController();
  const detach = (): void => stop.abort();
  opts.signal?.addEventListener("abort", detach, { once: true });
  let feeding: Promise<void> = Promise.resolve();
  // Output from this moment (fractional seconds): taken before stdin is fed, so no reply is missed.
  const since = (Date.now() / 1000).toFixed(3);
  try {
    if (opts.stdin && details.openStdin && connected.attachStdin) {
      feeding = connected.attachStdin(id, opts.stdin, stop.signal);
      feeding.catch(() => {});
    }
    if (details.tty) wireResize(connected, id, opts);
    opts.onAttached?.({ tty: details.tty, kill: (sig) => connected.killContainer(id, sig) });
    for await (const chunk of connected.logs(id, { follow: true, stdout: true, stderr: true, since }, stop.signal)) opts.onOutput?.(chunk);
    if (stop.signal.aborted) return undefined;
    return await connected.waitContainer(id);
  } finally {
    opts.signal?.removeEventListener("abort", detach);
    stop.abort();
    await feeding.catch(() => {});
  }
}

/** A TTY container follows the terminal's size: set it now and hand the caller a resizer. */
function wireResize(engine: Engine, id: string, opts: AttachOptions): void {
  const resizeTty = engine.resizeTty?.bind(engine);
  if (!resizeTty) return;
  const resize = (size: TtySize): void => void resizeTty(id, size).catch(() => {});
  if (opts.ttySize) resize(opts.ttySize);
  opts.onResizable?.(resize);
}
