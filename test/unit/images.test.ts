import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import type { ComposeModel, LoadedProject, ServiceConfig } from "../../src/spec/model.js";
import type { FlotillaEvent } from "../../src/events.js";
import { FakeEngine } from "../support/fake-engine.js";
import { EngineError, isFlotillaError } from "../../src/errors.js";
import { buildArgs, buildService, imageName, planImages, pullImage, runImageActions, withDefaultTag } from "../../src/runtime/images.js";
import { INLINE_DOCKERFILE } from "../../src/runtime/build-context.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURE = path.join(ROOT, "fixtures/build-args");

function project(services: Record<string, ServiceConfig>, environment: Record<string, string> = {}): LoadedProject {
  const model: ComposeModel = { name: "demo", services, networks: {}, volumes: {}, secrets: {}, configs: {} };
  return { model, workingDir: ROOT, configFiles: [], envFiles: [], environment, profiles: [], disabledServices: {}, warnings: [] };
}

describe("names", () => {
  test("imageName and withDefaultTag", () => {
    assert.equal(imageName("demo", "web", { image: "nginx:1.25" }), "nginx:1.25");
    assert.equal(imageName("demo", "web", { build: { context: "/x" } }), "demo-web");
    assert.equal(withDefaultTag("busybox"), "busybox:latest");
    assert.equal(withDefaultTag("localhost:5000/team/app"), "localhost:5000/team/app:latest");
    assert.equal(withDefaultTag("localhost:5000/team/app:v1"), "localhost:5000/team/app:v1");
    assert.equal(withDefaultTag("app@sha256:abcd"), "app@sha256:abcd");
  });
});

describe("planImages", () => {
  const services: Record<string, ServiceConfig> = {
    present: { image: "nginx" },
    missing: { image: "redis:7" },
    buildonly: { build: { context: FIXTURE } },
    both: { image: "team/tool:1", build: { context: FIXTURE } },
    always: { image: "nginx", pull_policy: "always" },
    policybuild: { image: "nginx", build: { context: FIXTURE }, pull_policy: "build" },
    daily: { image: "postgres", pull_policy: "daily" },
    never: { image: "ghost", pull_policy: "never" },
  };

  test("decides per pull_policy, presence and build section", async () => {
    const engine = new FakeEngine();
    engine.addImage("nginx:latest");
    engine.addImage("team/tool:1");
    const p = project(services);
    const names = Object.keys(services).filter((s) => s !== "never");
    const actions = await planImages(p, names, engine, {});
    const by = Object.fromEntries(actions.map((a) => [a.service, `${a.action} ${a.image}: ${a.reason}`]));
    assert.deepEqual(by, {
      present: "none nginx: image present",
      missing: "pull redis:7: image missing",
      buildonly: "build demo-buildonly: image missing",
      both: "none team/tool:1: image present",
      always: "pull nginx: pull_policy: always",
      policybuild: "build nginx: pull_policy: build",
      daily: "pull postgres: image missing",
    });
  });

  test("refresh windows (daily, weekly, every_<d>, refresh + pull_refresh_after) compare the last pull time", async () => {
    const HOUR = 3_600_000;
    const now = Date.parse("2026-06-01T12:00:00Z");
    const engine = new FakeEngine({ now: () => now });
    engine.addImage("fresh:1", { taggedAt: now - 2 * HOUR });
    engine.addImage("stale:1", { taggedAt: now - 30 * HOUR });
    engine.addImage("old:1", { taggedAt: now - 9 * 24 * HOUR });
    const p = project({
      dailyFresh: { image: "fresh:1", pull_policy: "daily" },
      dailyStale: { image: "stale:1", pull_policy: "daily" },
      weeklyStale: { image: "stale:1", pull_policy: "weekly" },
      weeklyOld: { image: "old:1", pull_policy: "weekly" },
      every1h: { image: "fresh:1", pull_policy: "every_1h" },
      every1d12h: { image: "stale:1", pull_policy: "every_1d12h" },
      every2w: { image: "old:1", pull_policy: "every_2w" },
      refreshAfter: { image: "fresh:1", pull_policy: "refresh", pull_refresh_after: "90m" },
      refreshBare: { image: "old:1", pull_policy: "refresh" },
      dailyMissing: { image: "absent:1", pull_policy: "daily" },
    });
    const actions = await planImages(p, Object.keys(p.model.services), engine, { now: () => now });
    const by = Object.fromEntries(actions.map((a) => [a.service, `${a.action}: ${a.reason}`]));
    assert.deepEqual(by, {
      dailyFresh: "none: image present, pulled 2h ago (pull_policy daily)",
      dailyStale: "pull: pull_policy daily: last pulled 1d ago",
      weeklyStale: "none: image present, pulled 1d ago (pull_policy weekly)",
      weeklyOld: "pull: pull_policy weekly: last pulled 9d ago",
      every1h: "pull: pull_policy every_1h: last pulled 2h ago",
      every1d12h: "none: image present, pulled 1d ago (pull_policy every_1d12h)",
      every2w: "none: image present, pulled 9d ago (pull_policy every_2w)",
      refreshAfter: "pull: pull_policy refresh: last pulled 2h ago",
      refreshBare: "none: image present",
      dailyMissing: "pull: image missing",
    });
    // --pull overrides the window either way
    const forced = await planImages(p, ["dailyFresh"], engine, { pull: "always", now: () => now });
    assert.equal(forced[0]!.action, "pull");
    const never = await planImages(p, ["dailyStale"], engine, { pull: "missing", now: () => now });
    assert.equal(never[0]!.action, "none");
    // a pull moves the last tag time: the stale image is fresh afterwards
    await engine.pullImage("stale:1");
    const after = await planImages(p, ["dailyStale"], engine, { now: () => now });
    assert.equal(after[0]!.action, "none");
  });

  test("--build, --no-build and --pull override the policy", async () => {
    const engine = new FakeEngine();
    engine.addImage("nginx");
    engine.addImage("team/tool:1");
    const p = project(services);
    const built = await planImages(p, ["both", "present"], engine, { build: true });
    assert.deepEqual(built.map((a) => a.action), ["build", "none"]);
    const pulled = await planImages(p, ["present", "both"], engine, { pull: "always" });
    assert.deepEqual(pulled.map((a) => `${a.action}:${a.reason}`), ["pull:--pull always", "pull:--pull always"]);
    const noBuild = await planImages(p, ["policybuild"], engine, { noBuild: true });
    assert.deepEqual(noBuild.map((a) => a.action), ["none"]);
    await assert.rejects(planImages(p, ["buildonly"], engine, { noBuild: true }), (e: unknown) => isFlotillaError(e) && e.code === "IMAGE_NOT_FOUND" && e.service === "buildonly");
  });

  test("pull_policy never with a missing image is IMAGE_NOT_FOUND naming the service", async () => {
    const engine = new FakeEngine();
    await assert.rejects(
      planImages(project(services), ["never"], engine),
      (e: unknown) => isFlotillaError(e) && e.code === "IMAGE_NOT_FOUND" && e.service === "never" && e.message.includes("ghost") && !!e.hint,
    );
  });
});

