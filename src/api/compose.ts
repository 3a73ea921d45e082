/**
 * The library API for integration tests: `compose(options).waitFor(...).up()` returns a started
 * stack keyed by service, torn down by `await using` (or `down()`), with one overall deadline for
 * its waits, a generated project name per stack, and a watchdog that removes the stack if the
 * test process dies first. Built on `Project` (load → observe → plan → apply).
 */
import { randomBytes } from "node:crypto";
import { FlotillaError, UsageError } from "../errors.js";
import { silent, type EventListener } from "../events.js";
import { abortError } from "../runtime/conditions.js";
import type { Engine } from "../runtime/engine.js";
import type { LoadedProject, ServiceConfig } from "../spec/model.js";
import { DEFAULT_TIMEOUT_MS, type ComposeOptions, type Env } from "./compose-options.js";
import { connectFromEnv, Project } from "./project.js";
import { ownerLabels, startReaper, sweepAbandoned, type Reaper } from "./reaper.js";
import { StartedStack } from "./stack.js";
import type { WaitStrategy } from "./wait/strategy.js";
import { seconds } from "./wait/run.js";
import { hostCwd, hostEnv } from "./host.js";

export type { ComposeOptions, StackDownOptions } from "./compose-options.js";
export { ServiceHandle, StartedStack, type ContainerHandle, type ExecCommand } from "./stack.js";

/** Start describing a stack. Nothing touches the engine until `up()`. */
export function compose(options: ComposeOptions = {}): ComposeBuilder {
  return new ComposeBuilder(options);
}

export class ComposeBuilder {
  readonly options: Readonly<ComposeOptions>;

  constructor(options: ComposeOptions) {
    this.options = options;
  }

  /** Wait for `service` with `strategy` (replaces an earlier one for the same service). Returns a new builder. */
  waitFor(service: string, strategy: WaitStrategy): ComposeBuilder {
    return new ComposeBuilder({ ...this.options, waitFor: { ...this.options.waitFor, [service]: strategy } });
  }

  /** Default wait for every service without its own. Returns a new builder. */
  waitForAll(strategy: WaitStrategy): ComposeBuilder {
    return new ComposeBuilder({ ...this.options, waitForAll: strategy });
  }

  /** More options (env is merged, the rest replaced). Returns a new builder. */
  with(options: ComposeOptions): ComposeBuilder {
    const env = this.options.env || options.env ? { ...this.options.env, ...options.env } : undefined;
    return new ComposeBuilder({ ...this.options, ...options, ...(env ? { env } : {}) });
  }

  /** Create and start the stack, then wait until every wait passes. On failure, tears down and rethrows. */
  async up(): Promise<StartedStack> {
    return bringUp(this.options);
  }
}

export function generateProjectName(): string {
  return `flotilla-test-${randomBytes(5).toString("hex")}`;
}

/** A copy of the project whose services carry the owner labels (so a later sweep can find it). */
function withOwnerLabels(config: LoadedProject, labels: Record<string, string>): LoadedProject {
  const services: Record<string, ServiceConfig> = {};
  for (const [name, svc] of Object.entries(config.model.services)) services[name] = { ...svc, labels: { ...(svc.labels ?? {}), ...labels } };
  return { ...config, model: { ...config.model, services } };
}

function endpointOf(engine: Engine): unknown {
  return (engine as { endpoint?: unknown }).endpoint;
}

/** The deadline of one `up` and its waits, and the signal that ends them (the user's, or the deadline). */
interface UpClock {
  /** The stack's project name, as asked for (or generated). */
  projectName: string;
  started: number;
  deadline: AbortSignal;
  signal: AbortSignal;
}

