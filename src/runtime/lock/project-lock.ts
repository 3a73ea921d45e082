/**
 * One mutating command per project at a time, across processes, on one engine.
 *
 * The lock is a container named `flotilla-lock.<project>` that is created and never started.
 * Creating a container with a fixed name is atomic on the engine (the second create gets 409
 * Conflict), unlike creating a network (same-name networks are allowed and the engine's duplicate
 * check races) or a volume (creating an existing local volume succeeds). The container carries the
 * holder (pid, host, command, since) in labels and no `com.docker.compose.*` label, so `ps`, `ls`,
 * `down` and Docker Compose, which all select by the project label, never see it.
 *
 * It is created from a tiny image (`flotilla-lock:1`, built FROM scratch with a label, no layer, no
 * network), built on first use: any engine can make it, and the container never runs anything.
 *
 * A command that finds the lock held waits (saying for what), up to a timeout, or fails at once
 * with `timeout: 0`. A lock whose holder is gone (its pid no longer exists on this host), or that
 * is older than `staleAfter` when held from another host, is taken over (removed by id, so a fresh
 * lock someone else just took is never removed by mistake). Within one async call chain the lock
 * is re-entrant (`run` starting its dependencies through `up`, `watch` rebuilding through `up`).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Readable } from "node:stream";
import { FlotillaError } from "../../errors.js";
import type { EventListener } from "../../events.js";
import type { ContainerDetails, Engine } from "../engine.js";
import { lockTar } from "./lock-tar.js";
import { sleep as abortableSleep } from "../conditions.js";

export const LOCK_LABEL = "io.flotilla.lock";
export const LOCK_PID_LABEL = "io.flotilla.lock.pid";
export const LOCK_HOST_LABEL = "io.flotilla.lock.host";
export const LOCK_COMMAND_LABEL = "io.flotilla.lock.command";
export const LOCK_SINCE_LABEL = "io.flotilla.lock.since";
export const LOCK_IMAGE = "flotilla-lock:1";

export const DEFAULT_LOCK_TIMEOUT_S = 600;
export const DEFAULT_STALE_AFTER_MS = 30 * 60 * 1000;

/** How a project's commands lock (Project.load({ lock }), the CLI's --lock-timeout / --no-lock-wait). */
export interface LockSettings {
  /** Seconds to wait for another command's lock (default 600); 0 fails at once. */
  timeout?: number;
  /** Do not lock at all. */
  disabled?: boolean;
  /** A lock held from another host is taken over once older than this (ms; default 30 min). */
  staleAfter?: number;
  /** Poll interval while waiting (ms; default 250). */
  pollMs?: number;
  /** Who we are: this process on this host (the library fills it in from src/api/host.ts). */
  self?: { pid: number; host: string };
  /** Whether a pid on this host is alive (the library's `pidAlive`); without it a same-host holder counts as alive. */
  isAlive?: (pid: number) => boolean;
  /** Milliseconds now (tests). */
  now?: () => number;
}

export interface LockHolder {
  id: string;
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface HeldLock {
  readonly id: string;
  readonly project: string;
  release(): Promise<void>;
}

export function lockContainerName(project: string): string {
  return `flotilla-lock.${project}`;
}

/** The holder a lock container describes. */
export function holderOf(d: Pick<ContainerDetails, "id" | "labels" | "created">): LockHolder {
  const l = d.labels;
  return { id: d.id, pid: Number(l[LOCK_PID_LABEL] ?? "0"), host: l[LOCK_HOST_LABEL] ?? "", command: l[LOCK_COMMAND_LABEL] ?? "flotilla", since: l[LOCK_SINCE_LABEL] ?? d.created };
}

/**
 * Who holds the lock: this process on this host. The runtime does not read the process; the library
 * (src/api/host.ts) passes its pid in. Without it there is no way to name a holder, so no lock.
 */
function selfOf(settings: LockSettings): { pid: number; host: string } {
  if (settings.self === undefined) throw new TypeError("project lock: settings.self (this process's pid and host) is required");
  return settings.self;
}

/** Why a holder is stale (taken over), or undefined while it is live. */
export function staleReason(h: LockHolder, settings: LockSettings = {}): string | undefined {
  const self = selfOf(settings);
  // Without a way to tell, a holder on this host counts as alive: never taken over by mistake.
  const alive = settings.isAlive ?? (() => true);
  const now = (settings.now ?? Date.now)();
  if (!Number.isInteger(h.pid) || h.pid <= 0 || h.host === "") return "it names no holder";
  if (h.host === self.host) return alive(h.pid) ? undefined : `process ${h.pid} is gone`;
  const age = now - Date.parse(h.since);
  const limit = settings.staleAfter ?? DEFAULT_STALE_AFTER_MS;
  return Number.isFinite(age) && age > limit ? `it was taken ${Math.round(age / 60000)} min ago on ${h.host}` : undefined;
}

export function describeHolder(h: LockHolder, project: string, selfHost?: string): string {
  const where = selfHost !== undefined && h.host !== selfHost ? ` on ${h.host}` : "";
  return `"${h.command}" (pid ${h.pid}${where}) on project ${project}`;
}

function isConflict(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: string } | undefined;
  return e?.code === "CONFLICT" || e?.statusCode === 409 || (err instanceof Error && /already in use/i.test(err.message));
}

