/**
 * `flotilla watch [SERVICE...]`: build and start the services (unless --no-up), then keep the
 * running containers in step with file edits until Ctrl-C (the containers keep running). Also the
 * helpers `up --watch` uses to watch beside its attached logs.
 */
import type { Command } from "commander";
import type { EventListener } from "../../events.js";
import type { LoadedProject } from "../../spec/model.js";
import type { CliContext } from "../context.js";
import type { WatchLock } from "../../runtime/watch/lock.js";
import { exitAction, literalNoFlag, type CommandModule } from "./command.js";

export interface WatchFlags {
  noUp?: boolean;
  quiet?: boolean;
  prune?: boolean;
}

/** Check the watch configuration before anything starts (throws ConfigError / WATCH_FAILED). */
export async function checkWatch(config: LoadedProject, services: readonly string[]): Promise<void> {
  const { planWatch } = await import("../../runtime/watch/watch.js");
  planWatch(config, services);
}

/** Take the project's watch lock (WATCH_FAILED if another watch holds it). */
export async function lockWatch(ctx: CliContext, project: string): Promise<WatchLock> {
  const { acquireWatchLock } = await import("../../runtime/watch/lock.js");
  const home = ctx.io.env["HOME"];
  const { pidAlive } = await import("../../api/host.js");
  return acquireWatchLock(project, { ...(home ? { home } : {}), pid: process.pid, alive: pidAlive });
}

/** Watch progress as plain lines on stderr; `quiet` hides build output. */
async function watchLines(ctx: CliContext, quiet: boolean): Promise<EventListener> {
  const { formatPlainEvent } = await import("../render/plain.js");
  const color = ctx.colorErr();
  return (event) => {
    if (quiet && event.type === "progress") return;
    const line = formatPlainEvent(event, color);
    if (line !== undefined) ctx.err(`${line}\n`);
  };
}

async function openProject(ctx: CliContext, services: readonly string[]) {
  const [{ Project }, { toLoadOptions }] = await Promise.all([import("../../api/project.js"), import("../global-options.js")]);
  return Project.load(await toLoadOptions(ctx.globals, ctx.io, { services }));
}

/**
 * For `up --watch`: start watching in the background; the returned function stops it (and waits).
 * Watch errors are printed, never thrown into the attached session.
 */
export async function startWatching(ctx: CliContext, services: readonly string[], options: { quiet?: boolean } = {}): Promise<() => Promise<void>> {
  const project = await openProject(ctx, services);
  const { watchProject } = await import("../../runtime/watch/watch.js");
  const onEvent = await watchLines(ctx, options.quiet === true);
  const ac = new AbortController();
  const running = watchProject(project, { ...(services.length > 0 ? { services: [...services] } : {}), signal: ac.signal, onEvent }).catch((e: unknown) => {
    ctx.err(`flotilla: watch stopped: ${e instanceof Error ? e.message : String(e)}\n`);
  });
  return async () => {
    ac.abort();
    await running;
  };
}

export async function runWatch(ctx: CliContext, services: string[], flags: WatchFlags): Promise<number> {
  const project = await openProject(ctx, services);
  for (const w of project.config.warnings) ctx.warn(w);
  await checkWatch(project.config, services);
  const lock = await lockWatch(ctx, project.name);
  try {
    return await upThenWatch(ctx, project, services, flags);
  } finally {
    lock.release();
  }
}

async function upThenWatch(ctx: CliContext, project: Awaited<ReturnType<typeof openProject>>, services: string[], flags: WatchFlags): Promise<number> {
  const { watchProject } = await import("../../runtime/watch/watch.js");
  const { EXIT_INTERRUPTED } = await import("../render/errors.js");

  let interrupted = false;
  const ac = new AbortController();
  const uninstall = ctx.io.onSignal(() => {
    interrupted = true;
    ctx.cancel(new Error("interrupted"));
    ac.abort();
  });
  try {
    if (flags.noUp !== true) {
      const { withReporter } = await import("../context.js");
      try {
        await withReporter(ctx, "Running", (reporter) =>
          project.up({
            ...(services.length > 0 ? { services } : {}),
            detach: true,
            build: true,
            ...(ctx.globals.parallel !== undefined ? { parallel: ctx.globals.parallel } : {}),
            onEvent: flags.quiet ? (e) => e.type !== "progress" && reporter.onEvent(e) : reporter.onEvent,
            signal: ctx.signal,
          }),
        );
      } catch (e) {
        if (interrupted) return EXIT_INTERRUPTED;
        throw e;
      }
      if (interrupted) return EXIT_INTERRUPTED;
    }
    const onEvent = await watchLines(ctx, flags.quiet === true);
    ctx.err("Watch enabled (press Ctrl+C to stop watching; the containers keep running)\n");
    await watchProject(project, {
      ...(services.length > 0 ? { services } : {}),
      signal: ac.signal,
      onEvent,
      ...(flags.prune ? { prune: true } : {}),
    });
    ctx.err("Watch disabled\n");
    return interrupted ? EXIT_INTERRUPTED : 0;
  } finally {
    uninstall();
  }
}

export const watchCommand: CommandModule = {
  name: "watch",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("watch")
      .description("Watch build context for service and rebuild/refresh containers when files are updated")
      .argument("[services...]", "Services to watch (default: all services with develop.watch)")
      .addOption(literalNoFlag("--no-up", "Do not build & start services before watching"))
      .option("--quiet", "Hide build output")
      .option("--prune", "Prune dangling images on rebuild")
      .action(exitAction(ctx, (services: string[], flags: WatchFlags) => runWatch(ctx, services, flags)));
  },
};