async function bringUp(o: ComposeOptions): Promise<StartedStack> {
  const started = Date.now();
  if (o.reuse && !o.projectName) {
    throw new UsageError("compose({ reuse: true }) needs a projectName", "name the stack, e.g. compose({ projectName: \"my-tests\", reuse: true })");
  }
  const timeoutMs = o.timeout ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new UsageError(`compose: timeout must be a positive number of milliseconds, got ${timeoutMs}`);
  if (o.signal?.aborted) throw abortError();
  const deadline = AbortSignal.timeout(timeoutMs);
  const projectName = o.projectName ?? generateProjectName();
  const clock: UpClock = { projectName, started, deadline, signal: o.signal ? AbortSignal.any([o.signal, deadline]) : deadline };

  const env: Env = { ...hostEnv(), ...o.env };
  const engine = o.engine ?? (await connectFromEnv(env));
  const project = await loadStackProject(o, engine, env, projectName);
  const info = await engine.info();
  const host = info.host === "localhost" ? "127.0.0.1" : info.host;

  let reaper: Reaper | undefined;
  const endpoint = endpointOf(engine);
  if (!o.reuse && o.reaper !== false && endpoint) {
    reaper = startReaper({ endpoint: endpoint as never, project: projectName });
  }
  const emit = o.onEvent ?? silent;
  // Belt and braces: stacks of test processes that died without their watchdog doing its job.
  const sweep = sweepAbandoned(engine, { exclude: projectName }).then(
    (swept) => {
      if (swept.length > 0) emit({ type: "info", message: `removed abandoned test stacks: ${swept.join(", ")}` });
    },
    (e: unknown) => emit({ type: "warning", message: `sweeping abandoned test stacks failed: ${(e as Error).message}` }),
  );

  const stack = new StartedStack(project, engine, host, o, reaper);
  try {
    await startStack(o, project, stack, clock);
  } catch (e) {
    await sweep;
    await failedUp(o, projectName, stack, reaper, emit);
    throw e;
  }
  await sweep;
  stack.startLogForwarding();
  return stack;
}

/** Load the project (its waits must name its services); unless reused, its services carry the owner labels. */
async function loadStackProject(o: ComposeOptions, engine: Engine, env: Env, projectName: string): Promise<Project> {
  const loaded = await Project.load({
    engine,
    env,
    cwd: o.cwd ?? hostCwd(),
    projectName,
    ...(o.files ? { files: o.files } : {}),
    ...(o.documents ? { documents: o.documents } : {}),
    ...(o.projectDirectory ? { projectDirectory: o.projectDirectory } : {}),
    ...(o.envFiles ? { envFiles: o.envFiles } : {}),
    ...(o.profiles ? { profiles: o.profiles } : {}),
    ...(o.services ? { services: o.services } : {}),
  });
  const known = Object.keys(loaded.config.model.services).sort();
  for (const s of Object.keys(o.waitFor ?? {})) {
    if (!known.includes(s)) {
      throw new FlotillaError("NO_SUCH_SERVICE", `waitFor("${s}"): no such service in project ${projectName}`, { service: s, hint: `services: ${known.join(", ")}` });
    }
  }
  // A generated project name is this stack's alone: no other command can target it, so no lock.
  const lock = o.projectName ? {} : { lock: { disabled: true } };
  return o.reuse ? loaded : Project.from(withOwnerLabels(loaded.config, ownerLabels()), { engine, env, ...lock });
}

/** `up`, then every service's wait, under one deadline (an `up` cut by it is a WAIT_TIMEOUT). */
async function startStack(o: ComposeOptions, project: Project, stack: StartedStack, clock: UpClock): Promise<void> {
  try {
    await project.up({
      signal: clock.signal,
      onEvent: o.onEvent ?? silent,
      ...(o.services ? { services: [...o.services] } : {}),
      ...(o.pull ? { pull: o.pull } : {}),
      ...(o.build === true ? { build: true } : o.build === false ? { noBuild: true } : {}),
      ...(o.reuse ? { noRecreate: true } : {}),
    });
  } catch (e) {
    if (clock.deadline.aborted && !o.signal?.aborted) {
      throw new FlotillaError("WAIT_TIMEOUT", `stack ${clock.projectName} did not come up within ${seconds(Date.now() - clock.started)}`, {
        hint: "raise the `timeout` option (ms), or check image pulls/builds",
        cause: e,
      });
    }
    throw e;
  }
  await stack.refresh();
  await stack.waitServices(undefined, clock.signal, clock.deadline, clock.started);
}

/** After a failed up or wait: tear the stack down, or with keepOnFailure leave it and say how to remove it. */
async function failedUp(o: ComposeOptions, projectName: string, stack: StartedStack, reaper: Reaper | undefined, emit: EventListener): Promise<void> {
  if (o.keepOnFailure) {
    reaper?.disarm();
    emit({ type: "info", message: `keepOnFailure: stack ${projectName} left in place (remove it with: flotilla -p ${projectName} down -v)` });
  } else {
    await stack.down().catch((err: unknown) => emit({ type: "warning", message: `teardown of ${projectName} after a failed up: ${(err as Error).message}` }));
  }
}
