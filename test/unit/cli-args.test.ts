import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.js";
import { BufferStream, type CliIO } from "../../src/cli/io.js";
import type { CliDeps, CliProject } from "../../src/cli/api.js";
import type { OpenOptions } from "../../src/cli/api.js";
import { attachTargets, quietListener, upRequest } from "../../src/cli/commands/up.js";
import { downOptions } from "../../src/cli/commands/down.js";
import type { FlotillaEvent } from "../../src/events.js";
import { resolveGlobals } from "../../src/cli/global-options.js";
import { psRequest } from "../../src/cli/commands/ps.js";
import { logsOptions } from "../../src/cli/commands/logs.js";
import { configRequest } from "../../src/cli/commands/config.js";
import { suggest } from "../../src/cli/usage.js";
import type { LoadedProject } from "../../src/spec/model.js";

interface Call {
  method: string;
  args: unknown[];
}

function fakeProject(calls: Call[]): CliProject {
  const config = {
    model: { name: "demo", services: { web: { image: "img" }, db: { image: "img" } } },
    workingDir: "/tmp",
    configFiles: [],
    envFiles: [],
    environment: {},
    profiles: [],
    disabledServices: {},
    warnings: [],
  } as unknown as LoadedProject;
   
  const rec =
    (method: string, result: unknown = undefined) =>
    async (...args: unknown[]): Promise<any> => {
      calls.push({ method, args });
      return result;
    };
  return {
    name: "demo",
    config,
    plan: rec("plan", { project: "demo", targets: [], networks: [], volumes: [], services: {}, orphans: [], warnings: [], hashes: {}, replicas: {} }),
    up: async (o) => {
      calls.push({ method: "up", args: [o] });
      o?.onEvent?.({ type: "resource", kind: "container", name: "demo-web-1", status: "Started", service: "web" });
      return undefined as never;
    },
    down: rec("down"),
    ps: rec("ps", []),
    logs: (o) => {
      calls.push({ method: "logs", args: [o] });
      return (async function* () {})();
    },
    start: rec("start"),
    stop: rec("stop"),
    restart: rec("restart"),
    kill: rec("kill"),
    port: rec("port", 49153),
    exec: async (service, cmd, opts) => {
      calls.push({ method: "exec", args: [service, cmd, opts] });
      // Like the engine: streamed output when asked for, else in the result.
      if (opts?.onOutput) {
        opts.onOutput({ stream: "stdout", data: Buffer.from("out\n") });
        // one UTF-8 character split over two chunks
        const e = Buffer.from("é");
        opts.onOutput({ stream: "stderr", data: e.subarray(0, 1) });
        opts.onOutput({ stream: "stderr", data: e.subarray(1) });
        return { exitCode: 3, stdout: "", stderr: "" };
      }
      return { exitCode: 3, stdout: "out\n", stderr: "é" };
    },
  };
}

async function run(argv: string[], env: Record<string, string> = {}) {
  const stdout = new BufferStream();
  const stderr = new BufferStream();
  const calls: Call[] = [];
  const opened: OpenOptions[] = [];
  const io: CliIO = { stdout, stderr, env, cwd: "/work", readStdin: async () => "services: {}\n", onSignal: () => () => {} };
  const deps: CliDeps = {
    openProject: async (o) => {
      opened.push(o);
      return fakeProject(calls);
    },
  };
  const code = await main(argv, io, deps);
  return { code, stdout: stdout.text, stderr: stderr.text, calls, opened };
}

