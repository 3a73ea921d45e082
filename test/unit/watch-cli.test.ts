import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { BufferStream, type CliIO } from "../../src/cli/io.js";
import { acquireWatchLock, watchLockPath } from "../../src/runtime/watch/lock.js";
import { isFlotillaError } from "../../src/errors.js";
import { pidAlive } from "../../src/api/host.js";

const me = { pid: process.pid, alive: pidAlive };

function io(cwd: string, home?: string): { io: CliIO; out: BufferStream; err: BufferStream } {
  const out = new BufferStream();
  const err = new BufferStream();
  // DOCKER_HOST points nowhere: these tests must fail before any engine call.
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", DOCKER_HOST: "tcp://127.0.0.1:1", ...(home ? { HOME: home } : {}) };
  return { io: { stdout: out, stderr: err, env, cwd, readStdin: async () => "", onSignal: () => () => {} }, out, err };
}

describe("watch CLI", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "flotilla-watch-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("`watch --help` lists its flags", async () => {
    const t = io(dir);
    await main(["watch", "--help"], t.io);
    const text = t.out.text + t.err.text;
    for (const flag of ["--no-up", "--quiet", "--prune"]) assert.ok(text.includes(flag), `${flag} in:\n${text}`);
  });

  test("nothing configured for watch is an error before anything starts (watch and up --watch)", async () => {
    writeFileSync(join(dir, "compose.yaml"), "services:\n  db:\n    image: flotilla-busybox:latest\n");
    for (const argv of [["watch"], ["up", "--watch"]]) {
      const t = io(dir);
      const code = await main(["-p", "watchcli", ...argv], t.io);
      assert.notEqual(code, 0);
      assert.match(t.err.text, /none of the selected services \(db\) is configured for watch/);
      assert.doesNotMatch(t.err.text, /Container|Network/, "nothing was created");
    }
  });

  test("an invalid rule is reported with its model path", async () => {
    writeFileSync(
      join(dir, "compose.yaml"),
      "services:\n  web:\n    image: flotilla-busybox:latest\n    develop:\n      watch:\n        - path: ./src\n          action: rebuild\n",
    );
    const t = io(dir);
    const code = await main(["-p", "watchcli", "watch", "--no-up"], t.io);
    assert.notEqual(code, 0);
    assert.match(t.err.text, /services\.web\.develop\.watch\[0\].*no build section/);
  });
});

/** A live process whose command line names it (as a flotilla or compose watch would be named). */
function holder(name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", name], { stdio: "ignore" });
  return new Promise((resolve, reject) => {
    child.once("spawn", () => resolve(child));
    child.once("error", reject);
  });
}

describe("watch lock", () => {
  let home: string;
  const children: ChildProcess[] = [];
  before(() => {
    home = mkdtempSync(join(tmpdir(), "flotilla-watch-lock-"));
  });
  after(() => {
    for (const c of children) c.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  });

  test("Compose's path; written with our pid; released only while still ours", () => {
    const file = watchLockPath("demo", home);
    assert.equal(file, join(home, ".docker", "docker-compose", "demo.pid"));
    const lock = acquireWatchLock("demo", { home, ...me });
    assert.equal(readFileSync(file, "utf8"), String(process.pid));
    lock.release();
    assert.equal(existsSync(file), false);
    const again = acquireWatchLock("demo", { home, ...me });
    writeFileSync(file, "12345");
    again.release();
    assert.equal(readFileSync(file, "utf8"), "12345", "a lock someone else took over is left alone");
    rmSync(file);
  });

  test("a live watcher holds it; a dead pid or a reused pid (not a watcher) is stale and taken over", async () => {
    const file = watchLockPath("busy", home);
    mkdirSync(join(home, ".docker", "docker-compose"), { recursive: true });
    const watcher = await holder("flotilla-watch-holder");
    children.push(watcher);
    writeFileSync(file, String(watcher.pid));
    assert.throws(
      () => acquireWatchLock("busy", { home, ...me }),
      (e: unknown) => isFlotillaError(e) && e.code === "WATCH_FAILED" && e.message.includes(`already being watched by process ${String(watcher.pid)}`) && (e.hint ?? "").includes(file),
    );
    const other = spawn("sleep", ["30"], { stdio: "ignore" });
    children.push(other);
    await new Promise((r) => other.once("spawn", r));
    writeFileSync(file, String(other.pid));
    acquireWatchLock("busy", { home, ...me }).release();
    writeFileSync(file, "2147483646"); // no such process
    const taken = acquireWatchLock("busy", { home, ...me });
    assert.equal(readFileSync(file, "utf8"), String(process.pid));
    taken.release();
  });

  test("watch and up --watch refuse a watched project before anything starts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-watch-locked-"));
    try {
      mkdirSync(join(dir, "src"));
      writeFileSync(
        join(dir, "compose.yaml"),
        "services:\n  web:\n    image: flotilla-busybox:latest\n    develop:\n      watch:\n        - path: ./src\n          action: sync\n          target: /srv\n",
      );
      const watcher = await holder("compose-watch-holder");
      children.push(watcher);
      mkdirSync(join(home, ".docker", "docker-compose"), { recursive: true });
      writeFileSync(watchLockPath("lockedcli", home), String(watcher.pid));
      for (const argv of [["watch"], ["up", "--watch"]]) {
        const t = io(dir, home);
        const code = await main(["-p", "lockedcli", ...argv], t.io);
        assert.equal(code, 1, t.err.text);
        assert.match(t.err.text, new RegExp(`project "lockedcli" is already being watched by process ${String(watcher.pid)}`));
        assert.doesNotMatch(t.err.text, /Container|Network|cannot reach/, "stopped before the engine");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
