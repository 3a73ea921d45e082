/**
 * Concurrent commands on one project, against the real engine, through the CLI as a user runs it
 * (separate `node bin/flotilla.js` processes): the project lock makes them take turns.
 *
 * Prints the figures (tries / converged / leaked) for the lead's note. CONCURRENCY_TRIES raises the
 * number of tries (default 3 for CI speed; the note's figures were taken with 10).
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "flotilla.js");
const TRIES = Number(process.env["CONCURRENCY_TRIES"] ?? "3");
const IMAGE = "flotilla-busybox:latest";

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], cwd: string): { child: ChildProcess; done: Promise<Result>; output: () => string } {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, COMPOSE_PROGRESS: "plain" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
  const done = new Promise<Result>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

const flotilla = (args: string[], cwd: string): Promise<Result> => start(args, cwd).done;

function docker(args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8" }).trim();
}
const lines = (s: string): string[] => s.split("\n").filter((l) => l !== "");

/** What the engine holds of the project: containers (name state), networks (names, with repeats). */
function leftovers(project: string): { containers: string[]; running: string[]; networks: string[] } {
  const filter = `label=com.docker.compose.project=${project}`;
  return {
    containers: lines(docker(["ps", "-a", "--filter", filter, "--format", "{{.Names}}"])),
    running: lines(docker(["ps", "--filter", filter, "--format", "{{.Names}}"])),
    networks: lines(docker(["network", "ls", "--filter", filter, "--format", "{{.Name}}"])),
  };
}

function projectDir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "flotilla-lock-"));
  writeFileSync(join(dir, "compose.yaml"), yaml);
  return dir;
}

const created: { name: string; dir: string }[] = [];
function project(suffix: string, yaml: string): { name: string; dir: string } {
  const p = { name: `lock-${suffix}-${process.pid}`, dir: projectDir(yaml) };
  created.push(p);
  return p;
}

after(async () => {
  for (const p of created) {
    await flotilla(["-p", p.name, "down", "-v", "-t", "0", "--lock-timeout", "60"], p.dir);
    spawnSync("docker", ["rm", "-f", `flotilla-lock.${p.name}`], { stdio: "ignore" });
  }
});

const TWO_NETWORKS = `
services:
  a:
    image: ${IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    networks: [front, back]
  b:
    image: ${IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    networks: [back]
    depends_on: [a]
networks:
  front: {}
  back: {}
`;

describe("concurrency: the project lock", { concurrency: false }, () => {
  test("10 concurrent `up -d` of one project: one network per name, the project converges, all exit 0", async () => {
    const p = project("up10", TWO_NETWORKS);
    let converged = 0;
    let leaked = 0;
    let waited = 0;
    for (let t = 0; t < TRIES; t++) {
      const results = await Promise.all(Array.from({ length: 10 }, () => flotilla(["-p", p.name, "up", "-d"], p.dir)));
      const failed = results.filter((r) => r.code !== 0);
      waited += results.filter((r) => /waiting for "flotilla up" \(pid \d+\) on project/.test(r.stderr)).length;
      const left = leftovers(p.name);
      const dupNetworks = left.networks.length - new Set(left.networks).size;
      const ok = failed.length === 0 && dupNetworks === 0 && left.networks.length === 2 && left.running.length === 2 && left.containers.length === 2;
      if (ok) converged++;
      else leaked++;
      assert.deepEqual(failed.map((r) => r.stderr), [], `try ${t + 1}: every up exits 0`);
      assert.equal(dupNetworks, 0, `try ${t + 1}: one network per name (${left.networks.join(", ")})`);
      assert.deepEqual(left.running.sort(), [`${p.name}-a-1`, `${p.name}-b-1`]);
      const down = await flotilla(["-p", p.name, "down", "-t", "0"], p.dir);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(leftovers(p.name), { containers: [], running: [], networks: [] });
    }
    console.log(`# concurrent up -d x10: tries ${TRIES} / converged ${converged} / leaked ${leaked} (ups that said they waited: ${waited})`);
    assert.equal(converged, TRIES);
  });

  test("`down` during `up`: when down exits 0, nothing of the project remains", async () => {
    const services = Array.from({ length: 6 }, (_, i) => `  s${i}:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n    networks: [n${i % 2}]\n`).join("");
    const p = project("downup", `services:\n${services}networks:\n  n0: {}\n  n1: {}\n`);
    let clean = 0;
    let leaked = 0;
    let waitedForUp = 0;
    for (let t = 0; t < TRIES; t++) {
      const up = start(["-p", p.name, "up", "-d"], p.dir);
      // down comes in while up works (it holds the lock once it says anything of the project)
      const t0 = Date.now();
      while (!/Creat|Start/.test(up.output()) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, (t % 3) * 100));
      const down = await flotilla(["-p", p.name, "down", "-t", "0"], p.dir);
      const upResult = await up.done;
      assert.equal(down.code, 0, down.stderr);
      // `up` may have finished before `down` (then down removed it all) or after it: then it created
      // the project anew, which is a fresh up, not a leak of down; check right after down instead.
      const left = leftovers(p.name);
      const fromUpAfterDown = upResult.code === 0 && /waiting for "flotilla down"/.test(upResult.stderr);
      if (/waiting for "flotilla up"/.test(down.stderr)) waitedForUp++;
      if (left.containers.length === 0 && left.networks.length === 0) clean++;
      else if (!fromUpAfterDown) leaked++;
      if (fromUpAfterDown) await flotilla(["-p", p.name, "down", "-t", "0"], p.dir);
      assert.ok(fromUpAfterDown || (left.containers.length === 0 && left.networks.length === 0), `try ${t + 1}: left ${JSON.stringify(left)}\nup: ${upResult.stderr}\ndown: ${down.stderr}`);
    }
    console.log(`# down during up: tries ${TRIES} / clean ${clean} / leaked ${leaked} (downs that waited for the up: ${waitedForUp})`);
    assert.equal(leaked, 0);
  });

  test("SIGINT during an attached `up` waiting on a healthy dependency: nothing this up started is left running", async () => {
    const p = project(
      "sigint",
      `
services:
  db:
    image: ${IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD", "false"]
      interval: 30s
      start_period: 120s
  web:
    image: ${IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    depends_on:
      db:
        condition: service_healthy
`,
    );
    let stopped = 0;
    let leaked = 0;
    for (let t = 0; t < TRIES; t++) {
      const up = start(["-p", p.name, "up"], p.dir);
      const t0 = Date.now();
      while (!/db-1\s+(Started|Waiting)/.test(up.output()) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
      assert.match(up.output(), /db-1/, "the up got to the dependency");
      up.child.kill("SIGINT");
      const r = await up.done;
      const left = leftovers(p.name);
      if (left.running.length === 0) stopped++;
      else leaked++;
      assert.equal(r.code, 130, r.stdout + r.stderr);
      assert.match(r.stderr, /Gracefully stopping\.\.\./);
      assert.match(r.stdout + r.stderr, /up interrupted: stopping the 1 container\(s\) it started/);
      assert.deepEqual(left.running, [], `try ${t + 1}: ${r.stderr}`);
      // down for the next try
      const down = await flotilla(["-p", p.name, "down", "-t", "0"], p.dir);
      assert.equal(down.code, 0, down.stderr);
    }
    console.log(`# SIGINT during attached up (waiting on healthy db): tries ${TRIES} / stopped ${stopped} / leaked ${leaked}`);
  });
});