describe("usage errors", () => {
  test("unknown verb: one line with a suggestion, exit 2", async () => {
    const r = await run(["upp"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^flotilla: unknown command "upp" \(did you mean "up"\?\)\n/);
    assert.equal(r.calls.length, 0);
  });

  test("unknown flag: exit 2, names the flag", async () => {
    const r = await run(["up", "--detatch"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown flag "--detatch" \(did you mean "--detach"\?\)/);
    assert.doesNotMatch(r.stderr, /at .*\.js/); // no stack
  });

  test("incompatible pairs are rejected before anything runs", async () => {
    for (const argv of [
      ["up", "-d", "--abort-on-container-exit"],
      ["up", "--build", "--no-build"],
      ["up", "--force-recreate", "--no-recreate"],
      ["up", "-V", "--no-recreate"],
      ["up", "--always-recreate-deps", "--no-recreate"],
      ["up", "--wait", "--attach", "web"],
      ["up", "--abort-on-container-exit", "--abort-on-container-failure"],
    ]) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.match(r.stderr, /incompatible/, argv.join(" "));
      assert.equal(r.calls.length, 0, argv.join(" "));
    }
  });

  test("bad --scale and --progress values are usage errors", async () => {
    assert.equal((await run(["up", "-d", "--scale", "web"])).code, 2);
    const r = await run(["--progress", "fancy", "ps"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid --progress "fancy"/);
  });

  test("--help on a verb prints its flags, exit 0", async () => {
    const r = await run(["up", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--abort-on-container-exit/);
    assert.match(r.stdout, /--no-attach <service>/);
  });

  test("--version answers as docker compose --version does: the Compose version matched, Flotilla's own as build metadata", async () => {
    const r = await run(["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Docker Compose version v\d+\.\d+\.\d+\+flotilla\.\d+\.\d+\.\d+\n$/);
  });

  test("suggest only close words", () => {
    assert.equal(suggest("dwon", ["up", "down", "ps"]), "down");
    assert.equal(suggest("zzzzzz", ["up", "down", "ps"]), undefined);
  });
});

describe("attached up: whose output is streamed", () => {
  const svc = (extra: Record<string, unknown> = {}) => ({ image: "x", ...extra });
  const model = {
    name: "demo",
    services: {
      db: svc(),
      cache: svc(),
      api: svc({ depends_on: { db: { condition: "service_started", required: true }, cache: { condition: "service_started", required: true } } }),
      web: svc({ depends_on: { api: { condition: "service_started", required: true } } }),
      noisy: svc({ attach: false }),
    },
  } as unknown as Parameters<typeof attachTargets>[0];
  const none = { noAttach: [] as string[], attachDependencies: false };

  test("all services but attach: false when none is named; only the named ones otherwise", () => {
    assert.deepEqual(attachTargets(model, [], none), ["db", "cache", "api", "web"]);
    assert.deepEqual(attachTargets(model, ["web"], none), ["web"]);
  });

  test("--attach-dependencies adds the named services' dependencies, transitively", () => {
    assert.deepEqual(attachTargets(model, ["web"], { ...none, attachDependencies: true }), ["api", "cache", "db", "web"]);
    assert.deepEqual(attachTargets(model, ["api"], { ...none, attachDependencies: true, noAttach: ["cache"] }), ["api", "db"]);
  });

  test("--attach wins, even over attach: false; --no-attach removes", () => {
    assert.deepEqual(attachTargets(model, ["web"], { ...none, attach: ["noisy", "db"], attachDependencies: true }), ["noisy", "db"]);
  });
});

describe("flags -> options", () => {
  test("up -d with scale, timeout, pull and services", async () => {
    const r = await run(["-p", "demo", "--parallel", "2", "up", "-d", "--scale", "web=3", "--scale", "db=0", "-t", "5", "--pull", "never", "--remove-orphans", "web"]);
    assert.equal(r.code, 0, r.stderr);
    const up = r.calls.find((c) => c.method === "up");
    assert.ok(up);
    const opts = up.args[0] as Record<string, unknown>;
    assert.deepEqual(opts["scale"], { web: 3, db: 0 });
    assert.equal(opts["timeout"], 5);
    assert.equal(opts["pull"], "never");
    assert.equal(opts["detach"], true);
    assert.equal(opts["removeOrphans"], true);
    assert.equal(opts["parallel"], 2);
    assert.deepEqual(opts["services"], ["web"]);
    assert.equal(typeof opts["onEvent"], "function");
    assert.equal(r.opened[0]?.projectName, "demo");
    assert.deepEqual(r.opened[0]?.services, ["web"]);
  });

  test("global flags are accepted after the verb too, lists add up", async () => {
    const r = await run(["-f", "a.yaml", "ps", "-f", "b.yaml", "--profile", "x", "-p", "other"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.opened[0]?.files, ["a.yaml", "b.yaml"]);
    assert.deepEqual(r.opened[0]?.profiles, ["x"]);
    assert.equal(r.opened[0]?.projectName, "other");
  });

  test("logs -f means follow, not file", async () => {
    const r = await run(["logs", "-f", "-n", "5", "web"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.opened[0]?.files, undefined);
    const logs = r.calls.find((c) => c.method === "logs")!.args[0] as Record<string, unknown>;
    assert.equal(logs["follow"], true);
    assert.equal(logs["tail"], 5);
    assert.deepEqual(logs["services"], ["web"]);
  });

  test("-f - reads the file from stdin", async () => {
    const r = await run(["-f", "-", "ps"]);
    assert.equal(r.opened[0]?.stdin, "services: {}\n");
  });

  test("--dry-run prints the plan and does not call up", async () => {
    const r = await run(["--dry-run", "up", "-d"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.calls.some((c) => c.method === "plan"));
    assert.ok(!r.calls.some((c) => c.method === "up"));
  });

  test("down flags", async () => {
    const r = await run(["down", "-v", "--rmi", "local", "-t", "0"]);
    assert.equal(r.code, 0, r.stderr);
    const opts = r.calls.find((c) => c.method === "down")!.args[0] as Record<string, unknown>;
    assert.equal(opts["volumes"], true);
    assert.equal(opts["rmi"], "local");
    assert.equal(opts["timeout"], 0);
  });

  test("kill -s TERM sends SIGTERM", async () => {
    const r = await run(["kill", "-s", "TERM", "db"]);
    const [services, opts] = r.calls.find((c) => c.method === "kill")!.args as [string[], Record<string, unknown>];
    assert.deepEqual(services, ["db"]);
    assert.equal(opts["killSignal"], "SIGTERM");
  });

  test("port prints the binding; exec returns the command's exit code", async () => {
    const p = await run(["port", "web", "80/udp"]);
    assert.equal(p.stdout, "0.0.0.0:49153\n"); // the fake has no ps rows: default host
    assert.deepEqual(p.calls.find((c) => c.method === "port")!.args, ["web", 80, "udp", 1]);
    const e = await run(["exec", "-T", "--index", "2", "web", "sh", "-c", "exit 3"]);
    assert.equal(e.code, 3);
    assert.equal(e.stdout, "out\n", "exec output is streamed to stdout");
    assert.equal(e.stderr, "é", "and stderr to stderr, a character split over chunks intact");
    const [svc, cmd, opts] = e.calls.find((c) => c.method === "exec")!.args as [string, string[], Record<string, unknown>];
    assert.equal(svc, "web");
    assert.deepEqual(cmd, ["sh", "-c", "exit 3"]);
    assert.equal(opts["index"], 2);
  });

  test("COMPOSE_* environment variables", () => {
    const g = resolveGlobals({}, { COMPOSE_PARALLEL_LIMIT: "3", COMPOSE_PROGRESS: "json", COMPOSE_ANSI: "never", COMPOSE_REMOVE_ORPHANS: "1" });
    assert.equal(g.parallel, 3);
    assert.equal(g.progress, "json");
    assert.equal(g.ansi, "never");
    assert.equal(g.removeOrphans, true);
    assert.equal(resolveGlobals({ progress: "plain" }, { COMPOSE_PROGRESS: "json" }).progress, "plain");
    assert.throws(() => resolveGlobals({}, { COMPOSE_IGNORE_ORPHANS: "true", COMPOSE_REMOVE_ORPHANS: "true" }), /cannot be combined/);
    assert.equal(resolveGlobals({ parallel: "-1" }, {}).parallel, Number.POSITIVE_INFINITY);
  });

  test("upRequest: --exit-code-from implies abort; --wait implies detach", () => {
    const g = { dryRun: false, removeOrphans: false };
    const a = upRequest([], { exitCodeFrom: "web" }, g);
    assert.equal(a.abortOnExit, true);
    assert.equal(a.attached, true);
    const w = upRequest([], { wait: true, waitTimeout: "30" }, g);
    assert.equal(w.attached, false);
    assert.equal(w.options.wait, true);
    assert.equal(w.options.waitTimeout, 30);
    assert.throws(() => upRequest(["db"], { exitCodeFrom: "web" }, g), /not among the services/);
    assert.equal(upRequest([], {}, { ...g, ignoreOrphans: true }).options.ignoreOrphans, true, "COMPOSE_IGNORE_ORPHANS reaches up");
    assert.equal(downOptions([], {}, { ...g, ignoreOrphans: true }).ignoreOrphans, true, "and down");
  });

  test("progress goes to stderr, or to stdout with COMPOSE_STATUS_STDOUT", async () => {
    const normal = await run(["--progress", "plain", "up", "-d"]);
    assert.match(normal.stderr, / Container demo-web-1 {2}Started/);
    assert.doesNotMatch(normal.stdout, /Started/);
    const toStdout = await run(["--progress", "plain", "up", "-d"], { COMPOSE_STATUS_STDOUT: "1" });
    assert.match(toStdout.stdout, / Container demo-web-1 {2}Started/);
    assert.doesNotMatch(toStdout.stderr, /Started/);
  });

  test("up --quiet-pull drops per-layer pull progress, keeps everything else", () => {
    const g = { dryRun: false, removeOrphans: false };
    assert.equal(upRequest([], { quietPull: true }, g).quietPull, true);
    assert.equal(upRequest([], {}, g).quietPull, false);
    const seen: FlotillaEvent[] = [];
    const listener = quietListener((e) => seen.push(e), { pull: true });
    const events: FlotillaEvent[] = [
      { type: "resource", kind: "image", name: "redis:7", status: "Pulling" },
      { type: "progress", kind: "pull", name: "redis:7", text: "Downloading 3/10 MB" },
      { type: "progress", kind: "build", name: "app", text: "Step 1/3" },
      { type: "resource", kind: "image", name: "redis:7", status: "Pulled" },
    ];
    for (const e of events) listener(e);
    assert.deepEqual(seen, [events[0], events[2], events[3]]);
    // --quiet-build drops the build output the same way; both together drop both
    assert.equal(upRequest([], { quietBuild: true }, g).quietBuild, true);
    const quietBuild: FlotillaEvent[] = [];
    for (const e of events) quietListener((x) => quietBuild.push(x), { build: true })(e);
    assert.deepEqual(quietBuild, [events[0], events[1], events[3]]);
    const both: FlotillaEvent[] = [];
    for (const e of events) quietListener((x) => both.push(x), { pull: true, build: true })(e);
    assert.deepEqual(both, [events[0], events[3]]);
  });

  test("ps, logs and config requests", () => {
    assert.deepEqual(psRequest([], { filter: ["status=exited"], format: "json" }), { options: { all: true, status: ["exited"] }, output: "json" });
    assert.throws(() => psRequest([], { status: ["sleeping"] }), /invalid status/);
    // --orphans is a boolean with an optional value, as in Compose
    assert.equal(psRequest([], { orphans: "false" }).options.orphans, false);
    assert.equal(psRequest([], { orphans: false }).options.orphans, false);
    assert.equal(psRequest([], { orphans: true }).options.orphans, undefined);
    assert.throws(() => psRequest([], { orphans: "maybe" }), /invalid --orphans "maybe"/);
    assert.deepEqual(logsOptions([], { tail: "all", timestamps: true, index: "2" }), { tail: "all", timestamps: true, index: 2 });
    assert.deepEqual(configRequest({ hash: "web,db" }), { kind: "hash", services: ["web", "db"] });
    assert.throws(() => configRequest({ services: true, volumes: true }), /cannot be combined/);
    assert.throws(() => configRequest({ format: "toml" }), /invalid --format/);
  });
});