describe("pullImage", () => {
  test("emits Pulling, progress and Pulled; the image is then present", async () => {
    const engine = new FakeEngine();
    const events: FlotillaEvent[] = [];
    await pullImage(engine, "cache", "redis:7", (e) => events.push(e));
    assert.ok(await engine.inspectImage("redis:7"));
    const statuses = events.filter((e) => e.type === "resource").map((e) => (e.type === "resource" ? e.status : ""));
    assert.deepEqual(statuses, ["Pulling", "Pulled"]);
    assert.ok(events.some((e) => e.type === "progress" && e.kind === "pull" && e.name === "redis:7"));
  });

  test("failures are PULL_FAILED naming the service and image; unreachable registries get a hint", async () => {
    const engine = new FakeEngine();
    engine.script.pullFails("registry.invalid/app:1", "Get https://registry.invalid/v2/: dial tcp: lookup registry.invalid: no such host");
    await assert.rejects(
      pullImage(engine, "api", "registry.invalid/app:1"),
      (e: unknown) => isFlotillaError(e) && e.code === "PULL_FAILED" && e.service === "api" && e.message.includes("registry.invalid/app:1") && /unreachable/.test(e.hint ?? ""),
    );
    engine.script.pullFails("nosuch:1", "manifest unknown");
    await assert.rejects(pullImage(engine, "x", "nosuch:1"), (e: unknown) => isFlotillaError(e) && e.code === "PULL_FAILED" && /image name/.test(e.hint ?? ""));
  });

  test("an engine that is down stays ENGINE_UNREACHABLE", async () => {
    const engine = new FakeEngine();
    engine.pullImage = async () => {
      throw new EngineError("ENGINE_UNREACHABLE", "cannot connect to the engine");
    };
    await assert.rejects(pullImage(engine, "x", "busybox"), (e: unknown) => isFlotillaError(e) && e.code === "ENGINE_UNREACHABLE");
  });
});

