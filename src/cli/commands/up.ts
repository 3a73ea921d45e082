/** `flotilla up`: create and start the stack; attached by default (logs + Ctrl-C), `-d` detached. */
import { Option, type Command } from "commander";
import { UsageError } from "../../errors.js";
import { ServiceGraph } from "../../graph/graph.js";
import type { ComposeModel } from "../../spec/model.js";
import type { EventListener } from "../../events.js";
import type { PullMode, UpOptions } from "../../runtime/options.js";
import type { CliContext } from "../context.js";
import type { CliProject } from "../api.js";
import type { GlobalOptions } from "../global-options.js";
import { collect, parseNonNegativeInt, parseScale, rejectTogether } from "../usage.js";
import { exitAction, literalNoFlag, type CommandModule } from "./command.js";
import type { FlagSpelling, FlagsOf, LibraryOnly } from "./flags.js";

/** UpOptions no `up` flag sets: the operands, COMPOSE_IGNORE_ORPHANS, the global flags and callbacks. */
type NotUpFlags = "services" | "ignoreOrphans" | "forceStop" | LibraryOnly;

/** The flag of each UpOptions field (a new option without one is a compile error here). */
export const UP_OPTION_FLAGS: FlagSpelling<UpOptions, NotUpFlags> = {
  detach: "--detach",
  build: "--build",
  noBuild: "--no-build",
  pull: "--pull",
  forceRecreate: "--force-recreate",
  noRecreate: "--no-recreate",
  alwaysRecreateDeps: "--always-recreate-deps",
  renewAnonVolumes: "--renew-anon-volumes",
  noDeps: "--no-deps",
  noStart: "--no-start",
  removeOrphans: "--remove-orphans",
  scale: "--scale",
  timeout: "--timeout",
  wait: "--wait",
  waitTimeout: "--wait-timeout",
};

/** `up`'s flags: one per UpOptions field, plus those of the attached log view and of watch. */
export type UpFlags = FlagsOf<UpOptions, NotUpFlags> & {
  attach?: string[];
  noAttach?: string[];
  attachDependencies?: boolean;
  abortOnContainerExit?: boolean;
  abortOnContainerFailure?: boolean;
  exitCodeFrom?: string;
  timestamps?: boolean;
  noColor?: boolean;
  noLogPrefix?: boolean;
  watch?: boolean;
  quietPull?: boolean;
  quietBuild?: boolean;
  yes?: boolean;
};

export interface UpRequest {
  options: UpOptions;
  /** Attach to logs after up (no -d, --wait or --no-start). */
  attached: boolean;
  attach?: string[];
  noAttach: string[];
  abortOnExit: boolean;
  abortOnFailure: boolean;
  exitCodeFrom?: string;
  timestamps: boolean;
  color: boolean;
  prefix: boolean;
  watch: boolean;
  /** With named services: also attach to the services they depend on (transitively). */
  attachDependencies: boolean;
  /** --quiet-pull: no per-layer pull progress (the image's Pulling/Pulled lines stay). */
  quietPull: boolean;
  /** --quiet-build: no build output (the image's Building/Built lines stay). */
  quietBuild: boolean;
}

/** Drops the pull and/or build progress events (`--quiet-pull`, `--quiet-build`); all else passes. */
export function quietListener(next: EventListener, quiet: { pull?: boolean; build?: boolean }): EventListener {
  if (!quiet.pull && !quiet.build) return next;
  return (e) => {
    if (e.type === "progress" && ((quiet.pull && e.kind === "pull") || (quiet.build && e.kind === "build"))) return;
    next(e);
  };
}

/**
 * The services whose output an attached `up` streams: `--attach` if given, else the named services
 * (plus their dependencies with --attach-dependencies), else all; minus `--no-attach` and services
 * with `attach: false` (unless named by --attach).
 */
export function attachTargets(model: ComposeModel, services: readonly string[], req: Pick<UpRequest, "attach" | "noAttach" | "attachDependencies">): string[] {
  const named = services.length > 0 && req.attachDependencies ? [...ServiceGraph.fromServices(model.services).closure(services)].sort() : [...services];
  const targets = req.attach ?? (named.length > 0 ? named : Object.keys(model.services));
  return targets.filter((s) => !req.noAttach.includes(s) && (req.attach !== undefined || model.services[s]?.attach !== false));
}

const PULL_MODES: readonly PullMode[] = ["always", "missing", "never", "policy", "build"];

