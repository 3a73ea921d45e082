/**
 * The Engine contract: behaviour every Engine implementation (DockerEngine, FakeEngine) must
 * share, so planner tests on the fake mean something on the real engine.
 *
 * `make` returns the engine, an image that exists locally and has busybox's `sh`, and a cleanup.
 * Optional `capabilities` (known when the tests are registered):
 *   - `realProcesses` (default false): the engine runs real processes. Checks that depend on
 *     real process timing or signals run only then (they are not registered for the fake, so
 *     nothing is counted as skipped). The fake emulates simple `sh -c` scripts (echo, cat, exit, >&2), which the other checks use.
 * Every resource carries a unique label so parallel runs and leftovers never collide.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as tarStream from "tar-stream";
import type { ContainerCreateSpec, Engine, LogChunk } from "../../src/runtime/engine.js";
import { isFlotillaError } from "../../src/errors.js";

export interface ContractSubject {
  engine: Engine;
  image: string;
  cleanup: () => Promise<void>;
}

export interface ContractCapabilities {
  realProcesses?: boolean;
}

async function collect(it: AsyncIterable<LogChunk>): Promise<{ stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  for await (const c of it) {
    if (c.stream === "stdout") stdout += c.data.toString("utf8");
    else stderr += c.data.toString("utf8");
  }
  return { stdout, stderr };
}

function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    pack.on("data", (c: unknown) => { chunks.push(c as Buffer); });
    pack.on("end", () => resolve(Buffer.concat(chunks)));
    pack.on("error", reject);
  });
}

export function engineContract(name: string, make: () => Promise<ContractSubject>, capabilities: ContractCapabilities = {}): void {
  const realProcesses = capabilities.realProcesses === true;
  describe(`Engine contract: ${name}`, () => {
    let subject: ContractSubject;
    let engine: Engine;
    const run = `flotilla-contract-${randomBytes(4).toString("hex")}`;
    const RUN = "io.flotilla.test.run";
    const created: string[] = [];
    const networks: string[] = [];
    const volumes: string[] = [];

    const spec = (suffix: string, cmd: string[], extra: Partial<ContainerCreateSpec> = {}): ContainerCreateSpec => ({
      name: `${run}-${suffix}`,
      Image: subject.image,
      Cmd: cmd,
      Labels: { [RUN]: run, "io.flotilla.test.role": suffix },
      HostConfig: { Init: true },
      ...extra,
    });

    const create = async (s: ContainerCreateSpec): Promise<string> => {
      const id = await engine.createContainer(s);
      created.push(id);
      return id;
    };

    before(async () => {
      subject = await make();
      engine = subject.engine;
    });

    after(async () => {
      if (!engine) return;
      for (const id of created) await engine.removeContainer(id, { force: true, volumes: true }).catch(() => {});
      for (const n of networks) await engine.removeNetwork(n).catch(() => {});
      for (const v of volumes) await engine.removeVolume(v, true).catch(() => {});
      await subject.cleanup();
    });

    test("create/start/inspect/stop/remove a labelled container", async () => {
      const id = await create(spec("life", ["sleep", "300"]));
      assert.match(id, /^[0-9a-f]{64}$/);
      let details = await engine.inspectContainer(id);
      assert.ok(details);
      assert.equal(details.state.status, "created");
      assert.equal(details.name, `${run}-life`);
      assert.equal(details.labels[RUN], run);

      await engine.startContainer(id);
      details = await engine.inspectContainer(`${run}-life`); // by name too
      assert.ok(details);
      assert.equal(details.id, id);
      assert.equal(details.state.status, "running");
      assert.equal(details.state.running, true);

      await engine.stopContainer(id, 2);
      details = await engine.inspectContainer(id);
      assert.ok(details);
      assert.equal(details.state.status, "exited");
      assert.equal(details.state.running, false);
      assert.equal(await engine.waitContainer(id), details.state.exitCode);

      await engine.removeContainer(id);
      assert.equal(await engine.inspectContainer(id), undefined);
    });

    // Needs real processes and signals: only registered for engines that run them.
    if (realProcesses) test("stop without a timeout sends the stop signal and waits: a process that exits on SIGTERM exits 0", async () => {
      const id = await create(spec("graceful", ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]));
      await engine.startContainer(id);
      await engine.stopContainer(id);
      const details = await engine.inspectContainer(id);
      assert.equal(details?.state.status, "exited");
      assert.equal(details?.state.exitCode, 0, "137 means the engine killed it without a grace period");
      await engine.removeContainer(id);
    });

    test("listContainers filters by label value and by label presence", async () => {
      const a = await create(spec("list-a", ["sleep", "300"], { Labels: { [RUN]: run, "io.flotilla.test.tier": "front" } }));
      const b = await create(spec("list-b", ["sleep", "300"], { Labels: { [RUN]: run, "io.flotilla.test.tier": "back" } }));
      const c = await create(spec("list-c", ["sleep", "300"], { Labels: { [RUN]: run } }));
      await engine.startContainer(a);

      const running = await engine.listContainers({ labels: { [RUN]: run } });
      assert.deepEqual(running.map((x) => x.id), [a], "without all: only running containers");

      const exact = await engine.listContainers({ labels: { [RUN]: run, "io.flotilla.test.tier": "back" }, all: true });
      assert.deepEqual(exact.map((x) => x.id), [b]);
      const summary = exact[0];
      assert.ok(summary);
      assert.equal(summary.name, `${run}-list-b`);
      assert.equal(summary.state, "created");
      assert.equal(summary.labels["io.flotilla.test.tier"], "back");

      const present = await engine.listContainers({ labels: { [RUN]: run, "io.flotilla.test.tier": undefined }, all: true });
      assert.deepEqual(present.map((x) => x.id).sort(), [a, b].sort());

      const all = await engine.listContainers({ labels: { [RUN]: run }, all: true });
      assert.ok(all.some((x) => x.id === c));
      assert.deepEqual(await engine.listContainers({ labels: { [RUN]: `${run}-other` }, all: true }), []);
      for (const id of [a, b, c]) await engine.removeContainer(id, { force: true });
      assert.deepEqual(await engine.listContainers({ labels: { [RUN]: run, "io.flotilla.test.tier": undefined }, all: true }), []);
    });

    test("networks: create, list by label, connect, disconnect, remove", async () => {
      const netName = `${run}_net`;
      const netId = await engine.createNetwork({ Name: netName, Driver: "bridge", Labels: { [RUN]: run, "com.docker.compose.network": "net" } });
      networks.push(netName);
      assert.ok(netId.length > 0);

      const listed = await engine.listNetworks({ labels: { [RUN]: run } });
      assert.deepEqual(listed.map((n) => n.name), [netName]);
      assert.equal(listed[0]?.labels["com.docker.compose.network"], "net");
      assert.deepEqual((await engine.listNetworks({ name: netName })).map((n) => n.id), [netId]);
      assert.deepEqual(await engine.listNetworks({ labels: { [RUN]: run, "com.docker.compose.network": "other" } }), []);

      const id = await create(spec("net", ["sleep", "300"]));
      await engine.startContainer(id);
      await engine.connectNetwork(netName, id, { Aliases: ["web-alias"] });
      const details = await engine.inspectContainer(id);
      assert.ok(details?.networks[netName], "container shows the network");
      assert.ok(details.networks[netName].aliases.includes("web-alias"));
      const inspected = await engine.inspectNetwork(netName);
      assert.ok(inspected);
      assert.equal(inspected.id, netId);
      assert.ok(Object.keys(inspected.containers).includes(id));

      await engine.disconnectNetwork(netName, id);
      assert.equal((await engine.inspectContainer(id))?.networks[netName], undefined);
      await engine.removeContainer(id, { force: true });
      await engine.removeNetwork(netName);
      assert.equal(await engine.inspectNetwork(netName), undefined);
      await engine.removeNetwork(netName); // removing a missing network is fine
    });

    test("removing a network with an attached running container fails with IN_USE (caller retries)", async () => {
      const netName = `${run}_busy`;
      await engine.createNetwork({ Name: netName, Labels: { [RUN]: run } });
      networks.push(netName);
      const id = await create(spec("busy", ["sleep", "300"], { HostConfig: { Init: true, NetworkMode: netName } }));
      await engine.startContainer(id);
      await assert.rejects(engine.removeNetwork(netName), (e: unknown) => {
        assert.ok(isFlotillaError(e));
        assert.equal(e.code, "IN_USE");
        assert.match(e.message, /active endpoints/);
        return true;
      });
      await engine.removeContainer(id, { force: true });
      await engine.removeNetwork(netName);
      assert.equal(await engine.inspectNetwork(netName), undefined);
    });

    test("volumes: create, list by label, inspect, remove", async () => {
      const volName = `${run}_data`;
      await engine.createVolume({ Name: volName, Labels: { [RUN]: run, "com.docker.compose.volume": "data" } });
      volumes.push(volName);
      const listed = await engine.listVolumes({ labels: { [RUN]: run } });
      assert.deepEqual(listed.map((v) => v.name), [volName]);
      assert.equal(listed[0]?.driver, "local");
      assert.equal(listed[0]?.labels["com.docker.compose.volume"], "data");
      assert.deepEqual(await engine.listVolumes({ labels: { [RUN]: run, "com.docker.compose.volume": undefined, nope: undefined } }), []);
      const inspected = await engine.inspectVolume(volName);
      assert.equal(inspected?.name, volName);
      await engine.removeVolume(volName);
      assert.equal(await engine.inspectVolume(volName), undefined);
      assert.deepEqual(await engine.listVolumes({ labels: { [RUN]: run } }), []);
    });

    test("inspecting missing things gives undefined; removing a missing container does not throw", async () => {
      assert.equal(await engine.inspectContainer(`${run}-missing`), undefined);
      assert.equal(await engine.inspectNetwork(`${run}-missing`), undefined);
      assert.equal(await engine.inspectVolume(`${run}-missing`), undefined);
      assert.equal(await engine.inspectImage(`${run}-missing:latest`), undefined);
      await engine.removeContainer(`${run}-missing`);
      await engine.removeContainer(`${run}-missing`, { force: true, volumes: true });
    });

    test("creating from a missing image fails with IMAGE_NOT_FOUND", async () => {
      await assert.rejects(engine.createContainer({ ...spec("noimage", ["true"]), Image: `${run}-no-such-image:latest` }), (e: unknown) => {
        assert.ok(isFlotillaError(e));
        assert.equal(e.code, "IMAGE_NOT_FOUND");
        return true;
      });
    });

    test("the local image inspects with an id and its tag", async () => {
      const img = await engine.inspectImage(subject.image);
      assert.ok(img);
      assert.match(img.id, /^sha256:[0-9a-f]{64}$/);
      assert.ok(img.repoTags.includes(subject.image));
    });

    test("logs are demultiplexed into stdout and stderr", async () => {
      const id = await create(spec("logs", ["sh", "-c", "echo out; echo err >&2"]));
      await engine.startContainer(id);
      assert.equal(await engine.waitContainer(id), 0);
      const all = await collect(engine.logs(id, {}));
      assert.equal(all.stdout, "out\n");
      assert.equal(all.stderr, "err\n");
      const onlyErr = await collect(engine.logs(id, { stdout: false }));
      assert.deepEqual(onlyErr, { stdout: "", stderr: "err\n" });
      // follow on a stopped container ends instead of hanging
      const followed = await collect(engine.logs(id, { follow: true }));
      assert.equal(followed.stdout, "out\n");
    });

    test("a TTY container's logs are all stdout", async () => {
      const id = await create(spec("tty", ["sh", "-c", "echo on-tty >&2"], { Tty: true }));
      await engine.startContainer(id);
      await engine.waitContainer(id);
      const out = await collect(engine.logs(id, {}));
      assert.equal(out.stderr, "");
      assert.match(out.stdout, /on-tty/);
    });

    test("exec returns the exit code and separated output", async () => {
      const id = await create(spec("exec", ["sleep", "300"]));
      await engine.startContainer(id);
      const r = await engine.exec(id, { cmd: ["sh", "-c", "echo hi; echo oops >&2; exit 3"] });
      assert.deepEqual(r, { exitCode: 3, stdout: "hi\n", stderr: "oops\n" });
      const ok = await engine.exec(id, { cmd: ["true"] });
      assert.equal(ok.exitCode, 0);
      // onOutput: the output goes to the callback, per stream, and not into the result
      const chunks: { stream: string; text: string }[] = [];
      const streamed = await engine.exec(id, { cmd: ["sh", "-c", "echo hi; echo oops >&2; exit 3"], onOutput: (c) => chunks.push({ stream: c.stream, text: c.data.toString() }) });
      assert.deepEqual(streamed, { exitCode: 3, stdout: "", stderr: "" });
      const joined = (stream: string) => chunks.filter((c) => c.stream === stream).map((c) => c.text).join("");
      assert.deepEqual([joined("stdout"), joined("stderr")], ["hi\n", "oops\n"]);
      await engine.removeContainer(id, { force: true });
    });

    test("putArchive extracts a tar, then exec cat reads the file", async () => {
      const id = await create(spec("archive", ["sleep", "300"]));
      await engine.startContainer(id);
      // (the busybox base image is FROM scratch: "/" is the one directory sure to exist)
      await engine.putArchive(id, "/", await tarOf({ "hello.txt": "hello from the tar\n" }));
      const r = await engine.exec(id, { cmd: ["cat", "/hello.txt"] });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout, "hello from the tar\n");
      const missing = await engine.exec(id, { cmd: ["cat", "/tmp/nope.txt"] });
      assert.notEqual(missing.exitCode, 0);
      await engine.removeContainer(id, { force: true });
    });

    test("waitContainer resolves with the exit code of a container that exits by itself", async (t) => {
      if (!realProcesses) {
        t.diagnostic("emulated: the process exits at once");
      }
      const cmd = realProcesses ? ["sh", "-c", "sleep 0.3; exit 7"] : ["sh", "-c", "exit 7"];
      const id = await create(spec("exit7", cmd));
      await engine.startContainer(id);
      assert.equal(await engine.waitContainer(id), 7);
      const details = await engine.inspectContainer(id);
      assert.equal(details?.state.status, "exited");
      assert.equal(details?.state.exitCode, 7);
    });

    test("an aborted waitContainer rejects with ABORTED", async () => {
      const id = await create(spec("abort", ["sleep", "300"]));
      await engine.startContainer(id);
      const ac = new AbortController();
      const waiting = engine.waitContainer(id, ac.signal);
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(waiting, (e: unknown) => isFlotillaError(e) && e.code === "ABORTED");
      await engine.removeContainer(id, { force: true });
    });

    test("events report container lifecycle for a label filter and close on abort", async () => {
      const ac = new AbortController();
      const seen: string[] = [];
      const reading = (async () => {
        for await (const e of engine.events({ labels: { [RUN]: run, "io.flotilla.test.role": "events" } }, ac.signal)) {
          if (e.type === "container") seen.push(e.action);
          if (e.action === "start") ac.abort();
        }
      })();
      await new Promise((r) => setTimeout(r, 100)); // let the subscription reach the engine
      const id = await create(spec("events", ["sleep", "300"]));
      await engine.startContainer(id);
      await reading;
      assert.ok(seen.includes("create"), `saw ${seen.join(",")}`);
      assert.ok(seen.includes("start"));
      await engine.removeContainer(id, { force: true });
    });
  });
}
