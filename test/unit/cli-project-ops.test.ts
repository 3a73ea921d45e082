import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { main } from "../../src/cli/main.js";
import { BufferStream, type CliIO } from "../../src/cli/io.js";
import type { CliDeps, CliProject, ListProjectsOptions, ProjectSummary } from "../../src/cli/api.js";
import { lsRequest, renderLs } from "../../src/cli/commands/ls.js";
import { nothingRemoved } from "../../src/cli/commands/down.js";
import { configRequest, extractVariables } from "../../src/cli/commands/config.js";
import { combinedStatus, summarizeProjects } from "../../src/runtime/ps.js";
import type { ContainerSummary } from "../../src/runtime/engine.js";
import { FakeEngine } from "../support/fake-engine.js";
import { Label } from "../../src/runtime/labels.js";
import { Project, configFromLabels } from "../../src/api/project.js";
import { FlotillaError, UsageError, WaitError } from "../../src/errors.js";
import type { LoadedProject } from "../../src/spec/model.js";
import type { FlotillaEvent } from "../../src/events.js";

const IMAGE = "flotilla-busybox:latest";

function summary(project: string, service: string, state: ContainerSummary["state"], files = "/p/compose.yaml"): ContainerSummary {
  return {
    id: `${project}-${service}-${state}`,
    name: `${project}-${service}-1`,
    image: IMAGE,
    imageId: "sha256:1",
    command: "sleep",
    created: 0,
    state,
    status: "",
    labels: { [Label.project]: project, [Label.service]: service, [Label.configFiles]: files },
    ports: [],
    networks: [],
  };
}

describe("ls: grouping containers into projects", () => {
  test("combinedStatus counts states, alphabetically", () => {
    assert.equal(combinedStatus(["running", "exited", "running"]), "exited(1), running(2)");
    assert.equal(combinedStatus(["running"]), "running(1)");
    assert.equal(combinedStatus([]), "");
  });

  test("without all, only running containers count and stopped projects are left out", () => {
    const cs = [summary("b", "web", "running"), summary("b", "db", "running"), summary("b", "job", "exited"), summary("a", "web", "exited")];
    assert.deepEqual(summarizeProjects(cs), [{ Name: "b", Status: "running(2)", ConfigFiles: "/p/compose.yaml" }]);
    assert.deepEqual(summarizeProjects(cs, { all: true }), [
      { Name: "a", Status: "exited(1)", ConfigFiles: "/p/compose.yaml" },
      { Name: "b", Status: "exited(1), running(2)", ConfigFiles: "/p/compose.yaml" },
    ]);
  });

  test("name filter, distinct config files, containers without the project label ignored", () => {
    const other = { ...summary("x", "web", "running"), labels: {} };
    const cs = [summary("shop", "web", "running", "/s/a.yaml,/s/b.yaml"), summary("shop", "db", "running", "/s/a.yaml,/s/b.yaml"), summary("blog", "web", "running"), other];
    assert.deepEqual(summarizeProjects(cs, { name: "sho" }), [{ Name: "shop", Status: "running(2)", ConfigFiles: "/s/a.yaml,/s/b.yaml" }]);
  });

  test("lsRequest: flags, bad format and filters are usage errors", () => {
    assert.deepEqual(lsRequest({ all: true, filter: ["name=shop"], format: "JSON" }), { options: { all: true, name: "shop" }, output: "json" });
    assert.deepEqual(lsRequest({ quiet: true }), { options: {}, output: "quiet" });
    assert.throws(() => lsRequest({ format: "yaml" }), UsageError);
    assert.throws(() => lsRequest({ filter: ["status=running"] }), /only name=NAME/);
  });

  test("renderLs: one JSON array, a table, or names", async () => {
    const rows: ProjectSummary[] = [{ Name: "shop", Status: "running(2)", ConfigFiles: "/s/compose.yaml" }];
    assert.deepEqual(JSON.parse(await renderLs(rows, "json")), rows);
    assert.equal(await renderLs([], "json"), "[]\n");
    assert.equal(await renderLs(rows, "quiet"), "shop\n");
    const table = await renderLs(rows, "table");
    assert.match(table, /^NAME\s+STATUS\s+CONFIG FILES\nshop\s+running\(2\)\s+\/s\/compose\.yaml\n$/);
  });
});

interface Call {
  method: string;
  args: unknown[];
}

