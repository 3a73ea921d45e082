/** The per-project lock (src/runtime/lock) and its use by the operations, against the fake engine. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeEngine } from "../support/fake-engine.js";
import { isFlotillaError } from "../../src/errors.js";
import type { FlotillaEvent } from "../../src/events.js";
import {
  acquireProjectLock,
  LOCK_IMAGE,
  LOCK_LABEL,
  LOCK_PID_LABEL,
  lockContainerName,
  staleReason,
  withProjectLock,
  type LockSettings,
} from "../../src/runtime/lock/project-lock.js";
import { Label } from "../../src/runtime/labels.js";
import { Project } from "../../src/api/project.js";

const ME = { pid: 1000, host: "here" };
const alive = (pids: number[]) => (pid: number) => pids.includes(pid);
const fast = (extra: LockSettings = {}): LockSettings => ({ self: ME, isAlive: alive([1000, 2000]), pollMs: 5, ...extra });

function engine(): FakeEngine {
  const e = new FakeEngine();
  e.addImage("flotilla-busybox:latest");
  return e;
}

/** A lock container as another process would have left it. */
async function heldBy(e: FakeEngine, project: string, holder: { pid: number; host: string; since?: string; command?: string }): Promise<string> {
  const other = await acquireProjectLock(e, project, holder.command ?? "flotilla up", { settings: { self: { pid: holder.pid, host: holder.host }, now: () => Date.parse(holder.since ?? new Date().toISOString()) } });
  return other.id;
}