describe("buildService", () => {
  test("passes args (null from the environment or dropped), tags, labels, target and options", async () => {
    const engine = new FakeEngine();
    const p = project(
      {
        app: {
          image: "team/app:dev",
          build: {
            context: FIXTURE,
            args: { GREETING: "hi", FROM_ENV: null, NOT_SET: null },
            target: "final",
            labels: { "org.example": "1" },
            tags: ["team/app:extra"],
            cache_from: ["team/app:cache"],
            network: "host",
            extra_hosts: ["db=10.0.0.2"],
            shm_size: "64m",
            no_cache: true,
            pull: false,
            ssh: ["default"],
          },
        },
      },
      { FROM_ENV: "from-env" },
    );
    const events: FlotillaEvent[] = [];
    const id = await buildService(engine, p, "app", (e) => events.push(e));
    assert.match(id, /^sha256:/);
    const call = engine.callsOf("buildImage")[0];
    assert.ok(call);
    const spec = call.args[0] as Record<string, unknown>;
    assert.deepEqual(spec.tags, ["team/app:dev", "team/app:extra"]);
    assert.deepEqual(spec.buildargs, { GREETING: "hi", FROM_ENV: "from-env" });
    assert.equal(spec.dockerfile, "Dockerfile");
    assert.equal(spec.target, "final");
    assert.deepEqual(spec.labels, { "org.example": "1", "com.docker.compose.image.builder": "classic" });
    assert.deepEqual(spec.cachefrom, ["team/app:cache"]);
    assert.equal(spec.networkmode, "host");
    assert.equal(spec.extrahosts, "db:10.0.0.2");
    assert.equal(spec.shmsize, 64 * 1024 * 1024);
    assert.equal(spec.nocache, true);
    assert.equal(spec.pull, false);
    assert.ok(events.some((e) => e.type === "warning" && e.message === "service app: build.ssh is not supported by the classic builder and is ignored"));
    assert.ok(events.some((e) => e.type === "progress" && e.kind === "build" && e.name === "app" && e.text.startsWith("Successfully built")));
    assert.ok(events.some((e) => e.type === "resource" && e.status === "Built" && e.name === "team/app:dev"));
  });

  test("dockerfile_inline uses the generated entry name", async () => {
    const engine = new FakeEngine();
    const p = project({ gen: { build: { context: FIXTURE, dockerfile_inline: "FROM flotilla-busybox:latest\n" } } });
    await buildService(engine, p, "gen");
    const spec = engine.callsOf("buildImage")[0]?.args[0] as Record<string, unknown>;
    assert.equal(spec.dockerfile, INLINE_DOCKERFILE);
    assert.deepEqual(spec.tags, ["demo-gen"]);
  });

  test("failures are BUILD_FAILED naming the service", async () => {
    const engine = new FakeEngine();
    engine.script.buildFails("demo-broken", "The command '/bin/sh -c false' returned a non-zero code: 1");
    const p = project({ broken: { build: { context: FIXTURE } } });
    await assert.rejects(
      buildService(engine, p, "broken"),
      (e: unknown) => isFlotillaError(e) && e.code === "BUILD_FAILED" && e.service === "broken" && e.message.includes("non-zero code"),
    );
    await assert.rejects(buildService(engine, project({ img: { image: "x" } }), "img"), (e: unknown) => isFlotillaError(e) && e.code === "BUILD_FAILED" && e.service === "img");
  });

  test("buildArgs alone", () => {
    assert.deepEqual(buildArgs({ context: "/", args: { A: "1", B: null, C: null } }, { B: "b" }), { A: "1", B: "b" });
  });
});

describe("runImageActions", () => {
  test("pulls each image once, builds, and returns image ids per service", async () => {
    const engine = new FakeEngine();
    const p = project({ a: { image: "redis:7" }, b: { image: "redis:7", platform: "linux/arm64" }, c: { build: { context: FIXTURE } } });
    const ids = await runImageActions(
      [
        { service: "a", image: "redis:7", action: "pull", reason: "image missing" },
        { service: "b", image: "redis:7", action: "pull", reason: "image missing" },
        { service: "c", image: "demo-c", action: "build", reason: "image missing" },
      ],
      engine,
      p,
    );
    assert.equal(engine.callsOf("pullImage").length, 1);
    assert.equal(engine.callsOf("pullImage")[0]!.args[1], "linux/arm64", "the platform a service of the image asks for");
    assert.equal(engine.callsOf("buildImage").length, 1);
    const redis = await engine.inspectImage("redis:7");
    const built = await engine.inspectImage("demo-c");
    assert.deepEqual(ids, { a: redis?.id, b: redis?.id, c: built?.id });
  });

  test("the first pull failure is reported", async () => {
    const engine = new FakeEngine();
    engine.script.pullFails("bad:1");
    await assert.rejects(
      runImageActions([{ service: "x", image: "bad:1", action: "pull", reason: "" }], engine, project({ x: { image: "bad:1" } }), { parallel: 2 }),
      (e: unknown) => isFlotillaError(e) && e.code === "PULL_FAILED" && e.service === "x",
    );
  });
});
