/**
 * `flotilla stack` on a real one-node swarm, started and torn down by this file (scripts/swarm-lab.sh):
 * deploy converges and the docker CLI sees it; an unchanged redeploy updates nothing; a changed
 * secret rotates and rolls the service; depends_on is health-gated; a failing update rolls back and
 * the CLI exits non-zero with the reason; rm --wait then an immediate redeploy works.
 * This kernel has no IPVS: services use endpoint_mode dnsrr and no ingress ports (printed below).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Stack } from "../../src/api/swarm-stack.js";
import type { FlotillaEvent } from "../../src/events.js";
import { ipvsAvailable, labDown, labUnavailable, labUp, type Lab } from "../support/swarm-lab.js";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "flotilla.js");
const STACK = `fle2e${process.pid}`;

const FILE = (o: { webCommand?: string } = {}) => `
name: swarm-e2e
services:
  db:
    image: flotilla-busybox:latest
    init: true
    stop_grace_period: 1s
    # healthy about a second after the start
    command: ["sh", "-c", "sleep 1; touch /ready; exec sleep 3600"]
    healthcheck: {test: ["CMD", "test", "-f", "/ready"], interval: 500ms, retries: 30}
    deploy: {endpoint_mode: dnsrr}
  web:
    image: flotilla-busybox:latest
    init: true
    stop_grace_period: 1s
    command: ${o.webCommand ?? '["sh", "-c", "exec sleep 3600"]'}
    secrets: [token]
    depends_on:
      db: {condition: service_healthy}
    deploy:
      endpoint_mode: dnsrr
      replicas: 2
      update_config: {parallelism: 2, failure_action: rollback, monitor: 2s}
      rollback_config: {parallelism: 2, monitor: 1s}
secrets:
  token: {environment: TOKEN}
`;

const why = labUnavailable();
describe("stack on a 1-node lab swarm", { skip: why }, () => {
  let lab: Lab | undefined;
  let dir: string;
  let env: Record<string, string | undefined>;

  const docker = async (...args: string[]): Promise<string> => (await run("docker", args, { env: { ...process.env, DOCKER_HOST: lab!.dockerHost } })).stdout;
  const load = (token: string, file = FILE()) => {
    writeFileSync(join(dir, "compose.yaml"), file);
    return Stack.load({ cwd: dir, env: { ...env, TOKEN: token }, stack: STACK });
  };

  before(async () => {
    if (!ipvsAvailable()) console.log("no IPVS on this kernel: VIP and ingress-mesh cases are not run (endpoint_mode: dnsrr, no ingress ports)");
    lab = await labUp({ nodes: 1 });
    console.log(`lab swarm up in ${lab.setupSeconds} s`);
    dir = mkdtempSync(join(tmpdir(), "flotilla-swarm-e2e-"));
    env = { PATH: process.env["PATH"], HOME: process.env["HOME"], DOCKER_HOST: lab.dockerHost };
  });
  after(async () => {
    const t = Date.now();
    try {
      await labDown(lab);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
      console.log(`lab swarm down in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  });

  test("deploy converges, in depends_on order gated on db's health; docker stack ls/ps see it", async () => {
    const events: FlotillaEvent[] = [];
    const r = await (await load("one")).deploy({ onEvent: (e) => events.push(e), pollMs: 100 });
    assert.deepEqual(r.applied?.failures, []);
    assert.deepEqual(r.applied?.services.map((s) => [s.service, s.action, s.converged]), [["db", "created", true], ["web", "created", true]]);
    const idx = (name: string, status: string) => events.findIndex((e) => e.type === "resource" && e.name === name && e.status === status);
    assert.ok(idx(`${STACK}_db`, "Running") >= 0 && idx(`${STACK}_db`, "Running") < idx(`${STACK}_web`, "Creating"), "web is created only after db is running and healthy");
    assert.ok(events.some((e) => e.type === "resource" && e.name === `${STACK}_db` && /starting \(not healthy yet\)/.test(e.detail ?? "")), "db was seen starting (its healthcheck gates web)");
    // the engine agrees: web was created after db's task left `starting`
    const dbTask = JSON.parse(await docker("inspect", (await docker("service", "ps", "-q", "--filter", "desired-state=running", `${STACK}_db`)).trim())) as { Status: { Timestamp: string } }[];
    const web = JSON.parse(await docker("service", "inspect", `${STACK}_web`)) as { CreatedAt: string }[];
    assert.ok(Date.parse(web[0]!.CreatedAt) >= Date.parse(dbTask[0]!.Status.Timestamp), `web created ${web[0]!.CreatedAt}, db running ${dbTask[0]!.Status.Timestamp}`);

    const ls = await docker("stack", "ls", "--format", "{{.Name}} {{.Services}}");
    assert.match(ls, new RegExp(`^${STACK} 2$`, "m"));
    const ps = await docker("stack", "ps", STACK, "--filter", "desired-state=running", "--format", "{{.Name}} {{.CurrentState}}");
    assert.equal(ps.trim().split("\n").filter((l) => / Running /.test(l)).length, 3, ps);
  });

  test("an unchanged redeploy updates nothing", async () => {
    const before = await docker("service", "inspect", "--format", "{{.Version.Index}}", `${STACK}_db`, `${STACK}_web`);
    const r = await (await load("one")).deploy({ pollMs: 100 });
    assert.deepEqual(r.applied?.services.map((s) => s.action), ["unchanged", "unchanged"]);
    assert.deepEqual(r.applied?.createdObjects, []);
    assert.equal(await docker("service", "inspect", "--format", "{{.Version.Index}}", `${STACK}_db`, `${STACK}_web`), before);
  });

  test("a changed secret creates a new version, rolls web (not db), and prunes the old version", async () => {
    const oldSecrets = (await docker("secret", "ls", "--filter", `label=com.docker.stack.namespace=${STACK}`, "--format", "{{.Name}}")).trim().split("\n");
    const oldTasks = (await docker("service", "ps", "-q", "--filter", "desired-state=running", `${STACK}_web`)).trim().split("\n");
    const r = await (await load("two")).deploy({ pollMs: 100 });
    assert.deepEqual(r.applied?.services.map((s) => [s.service, s.action]), [["db", "unchanged"], ["web", "updated"]]);
    assert.equal(r.applied?.services[1]?.converged, true);
    const newSecrets = (await docker("secret", "ls", "--filter", `label=com.docker.stack.namespace=${STACK}`, "--format", "{{.Name}}")).trim().split("\n");
    assert.equal(newSecrets.length, 1);
    assert.notDeepEqual(newSecrets, oldSecrets);
    assert.deepEqual(r.applied?.prunedObjects, oldSecrets);
    const newTasks = (await docker("service", "ps", "-q", "--filter", "desired-state=running", `${STACK}_web`)).trim().split("\n");
    assert.equal(newTasks.filter((t) => oldTasks.includes(t)).length, 0, "every web task was replaced");
  });

  test("a failing update rolls back; `stack deploy` (waiting) exits non-zero with the reason", async () => {
    writeFileSync(join(dir, "compose.yaml"), FILE({ webCommand: '["sh", "-c", "exit 3"]' }));
    const res = await run(process.execPath, [bin, "stack", "deploy", "-c", join(dir, "compose.yaml"), STACK], { env: { ...env, TOKEN: "two" }, cwd: dir }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /rolled back/);
    assert.match(res.stderr, /exit|non-zero/);
    const spec = JSON.parse(await docker("service", "inspect", `${STACK}_web`)) as { Spec: { TaskTemplate: { ContainerSpec: { Args: string[] } } }; UpdateStatus: { State: string } }[];
    assert.equal(spec[0]!.UpdateStatus.State, "rollback_completed");
    assert.deepEqual(spec[0]!.Spec.TaskTemplate.ContainerSpec.Args, ["sh", "-c", "exec sleep 3600"]);
  });

  test("rm --wait leaves nothing behind, and an immediate redeploy works", async () => {
    const stack = await load("two");
    const r = await stack.rm({ wait: true, pollMs: 100 });
    assert.deepEqual(r.services.sort(), [`${STACK}_db`, `${STACK}_web`]);
    assert.deepEqual(r.left, []);
    const label = `label=com.docker.stack.namespace=${STACK}`;
    assert.equal((await docker("service", "ls", "-q", "--filter", label)).trim(), "");
    assert.equal((await docker("network", "ls", "-q", "--filter", label)).trim(), "");
    assert.equal((await docker("secret", "ls", "-q", "--filter", label)).trim(), "");
    assert.equal((await docker("ps", "-aq", "--filter", label)).trim(), "");
    const again = await stack.deploy({ pollMs: 100 });
    assert.deepEqual(again.applied?.failures, []);
    assert.deepEqual(again.applied?.services.map((s) => s.action), ["created", "created"]);
    await stack.rm({ wait: true, pollMs: 100 });
  });
});
