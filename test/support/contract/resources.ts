/** Contract cases: the engine itself, networks, volumes and events. */
import assert from "node:assert/strict";
import { isFlotillaError } from "../../../src/errors.js";
import { tarEntries, withCode } from "./helpers.js";
import type { ContractContext } from "../engine-contract.js";

function networkCases(ctx: ContractContext): void {
  const { run, RUN, contract, spec, create } = ctx;

  contract("info names the API version, the OS and the flavor", ["info"], async () => {
    const info = await ctx.engine.info();
    assert.match(info.apiVersion, /^1\.\d+$/);
    assert.equal(info.os, "linux");
    assert.ok(info.flavor === "docker" || info.flavor === "podman");
    assert.ok(info.serverVersion.length > 0);
  });

  contract("networks: create, list by label, connect, disconnect, remove", ["createNetwork", "listNetworks", "inspectNetwork", "connectNetwork", "disconnectNetwork", "removeNetwork"], async () => {
    const engine = ctx.engine;
    const netName = `${run}_net`;
    const netId = await engine.createNetwork({ Name: netName, Driver: "bridge", Labels: { [RUN]: run, "com.docker.compose.network": "net" } });
    ctx.networks.push(netName);
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

  contract("removing a network with an attached running container fails with IN_USE (caller retries)", ["removeNetwork"], async () => {
    const engine = ctx.engine;
    const netName = `${run}_busy`;
    await engine.createNetwork({ Name: netName, Labels: { [RUN]: run } });
    ctx.networks.push(netName);
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
}

function volumeAndEventCases(ctx: ContractContext): void {
  const { run, RUN, contract, spec, create } = ctx;

  contract("volumes: create, list by label, inspect, remove", ["createVolume", "listVolumes", "inspectVolume", "removeVolume"], async () => {
    const engine = ctx.engine;
    const volName = `${run}_data`;
    await engine.createVolume({ Name: volName, Labels: { [RUN]: run, "com.docker.compose.volume": "data" } });
    ctx.volumes.push(volName);
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

  contract("events report container lifecycle for a label filter and close on abort", ["events"], async () => {
    const engine = ctx.engine;
    const ac = new AbortController();
    const seen: string[] = [];
    // `since` replays what a slow subscription missed (the real engine; the fake has no history and
    // subscribes at once): no race with the create below, however loaded the machine.
    const since = Math.floor(Date.now() / 1000) - 1;
    const reading = (async () => {
      for await (const e of engine.events({ labels: { [RUN]: run, "io.flotilla.test.role": "events" }, since }, ac.signal)) {
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

  contract("removing a volume a container uses fails with IN_USE; force-removing the container frees it", ["removeVolume", "createVolume"], async () => {
    const engine = ctx.engine;
    const volName = `${run}_used`;
    await engine.createVolume({ Name: volName, Labels: { [RUN]: run } });
    ctx.volumes.push(volName);
    const id = await create(spec("uses-volume", ["sleep", "300"], { HostConfig: { Init: true, Binds: [`${volName}:/data`] } }));
    await assert.rejects(engine.removeVolume(volName), withCode("IN_USE"));
    await engine.removeContainer(id, { force: true });
    await engine.removeVolume(volName);
    assert.equal(await engine.inspectVolume(volName), undefined);
  });

  contract(
    "a tar put into a never-started container's volume mount lands in the volume; a read-only bind of <Mountpoint>/<file> shows it",
    ["createVolume", "inspectVolume", "putArchive", "createContainer"],
    async () => {
      // How secrets from environment:/content: reach a container (src/runtime/secrets-volume.ts).
      const engine = ctx.engine;
      const volName = `${run}_secrets`;
      await engine.createVolume({ Name: volName, Driver: "local", Labels: { [RUN]: run } });
      ctx.volumes.push(volName);
      // the entrypoint does not exist: create does not look for it, and the helper is never started
      const helper = await create({ ...spec("fill", []), Entrypoint: ["/.fill/none"], HostConfig: { NetworkMode: "none", Mounts: [{ Type: "volume", Source: volName, Target: "/.fill", VolumeOptions: { NoCopy: true } }] } });
      const tar = await tarEntries([{ name: "0-token", content: "s3cr3t", mode: 0o400, uid: 1000, gid: 2000 }]);
      await engine.putArchive(helper, "/.fill", tar);
      await engine.removeContainer(helper, { force: true });
      const mountpoint = (await engine.inspectVolume(volName))?.mountpoint;
      assert.ok(mountpoint, "the volume has a mount point on the engine's host");
      const id = await create(spec("reads-secret", ["sleep", "300"], { HostConfig: { Init: true, Mounts: [{ Type: "bind", Source: `${mountpoint}/0-token`, Target: "/run/secrets/token", ReadOnly: true }] } }));
      const mount = (await engine.inspectContainer(id))?.mounts.find((m) => m.destination === "/run/secrets/token");
      assert.deepEqual(mount && { type: mount.type, rw: mount.rw }, { type: "bind", rw: false });
      await engine.startContainer(id);
      assert.equal((await engine.exec(id, { cmd: ["cat", "/run/secrets/token"] })).stdout, "s3cr3t");
      if (ctx.realProcesses) {
        assert.equal((await engine.exec(id, { cmd: ["stat", "-c", "%a %u %g", "/run/secrets/token"] })).stdout.trim(), "400 1000 2000", "the tar's mode and owner");
        const write = await engine.exec(id, { cmd: ["sh", "-c", "echo x > /run/secrets/token"], user: "0" });
        assert.notEqual(write.exitCode, 0, "root cannot write a read-only bind");
        assert.equal((await engine.exec(id, { cmd: ["cat", "/run/secrets/token"] })).stdout, "s3cr3t");
      }
      await engine.removeContainer(id, { force: true });
    },
  );

  contract("creating a network whose name is taken is a CONFLICT", ["createNetwork"], async () => {
    const engine = ctx.engine;
    const netName = `${run}_twice`;
    await engine.createNetwork({ Name: netName, Labels: { [RUN]: run } });
    ctx.networks.push(netName);
    await assert.rejects(engine.createNetwork({ Name: netName, CheckDuplicate: true, Labels: { [RUN]: run } }), (e: unknown) => isFlotillaError(e) && e.code === "CONFLICT");
    await engine.removeNetwork(netName);
  });
}

/** The cases of this module, registered in order. */
export function resourceCases(ctx: ContractContext): void {
  networkCases(ctx);
  volumeAndEventCases(ctx);
}
