/**
 * The SwarmEngine contract: behaviour the dockerode adapter (on a real lab swarm) and the fake
 * share, so apply tests on the fake mean something on Swarm. `make` returns the engine, an image
 * every node has, how long to sleep between polls (0 for the fake, whose reads advance time) and a
 * cleanup. Every object carries a unique label so runs never collide.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { isFlotillaError } from "../../src/errors.js";
import type { ServiceSpec, ServiceSummary, SwarmEngine, TaskSummary } from "../../src/runtime/engine-swarm.js";

export interface SwarmContractSubject {
  swarm: SwarmEngine;
  image: string;
  pollMs: number;
  cleanup: () => Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function swarmContract(name: string, make: () => Promise<SwarmContractSubject>): void {
  describe(`SwarmEngine contract: ${name}`, () => {
    let s: SwarmContractSubject;
    let swarm: SwarmEngine;
    const run = `c${randomBytes(3).toString("hex")}`;
    const RUN = "io.flotilla.test.run";
    const labels = { [RUN]: run };

    /** Poll `read` until `ok` holds (30 s on a real swarm, 200 reads on the fake). */
    async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
      const deadline = Date.now() + 30_000;
      let last: T | undefined;
      for (let i = 0; s.pollMs > 0 ? Date.now() < deadline : i < 200; i++) {
        last = await read();
        if (ok(last)) return last;
        if (s.pollMs > 0) await sleep(s.pollMs);
      }
      assert.fail(`${what}: not reached; last seen ${JSON.stringify(last)}`);
    }

    const spec = (svc: string, extra: Partial<ServiceSpec["TaskTemplate"]["ContainerSpec"]> = {}, more: Partial<ServiceSpec> = {}): ServiceSpec => ({
      Name: `${run}_${svc}`,
      Labels: { ...labels, "io.flotilla.test.service": svc },
      TaskTemplate: {
        ContainerSpec: { Image: s.image, Args: ["sleep", "3600"], Init: true, StopGracePeriod: 1e9, ...extra },
        RestartPolicy: { Condition: "any", Delay: 2e8 },
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: "dnsrr" },
      ...more,
    });
    const running = (tasks: TaskSummary[]): TaskSummary[] => tasks.filter((t) => t.desiredState === "running" && t.state === "running");

    before(async () => {
      s = await make();
      swarm = s.swarm;
    });
    after(async () => {
      for (const svc of await swarm.listServices({ labels }).catch(() => [])) await swarm.removeService(svc.id).catch(() => {});
      for (const o of await swarm.listSecrets({ labels }).catch(() => [])) await swarm.removeSecret(o.id).catch(() => {});
      for (const o of await swarm.listConfigs({ labels }).catch(() => [])) await swarm.removeConfig(o.id).catch(() => {});
      await s?.cleanup();
    });

    test("swarmInfo: an active manager; listNodes has a ready manager", async () => {
      const info = await swarm.swarmInfo();
      assert.equal(info.localNodeState, "active");
      assert.equal(info.controlAvailable, true);
      assert.ok(info.nodeId.length > 0);
      assert.ok(info.nodes >= 1);
      const nodes = await swarm.listNodes();
      assert.ok(nodes.some((n) => n.role === "manager" && n.state === "ready" && n.id === info.nodeId), JSON.stringify(nodes));
    });

    test("secrets and configs: create, list by label and exact name, duplicate refused, remove; missing removal is silent", async () => {
      const data = Buffer.from("s3cret").toString("base64");
      const id = await swarm.createSecret({ Name: `${run}_pw_1`, Labels: labels, Data: data });
      await swarm.createSecret({ Name: `${run}_pw_12`, Labels: labels, Data: data });
      assert.deepEqual((await swarm.listSecrets({ name: `${run}_pw_1` })).map((o) => o.id), [id]);
      assert.equal((await swarm.listSecrets({ labels })).length, 2);
      await assert.rejects(swarm.createSecret({ Name: `${run}_pw_1`, Labels: labels, Data: data }), (e: unknown) => isFlotillaError(e) && /already exists/i.test(e.message));
      const cid = await swarm.createConfig({ Name: `${run}_cfg_1`, Labels: { ...labels, k: "v" }, Data: Buffer.from("x=1").toString("base64") });
      const cfgs = await swarm.listConfigs({ labels: { ...labels, k: "v" } });
      assert.deepEqual(cfgs.map((c) => [c.id, c.name, c.labels["k"]]), [[cid, `${run}_cfg_1`, "v"]]);
      await swarm.removeSecret(`${run}_pw_12`);
      await swarm.removeConfig(cid);
      await swarm.removeConfig(cid);
      assert.deepEqual((await swarm.listSecrets({ labels })).map((o) => o.name), [`${run}_pw_1`]);
      assert.deepEqual(await swarm.listConfigs({ labels }), []);
    });

    test("a service with a secret and a healthcheck: starting until healthy, then running; an in-use secret cannot be removed", async () => {
      const [secret] = await swarm.listSecrets({ name: `${run}_pw_1` });
      assert.ok(secret);
      const id = await swarm.createService(
        spec("db", {
          // healthy only once the command made /ready, a second or so after the start
          Args: ["sh", "-c", "sleep 1; touch /ready; exec sleep 3600"],
          Healthcheck: { Test: ["CMD", "test", "-f", "/ready"], Interval: 5e8, Timeout: 1e9, Retries: 30 },
          Secrets: [{ File: { Name: "pw", UID: "0", GID: "0", Mode: 0o400 }, SecretID: secret.id, SecretName: secret.name }],
        }),
      );
      const states = new Set<string>();
      await until("db running", async () => {
        const t = await swarm.listTasks({ service: id });
        for (const x of t) states.add(x.state);
        return t;
      }, (t) => running(t).length === 1);
      const svc = await swarm.inspectService(id);
      assert.ok(svc && svc.version > 0 && svc.spec.Name === `${run}_db` && svc.spec.Labels?.[RUN] === run);
      assert.equal(svc.updateStatus, undefined);
      assert.equal((await swarm.inspectService(`${run}_db`))?.id, id);
      assert.equal(await swarm.inspectService(`${run}_nope`), undefined);
      assert.ok(states.has("starting"), `a task with a healthcheck passes through starting: ${[...states].join(",")}`);
      const byLabel = await swarm.listTasks({ labels: { "io.flotilla.test.service": "db" } });
      assert.ok(byLabel.length >= 1 && byLabel.every((t) => t.serviceId === id), "tasks filter on the service's labels");
      assert.ok(running(byLabel)[0]?.containerId, "a running task names its container");
      await assert.rejects(swarm.removeSecret(secret.id), (e: unknown) => isFlotillaError(e) && /in use/i.test(e.message));
      assert.deepEqual((await swarm.listServices({ labels: { "io.flotilla.test.service": "db" } })).map((x) => x.id), [id]);
    });

    test("updateService: a stale version is refused; a new task template rolls the tasks and completes", async () => {
      const svc = (await swarm.inspectService(`${run}_db`)) as ServiceSummary;
      const next = structuredClone(svc.spec);
      next.TaskTemplate.ContainerSpec.Env = ["ROLLED=1"];
      await assert.rejects(swarm.updateService(svc.id, svc.version - 1, next), (e: unknown) => isFlotillaError(e) && /out of sequence/i.test(e.message));
      const before = new Set(running(await swarm.listTasks({ service: svc.id })).map((t) => t.id));
      await swarm.updateService(svc.id, svc.version, next);
      const after = await until("update completed", () => swarm.inspectService(svc.id), (x) => x?.updateStatus?.state === "completed");
      assert.ok(after && after.version > svc.version);
      assert.deepEqual(after.spec.TaskTemplate.ContainerSpec.Env, ["ROLLED=1"]);
      assert.deepEqual(after.previousSpec?.TaskTemplate.ContainerSpec.Env, svc.spec.TaskTemplate.ContainerSpec.Env);
      const tasks = await until("new task running", () => swarm.listTasks({ service: svc.id }), (t) => running(t).length === 1 && !before.has(running(t)[0]!.id));
      assert.ok(tasks.some((t) => before.has(t.id) && t.desiredState === "shutdown"), "the old task is shut down");
    });

    test("a failing update with failure_action rollback ends rollback_completed with the old spec; the failed task says why", async () => {
      const id = await swarm.createService(
        spec("web", {}, {
          UpdateConfig: { Parallelism: 1, FailureAction: "rollback", Monitor: 2e9, Order: "stop-first" },
          RollbackConfig: { Parallelism: 1, Monitor: 1e9 },
        }),
      );
      await until("web running", () => swarm.listTasks({ service: id }), (t) => running(t).length === 1);
      const svc = (await swarm.inspectService(id)) as ServiceSummary;
      const bad = structuredClone(svc.spec);
      bad.TaskTemplate.ContainerSpec.Args = ["sh", "-c", "exit 3"];
      await swarm.updateService(id, svc.version, bad);
      const done = await until("rolled back", () => swarm.inspectService(id), (x) => x?.updateStatus?.state === "rollback_completed" || x?.updateStatus?.state === "rollback_paused");
      assert.equal(done?.updateStatus?.state, "rollback_completed");
      assert.deepEqual(done?.spec.TaskTemplate.ContainerSpec.Args, ["sleep", "3600"]);
      const failed = (await swarm.listTasks({ service: id })).filter((t) => t.state === "failed");
      assert.ok(failed.length >= 1 && failed.every((t) => /exit|non-zero/i.test(t.error ?? "")), JSON.stringify(failed));
      await until("web running again", () => swarm.listTasks({ service: id }), (t) => running(t).length === 1);
    });

    test("a replicated job's tasks complete", async () => {
      const id = await swarm.createService(spec("job", { Args: ["true"] }, { Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } }, EndpointSpec: {} }));
      const tasks = await until("job complete", () => swarm.listTasks({ service: id }), (t) => t.some((x) => x.state === "complete"));
      assert.equal(tasks.find((x) => x.state === "complete")?.exitCode ?? 0, 0);
    });

    test("removeService: inspect says none at once; the tasks are gone soon after; removing twice is silent", async () => {
      const [svc] = await swarm.listServices({ labels: { "io.flotilla.test.service": "web" } });
      assert.ok(svc);
      await swarm.removeService(svc.id);
      await swarm.removeService(svc.id);
      assert.equal(await swarm.inspectService(svc.id), undefined);
      await until("web tasks gone", () => swarm.listTasks({ labels: { "io.flotilla.test.service": "web" } }), (t) => t.length === 0);
    });
  });
}
