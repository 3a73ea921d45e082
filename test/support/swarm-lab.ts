/**
 * Start and stop a throwaway lab swarm (scripts/swarm-lab.sh) from a test: `up` resolves with the
 * manager's DOCKER_HOST and the lab's facts; `down` always runs (call it in `after`). Skips (with
 * the reason) when the machine cannot run one: not root, or no dockerd.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const LAB_SCRIPT = join(ROOT, "scripts", "swarm-lab.sh");

export interface Lab {
  dir: string;
  dockerHost: string;
  nodes: number;
  sockets: string[];
  addrs: string[];
  registry: string | undefined;
  images: string[];
  setupSeconds: number;
}

/** Why a lab cannot start here, or undefined when it can. */
export function labUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "the swarm lab needs root (network namespaces)";
  for (const p of ["/usr/sbin/dockerd", "/usr/bin/dockerd"]) if (existsSync(p)) return undefined;
  return "no dockerd on this machine (scripts/engine.sh installs docker.io)";
}

/** IPVS is what Swarm's VIPs and the ingress routing mesh need. */
export function ipvsAvailable(): boolean {
  return existsSync("/proc/net/ip_vs") || existsSync("/proc/sys/net/ipv4/vs");
}

export async function labUp(options: { nodes?: number; registry?: boolean } = {}): Promise<Lab> {
  const args = ["up", "--nodes", String(options.nodes ?? 1)];
  if (options.registry) args.push("--registry");
  const { stdout } = await run("bash", [LAB_SCRIPT, ...args], { maxBuffer: 1 << 20 });
  const envFile = stdout.trim().split("\n").pop() as string;
  const env = Object.fromEntries(
    readFileSync(envFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).replace(/^"(.*)"$/, "$1")]),
  ) as Record<string, string>;
  return {
    dir: env["LAB_DIR"] ?? "",
    dockerHost: env["DOCKER_HOST"] ?? "",
    nodes: Number(env["LAB_NODES"]),
    sockets: (env["LAB_SOCKETS"] ?? "").split(" ").filter(Boolean),
    addrs: (env["LAB_ADDRS"] ?? "").split(" ").filter(Boolean),
    registry: env["LAB_REGISTRY"] || undefined,
    images: (env["LAB_IMAGES"] ?? "").split(" ").filter(Boolean),
    setupSeconds: Number(env["LAB_SETUP_SECONDS"]),
  };
}

export async function labDown(lab: Lab | undefined): Promise<void> {
  if (!lab) return;
  await run("bash", [LAB_SCRIPT, "down", lab.dir], { maxBuffer: 1 << 20 });
}