describe("project lock: the lock container", () => {
  test("is created from a lock image built on first use, labelled with its holder and no project label; release removes it", async () => {
    const e = engine();
    const lock = await acquireProjectLock(e, "p1", "flotilla up", { settings: fast() });
    assert.equal(e.callsOf("buildImage").length, 1, "the lock image is built once when missing");
    assert.ok(await e.inspectImage(LOCK_IMAGE));
    const c = await e.inspectContainer(lockContainerName("p1"));
    assert.ok(c);
    assert.equal(c.state.status, "created", "never started");
    assert.equal(c.labels[LOCK_LABEL], "p1");
    assert.equal(c.labels[LOCK_PID_LABEL], "1000");
    assert.equal(c.labels[Label.project], undefined, "no compose label: ps/down/Compose never see it");
    assert.deepEqual(await e.listContainers({ labels: { [Label.project]: "p1" }, all: true }), []);
    await lock.release();
    assert.equal(await e.inspectContainer(lockContainerName("p1")), undefined);
    // second time: no build
    const again = await acquireProjectLock(e, "p1", "flotilla up", { settings: fast() });
    await again.release();
    assert.equal(e.callsOf("buildImage").length, 1);
  });

  test("a second command waits, saying for what, and goes on once the first releases", async () => {
    const e = engine();
    const first = await acquireProjectLock(e, "p2", "flotilla up", { settings: fast({ self: { pid: 2000, host: "here" } }) });
    const events: FlotillaEvent[] = [];
    let got = false;
    const second = acquireProjectLock(e, "p2", "flotilla down", { settings: fast(), onEvent: (ev) => events.push(ev) }).then((l) => {
      got = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(got, false, "waits while the holder lives");
    const lines = events.filter((ev) => ev.type === "info").map((ev) => (ev as { message: string }).message);
    assert.deepEqual(lines, ['waiting for "flotilla up" (pid 2000) on project p2…'], "said once, naming the holder");
    await first.release();
    const l = await second;
    assert.equal(got, true);
    assert.equal((await e.inspectContainer(lockContainerName("p2")))?.labels[LOCK_PID_LABEL], "1000");
    await l.release();
  });

  test("timeout 0 fails at once with PROJECT_LOCKED naming the holder and how to clear it", async () => {
    const e = engine();
    await heldBy(e, "p3", { pid: 2000, host: "here" });
    const events: FlotillaEvent[] = [];
    // "at once": it never starts waiting (no "waiting for" line), whatever the clock says
    await assert.rejects(acquireProjectLock(e, "p3", "flotilla stop", { settings: fast({ timeout: 0 }), onEvent: (ev) => events.push(ev) }), (err: unknown) => {
      assert.ok(isFlotillaError(err));
      assert.equal(err.code, "PROJECT_LOCKED");
      assert.match(err.message, /project p3 is locked by "flotilla up" \(pid 2000\)/);
      assert.match(err.hint ?? "", /docker rm flotilla-lock\.p3/);
      return true;
    });
    assert.deepEqual(events, []);
  });

  test("a timeout that runs out fails the same way, saying how long it waited", async () => {
    const e = engine();
    await heldBy(e, "p4", { pid: 2000, host: "here" });
    await assert.rejects(acquireProjectLock(e, "p4", "flotilla up", { settings: fast({ timeout: 0.05 }) }), /locked by "flotilla up" \(pid 2000\) on project p4 \(waited 0 s\)/);
  });

  test("a lock whose holder died on this host is taken over, saying so", async () => {
    const e = engine();
    const staleId = await heldBy(e, "p5", { pid: 3333, host: "here" });
    const events: FlotillaEvent[] = [];
    const l = await acquireProjectLock(e, "p5", "flotilla up", { settings: fast({ timeout: 0 }), onEvent: (ev) => events.push(ev) });
    assert.notEqual(l.id, staleId);
    assert.equal(await e.inspectContainer(staleId), undefined, "the stale lock container is gone");
    assert.ok(events.some((ev) => ev.type === "info" && /taking over the lock of project p5 held by "flotilla up" \(pid 3333\): process 3333 is gone/.test(ev.message)));
    await l.release();
  });

  test("another host's lock is trusted while young and taken over once older than staleAfter", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    const young = { id: "x", pid: 5, host: "there", command: "flotilla up", since: "2026-01-01T11:50:00Z" };
    const old = { ...young, since: "2026-01-01T10:00:00Z" };
    assert.equal(staleReason(young, { self: ME, now: () => now }), undefined);
    assert.match(staleReason(old, { self: ME, now: () => now }) ?? "", /taken 120 min ago on there/);
    assert.equal(staleReason({ ...young, pid: 0 }, { self: ME }), "it names no holder");
  });

  test("withProjectLock serializes concurrent holders in one process and is re-entrant within one call chain", async () => {
    const e = engine();
    let inside = 0;
    let most = 0;
    const job = () =>
      withProjectLock(e, "p6", "flotilla up", { settings: { self: ME, pollMs: 2 } }, async () => {
        inside++;
        most = Math.max(most, inside);
        // nested: `run` starting dependencies through `up` must not wait for itself
        await withProjectLock(e, "p6", "flotilla up", { settings: { self: ME, timeout: 0 } }, async () => {});
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      });
    await Promise.all([job(), job(), job(), job()]);
    assert.equal(most, 1, "never two holders at once");
    assert.equal(await e.inspectContainer(lockContainerName("p6")), undefined, "released at the end");
  });

  test("an aborted wait rejects with ABORTED", async () => {
    const e = engine();
    await heldBy(e, "p7", { pid: 2000, host: "here" });
    const ac = new AbortController();
    const waiting = acquireProjectLock(e, "p7", "flotilla up", { settings: fast(), signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(waiting, (err: unknown) => isFlotillaError(err) && err.code === "ABORTED");
  });
});

describe("project lock: the operations", () => {
  const doc = { services: { web: { image: "flotilla-busybox:latest", command: ["sleep", "3600"] } } };

  test("mutating verbs fail at once on a held lock with timeout 0; read-only verbs never wait", async () => {
    const e = engine();
    const p = await Project.load({ engine: e, env: {}, cwd: "/tmp", projectName: "ops1", documents: [doc], lock: { timeout: 0 } });
    await p.up({ detach: true });
    await heldBy(e, "ops1", { pid: process.pid, host: "elsewhere", since: new Date().toISOString() });
    for (const [verb, call] of [
      ["up", () => p.up({ detach: true, forceRecreate: true })],
      ["down", () => p.down()],
      ["stop", () => p.stop()],
      ["start", () => p.start()],
      ["restart", () => p.restart()],
      ["rm", () => p.rm()],
      ["kill", () => p.kill()],
      ["run", () => p.run("web", { detach: true })],
    ] as const) {
      await assert.rejects((call as () => Promise<unknown>)(), (err: unknown) => isFlotillaError(err) && err.code === "PROJECT_LOCKED", verb);
    }
    // an up with nothing to do changes nothing: it answers at once without the lock
    const noop = await p.up({ detach: true });
    assert.deepEqual(
      noop.containers.map((c) => c.action),
      ["noop"],
    );
    assert.ok(await e.inspectContainer(lockContainerName("ops1")), "the other holder's lock is untouched");
    // read-only: no wait, and the lock container is not part of the project
    const ps = await p.ps({ all: true });
    assert.deepEqual(
      ps.map((c) => c.Service),
      ["web"],
    );
    assert.ok(await p.port("web", 80).then(() => true, () => true));
    // dry runs change nothing and do not lock
    await p.down({ dryRun: true });
  });

  test("up takes and releases the lock; down then removes everything and leaves the lock image alone", async () => {
    const e = engine();
    const p = await Project.load({ engine: e, env: {}, cwd: "/tmp", projectName: "ops2", documents: [doc] });
    await p.up({ detach: true });
    assert.ok(e.callsOf("createContainer").some((c) => (c.args[0] as { name: string }).name === lockContainerName("ops2")));
    assert.equal(await e.inspectContainer(lockContainerName("ops2")), undefined);
    await p.down();
    assert.deepEqual(await e.listContainers({ labels: { [Label.project]: "ops2" }, all: true }), []);
    assert.equal(await e.inspectContainer(lockContainerName("ops2")), undefined);
  });
});