function fakeProject(calls: Call[], downResult: unknown): CliProject {
  const rec =
    (method: string, result: unknown = undefined) =>
    async (...args: unknown[]): Promise<never> => {
      calls.push({ method, args });
      return result as never;
    };
  return {
    name: "demo",
    config: { model: { name: "demo", services: { web: {} } }, warnings: [] } as unknown as LoadedProject,
    plan: rec("plan"),
    up: rec("up"),
    down: rec("down", downResult),
    ps: rec("ps", []),
    logs: () => (async function* () {})(),
    start: rec("start"),
    stop: rec("stop"),
    restart: rec("restart"),
    kill: rec("kill"),
    port: rec("port"),
    exec: rec("exec"),
    rm: rec("rm"),
    build: rec("build"),
    pull: rec("pull"),
  };
}

async function run(argv: string[], opts: { downResult?: unknown; projects?: ProjectSummary[] } = {}) {
  const stdout = new BufferStream();
  const stderr = new BufferStream();
  const calls: Call[] = [];
  const listed: ListProjectsOptions[] = [];
  const io: CliIO = { stdout, stderr, env: {}, cwd: "/work", readStdin: async () => "", onSignal: () => () => {} };
  const deps: CliDeps = {
    openProject: async () => fakeProject(calls, opts.downResult),
    listProjects: async (o) => {
      listed.push(o);
      return opts.projects ?? [];
    },
  };
  const code = await main(argv, io, deps);
  return { code, stdout: stdout.text, stderr: stderr.text, calls, listed };
}

describe("CLI verbs over the library", () => {
  test("ls -a --filter --format json: one array, options passed, no project opened", async () => {
    const projects = [{ Name: "shop", Status: "exited(1), running(2)", ConfigFiles: "/s/compose.yaml" }];
    const r = await run(["ls", "-a", "--filter", "name=sh", "--format", "json"], { projects });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.listed, [{ all: true, name: "sh" }]);
    assert.deepEqual(JSON.parse(r.stdout), projects);
    assert.equal(r.calls.length, 0);
  });

  test("ls --format yaml: usage error, exit 2", async () => {
    const r = await run(["ls", "--format", "yaml"]);
    assert.equal(r.code, 2);
    assert.equal(r.listed.length, 0);
  });

  test("start --wait --wait-timeout reaches the library", async () => {
    const r = await run(["start", "--wait", "--wait-timeout", "7", "web"]);
    assert.equal(r.code, 0, r.stderr);
    const call = r.calls.find((c) => c.method === "start")!;
    assert.deepEqual(call.args[0], ["web"]);
    assert.equal((call.args[1] as { wait?: boolean }).wait, true);
    assert.equal((call.args[1] as { waitTimeout?: number }).waitTimeout, 7);
  });

  test("down warns when nothing was removed, not otherwise", async () => {
    const empty = { containers: [], networks: [], volumes: [], images: [], warnings: [] };
    const r = await run(["down"], { downResult: empty });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /No resource found to remove for project "demo"/);
    const r2 = await run(["down"], { downResult: { ...empty, networks: ["demo_default"] } });
    assert.doesNotMatch(r2.stderr, /No resource found/);
    assert.equal(nothingRemoved(undefined), false);
  });

  test("rm -s -v, build --no-cache, pull --policy missing reach Project's methods", async () => {
    const rm = await run(["rm", "-s", "-v", "web"]);
    assert.deepEqual(rm.calls[0]!.args[0], ["web"]);
    assert.equal((rm.calls[0]!.args[1] as { stop?: boolean }).stop, true);
    const build = await run(["build", "--no-cache", "--build-arg", "A=1"]);
    assert.equal(build.calls[0]!.method, "build");
    assert.equal((build.calls[0]!.args[1] as { noCache?: boolean }).noCache, true);
    assert.deepEqual((build.calls[0]!.args[1] as { buildArgs?: unknown }).buildArgs, { A: "1" });
    const pull = await run(["pull", "--policy", "missing"]);
    assert.equal((pull.calls[0]!.args[1] as { policy?: string }).policy, "missing");
  });
});