/** Flags -> UpOptions + attach settings; rejects the pairs Compose rejects. */
export function upRequest(services: string[], flags: UpFlags, globals: Pick<GlobalOptions, "dryRun" | "parallel" | "removeOrphans"> & Partial<Pick<GlobalOptions, "ignoreOrphans">>): UpRequest {
  const noDeps = flags.noDeps === true;
  const noStart = flags.noStart === true;
  rejectTogether("--detach", flags.detach, "--attach", flags.attach);
  rejectTogether("--detach", flags.detach, "--abort-on-container-exit", flags.abortOnContainerExit);
  rejectTogether("--detach", flags.detach, "--abort-on-container-failure", flags.abortOnContainerFailure);
  rejectTogether("--detach", flags.detach, "--exit-code-from", flags.exitCodeFrom);
  rejectTogether("--detach", flags.detach, "--watch", flags.watch);
  rejectTogether("--wait", flags.wait, "--abort-on-container-exit", flags.abortOnContainerExit);
  rejectTogether("--wait", flags.wait, "--abort-on-container-failure", flags.abortOnContainerFailure);
  rejectTogether("--wait", flags.wait, "--exit-code-from", flags.exitCodeFrom);
  rejectTogether("--wait", flags.wait, "--attach", flags.attach);
  rejectTogether("--abort-on-container-exit", flags.abortOnContainerExit, "--abort-on-container-failure", flags.abortOnContainerFailure);
  rejectTogether("--build", flags.build, "--no-build", flags.noBuild);
  rejectTogether("--force-recreate", flags.forceRecreate, "--no-recreate", flags.noRecreate);
  rejectTogether("--renew-anon-volumes", flags.renewAnonVolumes, "--no-recreate", flags.noRecreate);
  rejectTogether("--always-recreate-deps", flags.alwaysRecreateDeps, "--no-recreate", flags.noRecreate);
  rejectTogether("--no-build", flags.noBuild, "--watch", flags.watch);
  rejectTogether("--no-start", noStart, "--wait", flags.wait);
  rejectTogether("--no-start", noStart, "--watch", flags.watch);

  let pull: PullMode | undefined;
  if (flags.pull !== undefined) {
    if (!(PULL_MODES as readonly string[]).includes(flags.pull)) {
      throw new UsageError(`invalid --pull "${flags.pull}": expected always, missing, never or policy`);
    }
    pull = flags.pull;
  }
  if (flags.exitCodeFrom !== undefined && services.length > 0 && !services.includes(flags.exitCodeFrom)) {
    throw new UsageError(`--exit-code-from: service "${flags.exitCodeFrom}" is not among the services to start (${services.join(", ")})`);
  }

  const options: UpOptions = {};
  if (services.length > 0) options.services = services;
  const detach = flags.detach === true || flags.wait === true || noStart;
  if (detach) options.detach = true;
  if (flags.build) options.build = true;
  if (flags.noBuild) options.noBuild = true;
  if (pull) options.pull = pull;
  if (flags.forceRecreate) options.forceRecreate = true;
  if (flags.noRecreate) options.noRecreate = true;
  if (flags.alwaysRecreateDeps) options.alwaysRecreateDeps = true;
  if (flags.renewAnonVolumes) options.renewAnonVolumes = true;
  if (noDeps) options.noDeps = true;
  if (noStart) options.noStart = true;
  if (flags.removeOrphans || globals.removeOrphans) options.removeOrphans = true;
  if (globals.ignoreOrphans) options.ignoreOrphans = true;
  const scale = parseScale(flags.scale);
  if (scale) options.scale = scale;
  if (flags.timeout !== undefined) options.timeout = parseNonNegativeInt("--timeout", flags.timeout);
  if (flags.wait) options.wait = true;
  if (flags.waitTimeout !== undefined) options.waitTimeout = parseNonNegativeInt("--wait-timeout", flags.waitTimeout);
  if (globals.parallel !== undefined) options.parallel = globals.parallel;
  if (globals.dryRun) options.dryRun = true;

  const req: UpRequest = {
    options,
    attached: !detach,
    noAttach: flags.noAttach ?? [],
    abortOnExit: flags.abortOnContainerExit === true || flags.exitCodeFrom !== undefined,
    abortOnFailure: flags.abortOnContainerFailure === true,
    timestamps: flags.timestamps === true,
    color: flags.noColor !== true,
    prefix: flags.noLogPrefix !== true,
    watch: flags.watch === true,
    attachDependencies: flags.attachDependencies === true,
    quietPull: flags.quietPull === true,
    quietBuild: flags.quietBuild === true,
  };
  if (flags.attach && flags.attach.length > 0) req.attach = flags.attach;
  if (flags.exitCodeFrom !== undefined) req.exitCodeFrom = flags.exitCodeFrom;
  return req;
}

/** Shared by `up` and `create`: flags common to both. */
export function addRecreateFlags(cmd: Command): Command {
  return cmd
    .option("--build", "Build images before starting containers")
    .addOption(literalNoFlag("--no-build", "Don't build an image, even if it's missing"))
    .addOption(new Option("--pull <policy>", "Pull image before running").choices(["always", "missing", "never", "policy"]))
    .option("--force-recreate", "Recreate containers even if their configuration and image haven't changed")
    .addOption(literalNoFlag("--no-recreate", "If containers already exist, don't recreate them"))
    .option("--remove-orphans", "Remove containers for services not defined in the Compose file")
    .option("--scale <service=num>", "Scale SERVICE to NUM instances (repeatable)", collect)
    .option("--quiet-pull", "Pull without printing progress information")
    .option("-y, --yes", "Assume \"yes\" as answer to all prompts");
}

