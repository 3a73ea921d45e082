/**
 * depends_on conditions: wait until a dependency's containers reach the condition a dependent
 * asks for. Polls `inspectContainer` (fast interval, backing off to 250 ms) — Compose polls every
 * 500 ms; a shorter interval makes chains of healthchecks start sooner.
 */
import { FlotillaError, ServiceError, WaitError } from "../errors.js";
import type { DependsOnCondition } from "../spec/model.js";
import type { ContainerDetails, Engine } from "./engine.js";

export interface ConditionTarget {
  /** The dependency service. */
  service: string;
  condition: DependsOnCondition;
  /** Containers of the dependency (ids or names). */
  containers: readonly { id: string; name: string }[];
}

export interface WaitConditionOptions {
  signal?: AbortSignal;
  /** First poll interval (ms); doubles up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** The service that waits (for messages). */
  dependent?: string;
}

/** Wait `ms`, or reject as soon as `signal` aborts, with `onAbort(signal)` (default: ABORTED "operation aborted"). */
export function sleep(ms: number, signal?: AbortSignal, onAbort: (signal: AbortSignal) => Error = abortError): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = (): void => {
      clearTimeout(t);
      reject(onAbort(signal!));
    };
    signal?.addEventListener("abort", stop, { once: true });
  });
}

export function abortError(): FlotillaError {
  return new FlotillaError("ABORTED", "operation aborted");
}

/** The last `n` log lines of a container (stdout and stderr), best effort. */
export async function tailLogs(engine: Engine, id: string, n = 10): Promise<string[]> {
  try {
    let text = "";
    for await (const chunk of engine.logs(id, { tail: n, follow: false, stdout: true, stderr: true })) text += chunk.data.toString("utf8");
    return text.split(/\r?\n/).filter((l) => l.length > 0).slice(-n);
  } catch {
    return [];
  }
}

function lastHealthOutput(d: ContainerDetails): string {
  const log = d.state.health?.log ?? [];
  const last = log[log.length - 1];
  return last ? last.output.trim() : "";
}

/** Exit codes above 128 mean "killed by signal N-128": a stop (docker stop, down, an engine restart), not a failure of its own. */
const SIGNALS: Record<number, string> = { 1: "SIGHUP", 2: "SIGINT", 9: "SIGKILL", 15: "SIGTERM" };

/** A container that is not running any more (and is not about to): not "unhealthy", but what happened to it. */
export function notRunning(st: ContainerDetails["state"]): boolean {
  return !st.running && st.status !== "created" && st.status !== "restarting";
}

/**
 * "exited (code 1)", or "was stopped (exit code 143, SIGTERM)" when a signal ended it — a
 * health-checked container that is stopped reports "unhealthy" to the engine, which would
 * blame its healthcheck for a `down` or an engine restart.
 */
export function describeStopped(st: ContainerDetails["state"]): string {
  const code = st.exitCode;
  if (st.oomKilled) return `was killed: out of memory (exit code ${code})`;
  if (code > 128 && code < 160) {
    const sig = SIGNALS[code - 128];
    return `was stopped (exit code ${code}, ${sig ?? `signal ${code - 128}`})`;
  }
  if (st.status === "dead") return `is dead (exit code ${code})${st.error ? `: ${st.error}` : ""}`;
  return `exited (code ${code})${st.error ? `: ${st.error}` : ""}`;
}

type Verdict = { done: true } | { done: false } | { failed: ServiceError };

async function checkOne(engine: Engine, target: ConditionTarget, c: { id: string; name: string }): Promise<Verdict> {
  const d = await engine.inspectContainer(c.id);
  if (!d) {
    return {
      failed: new ServiceError("DEPENDENCY_FAILED", target.service, `dependency failed to start: container ${c.name} no longer exists (removed while waiting for it)`, {
        hint: "another command (down, rm) may have removed it: run up again",
      }),
    };
  }
  const st = d.state;
  switch (target.condition) {
    case "service_started":
      // Started means it was started: running, or already finished (one-shots).
      return st.status === "created" ? { done: false } : { done: true };
    case "service_healthy": {
      const h = st.health?.status;
      if (!h || h === "none") {
        return {
          failed: new ServiceError("DEPENDENCY_FAILED", target.service, `dependency failed to start: container ${c.name} has no healthcheck configured`, {
            hint: `add a healthcheck to service "${target.service}" or use condition: service_started`,
          }),
        };
      }
      if (h === "healthy" && st.running) return { done: true };
      // Stopped first: the engine marks a stopped health-checked container "unhealthy".
      if (notRunning(st)) {
        const logs = await tailLogs(engine, c.id, 10);
        return {
          failed: new ServiceError("DEPENDENCY_FAILED", target.service, `dependency failed to start: container ${c.name} ${describeStopped(st)} before becoming healthy`, {
            exitCode: st.exitCode,
            logs,
            hint: st.exitCode > 128 ? "it was stopped from outside (docker stop, down, an engine restart): run up again" : `see its output with: flotilla logs ${target.service}`,
          }),
        };
      }
      if (h === "unhealthy") {
        const out = lastHealthOutput(d);
        return {
          failed: new ServiceError("DEPENDENCY_FAILED", target.service, `dependency failed to start: container ${c.name} is unhealthy${out ? `: ${out}` : ""}`, {
            hint: `check the healthcheck of service "${target.service}" (docker inspect ${c.name})`,
            logs: out ? out.split(/\r?\n/) : [],
          }),
        };
      }
      return { done: false };
    }
    case "service_completed_successfully": {
      if (st.running || st.status === "created" || st.status === "restarting") return { done: false };
      if (st.exitCode === 0) return { done: true };
      const logs = await tailLogs(engine, c.id, 10);
      return {
        failed: new ServiceError(
          "DEPENDENCY_FAILED",
          target.service,
          `service "${target.service}" didn't complete successfully: container ${c.name} ${st.exitCode > 128 ? describeStopped(st) : `exited with code ${st.exitCode}`}` +
            (logs.length ? `\n${logs.map((l) => `  ${l}`).join("\n")}` : ""),
          { exitCode: st.exitCode, logs, hint: `see its output with: flotilla logs ${target.service}` },
        ),
      };
    }
  }
}