describe("the CLI's binding of the library", () => {
  test("every public Project method the CLI can use is bound (a verb never finds its method missing)", async () => {
    const { openLibraryProject } = await import("../../src/cli/library.js");
    const dir = mkdtempSync(join(tmpdir(), "flotilla-bind-"));
    try {
      writeFileSync(join(dir, "compose.yaml"), "services:\n  web:\n    image: x\n");
      const cli = (await openLibraryProject({ cwd: dir, env: {}, projectName: "bind" })) as unknown as Record<string, unknown>;
      // not for the CLI: construction helpers, the engine handle, id lookup
      const notCli = new Set(["constructor", "fromLabels", "engine", "containerId"]);
      const methods = Object.getOwnPropertyNames(Project.prototype).filter((m) => !notCli.has(m));
      assert.ok(methods.includes("push") && methods.includes("volumes"));
      assert.deepEqual(methods.filter((m) => typeof cli[m] !== "function"), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Project on the fake engine", () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), "flotilla-ops-"));
    writeFileSync(join(d, "Dockerfile"), "FROM scratch\n"); // the loader checks that build files exist
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function load(engine: FakeEngine, name: string, services: Record<string, unknown>): Promise<Project> {
    return Project.load({ engine, env: {}, cwd: tmp(), projectName: name, documents: [{ services }] });
  }

  test("start --wait resolves once the healthcheck passes; times out when it never does", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    engine.script.health("w1-web-1", ["starting", "starting", "healthy"]);
    engine.script.health("w1-slow-1", ["starting"]);
    const p = await load(engine, "w1", {
      web: { image: IMAGE, command: ["sleep", "3600"], healthcheck: { test: ["CMD", "true"] } },
      slow: { image: IMAGE, command: ["sleep", "3600"], healthcheck: { test: ["CMD", "true"] } },
    });
    await p.up({ noStart: true });
    const started = await p.start(["web"], { wait: true, waitTimeout: 5 });
    assert.deepEqual(started, ["w1-web-1"]);
    const inspects = engine.callsOf("inspectContainer").length;
    assert.ok(inspects >= 3, `expected the health to be polled, got ${inspects} inspects`);

    await assert.rejects(p.start(["slow"], { wait: true, waitTimeout: 0.2 }), (e: unknown) => {
      assert.ok(e instanceof WaitError);
      assert.equal(e.code, "WAIT_TIMEOUT");
      assert.match(e.message, /not ready after .*: slow$/);
      return true;
    });
  });

  test("rm removes stopped containers only (stop: true stops first)", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = await load(engine, "r1", { a: { image: IMAGE, command: ["sleep", "3600"] }, b: { image: IMAGE, command: ["sleep", "3600"] } });
    await p.up();
    await p.stop(["a"]);
    assert.deepEqual(await p.rm(), ["r1-a-1"]);
    assert.deepEqual(await p.rm(["b"]), []);
    assert.deepEqual(await p.rm(["b"], { stop: true }), ["r1-b-1"]);
    await assert.rejects(p.rm(["nope"]), (e: unknown) => e instanceof FlotillaError && e.code === "NO_SUCH_SERVICE");
  });

  test("pull: skips build-only services, policy missing, ignorePullFailures collects failures", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    engine.script.pullFails("broken:1");
    const p = await load(engine, "p1", { have: { image: IMAGE, command: ["sleep", "3600"] }, fresh: { image: "fresh:1" }, broken: { image: "broken:1" }, built: { build: { context: "." } } });
    const r = await p.pull(undefined, { policy: "missing", ignorePullFailures: true });
    assert.deepEqual(r, { pulled: ["fresh"], skipped: ["built", "have"], failed: ["broken"] });
    await assert.rejects(p.pull(["broken"]), (e: unknown) => e instanceof FlotillaError && e.code === "PULL_FAILED");
  });

  test("pull follows each service's own pull_policy: never/build skipped, missing skips a present image, refresh windows pull", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = await load(engine, "p2", {
      never: { image: "ghost:1", pull_policy: "never" },
      bypolicy: { image: "made:1", build: { context: "." }, pull_policy: "build" },
      missing: { image: IMAGE, pull_policy: "missing" },
      daily: { image: IMAGE, pull_policy: "daily" },
      plain: { image: IMAGE },
    });
    const r = await p.pull();
    assert.deepEqual(r, { pulled: ["daily", "plain"], skipped: ["bypolicy", "missing", "never"], failed: [] });
  });

  test("push: services with build and image, each tag once; others skipped; ignorePushFailures collects failures", async () => {
    const engine = new FakeEngine();
    engine.addImage("reg.local/app:1");
    engine.addImage("reg.local/app:stable");
    engine.addImage("reg.local/tool:1");
    engine.script.pushFails("reg.local/tool:1");
    const p = await load(engine, "push1", {
      app: { image: "reg.local/app:1", build: { context: ".", tags: ["reg.local/app:stable", "reg.local/app:1"] } },
      tool: { image: "reg.local/tool:1", build: { context: "." } },
      plain: { image: IMAGE },
      noname: { build: { context: "." } },
    });
    const events: FlotillaEvent[] = [];
    const r = await p.push(undefined, { ignorePushFailures: true, onEvent: (e) => events.push(e) });
    assert.deepEqual(r, { pushed: ["reg.local/app:1", "reg.local/app:stable"], skipped: ["noname", "plain"], failed: ["reg.local/tool:1"] });
    assert.deepEqual(engine.pushed, ["reg.local/app:1", "reg.local/app:stable"]);
    assert.ok(events.some((e) => e.type === "resource" && e.status === "Pushed" && e.name === "reg.local/app:stable"));
    assert.ok(events.some((e) => e.type === "warning" && /tool: service tool: pushing image reg\.local\/tool:1 failed: denied/.test(e.message)));
    await assert.rejects(p.push(["tool"]), (e: unknown) => e instanceof FlotillaError && e.code === "PUSH_FAILED" && e.service === "tool");
    // dry run pushes nothing
    const dry = await p.push(["app"], { dryRun: true });
    assert.deepEqual(dry.pushed, ["reg.local/app:1", "reg.local/app:stable"]);
    assert.equal(engine.pushed.length, 2);
  });

  test("build passes --no-cache, --pull and --build-arg over the file's build section", async () => {
    const engine = new FakeEngine();
    const dir = tmp();
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
    const p = await Project.load({ engine, env: {}, cwd: dir, projectName: "b1", documents: [{ services: { app: { build: { context: ".", args: { A: "file", B: "file" } } }, plain: { image: IMAGE, command: ["sleep", "3600"] } } }] });
    assert.deepEqual(await p.build(undefined, { noCache: true, pull: true, buildArgs: { B: "cli" } }), ["app"]);
    const spec = engine.callsOf("buildImage")[0]!.args[0] as { nocache?: boolean; pull?: boolean; buildargs?: Record<string, string>; tags: string[] };
    assert.equal(spec.nocache, true);
    assert.equal(spec.pull, true);
    assert.deepEqual(spec.buildargs, { A: "file", B: "cli" });
    assert.deepEqual(spec.tags, ["b1-app"]);
    // the loaded model is not changed by the overrides
    assert.deepEqual(p.config.model.services["app"]!.build!.args, { A: "file", B: "file" });
  });

  test("build --with-dependencies builds dependencies first; --push pushes what was built and has an image name", async () => {
    const engine = new FakeEngine();
    const dir = tmp();
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
    const p = await Project.load({
      engine,
      env: {},
      cwd: dir,
      projectName: "b2",
      documents: [
        {
          services: {
            app: { image: "reg.local/app:1", build: ".", depends_on: ["base", "db"] },
            base: { image: "reg.local/base:1", build: "." },
            db: { image: IMAGE },
            other: { build: "." },
          },
        },
      ],
    });
    assert.deepEqual(await p.build(["app"]), ["app"]);
    engine.calls.length = 0;
    assert.deepEqual(await p.build(["app"], { withDependencies: true, push: true }), ["base", "app"]);
    assert.deepEqual(engine.callsOf("buildImage").map((c) => (c.args[0] as { tags: string[] }).tags[0]), ["reg.local/base:1", "reg.local/app:1"]);
    assert.deepEqual(engine.pushed, ["reg.local/app:1", "reg.local/base:1"]);
  });

  test("-p NAME without a compose file: rebuilt from labels; down works, up refuses", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = await load(engine, "l1", { db: { image: IMAGE, command: ["sleep", "3600"] }, web: { image: IMAGE, command: ["sleep", "3600"], depends_on: { db: { condition: "service_started" } } } });
    await p.up();

    const empty = tmp();
    await assert.rejects(Project.loadOrFromLabels({ engine, env: {}, cwd: empty }), (e: unknown) => e instanceof FlotillaError && e.code === "CONFIG_NOT_FOUND");
    await assert.rejects(Project.loadOrFromLabels({ engine, env: {}, cwd: empty, projectName: "l1", files: ["missing.yaml"] }), (e: unknown) => e instanceof FlotillaError && e.code === "CONFIG_NOT_FOUND");

    const fromLabels = await Project.loadOrFromLabels({ engine, env: {}, cwd: empty, projectName: "l1" });
    assert.equal(fromLabels.fromLabels, true);
    assert.deepEqual(Object.keys(fromLabels.config.model.services).sort(), ["db", "web"]);
    assert.deepEqual(Object.keys(fromLabels.config.model.services["web"]!.depends_on ?? {}), ["db"]);
    assert.equal((await fromLabels.ps()).length, 2);
    await assert.rejects(fromLabels.up(), (e: unknown) => e instanceof FlotillaError && e.code === "CONFIG_NOT_FOUND" && /up needs a compose file/.test(e.message));

    const result = await fromLabels.down();
    assert.deepEqual(result.containers.sort(), ["l1-db-1", "l1-web-1"]);
    assert.deepEqual(result.networks, ["l1_default"]);
    assert.equal((await engine.listContainers({ labels: { [Label.project]: "l1" }, all: true })).length, 0);
  });

  test("configFromLabels skips one-off containers and keeps the recorded files", () => {
    const c = (service: string, oneoff: string) => ({
      image: "sha256:x",
      labels: { [Label.service]: service, [Label.oneoff]: oneoff, [Label.image]: IMAGE, [Label.configFiles]: "/a.yaml,/b.yaml", [Label.workingDir]: "/w" },
    });
    const cfg = configFromLabels("n", [c("web", "False"), c("run", "True")]);
    assert.deepEqual(Object.keys(cfg.model.services), ["web"]);
    assert.equal(cfg.model.services["web"]!.image, IMAGE);
    assert.deepEqual(cfg.configFiles, ["/a.yaml", "/b.yaml"]);
    assert.equal(cfg.workingDir, "/w");
  });
});

