/** Contract cases: containers and their lifecycle. */
import assert from "node:assert/strict";
import { isFlotillaError } from "../../../src/errors.js";
import { withCode } from "./helpers.js";
import type { ContractContext } from "../engine-contract.js";

function lifecycleCases(ctx: ContractContext): void {
  const { run, RUN, contract, spec, create } = ctx;

  contract("create/start/inspect/stop/remove a labelled container", ["createContainer", "startContainer", "inspectContainer", "stopContainer", "waitContainer", "removeContainer"], async () => {
    const engine = ctx.engine;
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
  if (ctx.realProcesses) contract("stop without a timeout sends the stop signal and waits: a process that exits on SIGTERM exits 0", ["stopContainer"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("graceful", ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]));
    await engine.startContainer(id);
    await engine.stopContainer(id);
    const details = await engine.inspectContainer(id);
    assert.equal(details?.state.status, "exited");
    assert.equal(details?.state.exitCode, 0, "137 means the engine killed it without a grace period");
    await engine.removeContainer(id);
  });

  contract("listContainers filters by label value and by label presence", ["listContainers"], async () => {
    const engine = ctx.engine;
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

}

function stateCases(ctx: ContractContext): void {
  const { run, contract, spec, create } = ctx;

  contract("restart: a running container runs again; a stopped one starts", ["restartContainer"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("restart", ["sleep", "300"]));
    await engine.startContainer(id);
    await engine.restartContainer(id, 1);
    assert.equal((await engine.inspectContainer(id))?.state.status, "running");
    await engine.stopContainer(id, 1);
    await engine.restartContainer(id, 1);
    assert.equal((await engine.inspectContainer(id))?.state.status, "running");
    await engine.removeContainer(id, { force: true });
  });

  contract("kill: SIGKILL ends a running container with 137; killing a stopped one is a CONFLICT", ["killContainer"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("kill", ["sleep", "300"]));
    await engine.startContainer(id);
    await engine.killContainer(id, "SIGKILL");
    assert.equal(await engine.waitContainer(id), 137);
    assert.equal((await engine.inspectContainer(id))?.state.status, "exited");
    await assert.rejects(engine.killContainer(id), withCode("CONFLICT"));
    await engine.removeContainer(id);
  });

  contract("pause and unpause; unpausing a running container fails (ENGINE: Docker answers 500)", ["pauseContainer", "unpauseContainer"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("pause", ["sleep", "300"]));
    await engine.startContainer(id);
    await engine.pauseContainer(id);
    assert.equal((await engine.inspectContainer(id))?.state.status, "paused");
    await engine.unpauseContainer(id);
    assert.equal((await engine.inspectContainer(id))?.state.status, "running");
    await assert.rejects(engine.unpauseContainer(id), withCode("ENGINE"));
    await engine.removeContainer(id, { force: true });
  });

  contract("rename: the new name finds the container, the old one nothing; a taken name is a CONFLICT", ["renameContainer", "createContainer"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("rename-a", ["sleep", "300"]));
    await engine.renameContainer(id, `${run}-renamed`);
    assert.equal((await engine.inspectContainer(`${run}-renamed`))?.id, id);
    assert.equal(await engine.inspectContainer(`${run}-rename-a`), undefined);
    await assert.rejects(create(spec("renamed", ["sleep", "300"])), withCode("CONFLICT"));
    const other = await create(spec("rename-b", ["sleep", "300"]));
    await assert.rejects(engine.renameContainer(other, `${run}-renamed`), withCode("CONFLICT"));
    await engine.removeContainer(id, { force: true });
    await engine.removeContainer(other, { force: true });
  });

  contract("lifecycle calls on a missing container fail with NOT_FOUND", ["startContainer", "stopContainer", "killContainer"], async () => {
    const engine = ctx.engine;
    await assert.rejects(engine.startContainer(`${run}-missing`), withCode("NOT_FOUND"));
    await assert.rejects(engine.stopContainer(`${run}-missing`), withCode("NOT_FOUND"));
    await assert.rejects(engine.killContainer(`${run}-missing`), withCode("NOT_FOUND"));
  });

  contract("stats and top of a running container; top of a stopped one is a CONFLICT", ["stats", "top"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("usage", ["sleep", "300"]));
    await engine.startContainer(id);
    const st = await engine.stats(id);
    for (const v of Object.values(st)) assert.ok(Number.isFinite(v) && v >= 0, `finite, not negative: ${JSON.stringify(st)}`);
    assert.ok(st.memoryLimit > 0);
    assert.ok(st.pids >= 1);
    const top = await engine.top(id);
    assert.ok(top.titles.includes("PID") && top.titles.includes("CMD"), top.titles.join(" "));
    const cmd = top.titles.indexOf("CMD");
    assert.ok(top.processes.some((p) => /sleep 300/.test(p[cmd] ?? "")), JSON.stringify(top.processes));
    await engine.stopContainer(id, 1);
    await assert.rejects(engine.top(id), withCode("CONFLICT"));
    await engine.removeContainer(id);
  });

  contract("resizeTty sizes a running TTY container; a missing container is NOT_FOUND", ["resizeTty"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("resize", ["sleep", "300"], { Tty: true, OpenStdin: true }));
    await engine.startContainer(id);
    await engine.resizeTty(id, { rows: 30, cols: 100 });
    await assert.rejects(engine.resizeTty(`${run}-missing`, { rows: 30, cols: 100 }), (e: unknown) => isFlotillaError(e) && e.code === "NOT_FOUND");
    await engine.removeContainer(id, { force: true });
  });
}