/**
 * Resolve when every container of the dependency satisfies the condition; reject with
 * ServiceError DEPENDENCY_FAILED (naming the dependency, with exit code / health output / logs)
 * as soon as one cannot.
 */
export async function waitForCondition(engine: Engine, target: ConditionTarget, opts: WaitConditionOptions = {}): Promise<void> {
  let interval = opts.pollMs ?? 50;
  const maxInterval = opts.maxPollMs ?? 250;
  const pending = new Map(target.containers.map((c) => [c.id, c]));
  for (;;) {
    if (opts.signal?.aborted) throw abortError();
    const verdicts = await Promise.all([...pending.values()].map(async (c) => [c, await checkOne(engine, target, c)] as const));
    for (const [c, v] of verdicts) {
      if ("failed" in v) throw v.failed;
      if (v.done) pending.delete(c.id);
    }
    if (pending.size === 0) return;
    await sleep(interval, opts.signal);
    interval = Math.min(maxInterval, interval * 2);
  }
}

/** What `--wait` waits for on a started container: healthy if it has a healthcheck, else running; one-shots: exit 0. */
export type ReadyKind = "running" | "healthy" | "completed";

/** One poll for `--wait`: true = ready, false = not yet; throws when it can never become ready. */
export async function isReady(engine: Engine, service: string, c: { id: string; name: string }, kind: ReadyKind): Promise<boolean> {
  const d = await engine.inspectContainer(c.id);
  if (!d) throw new ServiceError("WAIT_FAILED", service, `container ${c.name} no longer exists`);
  const st = d.state;
  if (kind === "completed") {
    if (st.running || st.status === "created" || st.status === "restarting") return false;
    if (st.exitCode === 0) return true;
    throw new ServiceError("WAIT_FAILED", service, `container ${c.name} exited with code ${st.exitCode}`, { exitCode: st.exitCode, logs: await tailLogs(engine, c.id) });
  }
  const h = st.health?.status;
  if (h && h !== "none") {
    // Stopped first: the engine marks a stopped health-checked container "unhealthy".
    if (notRunning(st)) throw new ServiceError("WAIT_FAILED", service, `container ${c.name} ${describeStopped(st)}`, { exitCode: st.exitCode, logs: await tailLogs(engine, c.id) });
    if (h === "unhealthy") throw new ServiceError("WAIT_FAILED", service, `container ${c.name} is unhealthy${lastHealthOutput(d) ? `: ${lastHealthOutput(d)}` : ""}`);
    return h === "healthy";
  }
  if (st.running) return true;
  if (st.status === "exited" || st.status === "dead")
    throw new ServiceError("WAIT_FAILED", service, `container ${c.name} ${describeStopped(st)}`, { exitCode: st.exitCode, logs: await tailLogs(engine, c.id) });
  return false;
}

/** A container `--wait` polls, and what it waits for. */
export interface ReadyTarget {
  service: string;
  id: string;
  name: string;
  kind: ReadyKind;
}

/**
 * Poll every target until each is ready (see isReady), backing off from 50 to 250 ms. Past the
 * deadline (seconds; 0 or undefined = none) it throws WAIT_TIMEOUT naming the services still
 * pending, with `describe(names, seconds)` as the message and `strategy` as the wait's name.
 */
export async function waitUntilReady(
  engine: Engine,
  targets: Iterable<ReadyTarget>,
  opts: { timeoutSeconds?: number | undefined; signal?: AbortSignal | undefined; strategy: string; describe: (services: string[], seconds: number) => string },
): Promise<void> {
  const started = Date.now();
  const timeoutMs = opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0 ? opts.timeoutSeconds * 1000 : Infinity;
  const pending = new Map<string, ReadyTarget>();
  for (const t of targets) pending.set(t.id, t);
  let interval = 50;
  for (;;) {
    if (opts.signal?.aborted) throw abortError();
    const checks = await Promise.all([...pending.values()].map(async (c) => [c, await isReady(engine, c.service, c, c.kind)] as const));
    for (const [c, ok] of checks) if (ok) pending.delete(c.id);
    if (pending.size === 0) return;
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      const names = [...new Set([...pending.values()].map((c) => c.service))].sort();
      throw new WaitError("WAIT_TIMEOUT", names.join(","), opts.strategy, elapsed, opts.describe(names, Math.round(elapsed / 100) / 10));
    }
    await sleep(Math.min(interval, Math.max(1, timeoutMs - elapsed)), opts.signal);
    interval = Math.min(250, interval * 2);
  }
}