describe("config --variables", () => {
  test("extractVariables: defaults, alternates, required, nested, $$ escapes, sorted", () => {
    const vars = extractVariables({
      services: {
        web: {
          image: "app:${TAG:-latest}",
          ports: ["${PORT-8080}:80"],
          environment: { A: "${DB:?needed}", B: "${DEBUG:+on}", C: "$PLAIN and $$LITERAL", D: "${OUTER:-${INNER}}", E: "$1" },
        },
      },
    });
    assert.deepEqual(
      vars.map((v) => [v.Name, v.Required, v.DefaultValue, v.PresenceValue]),
      [
        ["DB", true, "", ""],
        ["DEBUG", false, "", "on"],
        ["INNER", false, "", ""],
        ["OUTER", false, "${INNER}", ""],
        ["PLAIN", false, "", ""],
        ["PORT", false, "8080", ""],
        ["TAG", false, "latest", ""],
      ],
    );
  });

  test("configRequest: a table unless --format is given; exclusive with other lists", () => {
    assert.deepEqual(configRequest({ variables: true }), { kind: "variables", format: "table" });
    assert.deepEqual(configRequest({ variables: true, format: "json" }), { kind: "variables", format: "json" });
    assert.throws(() => configRequest({ variables: true, services: true }), UsageError);
  });

  test("config --environment prints the interpolation environment (process over .env), sorted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-envprint-"));
    try {
      writeFileSync(join(dir, "compose.yaml"), "services:\n  web:\n    image: x\n");
      writeFileSync(join(dir, ".env"), "BAR=file\nFOO=dotenv\n");
      const stdout = new BufferStream();
      const stderr = new BufferStream();
      const code = await main(["config", "--environment"], { stdout, stderr, env: { FOO: "shell", ZED: "z" }, cwd: dir, readStdin: async () => "", onSignal: () => () => {} });
      assert.equal(code, 0, stderr.text);
      // the loader's own additions (COMPOSE_PROJECT_NAME, PWD) are part of what interpolation sees
      const name = basename(dir).toLowerCase().replace(/[^a-z0-9_-]/g, "");
      assert.equal(stdout.text, `BAR=file\nCOMPOSE_PROJECT_NAME=${name}\nFOO=shell\nPWD=${dir}\nZED=z\n`);
      assert.throws(() => configRequest({ environment: true, images: true }), /cannot be combined/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("config --variables reads the files as written (a missing required variable is listed, not an error)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-vars-"));
    try {
      writeFileSync(join(dir, "compose.yaml"), 'services:\n  web:\n    image: "app:${TAG:-1.0}"\n    ports: ["${PORT:-8080}:80"]\n    environment:\n      DB: ${DB_URL:?set it}\n');
      const stdout = new BufferStream();
      const stderr = new BufferStream();
      const io: CliIO = { stdout, stderr, env: {}, cwd: dir, readStdin: async () => "", onSignal: () => () => {} };
      const code = await main(["config", "--variables"], io, {});
      assert.equal(code, 0, stderr.text);
      const lines = stdout.text.trimEnd().split("\n").map((l) => l.split(/\s{2,}/));
      assert.deepEqual(lines, [
        ["NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE"],
        ["DB_URL", "true"],
        ["PORT", "false", "8080"],
        ["TAG", "false", "1.0"],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
