import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";

// dist/test/e2e/cli-more.test.js -> repo root
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "flotilla.js");
const file = join(root, "fixtures", "cli-more", "compose.yaml");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function flotilla(args: string[], cwd = root): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, COMPOSE_PROGRESS: "", COMPOSE_FILE: "", COMPOSE_PROJECT_NAME: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function docker(args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8" });
}

function health(container: string): string {
  return docker(["inspect", "-f", "{{.State.Health.Status}}", container]).trim();
}

describe("flotilla ls, start --wait, down -p without a file", () => {
  const project = `flotilla-more-${process.pid}`;
  const base = ["-f", file, "-p", project];
  const empty = mkdtempSync(join(tmpdir(), "flotilla-nofile-"));

  after(async () => {
    await flotilla([...base, "down", "-v", "-t", "0"]);
    rmSync(empty, { recursive: true, force: true });
  });

  test("up, then ls --format json shows the project with its state counts", async () => {
    const up = await flotilla([...base, "--progress", "plain", "up", "-d"]);
    assert.equal(up.code, 0, up.stderr);
    docker(["wait", `${project}-once-1`]); // the one-shot has finished

    const running = await flotilla(["ls", "--format", "json", "--filter", `name=${project}`]);
    assert.equal(running.code, 0, running.stderr);
    const rows = JSON.parse(running.stdout) as { Name: string; Status: string; ConfigFiles: string }[];
    assert.ok(Array.isArray(rows));
    assert.deepEqual(rows, [{ Name: project, Status: "running(2)", ConfigFiles: file }]);

    // -a counts the finished one-shot too
    const all = await flotilla(["ls", "-a", "--format", "json", "--filter", `name=${project}`]);
    assert.deepEqual(JSON.parse(all.stdout), [{ Name: project, Status: "exited(1), running(2)", ConfigFiles: file }]);

    const quiet = await flotilla(["ls", "-q", "--filter", `name=${project}`]);
    assert.equal(quiet.stdout, `${project}\n`);
  });

  test("start --wait returns only once the healthcheck passes", async () => {
    const stop = await flotilla([...base, "stop", "health", "-t", "0"]);
    assert.equal(stop.code, 0, stop.stderr);
    const t0 = Date.now();
    const start = await flotilla([...base, "start", "--wait", "health"]);
    const elapsed = Date.now() - t0;
    assert.equal(start.code, 0, start.stderr);
    assert.equal(health(`${project}-health-1`), "healthy");
    // the service sleeps 2 s before it can be healthy
    assert.ok(elapsed >= 1500, `start --wait returned after ${elapsed} ms`);
  });

  test("start --wait --wait-timeout fails with WAIT_TIMEOUT when not healthy in time", async () => {
    await flotilla([...base, "stop", "health", "-t", "0"]);
    const start = await flotilla([...base, "start", "--wait", "--wait-timeout", "1", "health"]);
    assert.notEqual(start.code, 0);
    assert.match(start.stderr, /not ready/);
    assert.match(start.stderr, /health/);
  });

  test("-p NAME ps and down work from a directory without a compose file", async () => {
    const ps = await flotilla(["-p", project, "ps", "-a", "--format", "json"], empty);
    assert.equal(ps.code, 0, ps.stderr);
    const names = ps.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { Name: string }).Name).sort();
    assert.deepEqual(names, [`${project}-health-1`, `${project}-once-1`, `${project}-web-1`]);

    // up needs the file: the original error, not a half-built project
    const up = await flotilla(["-p", project, "up", "-d"], empty);
    assert.equal(up.code, 1);
    assert.match(up.stderr, /no compose file found/);

    const down = await flotilla(["-p", project, "--progress", "plain", "down", "-t", "0"], empty);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, new RegExp(`Network ${project}_default  Removed`));
    assert.equal(docker(["ps", "-aq", "--filter", `label=com.docker.compose.project=${project}`]).trim(), "");
    assert.equal(docker(["network", "ls", "-q", "--filter", `label=com.docker.compose.project=${project}`]).trim(), "");

    const again = await flotilla(["-p", project, "down"], empty);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /No resource found to remove/);
  });
});
