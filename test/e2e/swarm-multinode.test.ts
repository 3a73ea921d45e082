/**
 * `flotilla stack deploy` on a 3-node lab swarm (1 manager, 2 workers) with Debian's docker-registry
 * on the lab network, the image pushed there and pinned by digest: placement spreads web over the
 * two workers, the client runs on the manager, and the client reaches every web task across nodes
 * over the overlay network (dnsrr: `tasks.web`; this kernel has no IPVS for VIPs). Then `--push`
 * end to end: the CLI builds an image on the manager, pushes it to the lab registry, pins its
 * digest, and the workers (which never had it) pull it from the registry and run it.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Stack } from "../../src/api/swarm-stack.js";
import { labDown, labUnavailable, labUp, type Lab } from "../support/swarm-lab.js";

const run = promisify(execFile);
const STACK = `flmn${process.pid}`;
const PUSHED = `flpush${process.pid}`;
const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "flotilla.js");
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

  test("--push builds on the manager, pushes to the registry, pins the digest; the workers pull it and run it", async () => {
    const [manager, w1, w2] = lab!.sockets as [string, string, string];
    const ctx = join(dir, "push", "app");
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, "marker"), `built for ${PUSHED}\n`);
    writeFileSync(join(ctx, "Dockerfile"), "FROM flotilla-busybox:latest\nCOPY marker /marker\n");
    const image = `${lab!.registry!}/${PUSHED}:1`;
    writeFileSync(
      join(dir, "push", "compose.yaml"),
      `
name: pushed
services:
  app:
    build: ./app
    image: ${image}
    init: true
    stop_grace_period: 1s
    command: ["sleep", "3600"]
    deploy:
      endpoint_mode: dnsrr
      replicas: 2
      update_config: {parallelism: 2, monitor: 500ms}
      placement:
        constraints: [node.role == worker]
        preferences: [{spread: node.id}]
`,
    );
    const t = Date.now();
    const res = await run(process.execPath, [bin, "stack", "deploy", "--push", "-c", "compose.yaml", PUSHED], { cwd: join(dir, "push"), env: { ...process.env, DOCKER_HOST: lab!.dockerHost } });
    console.log(`stack deploy --push (build, push, 2 tasks pulled on 2 workers) converged in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    assert.match(res.stderr, /1 created/);

    const sent = (await docker(manager, "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", `${PUSHED}_app`)).trim();
    assert.match(sent, new RegExp(`^${image.replace(/[.]/g, "\\.")}@sha256:[0-9a-f]{64}$`), "the service runs the pushed image, pinned by digest");
    const digest = sent.slice(sent.indexOf("@") + 1);
    assert.ok((await docker(manager, "image", "inspect", "--format", "{{json .RepoDigests}}", image)).includes(digest), "the digest is the one the manager pushed");

    for (const [worker, name] of [[w1, "worker 1"], [w2, "worker 2"]] as const) {
      const ids = (await docker(worker, "ps", "-q", "--filter", `label=com.docker.swarm.service.name=${PUSHED}_app`)).trim().split("\n").filter(Boolean);
      assert.equal(ids.length, 1, `one task on ${name} (spread)`);
      assert.equal(await docker(worker, "exec", ids[0]!, "cat", "/marker"), `built for ${PUSHED}\n`, `${name} runs the image built on the manager`);
      const pulled = await docker(worker, "image", "inspect", "--format", "{{json .RepoDigests}}", sent);
      assert.ok(pulled.includes(digest), `${name} pulled it from the registry by digest: ${pulled}`);
    }

    // The tag moves (rebuilt and pushed by hand): --resolve-image changed keeps what runs, always rolls onto it.
    writeFileSync(join(ctx, "marker"), `rebuilt for ${PUSHED}\n`);
    await docker(manager, "build", "-q", "-t", image, ctx);
    await docker(manager, "push", "-q", image);
    const deploy = (resolve: string) =>
      run(process.execPath, [bin, "stack", "deploy", "--resolve-image", resolve, "-c", "compose.yaml", PUSHED], { cwd: join(dir, "push"), env: { ...process.env, DOCKER_HOST: lab!.dockerHost } });
    assert.match((await deploy("changed")).stderr, /0 created, 0 updated, 1 unchanged/);
    assert.equal((await docker(manager, "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", `${PUSHED}_app`)).trim(), sent, "changed: image: is the same, so the service keeps its digest");
    assert.match((await deploy("always")).stderr, /0 created, 1 updated, 0 unchanged/);
    const moved = (await docker(manager, "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", `${PUSHED}_app`)).trim();
    assert.ok(moved.startsWith(`${image}@sha256:`) && moved !== sent, `always: pinned to the tag's new digest (${moved})`);
  });
});
