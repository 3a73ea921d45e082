/**
 * A throw-away local registry for tests: Debian's docker-registry on 127.0.0.1:<free port>, storing
 * under a temp directory; with `htpasswd`, it requires basic auth. The engine treats 127.0.0.0/8
 * registries as insecure (plain HTTP), so no TLS is needed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { promises as fs } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface TestRegistry {
  port: number;
  host: string;
  dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startRegistry(options: { htpasswd?: string } = {}): Promise<TestRegistry> {
  const port = await freePort();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "flotilla-registry-"));
  const config = path.join(dir, "config.yml");
  const auth = options.htpasswd ? `auth:\n  htpasswd:\n    realm: flotilla-test\n    path: ${options.htpasswd}\n` : "";
  await fs.writeFile(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, "data")}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const child: ChildProcess = spawn("/usr/bin/docker-registry", ["serve", config], { stdio: "ignore" });
  const deadline = Date.now() + 60_000; // generous: it starts in well under a second unless the machine is loaded
  for (;;) {
    // 401 counts as up: the registry answers, it wants credentials
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok || r.status === 401, () => false);
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error("the local registry did not start");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
