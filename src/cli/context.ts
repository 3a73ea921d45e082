/**
 * What every command receives: the IO boundary, the resolved global options, and lazy access to
 * the library (project loading, renderers). Heavy modules are imported on first use only.
 */
import type { LoadedProject } from "../spec/model.js";
import { defaultLoadConfig, defaultOpenProject, type CliDeps, type CliProject } from "./api.js";
import {
  effectiveProgress,
  resolveGlobals,
  toLoadOptions,
  useColor,
  type GlobalOptions,
  type LoadExtras,
  type RawGlobalFlags,
} from "./global-options.js";
import type { CliIO } from "./io.js";
import { envTrue } from "./usage.js";
import type { Reporter } from "./render/reporter.js";
import { StringDecoder } from "node:string_decoder";
import { isFlotillaError } from "../errors.js";

/** See CliContext.containerIO. */
export interface ContainerIO {
  options: {
    tty: boolean;
    onOutput: (chunk: { stream: "stdout" | "stderr"; data: Buffer }) => void;
    stdin?: AsyncIterable<Buffer>;
    ttySize?: { rows: number; cols: number };
    onResizable?: (resize: (size: { rows: number; cols: number }) => void) => void;
  };
  raw(): void;
  restore(): void;
}

export class CliContext {
  private cachedGlobals: GlobalOptions | undefined;
  private rawGlobals: () => RawGlobalFlags = () => ({});
  private readonly abort = new AbortController();
  private readonly cleanups: (() => void | Promise<void>)[] = [];
  /** Set by the command's action. */
  exitCode = 0;

  constructor(
    readonly io: CliIO,
    readonly deps: CliDeps = {},
  ) {}

  /** Set by the program once commander has parsed the global flags. */
  bindGlobals(read: () => RawGlobalFlags): void {
    this.rawGlobals = read;
    this.cachedGlobals = undefined;
  }

  get globals(): GlobalOptions {
    this.cachedGlobals ??= resolveGlobals(this.rawGlobals(), this.io.env);
    return this.cachedGlobals;
  }

  /** Aborted on the first Ctrl-C (commands that own signals may handle them themselves). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  cancel(reason?: unknown): void {
    this.abort.abort(reason);
  }

  get debug(): boolean {
    const v = this.io.env["FLOTILLA_DEBUG"];
    return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  err(text: string): void {
    this.io.stderr.write(text);
  }

  /**
   * A sink for a container's raw output (run, exec): stdout to stdout, stderr to stderr, decoded
   * per stream so a UTF-8 character split across chunks is not garbled.
   */
  outputSink(): (chunk: { stream: "stdout" | "stderr"; data: Buffer }) => void {
    const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
    return (chunk) => {
      const text = decoders[chunk.stream].write(chunk.data);
      if (text && chunk.stream === "stdout") this.out(text);
      else if (text) this.err(text);
    };
  }

  /**
   * How a container command (`exec`, `run`) meets the user: its output streamed to ours; at a
   * terminal (unless `tty` is off) a TTY fed raw keystrokes and resized with the window; else
   * piped stdin. `interactive: false` passes no stdin. Call `raw()` when the command starts and
   * `restore()` when it ends (idempotent).
   */
  containerIO(want: { tty: boolean; interactive: boolean }): ContainerIO {
    const term = want.tty && want.interactive ? this.io.terminal?.() : undefined;
    const stdin = !want.interactive ? undefined : term ? term.input : this.io.pipedStdin?.();
    let unsubscribe = (): void => {};
    const options: ContainerIO["options"] = { tty: term !== undefined, onOutput: this.outputSink() };
    if (stdin) options.stdin = stdin;
    if (term) {
      options.ttySize = term.size();
      options.onResizable = (resize) => {
        unsubscribe = term.onResize(() => resize(term.size()));
      };
    }
    return {
      options,
      raw: () => term?.setRaw(true),
      restore: () => {
        unsubscribe();
        term?.setRaw(false);
      },
    };
  }

  /** The error ends a command the user interrupted (Ctrl-C): exit 130, not an error message. */
  interrupted(err: unknown): boolean {
    return this.signal.aborted && isFlotillaError(err) && err.code === "ABORTED";
  }

  warn(message: string): void {
    this.err(`WARN ${message}\n`);
  }

  colorOut(): boolean {
    return useColor(this.globals, this.io.stdout, this.io.env);
  }

  colorErr(): boolean {
    return useColor(this.globals, this.io.stderr, this.io.env);
  }

  /** Load and validate the compose files only (no engine): `config`. */
  async loadConfig(extras: LoadExtras = {}): Promise<LoadedProject> {
    const options = await toLoadOptions(this.globals, this.io, extras);
    const load = this.deps.loadConfig ?? defaultLoadConfig;
    const loaded = await load(options);
    for (const w of loaded.warnings) this.warn(w);
    return loaded;
  }

  /** Load the project and bind it to the engine (lazily connected by the library). */
  async project(extras: LoadExtras = {}): Promise<CliProject> {
    const options = await toLoadOptions(this.globals, this.io, extras);
    const open = this.deps.openProject ?? defaultOpenProject;
    const project = await open({
      ...options,
      ...(this.globals.parallel !== undefined ? { parallel: this.globals.parallel } : {}),
      ...(this.globals.lockTimeout !== undefined ? { lockTimeout: this.globals.lockTimeout } : {}),
    });
    for (const w of project.config.warnings) this.warn(w);
    return project;
  }

  /**
   * The progress renderer chosen by --progress / TTY / CI; progress goes to stderr like Compose, or to
   * stdout with COMPOSE_STATUS_STDOUT.
   */
  async reporter(verb = "Running"): Promise<Reporter> {
    const stream = envTrue(this.io.env["COMPOSE_STATUS_STDOUT"]) ? this.io.stdout : this.io.stderr;
    const mode = effectiveProgress(this.globals, stream, this.io.env);
    switch (mode) {
      case "tty": {
        const { ttyReporter } = await import("./render/tty.js");
        return ttyReporter(stream, verb);
      }
      case "json": {
        const { jsonReporter } = await import("./render/json.js");
        return jsonReporter(stream);
      }
      case "quiet": {
        const { quietReporter } = await import("./render/json.js");
        return quietReporter(stream);
      }
      default: {
        const { plainReporter } = await import("./render/plain.js");
        return plainReporter(stream, { color: useColor(this.globals, stream, this.io.env) });
      }
    }
  }

  /** Run `fn` when the command finishes (success or failure). */
  onExit(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  async runCleanups(): Promise<void> {
    while (this.cleanups.length > 0) {
      const fn = this.cleanups.pop()!;
      try {
        await fn();
      } catch {
        // cleanup failures must not hide the command's own result
      }
    }
  }
}

/** Run an operation with a reporter; the reporter is closed whatever happens. */
export async function withReporter<T>(ctx: CliContext, verb: string, fn: (r: Reporter) => Promise<T>): Promise<T> {
  const reporter = await ctx.reporter(verb);
  let failed = true;
  try {
    const result = await fn(reporter);
    failed = false;
    return result;
  } finally {
    await reporter.close(failed);
  }
}
