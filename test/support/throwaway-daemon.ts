/**
 * A throwaway Docker daemon for fault tests (recipe: the shared README, "Throwaway daemons"): its own
 * socket, data root, exec root (so its own containerd) and bridge, never the machine's main daemon.
 * `kill()` SIGKILLs it by PID (the engine dies mid-request), `restart()` brings it back on the same
 * state, `stop()` tears everything down by PID (call it in `after`). Skips (with the reason) when the
 * machine cannot run one: not root, or no dockerd.
 */
import { execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Why a throwaway daemon cannot start here, or undefined when it can. */
export function daemonUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "a throwaway daemon needs root (its own bridge)";
  for (const p of ["/usr/sbin/dockerd", "/usr/bin/dockerd"]) if (existsSync(p)) return undefined;
  return "no dockerd on this machine (scripts/engine.sh installs docker.io)";
}

/** Alive, and not a zombie (PID 1 here reaps orphans slowly: read /proc/PID/stat). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await sleep(50);
  }
  return !alive(pid);
}

export class ThrowawayDaemon {
  readonly dir = mkdtempSync(join(tmpdir(), "flt-faults-"));
  readonly socket = join(this.dir, "d.sock");
  readonly host = `unix://${this.socket}`;
  readonly bridge = `flt${process.pid % 100000}`;
  pid = 0;
  private starts = 0;

  /** The environment a client of this daemon runs with. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: this.host, ...extra };
  }

  /** `docker …` against this daemon (throws on a non-zero exit). */
  docker(args: string[], input?: Buffer): string {
    return execFileSync("docker", args, { env: this.env(), encoding: "utf8", input, maxBuffer: 64 << 20 }).trim();
  }

  async start(): Promise<void> {
    // a private /16 away from the swarm lab's 10.213/16, per test process
    const subnet = `10.${120 + (process.pid % 60)}.0.1/16`;
    spawnSync("ip", ["link", "add", this.bridge, "type", "bridge"]);
    spawnSync("ip", ["addr", "add", subnet, "dev", this.bridge]);
    spawnSync("ip", ["link", "set", this.bridge, "up"]);
    await this.launch();
  }

  private async launch(): Promise<void> {
    const log = openSync(join(this.dir, `d.${this.starts++}.log`), "a");
    const child = spawn(
      "dockerd",
      ["-H", this.host, "--pidfile", join(this.dir, "d.pid"), "--data-root", join(this.dir, "data"), "--exec-root", join(this.dir, "exec"), "--bridge", this.bridge, "--iptables=false", "--log-level", "warn"],
      { stdio: ["ignore", log, log], detached: true },
    );
    child.unref();
    this.pid = child.pid ?? 0;
    if (this.starts === 1) process.once("exit", () => this.stopNow());
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      if (!alive(this.pid)) throw new Error(`dockerd exited at start; see ${this.dir}/d.${this.starts - 1}.log`);
      const ping = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { env: this.env(), encoding: "utf8", timeout: 5000 });
      if (ping.status === 0) return;
      await sleep(150);
    }
    throw new Error(`dockerd did not answer on ${this.socket} within 30 s`);
  }

  /** SIGKILL the engine (by PID), as a crash would. Its containerd and containers stay. */
  async kill(): Promise<void> {
    process.kill(this.pid, "SIGKILL");
    await waitGone(this.pid, 10_000);
  }

  async restart(): Promise<void> {
    // Its containerd died with it (or lives on): a dead one may linger as a zombie, which dockerd's
    // liveness check (kill 0) takes for alive, then waits 30 s for its socket. Forget a dead one.
    // The same holds for dockerd's own pid file ("pid file found, ensure docker is not running").
    for (const pidfile of [join(this.dir, "exec", "containerd", "containerd.pid"), join(this.dir, "d.pid")]) {
      if (existsSync(pidfile) && !alive(Number(readFileSync(pidfile, "utf8").trim()))) rmSync(pidfile, { force: true });
    }
    await this.launch();
  }

  /** Copy an image of the main daemon into this one. */
  loadImage(image: string): void {
    const tar = execFileSync("docker", ["save", image], { maxBuffer: 256 << 20 });
    this.docker(["load", "-q"], tar);
  }

  /**
   * Everything this daemon's process tree left, by PID: containerd and shims (their command line names our
   * directory), and the `runc init` of a container the engine was starting when it was killed, which
   * outlives its shim (found by its cgroup, named after a container of our data root).
   */
  private leftovers(): number[] {
    const out: number[] = [];
    for (const p of readdirSync("/proc")) {
      if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
      try {
        const cmdline = readFileSync(`/proc/${p}/cmdline`, "utf8");
        if (cmdline.includes(`${this.dir}/`)) out.push(Number(p));
        else if (cmdline === "runc\0init\0" && this.ownsCgroupOf(p)) out.push(Number(p));
      } catch {
        // gone meanwhile
      }
    }
    return out;
  }

  private ownsCgroupOf(pid: string): boolean {
    const id = /\/docker\/([0-9a-f]{64})$/m.exec(readFileSync(`/proc/${pid}/cgroup`, "utf8"))?.[1];
    return id !== undefined && existsSync(join(this.dir, "data", "containers", id));
  }

  /**
   * Last resort when the test process exits without its `after` (killed by the runner, a broken
   * pipe): SIGKILL this daemon and its containerd by PID and remove the bridge; its directory stays.
   */
  private stopNow(): void {
    if (this.stopped) return;
    for (const p of [this.pid, ...this.leftovers()]) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // gone
      }
    }
    spawnSync("ip", ["link", "del", this.bridge]);
  }

  private stopped = false;

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pid && alive(this.pid)) {
      const ids = spawnSync("docker", ["ps", "-q"], { env: this.env(), encoding: "utf8", timeout: 5000 }).stdout?.trim();
      if (ids) spawnSync("docker", ["kill", ...ids.split("\n")], { env: this.env(), timeout: 10_000 });
      process.kill(this.pid, "SIGTERM");
      if (!(await waitGone(this.pid, 20_000))) process.kill(this.pid, "SIGKILL");
    }
    const left = this.leftovers();
    for (const p of left) process.kill(p, "SIGTERM");
    for (const p of left) if (!(await waitGone(p, 5000))) process.kill(p, "SIGKILL");
    const mounts = readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[1] ?? "")
      .filter((m) => m.startsWith(`${this.dir}/`))
      .sort()
      .reverse();
    for (const m of mounts) await run("umount", ["-l", m]).catch(() => {});
    spawnSync("ip", ["link", "del", this.bridge]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
