/**
 * Attached `up`: after the stack is up, print every attached container's log lines with a coloured
 * `service-1  | ` prefix padded to the widest, watch for exits, and own Ctrl-C: the first one stops
 * the stack gracefully (stop, not down), the second kills it.
 */
import type { LogLine } from "../runtime/options.js";
import type { CliProject } from "./api.js";
import { withReporter, type CliContext } from "./context.js";
import { ColorRotation } from "./render/colors.js";
import { EXIT_INTERRUPTED } from "./render/errors.js";
import { sleep as sleepOrAbort } from "../runtime/conditions.js";

export interface AttachOptions {
  /** Services whose logs are shown. */
  services: string[];
  color: boolean;
  prefix: boolean;
  timestamps: boolean;
  abortOnExit: boolean;
  abortOnFailure: boolean;
  exitCodeFrom?: string;
  /** Stop timeout (seconds) for the graceful stop. */
  timeout?: number;
  /** How often container states are checked (ms). */
  pollMs?: number;
}

/** Formats log lines with padded, coloured prefixes; the width grows as new containers appear. */
export class LogPrinter {
  private width = 0;
  private readonly colors: ColorRotation;
  constructor(
    private readonly write: (text: string) => void,
    private readonly options: Pick<AttachOptions, "color" | "prefix" | "timestamps">,
    names: string[] = [],
  ) {
    this.colors = new ColorRotation(options.color);
    for (const n of names) this.width = Math.max(this.width, n.length);
  }

  /**
   * Compose's log label: the container name without the project (`web-1`); a container whose name is not
   * the default `<project>-<service>-<n>` (container_name, a one-off `run` container) by its full name.
   */
  static label(service: string, number: number, container?: string): string {
    const short = `${service}-${number || 1}`;
    return container !== undefined && container !== "" && !container.endsWith(`-${short}`) && container !== short ? container : short;
  }

  format(line: Pick<LogLine, "service" | "number" | "line" | "timestamp"> & { container?: string }): string {
    const ts = this.options.timestamps && line.timestamp ? `${line.timestamp} ` : "";
    if (!this.options.prefix) return `${ts}${line.line}`;
    const label = LogPrinter.label(line.service, line.number, line.container);
    this.width = Math.max(this.width, label.length);
    const paint = this.colors.for(label);
    return `${paint(`${label.padEnd(this.width)} |`)} ${ts}${line.line}`;
  }

  print(line: Pick<LogLine, "service" | "number" | "line" | "timestamp"> & { container?: string }): void {
    this.write(`${this.format(line)}\n`);
  }

  /** A line about a container itself (e.g. "web-1 exited with code 0"). */
  notice(label: string, text: string): void {
    const paint = this.colors.for(label);
    this.write(`${this.options.prefix ? paint(label) : label} ${text}\n`);
  }
}

/** Sleep that ends early (without error) when `signal` aborts; removes its abort listener either way. */
const sleep = (ms: number, signal: AbortSignal): Promise<void> => sleepOrAbort(ms, signal).catch(() => undefined);

/**
 * Follow the attached containers until they all exit, an abort condition fires, or Ctrl-C.
 * Returns the exit code of the command.
 */
export async function attachAndWait(ctx: CliContext, project: CliProject, options: AttachOptions): Promise<number> {
  const stopLogs = new AbortController();
  const initial = await project.ps({ all: true, services: options.services });
  const printer = new LogPrinter((t) => ctx.out(t), options, initial.map((c) => LogPrinter.label(c.Service, c.Number, c.Name)));

  let interrupts = 0;
  let interruptedStop: Promise<unknown> | undefined;
  let resolveInterrupted: (() => void) | undefined;
  const interrupted = new Promise<void>((r) => (resolveInterrupted = r));
  const uninstall = ctx.io.onSignal(() => {
    interrupts++;
    if (interrupts === 1) {
      ctx.err("Gracefully stopping... (press Ctrl+C again to force)\n");
      const stopOpts = options.timeout !== undefined ? { timeout: options.timeout } : {};
      interruptedStop = withReporter(ctx, "Stopping", (r) => project.stop(undefined, { ...stopOpts, onEvent: r.onEvent })).catch((e: unknown) => {
        ctx.err(`flotilla: stop failed: ${e instanceof Error ? e.message : String(e)}\n`);
      });
      resolveInterrupted?.();
    } else if (interrupts === 2) {
      ctx.err("Killing...\n");
      interruptedStop = project.kill(undefined, { killSignal: "SIGKILL" }).catch(() => undefined);
      resolveInterrupted?.();
    }
  });

  const logsDone = (async () => {
    try {
      for await (const line of project.logs({ services: options.services, follow: true, timestamps: options.timestamps, signal: stopLogs.signal })) {
        printer.print(line);
      }
    } catch (e) {
      if (!stopLogs.signal.aborted) ctx.err(`flotilla: log stream ended: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  })();

  const seenExit = new Set<string>();
  const watchExits = async (): Promise<number | "interrupted"> => {
    const pollMs = options.pollMs ?? 500;
    for (;;) {
      if (interrupts > 0) return "interrupted";
      const rows = await project.ps({ all: true, services: options.services });
      let running = 0;
      for (const c of rows) {
        const exited = c.State === "exited" || c.State === "dead";
        if (!exited) {
          running++;
          seenExit.delete(c.ID);
          continue;
        }
        if (seenExit.has(c.ID)) continue;
        seenExit.add(c.ID);
        const label = LogPrinter.label(c.Service, c.Number, c.Name);
        printer.notice(label, `exited with code ${c.ExitCode}`);
        if (options.exitCodeFrom !== undefined && c.Service === options.exitCodeFrom) return c.ExitCode;
        if (options.exitCodeFrom === undefined && options.abortOnExit) return c.ExitCode;
        if (options.abortOnFailure && c.ExitCode !== 0) return c.ExitCode;
      }
      if (rows.length > 0 && running === 0 && options.exitCodeFrom === undefined) return 0;
      await Promise.race([sleep(pollMs, stopLogs.signal), interrupted]);
    }
  };

  try {
    const result = await watchExits();
    if (result === "interrupted") {
      await interruptedStop;
      return EXIT_INTERRUPTED;
    }
    if (options.abortOnExit || options.abortOnFailure || options.exitCodeFrom !== undefined) {
      ctx.err("Aborting on container exit...\n");
      const stopOpts = options.timeout !== undefined ? { timeout: options.timeout } : {};
      await withReporter(ctx, "Stopping", (r) => project.stop(undefined, { ...stopOpts, onEvent: r.onEvent }));
    }
    return result;
  } finally {
    stopLogs.abort();
    uninstall();
    await Promise.race([logsDone, sleep(1000, new AbortController().signal)]);
  }
}