function missingCases(ctx: ContractContext): void {
  const { run, contract, spec, create } = ctx;

  contract("inspecting missing things gives undefined; removing a missing container does not throw", ["inspectContainer", "inspectNetwork", "inspectVolume", "inspectImage", "removeContainer"], async () => {
    const engine = ctx.engine;
    assert.equal(await engine.inspectContainer(`${run}-missing`), undefined);
    assert.equal(await engine.inspectNetwork(`${run}-missing`), undefined);
    assert.equal(await engine.inspectVolume(`${run}-missing`), undefined);
    assert.equal(await engine.inspectImage(`${run}-missing:latest`), undefined);
    await engine.removeContainer(`${run}-missing`);
    await engine.removeContainer(`${run}-missing`, { force: true, volumes: true });
  });

  contract("creating from a missing image fails with IMAGE_NOT_FOUND", ["createContainer"], async () => {
    const engine = ctx.engine;
    await assert.rejects(engine.createContainer({ ...spec("noimage", ["true"]), Image: `${run}-no-such-image:latest` }), (e: unknown) => {
      assert.ok(isFlotillaError(e));
      assert.equal(e.code, "IMAGE_NOT_FOUND");
      return true;
    });
  });

  contract("waitContainer resolves with the exit code of a container that exits by itself", ["waitContainer"], async (t) => {
    const engine = ctx.engine;
    if (!ctx.realProcesses) {
      t.diagnostic("emulated: the process exits at once");
    }
    const cmd = ctx.realProcesses ? ["sh", "-c", "sleep 0.3; exit 7"] : ["sh", "-c", "exit 7"];
    const id = await create(spec("exit7", cmd));
    await engine.startContainer(id);
    assert.equal(await engine.waitContainer(id), 7);
    const details = await engine.inspectContainer(id);
    assert.equal(details?.state.status, "exited");
    assert.equal(details?.state.exitCode, 7);
  });

  contract("an aborted waitContainer rejects with ABORTED", ["waitContainer"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("abort", ["sleep", "300"]));
    await engine.startContainer(id);
    const ac = new AbortController();
    const waiting = engine.waitContainer(id, ac.signal);
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(waiting, (e: unknown) => isFlotillaError(e) && e.code === "ABORTED");
    await engine.removeContainer(id, { force: true });
  });
}

/** The cases of this module, registered in order. */
export function containerCases(ctx: ContractContext): void {
  lifecycleCases(ctx);
  missingCases(ctx);
  stateCases(ctx);
}
