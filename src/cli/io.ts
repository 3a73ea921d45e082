/**
 * The process boundary of the CLI: streams, environment, working directory, stdin.
 * `main` takes one of these so tests can run the whole CLI on captured streams.
 */
import { FdOut } from "./fd-out.js";

/** A stream the CLI writes to (stdout/stderr, see fd-out.ts, or a test buffer). */
export interface OutStream {
  /** Text, or bytes (`export` writes a tar archive). */
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
  columns?: number;
  /** The Node stream behind it, for a renderer that needs one (listr2); later writes then go through it too. */
  nodeStream?: () => NodeJS.WriteStream;
}

/** A terminal the CLI can hand to a container's TTY: raw keystrokes in, its size. */
export interface Terminal {
  input: AsyncIterable<Buffer>;
  setRaw(on: boolean): void;
  size(): { rows: number; cols: number };
  /** Call `handler` whenever the window is resized; returns an unsubscriber. */
  onResize(handler: () => void): () => void;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Reads all of stdin (for `-f -`). */
  readStdin: () => Promise<string>;
  /** stdin to hand to a container's command (`exec`, `run`), when it is piped or redirected (not a terminal). */
  pipedStdin?: () => AsyncIterable<Buffer> | undefined;
  /** The user's terminal, when stdin and stdout are both one (for `exec` with a TTY). */
  terminal?: () => Terminal | undefined;
  /** Resolves once stdout can take more after a write returned false (binary output to a pipe). */
  drained?: () => Promise<void>;
  /** Install a handler for SIGINT/SIGTERM; returns an uninstaller. Tests may replace it. */
  onSignal: (handler: (signal: "SIGINT" | "SIGTERM") => void) => () => void;
}

function readProcessStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on("data", (c: Buffer | string) => chunks.push(typeof c === "string" ? Buffer.from(c) : c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

/**
 * A reader that went away (`flotilla logs -f | head`) is the normal end of the output, not a crash:
 * exit quietly, as other CLIs do when their pipe closes.
 */
function exitOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (stream.listenerCount("error") > 0) return;
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}

export function processIO(): CliIO {
  // Written with fs.writeSync until something needs the streams themselves (fd-out.ts).
  const stdout = new FdOut(1, () => {
    exitOnClosedPipe(process.stdout);
    return process.stdout;
  });
  const stderr = new FdOut(2, () => process.stderr);
  return {
    stdout,
    stderr,
    env: process.env,
    cwd: process.cwd(),
    readStdin: readProcessStdin,
    drained: () => new Promise((resolve) => stdout.nodeStream().once("drain", () => resolve())),
    pipedStdin: () => (process.stdin.isTTY ? undefined : (process.stdin as AsyncIterable<Buffer>)),
    terminal: () =>
      process.stdin.isTTY && stdout.isTTY
        ? {
            input: process.stdin as AsyncIterable<Buffer>,
            setRaw: (on) => {
              if (!process.stdin.destroyed) process.stdin.setRawMode(on);
            },
            size: () => ({ rows: stdout.nodeStream().rows ?? 24, cols: stdout.nodeStream().columns ?? 80 }),
            onResize: (handler) => {
              stdout.nodeStream().on("resize", handler);
              return () => stdout.nodeStream().off("resize", handler);
            },
          }
        : undefined,
    onSignal: (handler) => {
      const onInt = (): void => handler("SIGINT");
      const onTerm = (): void => handler("SIGTERM");
      process.on("SIGINT", onInt);
      process.on("SIGTERM", onTerm);
      return () => {
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
      };
    },
  };
}

/** A captured stream for tests and for rendering into strings. */
export class BufferStream implements OutStream {
  text = "";
  isTTY = false;
  columns = 120;
  /** Bytes written (binary output), in order; text goes to `text`. */
  readonly bytes: Buffer[] = [];
  write(chunk: string | Uint8Array): boolean {
    if (typeof chunk === "string") this.text += chunk;
    else this.bytes.push(Buffer.from(chunk));
    return true;
  }
}
