/**
 * A throwaway Podman service for the Podman e2e test: `podman system service` on a socket of its
 * own, with its own storage (graph root, run root), temp dir, CNI config dir, event log and subnet
 * pool, all under one temp directory; nothing of the machine's Docker (socket, bridges, data) is
 * touched. Settings this sandbox needs (shared README): default ulimits capped at the hard `nofile`
 * limit, catatonit for `init: true`, cgroupfs and file logs (no systemd). Networks use netavark with
 * aardvark-dns (service-name DNS, internal networks included, and real network ids; the CNI backend
 * with its dnsname plugin derives a network's id from its name and has no DNS on internal networks).
 * `stop()` removes what the service made and stops it by PID (call it in `after`).
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { alive } from "./throwaway-daemon.js";

const run = promisify(execFile);

/** What the machine lacks to run Podman here (the packages scripts/engine.sh installs), or undefined. */
export function podmanMissing(): string | undefined {
  const need: string[] = [];
  if (!existsSync("/usr/bin/podman")) need.push("podman");
  if (!existsSync("/usr/bin/catatonit")) need.push("catatonit");
  if (!existsSync("/usr/lib/podman/netavark")) need.push("netavark");
  if (!existsSync("/usr/lib/podman/aardvark-dns")) need.push("aardvark-dns");
  return need.length > 0 ? `missing Debian packages: ${need.join(", ")} (scripts/engine.sh installs them)` : undefined;
}

/** Whether this process may run a rootful Podman service (its own CNI bridges and iptables rules). */
export function podmanNeedsRoot(): string | undefined {
  return process.getuid?.() === 0 ? undefined : "a throwaway Podman service needs root (its bridges and iptables rules)";
}

function hardNofile(): number {
  const r = spawnSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" });
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) && n > 0 ? Math.min(n, 1_048_576) : 1_048_576;
}

export class ThrowawayPodman {
  readonly dir = mkdtempSync(join(tmpdir(), "flt-podman-"));
  readonly socket = join(this.dir, "podman.sock");
  readonly host = `unix://${this.socket}`;
  pid = 0;
  #stopped = false;

  /** The environment of the `podman` CLI for this service (same storage and settings). */
  podmanEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      CONTAINERS_CONF: join(this.dir, "containers.conf"),
      CONTAINERS_STORAGE_CONF: join(this.dir, "storage.conf"),
      CONTAINERS_REGISTRIES_CONF: join(this.dir, "registries.conf"),
    };
  }

  /** `podman …` against this service's storage (throws on a non-zero exit). */
  async podman(args: string[]): Promise<string> {
    const { stdout } = await run("podman", args, { env: this.podmanEnv(), maxBuffer: 16 << 20 });
    return stdout.trim();
  }

  private writeConfig(): void {
    const d = this.dir;
    const nofile = hardNofile();
    // A /16 of /24s per test process, away from Docker's 172.x, the throwaway daemons' 10.120-179/16
    // and the swarm lab's 10.213/16.
    const pool = `10.${180 + (process.pid % 30)}.0.0/16`;
    mkdirSync(join(d, "networks"), { recursive: true });
    mkdirSync(join(d, "tmp"), { recursive: true });
    writeFileSync(
      join(d, "containers.conf"),
      `[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=32768:32768"]
init_path = "/usr/bin/catatonit"
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "${d}/events.log"
runtime = "runc"
exit_command_delay = 5
tmp_dir = "${d}/tmp"
lock_type = "file"
static_dir = "${d}/root/libpod"
volume_path = "${d}/root/volumes"

[network]
network_backend = "netavark"
network_config_dir = "${d}/networks"
default_subnet_pools = [{"base" = "${pool}", "size" = 24}]
`,
    );
    writeFileSync(join(d, "storage.conf"), `[storage]\ndriver = "overlay"\ngraphroot = "${d}/root"\nrunroot = "${d}/run"\n`);
    writeFileSync(join(d, "registries.conf"), "unqualified-search-registries = []\n");
  }

  /** Start the service and wait until it answers (about 0.2 s here). */
  async start(): Promise<void> {
    this.writeConfig();
    const log = openSync(join(this.dir, "service.log"), "a");
    const child = spawn("podman", ["system", "service", "--time=0", this.host], { env: this.podmanEnv(), stdio: ["ignore", log, log], detached: true });
    child.unref();
    this.pid = child.pid ?? 0;
    process.once("exit", () => this.stopNow());
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      if (!alive(this.pid)) throw new Error(`podman system service exited at start; see ${this.dir}/service.log`);
      if (await this.ping()) return;
      await sleep(100);
    }
    throw new Error(`podman system service did not answer on ${this.socket} within 30 s`);
  }

  private ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request({ socketPath: this.socket, path: "/_ping", timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
  }

  /** Build `name` (FROM scratch + /bin/busybox, as scripts/base-image.sh) in this service's storage. */
  async buildBaseImage(name: string): Promise<void> {
    const ctx = join(this.dir, "base-image");
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, "busybox"), readFileSync("/bin/busybox"), { mode: 0o755 });
    writeFileSync(join(ctx, "Dockerfile"), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCMD ["sh"]\n');
    await this.podman(["build", "-q", "-t", name, ctx]);
  }

  /** Processes of this service that outlive it (conmon of containers and exec sessions): their command line names our directory. */
  private leftovers(): number[] {
    const out: number[] = [];
    for (const p of readdirSync("/proc")) {
      if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
      try {
        if (readFileSync(`/proc/${p}/cmdline`, "utf8").includes(`${this.dir}/`)) out.push(Number(p));
      } catch {
        // gone meanwhile
      }
    }
    return out;
  }

  private unmountAll(): Promise<unknown> {
    const mounts = readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[1] ?? "")
      .filter((m) => m === this.dir || m.startsWith(`${this.dir}/`))
      .sort()
      .reverse();
    return mounts.reduce<Promise<unknown>>((prev, m) => prev.then(() => run("umount", ["-l", m]).catch(() => {})), Promise.resolve());
  }

  /** Last resort when the test process exits without its `after`: SIGKILL the service and what it left, by PID. */
  private stopNow(): void {
    if (this.#stopped) return;
    for (const p of [this.pid, ...this.leftovers()]) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // gone
      }
    }
  }

  /**
   * Remove every container, pod, network and volume of this service (`podman system reset`, on
   * our storage only), stop the service by PID, end what it left and delete the directory.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.pid && alive(this.pid)) {
      await this.podman(["rm", "--all", "--force", "--time", "0"]).catch(() => "");
      process.kill(this.pid, "SIGTERM");
      const end = Date.now() + 10_000;
      while (alive(this.pid) && Date.now() < end) await sleep(50);
      if (alive(this.pid)) process.kill(this.pid, "SIGKILL");
    }
    await this.podman(["system", "reset", "--force"]).catch(() => "");
    const left = this.leftovers();
    for (const p of left) process.kill(p, "SIGTERM");
    await sleep(left.length > 0 ? 500 : 0);
    for (const p of left) if (alive(p)) process.kill(p, "SIGKILL");
    await this.unmountAll();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
