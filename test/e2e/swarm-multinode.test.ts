/**
 * `flotilla stack deploy` on a 3-node lab swarm (1 manager, 2 workers) with Debian's docker-registry
 * on the lab network, the image pushed there and pinned by digest: placement spreads web over the
 * two workers, the client runs on the manager, and the client reaches every web task across nodes
 * over the overlay network (dnsrr: `tasks.web`; this kernel has no IPVS for VIPs).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Stack } from "../../src/api/swarm-stack.js";
import { labDown, labUnavailable, labUp, type Lab } from "../support/swarm-lab.js";

const run = promisify(execFile);
const STACK = `flmn${process.pid}`;
const why = labUnavailable() ?? (existsSync("/usr/bin/docker-registry") ? undefined : "no docker-registry (apt-get install docker-registry)");

describe("stack on a 3-node lab swarm with a registry", { skip: why }, () => {
  let lab: Lab | undefined;
  let dir: string;
  const docker = async (sock: string, ...args: string[]): Promise<string> => (await run("docker", args, { env: { ...process.env, DOCKER_HOST: `unix://${sock}` } })).stdout;

  before(async () => {
    lab = await labUp({ nodes: 3, registry: true });
    console.log(`3-node lab swarm with a registry up in ${lab.setupSeconds} s`);
    dir = mkdtempSync(join(tmpdir(), "flotilla-swarm-mn-"));
  });
  after(async () => {
    const t = Date.now();
    try {
      await labDown(lab);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
      console.log(`3-node lab swarm down in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  });

  test("placement across the workers, and cross-node traffic over the overlay (dnsrr)", async () => {
    const image = lab!.images[0]!;
    assert.match(image, /^10\.213\.0\.1:5000\/.*@sha256:[0-9a-f]{64}$/, "the image is pinned by digest in the lab registry");
    writeFileSync(
      join(dir, "compose.yaml"),
      `
name: multinode
services:
  web:
    image: ${image}
    init: true
    stop_grace_period: 1s
    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
    deploy:
      endpoint_mode: dnsrr
      replicas: 4
      placement:
        constraints: [node.role == worker]
        preferences: [{spread: node.id}]
  client:
    image: ${image}
    init: true
    stop_grace_period: 1s
    command: ["sleep", "3600"]
    depends_on: [web]
    deploy:
      endpoint_mode: dnsrr
      placement:
        constraints: [node.role == manager]
`,
    );
    const t = Date.now();
    const r = await (await Stack.load({ cwd: dir, env: { DOCKER_HOST: lab!.dockerHost }, stack: STACK })).deploy({ pollMs: 100 });
    console.log(`deploy of 4+1 tasks on 3 nodes converged in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    assert.deepEqual(r.applied?.failures, []);

    const [manager, w1, w2] = lab!.sockets as [string, string, string];
    const webOn = async (sock: string) => (await docker(sock, "ps", "-q", "--no-trunc", "--filter", `label=com.docker.swarm.service.name=${STACK}_web`)).trim().split("\n").filter(Boolean);
    const [onManager, on1, on2] = await Promise.all([webOn(manager), webOn(w1), webOn(w2)]);
    assert.equal(onManager.length, 0, "no web task on the manager (node.role == worker)");
    assert.equal(on1.length + on2.length, 4);
    assert.ok(on1.length > 0 && on2.length > 0, `spread over both workers: ${on1.length} + ${on2.length}`);

    const client = (await docker(manager, "ps", "-q", "--filter", `label=com.docker.swarm.service.name=${STACK}_client`)).trim();
    assert.ok(client, "the client runs on the manager");
    const out = await docker(manager, "exec", client, "sh", "-c", 'for ip in $(nslookup tasks.web 2>/dev/null | awk "/^Address/ && NR>2 {print \\$NF}"); do wget -qO- http://$ip/; done');
    const answered = new Set(out.trim().split("\n").filter(Boolean));
    const expected = new Set([...on1, ...on2].map((id) => id.slice(0, 12)));
    assert.deepEqual([...answered].sort(), [...expected].sort(), "every web task on the workers answered the manager's client");
  });
});