function isNoImage(err: unknown): boolean {
  return (err as { code?: string })?.code === "IMAGE_NOT_FOUND" || (err instanceof Error && /no such image/i.test(err.message));
}

async function ensureLockImage(engine: Engine): Promise<void> {
  if (await engine.inspectImage(LOCK_IMAGE)) return;
  await engine.buildImage({ context: Readable.from([lockTar()]), tags: [LOCK_IMAGE], labels: { [LOCK_LABEL]: "image" } });
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> => abortableSleep(ms, signal, abortError);

function abortError(): FlotillaError {
  return new FlotillaError("ABORTED", "the operation was cancelled while waiting for the project lock");
}

export interface AcquireOptions {
  settings?: LockSettings | undefined;
  /**
   * Proceed without the lock when this very process holds it (kill during an interrupted stop:
   * the second Ctrl-C must not wait for the first one's graceful stop).
   */
  shareWithinProcess?: boolean | undefined;
  onEvent?: EventListener | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Take the lock of `project` for `command` (e.g. "flotilla up"): create the lock container, or wait
 * for its holder (one "waiting for …" line per holder), taking over a stale one.
 */
export async function acquireProjectLock(engine: Engine, project: string, command: string, options: AcquireOptions = {}): Promise<HeldLock> {
  const settings = options.settings ?? {};
  const self = selfOf(settings);
  const now = settings.now ?? Date.now;
  const timeoutMs = (settings.timeout ?? DEFAULT_LOCK_TIMEOUT_S) * 1000;
  const deadline = now() + timeoutMs;
  const name = lockContainerName(project);
  let announced: string | undefined;
  let imageReady = false;
  for (;;) {
    if (options.signal?.aborted) throw abortError();
    const spec = {
      name,
      Image: LOCK_IMAGE,
      Cmd: ["flotilla-lock"],
      Labels: {
        [LOCK_LABEL]: project,
        [LOCK_PID_LABEL]: String(self.pid),
        [LOCK_HOST_LABEL]: self.host,
        [LOCK_COMMAND_LABEL]: command,
        [LOCK_SINCE_LABEL]: new Date(now()).toISOString(),
      },
      HostConfig: { NetworkMode: "none" },
    };
    try {
      const id = await engine.createContainer(spec);
      return { id, project, release: () => engine.removeContainer(id, { force: true }).catch(() => {}) };
    } catch (err) {
      if (isNoImage(err) && !imageReady) {
        await ensureLockImage(engine);
        imageReady = true;
        continue;
      }
      if (!isConflict(err)) throw err;
    }
    const found = await engine.inspectContainer(name);
    if (!found) continue; // released meanwhile: try again at once
    const holder = holderOf(found);
    if (options.shareWithinProcess && holder.pid === self.pid && holder.host === self.host) return { id: holder.id, project, release: async () => {} };
    const stale = staleReason(holder, settings);
    if (stale !== undefined) {
      options.onEvent?.({ type: "info", message: `taking over the lock of project ${project} held by "${holder.command}" (pid ${holder.pid}): ${stale}` });
      await engine.removeContainer(holder.id, { force: true }).catch(() => {});
      continue;
    }
    const who = describeHolder(holder, project, self.host);
    if (now() >= deadline) {
      throw new FlotillaError("PROJECT_LOCKED", `project ${project} is locked by ${who}${timeoutMs > 0 ? ` (waited ${Math.round(timeoutMs / 1000)} s)` : ""}`, {
        hint: `wait for it to finish, or raise --lock-timeout; if that command is gone, remove the lock with: docker rm ${name}`,
      });
    }
    if (announced !== holder.id) {
      announced = holder.id;
      options.onEvent?.({ type: "info", message: `waiting for ${who}…` });
    }
    await sleep(Math.min(settings.pollMs ?? 250, Math.max(1, deadline - now())), options.signal);
  }
}

/** The projects whose lock the current async call chain holds (re-entrancy). */
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** Run `fn` holding the lock of `project` (at once when this call chain already holds it). */
export async function withProjectLock<T>(engine: Engine, project: string, command: string, options: AcquireOptions, fn: () => Promise<T>): Promise<T> {
  const mine = held.getStore();
  if (options.settings?.disabled || mine?.has(project)) return fn();
  const lock = await acquireProjectLock(engine, project, command, options);
  try {
    return await held.run(new Set([...(mine ?? []), project]), fn);
  } finally {
    await lock.release();
  }
}