export async function runUp(ctx: CliContext, services: string[], flags: UpFlags): Promise<number> {
  const req = upRequest(services, flags, ctx.globals);
  if (ctx.globals.ignoreOrphans && flags.removeOrphans) {
    throw new UsageError("COMPOSE_IGNORE_ORPHANS and --remove-orphans cannot be combined");
  }
  const project = await ctx.project({ services });
  if (!req.watch || ctx.globals.dryRun) return upAndAttach(ctx, project, services, req);
  const watch = await import("./watch.js");
  await watch.checkWatch(project.config, services);
  // one watch per project: taken before anything starts, held until up --watch ends
  const lock = await watch.lockWatch(ctx, project.name);
  try {
    return await upAndAttach(ctx, project, services, req);
  } finally {
    lock.release();
  }
}

async function upAndAttach(ctx: CliContext, project: CliProject, services: string[], req: UpRequest): Promise<number> {
  if (ctx.globals.dryRun) {
    const plan = await project.plan(req.options);
    const { renderPlan } = await import("../../runtime/plan.js");
    for (const line of renderPlan(plan)) ctx.out(`${line}\n`);
    return 0;
  }

  // Ctrl-C while the stack is coming up: abort the operation. Attached, the library then stops what
  // this up started (a second Ctrl-C kills it instead); detached, it says what it leaves.
  let upInterrupted = false;
  const force = new AbortController();
  const uninstall = ctx.io.onSignal(() => {
    if (upInterrupted) {
      if (!force.signal.aborted && !req.options.detach) ctx.err("Killing...\n");
      force.abort();
      return;
    }
    upInterrupted = true;
    if (!req.options.detach) ctx.err("Gracefully stopping... (press Ctrl+C again to force)\n");
    ctx.cancel(new Error("interrupted"));
  });
  const { withReporter } = await import("../context.js");
  try {
    await withReporter(ctx, req.options.wait ? "Waiting" : "Running", (reporter) =>
      project.up({ ...req.options, onEvent: quietListener(reporter.onEvent, { pull: req.quietPull, build: req.quietBuild }), signal: ctx.signal, forceStop: force.signal }),
    );
  } catch (e) {
    if (upInterrupted) return 130;
    throw e;
  } finally {
    uninstall();
  }
  if (upInterrupted) return 130;
  if (!req.attached) return 0;

  const model = project.config.model;
  const attached = attachTargets(model, services, req);
  const { attachAndWait } = await import("../attach.js");
  const attachOptions: Parameters<typeof attachAndWait>[2] = {
    services: attached,
    color: req.color && ctx.colorOut(),
    prefix: req.prefix,
    timestamps: req.timestamps,
    abortOnExit: req.abortOnExit,
    abortOnFailure: req.abortOnFailure,
  };
  if (req.exitCodeFrom !== undefined) attachOptions.exitCodeFrom = req.exitCodeFrom;
  if (req.options.timeout !== undefined) attachOptions.timeout = req.options.timeout;
  const stopWatching = req.watch ? await (await import("./watch.js")).startWatching(ctx, services) : undefined;
  try {
    return await attachAndWait(ctx, project, attachOptions);
  } finally {
    await stopWatching?.();
  }
}

export const upCommand: CommandModule = {
  name: "up",
  register(program: Command, ctx: CliContext): Command {
    const cmd = program
      .command("up")
      .description("Create and start containers")
      .argument("[services...]", "Services to start (with their dependencies)")
      .option("-d, --detach", "Detached mode: run containers in the background")
      .option("--always-recreate-deps", "Recreate dependent containers")
      .option("-V, --renew-anon-volumes", "Recreate anonymous volumes instead of retrieving data from the previous containers")
      .addOption(literalNoFlag("--no-deps", "Don't start linked services"))
      .addOption(literalNoFlag("--no-start", "Don't start the services after creating them"))
      .option("-t, --timeout <seconds>", "Shutdown timeout in seconds when containers are already running")
      .option("--wait", "Wait for services to be running|healthy (implies detached mode)")
      .option("--wait-timeout <seconds>", "Maximum duration in seconds to wait for the project to be running|healthy")
      .option("--attach <service>", "Restrict attaching to the specified services (repeatable)", collect)
      .addOption(literalNoFlag("--no-attach <service>", "Do not attach (stream logs) to the specified services (repeatable)", true))
      .option("--attach-dependencies", "Automatically attach to log output of dependent services")
      .option("--abort-on-container-exit", "Stops all containers if any container was stopped")
      .option("--abort-on-container-failure", "Stops all containers if any container exited with failure")
      .option("--exit-code-from <service>", "Return the exit code of the selected service container")
      .option("--timestamps", "Show timestamps")
      .addOption(literalNoFlag("--no-color", "Produce monochrome output"))
      .addOption(literalNoFlag("--no-log-prefix", "Don't print prefix in logs"))
      .option("-w, --watch", "Watch source code and rebuild/refresh containers when files are updated")
      .option("--quiet-build", "Suppress the build output");
    addRecreateFlags(cmd);
    return cmd.action(exitAction(ctx, (services: string[], flags: UpFlags) => runUp(ctx, services, flags)));
  },
};
