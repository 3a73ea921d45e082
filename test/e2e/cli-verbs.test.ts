import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../../..");
const bin = join(root, "bin", "flotilla.js");
const project = `cli-verbs-${process.pid}`;
const base = ["-f", join(root, "fixtures", "cli-verbs", "compose.yaml"), "-p", project, "--progress", "plain"];

function flotilla(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...base, ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function states(): string[] {
  const r = flotilla("ps", "-a", "--format", "json");
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { Name: string; State: string })
    .map((c) => `${c.Name.slice(project.length + 1)} ${c.State}`)
    .sort();
}

describe("scale, pause/unpause, wait (CLI)", () => {
  after(() => {
    flotilla("down", "-v", "-t", "0");
    spawnSync("docker", ["rmi", "-f", `flotilla-commit-${process.pid}:1`]);
  });

  test("scale sets the number of containers without recreating the others", () => {
    assert.equal(flotilla("up", "-d", "app").code, 0);
    const before = flotilla("ps", "-q", "app").stdout.trim();
    const up = flotilla("scale", "app=3");
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(states(), ["app-1 running", "app-2 running", "app-3 running"]);
    assert.ok(flotilla("ps", "-q", "app").stdout.includes(before), "app-1 was kept");
    assert.equal(flotilla("scale", "app=1").code, 0);
    assert.deepEqual(states(), ["app-1 running"]);
    const bad = flotilla("scale", "app");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected SERVICE=NUM/);
  });

  test("pause and unpause", () => {
    assert.equal(flotilla("pause").code, 0);
    assert.deepEqual(states(), ["app-1 paused"]);
    const unpause = flotilla("unpause", "app");
    assert.equal(unpause.code, 0, unpause.stderr);
    assert.match(unpause.stderr, new RegExp(`Container ${project}-app-1  Unpaused`));
    assert.deepEqual(states(), ["app-1 running"]);
  });

  test("images and top", () => {
    const images = flotilla("images", "--format", "json");
    assert.equal(images.code, 0, images.stderr);
    const rows = JSON.parse(images.stdout) as { ContainerName: string; Repository: string; Tag: string; ID: string; Size: number }[];
    assert.deepEqual(rows.map((r) => [r.ContainerName, r.Repository, r.Tag]), [[`${project}-app-1`, "flotilla-busybox", "latest"]]);
    assert.match(rows[0]!.ID, /^sha256:[0-9a-f]{64}$/);
    assert.ok(rows[0]!.Size > 0);
    const table = flotilla("images");
    // Compose v2.40's columns (PLATFORM, CREATED).
    assert.match(table.stdout, /^CONTAINER +REPOSITORY +TAG +PLATFORM +IMAGE ID +SIZE +CREATED\n/);
    assert.match(table.stdout, new RegExp(`${project}-app-1 +flotilla-busybox +latest +linux/[a-z0-9]+ +[0-9a-f]{12} +[0-9.]+[kM]B +.+ ago\n`));
    const top = flotilla("top", "app");
    assert.equal(top.code, 0, top.stderr);
    // Compose v2.40: one table, SERVICE and # (the replica) first.
    assert.match(top.stdout, /^SERVICE +# +UID +PID +PPID/);
    assert.match(top.stdout, /^app +1 +/m);
    assert.match(top.stdout, /sleep 3600/);
  });

  test("cp copies files and directories both ways with docker cp's naming rules", () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-cp-"));
    try {
      mkdirSync(join(dir, "tree", "sub"), { recursive: true });
      writeFileSync(join(dir, "file.txt"), "hello\n");
      writeFileSync(join(dir, "tree", "sub", "deep.txt"), "deep\n");
      assert.equal(flotilla("exec", "app", "mkdir", "-p", "/work").code, 0);
      for (const [src, dest] of [
        [join(dir, "file.txt"), "app:/work"], // into an existing directory: keeps its name
        [join(dir, "file.txt"), "app:/work/renamed.txt"], // to a new name
        [join(dir, "tree"), "app:/work/tree2"], // a directory to a new name
      ] as const) {
        const r = flotilla("cp", src, dest);
        assert.equal(r.code, 0, r.stderr);
      }
      const inside = flotilla("exec", "app", "sh", "-c", "cat /work/file.txt /work/renamed.txt /work/tree2/sub/deep.txt");
      assert.equal(inside.stdout, "hello\nhello\ndeep\n");
      mkdirSync(join(dir, "back"));
      assert.equal(flotilla("cp", "app:/work/tree2", join(dir, "back")).code, 0);
      assert.equal(flotilla("cp", "app:/work/renamed.txt", join(dir, "back", "r.txt")).code, 0);
      assert.equal(readFileSync(join(dir, "back", "tree2", "sub", "deep.txt"), "utf8"), "deep\n");
      assert.equal(readFileSync(join(dir, "back", "r.txt"), "utf8"), "hello\n");
      const missing = flotilla("cp", "app:/nope", join(dir, "x"));
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /no such file or directory in the container: \/nope/);
      const both = flotilla("cp", join(dir, "file.txt"), join(dir, "y"));
      assert.match(both.stderr, /one of the two paths must be SERVICE:PATH/);

      // owners: root in the container unless -a keeps the source's; -L copies what a link points to
      writeFileSync(join(dir, "owned.txt"), "owned\n");
      chownSync(join(dir, "owned.txt"), 1234, 1234);
      symlinkSync(join(dir, "owned.txt"), join(dir, "link.txt"));
      assert.equal(flotilla("cp", join(dir, "owned.txt"), "app:/work/plain.txt").code, 0);
      assert.equal(flotilla("cp", "-a", join(dir, "owned.txt"), "app:/work/kept.txt").code, 0);
      assert.equal(flotilla("cp", "-L", join(dir, "link.txt"), "app:/work").code, 0);
      assert.equal(flotilla("cp", join(dir, "link.txt"), "app:/work/asis").code, 0);
      const owners = flotilla("exec", "app", "sh", "-c", "stat -c %u:%g /work/plain.txt /work/kept.txt; cat /work/link.txt; readlink /work/asis");
      assert.equal(owners.stdout, `0:0\n1234:1234\nowned\n${join(dir, "owned.txt")}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("events streams the project's container events until Ctrl-C", async () => {
    const child = spawn(process.execPath, [bin, ...base, "events", "--json", "app"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const from = Math.floor(Date.now() / 1000) - 1;
    try {
      // The child says nothing once subscribed, and starting it can take seconds on a loaded machine:
      // restart until a start comes through the stream (the first restart after it subscribed does).
      for (let round = 0; round < 20 && !/"action":"start"/.test(out); round++) {
        assert.equal(flotilla("restart", "app").code, 0);
        for (let i = 0; i < 30 && !/"action":"start"/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      child.kill("SIGINT");
    }
    assert.equal(await closed, 0);
    const events = out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string; action: string; service: string; id: string; time: string });
    assert.ok(events.length > 0, "no events");
    assert.ok(events.every((e) => e.type === "container" && e.service === "app"), out);
    assert.ok(events.some((e) => e.action === "start"), out);
    assert.ok(!Number.isNaN(Date.parse(events[0]!.time)));

    // --since replays them, --until ends the stream by itself
    const replay = flotilla("events", "--json", "--since", String(from), "--until", String(Math.floor(Date.now() / 1000) + 1), "app");
    assert.equal(replay.code, 0, replay.stderr);
    const replayed = replay.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { action: string; service: string });
    assert.ok(replayed.some((e) => e.action === "start" && e.service === "app"), replay.stdout);
  });

  test("stats --no-stream samples the running containers once", () => {
    const r = flotilla("stats", "--no-stream", "--format", "json", "app");
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { Name: string; PIDs: string; MemUsage: string; CPUPerc: string });
    assert.deepEqual(rows.map((x) => x.Name), [`${project}-app-1`]);
    assert.ok(Number(rows[0]!.PIDs) >= 1);
    assert.match(rows[0]!.MemUsage, /^[0-9.]+[KMG]?i?B \/ [0-9.]+[KMGT]iB$/);
    assert.match(rows[0]!.CPUPerc, /^\d+\.\d\d%$/);
  });

  test("volumes lists the project's volumes (per service with arguments)", () => {
    const json = flotilla("volumes", "--format", "json");
    assert.equal(json.code, 0, json.stderr);
    const rows = json.stdout.trim().split("\n").map((l) => JSON.parse(l) as { Name: string; Driver: string; Labels: string });
    assert.deepEqual(rows.map((r) => [r.Name, r.Driver]), [[`${project}_cache`, "local"]]);
    assert.match(rows[0]!.Labels, new RegExp(`com\\.docker\\.compose\\.project=${project}`));
    assert.equal(flotilla("volumes", "-q", "job").stdout, "", "job mounts no volume");
    const table = flotilla("volumes", "app");
    assert.match(table.stdout, /^DRIVER\s+VOLUME NAME\n/);
    assert.match(table.stdout, new RegExp(`^local\\s+${project}_cache$`, "m"));
  });

  test("commit makes an image of a container's changes; export writes its filesystem as tar", () => {
    const tag = `flotilla-commit-${process.pid}:1`;
    assert.equal(flotilla("exec", "-T", "app", "sh", "-c", "mkdir -p /data && echo committed > /data/x").code, 0);
    const commit = flotilla("commit", "-m", "from the test", "-c", "ENV COMMITTED=yes", "app", tag);
    assert.equal(commit.code, 0, commit.stderr);
    assert.match(commit.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const inspect = spawnSync("docker", ["image", "inspect", tag, "--format", "{{.Comment}}|{{json .Config.Env}}"], { encoding: "utf8" });
    assert.match(inspect.stdout, /^from the test\|.*"COMMITTED=yes"/);
    const fromImage = spawnSync("docker", ["run", "--rm", tag, "cat", "/data/x"], { encoding: "utf8" });
    assert.equal(fromImage.stdout, "committed\n");
    assert.deepEqual(states().filter((s) => s.startsWith("app")), ["app-1 running"], "paused for the commit, running again");

    const dir = mkdtempSync(join(tmpdir(), "flotilla-export-"));
    try {
      const out = flotilla("export", "app", "-o", join(dir, "app.tar"));
      assert.equal(out.code, 0, out.stderr);
      const list = spawnSync("tar", ["-tf", join(dir, "app.tar")], { encoding: "utf8" }).stdout.split("\n");
      assert.ok(list.includes("data/x") && list.includes("bin/busybox"), "the container's files are in the archive");
      // to a pipe: the same archive on stdout
      const piped = spawnSync(process.execPath, [bin, ...base, "export", "app"], { cwd: root, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
      assert.equal(piped.status, 0, String(piped.stderr));
      assert.equal(piped.stdout.subarray(257, 262).toString(), "ustar", "a tar header");
      assert.equal(piped.stdout.length, readFileSync(join(dir, "app.tar")).length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("attach: output from now on, piped stdin to the container, its exit code", () => {
    assert.equal(flotilla("up", "-d", "echoer").code, 0);
    for (let i = 0; i < 50 && !flotilla("logs", "echoer").stdout.includes("old-output"); i++) spawnSync("sleep", ["0.1"]);
    const r = spawnSync(process.execPath, [bin, ...base, "attach", "echoer"], { cwd: root, encoding: "utf8", timeout: 60_000, input: "hi\nbye\n" });
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, "got:hi\ngot:bye\n", "no history (old-output), both replies");
    const notRunning = flotilla("attach", "echoer");
    assert.equal(notRunning.code, 1);
    assert.match(notRunning.stderr, /is not running/);
  });

  test("wait returns the exit code of the first container of the services to stop", () => {
    assert.equal(flotilla("up", "-d", "job").code, 0);
    const w = flotilla("wait", "job");
    assert.equal(w.code, 7, w.stderr);
    assert.deepEqual(states(), ["app-1 running", "echoer-1 exited", "job-1 exited"]);
    // stats -a lists the stopped container too (idle), --no-trunc its whole id
    const all = flotilla("stats", "-a", "--no-stream", "--no-trunc", "--format", "json", "job");
    assert.equal(all.code, 0, all.stderr);
    const rows = all.stdout.trim().split("\n").map((l) => JSON.parse(l) as { ID: string; Name: string; PIDs: string });
    assert.deepEqual(rows.map((r) => [r.Name, r.PIDs, r.ID.length]), [[`${project}-job-1`, "0", 64]]);
    assert.equal(flotilla("stats", "--no-stream", "--format", "json", "job").stdout, "", "without -a: running ones only");
  });
});
