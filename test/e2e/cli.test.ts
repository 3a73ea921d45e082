import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

// dist/test/e2e/cli.test.js -> repo root
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "flotilla.js");
const basic = join(root, "fixtures", "cli-basic", "compose.yaml");
const attach = join(root, "fixtures", "cli-attach", "compose.yaml");
const invalid = join(root, "fixtures", "cli-invalid", "compose.yaml");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `input`: written to stdin, which is then closed; `openStdin`: a stdin pipe that is never written nor closed. */
function flotilla(args: string[], opts: { env?: Record<string, string>; nodeArgs?: string[]; timeoutMs?: number; input?: string; openStdin?: boolean } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const piped = opts.input !== undefined || opts.openStdin === true;
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), bin, ...args], {
      cwd: root,
      env: { ...process.env, COMPOSE_PROGRESS: "", ...opts.env },
      stdio: [piped ? "pipe" : "ignore", "pipe", "pipe"],
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Run flotilla in a pseudo-terminal (`script`), typing `lines` one per half second. With `size`,
 * the terminal has rows and columns (then progress is the interactive listr2 view).
 */
function inTerminal(args: string[], lines: string[], size?: { rows: number; cols: number }, env: Record<string, string> = {}): Promise<Result> {
  const quote = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`;
  const command = (size ? `stty rows ${size.rows} cols ${size.cols}; ` : "") + [process.execPath, bin, ...args].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: root, env: { ...process.env, COMPOSE_PROGRESS: "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stdout += d.toString()));
    const timers = lines.map((line, i) => setTimeout(() => child.stdin.write(line), 1000 + i * 500));
    const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      for (const t of [...timers, kill]) clearTimeout(t);
      resolve({ code, stdout, stderr: "" });
    });
  });
}

describe("flotilla CLI (no engine)", () => {
  test("config --format json prints the normalized model", async () => {
    const r = await flotilla(["config", "-f", basic, "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const model = JSON.parse(r.stdout) as { name: string; services: Record<string, { image: string; environment?: unknown }>; volumes: Record<string, { name: string }> };
    assert.equal(model.name, "cli-basic");
    assert.deepEqual(Object.keys(model.services).sort(), ["web", "worker"]);
    assert.equal(model.volumes["data"]!.name, "cli-basic_data");
  });

  test("config on an invalid file: exit 1, file:line:col in the message, no stack", async () => {
    const r = await flotilla(["config", "-f", invalid]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /cli-invalid\/compose\.yaml:4:5: services\.web\.restart/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test("config never loads dockerode or listr2", async () => {
    const r = await flotilla(["config", "-f", basic, "--services"], {
      nodeArgs: ["--import", join(root, "test", "support", "deny-dockerode.mjs")],
      env: { DENY_MODULES: "dockerode,listr2" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "web\nworker\n");
    // and the hook does work: ps needs the engine adapter and is refused
    const denied = await flotilla(["-f", basic, "-p", "flotilla-deny-check", "ps"], {
      nodeArgs: ["--import", join(root, "test", "support", "deny-dockerode.mjs")],
    });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /denied module loaded: dockerode/);
  });

  test("a reader that closes the pipe early ends flotilla quietly (exit 0, no stack trace)", async () => {
    // output far larger than a pipe's buffer, so the write is still going when the reader leaves
    const big = join(mkdtempSync(join(tmpdir(), "flotilla-epipe-")), "compose.yaml");
    writeFileSync(big, `services:\n${Array.from({ length: 3000 }, (_, i) => `  s${i}:\n    image: flotilla-busybox:latest\n    environment: [A=${"x".repeat(100)}]\n`).join("")}`);
    const child = spawn(process.execPath, [bin, "-f", big, "config", "--format", "json"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.once("data", () => child.stdout.destroy()); // like `| head -1`
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
  });

  test("unknown verb: exit 2 with a suggestion", async () => {
    const r = await flotilla(["upp"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "upp" \(did you mean "up"\?\)/);
  });
});

describe("flotilla CLI against the engine", () => {
  const project = `flotilla-cli-${process.pid}`;
  const base = ["-f", basic, "-p", project];

  after(async () => {
    await flotilla([...base, "down", "-v", "-t", "0"]);
  });

  test("up -d, ps --format json, port, logs, exec, down -v", async () => {
    const up = await flotilla([...base, "--progress", "plain", "up", "-d"]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, new RegExp(` Container ${project}-web-1  Started`));
    assert.match(up.stderr, new RegExp(` Network ${project}_default  Created`));

    // the interactive (listr2) progress view, in a sized terminal: a no-op up renders and exits 0
    // (CI and TERM are set here: the CI machine's own environment may say CI=true or TERM=dumb)
    const tty = await inTerminal([...base, "up", "-d"], [], { rows: 30, cols: 100 }, { CI: "", TERM: "xterm" });
    assert.equal(tty.code, 0, tty.stdout);
    assert.match(tty.stdout, /\u001b\[/, "ANSI control sequences: the interactive view ran");
    assert.match(tty.stdout, /\u2714\S* Running/, "listr2's done mark");
    assert.doesNotMatch(tty.stdout, /flotilla:/, "no error");
    // the same terminal under CI=true gets plain lines, and a no-op up still names each running container
    const ci = await inTerminal([...base, "up", "-d"], [], { rows: 30, cols: 100 }, { CI: "true", TERM: "xterm" });
    assert.equal(ci.code, 0, ci.stdout);
    assert.match(ci.stdout, new RegExp(`^ Container ${project}-web-1  Running\r?$`, "m"));
    assert.match(ci.stdout, new RegExp(`^ Container ${project}-worker-1  Running\r?$`, "m"));
    assert.doesNotMatch(ci.stdout, /\u001b\[\?25l/, "no interactive view (cursor hiding) under CI");

    const ps = await flotilla([...base, "ps", "--format", "json"]);
    assert.equal(ps.code, 0, ps.stderr);
    const rows = ps.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { Name: string; State: string; Service: string; Publishers: { PublishedPort: number; TargetPort: number; URL: string }[]; LocalVolumes: string; Mounts: string });
    assert.deepEqual(rows.map((r) => r.Name).sort(), [`${project}-web-1`, `${project}-worker-1`]);
    assert.ok(rows.every((r) => r.State === "running"));
    const worker = rows.find((r) => r.Service === "worker")!;
    assert.deepEqual([worker.LocalVolumes, worker.Mounts], ["1", `${project}_data`], "the named volume, as docker ps lists it");
    const published = rows.find((r) => r.Service === "web")!.Publishers.find((p) => p.TargetPort === 8080)!.PublishedPort;
    assert.ok(published > 0);

    const port = await flotilla([...base, "port", "web", "8080"]);
    assert.equal(port.code, 0, port.stderr);
    assert.equal(port.stdout, `127.0.0.1:${published}\n`);

    const res = await fetch(`http://127.0.0.1:${published}/`);
    assert.equal((await res.text()).trim(), "hi");

    // logs: both services, prefixed and padded
    let logs: Result | undefined;
    for (let i = 0; i < 120; i++) {
      logs = await flotilla([...base, "logs", "--no-color"]);
      if (/worker says/.test(logs.stdout)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(logs!.code, 0, logs!.stderr);
    assert.match(logs!.stdout, /^web-1 {4}\| web ready$/m);
    assert.match(logs!.stdout, /^worker-1 \| worker says hello$/m);

    const exec = await flotilla([...base, "exec", "-T", "web", "sh", "-c", "echo inside; exit 4"]);
    assert.equal(exec.code, 4);
    assert.equal(exec.stdout, "inside\n");

    // piped stdin reaches the command and is closed at its end
    const piped = await flotilla([...base, "exec", "-T", "web", "sh", "-c", "wc -c; echo after-eof"], { input: "x".repeat(100_000) });
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(piped.stdout.split(/\s+/).filter(Boolean), ["100000", "after-eof"]);
    // at a terminal (here a pseudo-terminal from util-linux's `script`), exec allocates a TTY:
    // an interactive shell reads typed lines and its exit code comes back
    const shell = await inTerminal([...base, "exec", "web", "sh"], ["tty\n", "exit 3\n"]);
    assert.equal(shell.code, 3, shell.stdout);
    assert.match(shell.stdout, /\/dev\/pts\/\d+/);
    const noTty = await inTerminal([...base, "exec", "-T", "web", "sh", "-c", "tty; exit 0"], []);
    assert.equal(noTty.code, 0, noTty.stdout);
    assert.match(noTty.stdout, /not a tty/);
    // run, likewise: an interactive one-off shell, removed afterwards
    const runShell = await inTerminal([...base, "run", "--rm", "--no-deps", "worker", "sh"], ["echo run-$((6*7))\n", "exit 5\n"]);
    assert.equal(runShell.code, 5, runShell.stdout);
    assert.match(runShell.stdout, /run-42/);

    // a stdin that stays open does not keep flotilla waiting once the command exited
    const open = await flotilla([...base, "exec", "-T", "web", "sh", "-c", "echo quick"], { openStdin: true, timeoutMs: 60_000 });
    assert.equal(open.code, 0, `exit code ${String(open.code)} (null: killed after 60 s) ${open.stderr}`);
    assert.equal(open.stdout, "quick\n");

    // exec -d returns at once; the command goes on in the background
    const detached = await flotilla([...base, "exec", "-d", "web", "sh", "-c", "sleep 1; echo done-in-background > /www/bg"]);
    assert.equal(detached.code, 0, detached.stderr);
    assert.equal(detached.stdout, "");
    let bg = "";
    for (let i = 0; i < 50 && bg === ""; i++) {
      bg = (await flotilla([...base, "exec", "-T", "web", "sh", "-c", "cat /www/bg 2>/dev/null || true"])).stdout;
      if (bg === "") await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(bg, "done-in-background\n");

    const down = await flotilla([...base, "--progress", "plain", "down", "-v", "-t", "0"]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, new RegExp(` Volume ${project}_data  Removed`));
    const after = await flotilla([...base, "ps", "-a", "-q"]);
    assert.equal(after.stdout, "");
  });
});

describe("attached up", () => {
  const project = `flotilla-cli-attach-${process.pid}`;
  const base = ["-f", attach, "-p", project];

  after(async () => {
    await flotilla([...base, "down", "-t", "0"]);
  });

  test("--exit-code-from returns the job's exit code and stops the stack", async () => {
    const r = await flotilla([...base, "--progress", "plain", "up", "--exit-code-from", "job", "-t", "1", "--no-color"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^job-1 {4}\| job done$/m);
    assert.match(r.stdout, /^server-1 \| server up$/m);
    assert.match(r.stdout, /job-1 exited with code 3/);
    const ps = await flotilla([...base, "ps", "-a", "--format", "json"]);
    const states = ps.stdout.trimEnd().split("\n").map((l) => (JSON.parse(l) as { State: string }).State);
    assert.deepEqual(states, ["exited", "exited"]);
  });

  test("Ctrl-C stops gracefully and exits 130", async () => {
    const child = spawn(process.execPath, [bin, ...base, "--progress", "plain", "up", "server", "--no-color", "-t", "1"], {
      cwd: root,
      env: { ...process.env, COMPOSE_PROGRESS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let signalled = false;
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        if (!signalled && /server-1 \| server up/.test(stdout)) {
          signalled = true;
          child.kill("SIGINT");
        }
      });
      child.on("close", (c) => {
        clearTimeout(guard);
        resolve(c);
      });
    });
    assert.ok(signalled, `never saw the log line; stderr: ${stderr}`);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /Gracefully stopping\.\.\. \(press Ctrl\+C again to force\)/);
    assert.match(stderr, new RegExp(` Container ${project}-server-1  Stopped`));
  });
});
