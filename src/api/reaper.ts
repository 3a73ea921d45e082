/**
 * Crash-safe cleanup for stacks started by `compose().up()`.
 *
 * 1. A watchdog process per stack (`reaper-process.ts`), spawned detached at `up` with its stdin a
 *    pipe from the test process. The first line it reads says what to reap; if the pipe closes
 *    without a "disarm" line (the test process died: SIGKILL, crash, or exited without teardown),
 *    it removes every container, network and volume labelled with the stack's project.
 * 2. Ownership labels on the stack's containers (owner pid + host): the next `up` sweeps stacks
 *    whose owner process is gone, in case a watchdog could not run (belt and braces).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import type { EndpointConfig } from "../runtime/connect.js";
import type { Engine } from "../runtime/engine.js";
import { Label } from "../runtime/labels.js";
import { isNotFound, removeNetworkPatiently } from "../runtime/network/networks.js";
import { holderOf, lockContainerName } from "../runtime/lock/project-lock.js";
import { hostEnv, hostExecPath, hostPid, pidAlive } from "./host.js";

/** Labels marking stacks made by the test API, with the process that owns them. */
export const OwnerLabel = {
  pid: "io.flotilla.owner-pid",
  host: "io.flotilla.owner-host",
} as const;

export function ownerLabels(pid: number = hostPid(), host: string = hostname()): Record<string, string> {
  return { [OwnerLabel.pid]: String(pid), [OwnerLabel.host]: host };
}

/** What the watchdog receives as its first stdin line. */
export interface ReaperOrder {
  endpoint: EndpointConfig;
  project: string;
}

export interface RemovedResources {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/**
 * The project lock of a command that died with the stack's owner. It carries no Compose label (so
 * `ps` and `down` never see it): remove it by name, but only when its holder is gone from this host.
 */
async function removeDeadLock(engine: Engine, project: string, out: RemovedResources & { errors: string[] }): Promise<void> {
  const lock = await engine.inspectContainer(lockContainerName(project));
  if (!lock) return;
  const holder = holderOf(lock);
  if (holder.host !== hostname() || (holder.pid > 0 && pidAlive(holder.pid))) return;
  try {
    await engine.removeContainer(lock.id, { force: true });
    out.containers.push(lockContainerName(project));
  } catch (e) {
    if (!isNotFound(e)) out.errors.push(`lock ${lockContainerName(project)}: ${(e as Error).message}`);
  }
}

/**
 * Remove everything labelled `com.docker.compose.project=<project>`: containers (forced, with
 * anonymous volumes), then networks (retrying while still in use), then volumes. Best effort:
 * "not found" is success (someone else removed it first); other errors are collected and returned.
 */
export async function removeStack(engine: Engine, project: string): Promise<RemovedResources & { errors: string[] }> {
  const out: RemovedResources & { errors: string[] } = { containers: [], networks: [], volumes: [], errors: [] };
  const byProject = { [Label.project]: project };
  const containers = await engine.listContainers({ labels: byProject, all: true });
  await Promise.all(
    containers.map(async (c) => {
      try {
        await engine.removeContainer(c.id, { force: true, volumes: true });
        out.containers.push(c.name);
      } catch (e) {
        if (!isNotFound(e)) out.errors.push(`container ${c.name}: ${(e as Error).message}`);
      }
    }),
  );
  await removeDeadLock(engine, project, out);
  const networks = await engine.listNetworks({ labels: byProject });
  await Promise.all(
    networks.map(async (n) => {
      try {
        if (await removeNetworkPatiently(engine, n.id || n.name)) out.networks.push(n.name);
      } catch (e) {
        out.errors.push(`network ${n.name}: ${(e as Error).message}`);
      }
    }),
  );
  const volumes = await engine.listVolumes({ labels: byProject });
  await Promise.all(
    volumes.map(async (v) => {
      try {
        await engine.removeVolume(v.name, true);
        out.volumes.push(v.name);
      } catch (e) {
        if (!isNotFound(e)) out.errors.push(`volume ${v.name}: ${(e as Error).message}`);
      }
    }),
  );
  return out;
}

export { pidAlive };

/**
 * Projects created by this API on this host whose owner process is dead (the pid check is only
 * meaningful on the same host, so other hosts' stacks are never touched).
 */
export async function findAbandoned(engine: Engine, opts: { host?: string; alive?: (pid: number) => boolean; exclude?: string } = {}): Promise<string[]> {
  const host = opts.host ?? hostname();
  const alive = opts.alive ?? pidAlive;
  const list = await engine.listContainers({ labels: { [OwnerLabel.pid]: undefined }, all: true });
  const projects = new Set<string>();
  for (const c of list) {
    const project = c.labels[Label.project];
    if (!project || project === opts.exclude || c.labels[OwnerLabel.host] !== host) continue;
    if (!alive(Number(c.labels[OwnerLabel.pid]))) projects.add(project);
  }
  return [...projects].sort();
}

/** Remove the stacks of dead owners; returns the project names swept. */
export async function sweepAbandoned(engine: Engine, opts: { exclude?: string } = {}): Promise<string[]> {
  const projects = await findAbandoned(engine, opts);
  await Promise.all(projects.map((p) => removeStack(engine, p)));
  return projects;
}

/** A running watchdog. `disarm()` lets it exit without touching the stack. */
export interface Reaper {
  readonly pid: number | undefined;
  disarm(): void;
}

export const REAPER_SCRIPT = fileURLToPath(new URL("./reaper-process.js", import.meta.url));

/**
 * Spawn the watchdog for `project`. It does not keep the parent's event loop alive; the parent's
 * death closes its stdin, which is its cue. Node's own executable runs it, so no PATH lookup.
 */
export function startReaper(order: ReaperOrder): Reaper {
  const child: ChildProcess = spawn(hostExecPath(), [REAPER_SCRIPT], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
    env: { PATH: hostEnv()["PATH"] ?? "" },
  });
  child.on("error", () => {});
  const stdin = child.stdin;
  stdin?.on("error", () => {});
  // The endpoint (possibly with TLS keys) travels on the pipe, not in argv where `ps` shows it.
  stdin?.write(`${JSON.stringify(order)}\n`);
  child.unref();
  (stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let disarmed = false;
  return {
    pid: child.pid,
    disarm() {
      if (disarmed) return;
      disarmed = true;
      stdin?.end("disarm\n");
    },
  };
}
