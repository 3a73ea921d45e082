/**
 * Every built-in wait strategy of the test API, passing and failing, against the real engine.
 * A failure must name the service, the strategy and the time spent, quote the container's last
 * log lines, and leave nothing behind. A case that ends at its deadline runs through
 * `upFailsAtDeadline`: the deadline covers up() too, and on a loaded machine up() can eat it (then the
 * error is up's, not the wait's, and the wait never ran). Such a run proves nothing either way, so it is
 * run again with twice the deadline; the assertions are those of the run in which the wait had time.
 * These cases start first and run while their test's other cases do.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compose, wait, type ComposeBuilder, type ComposeOptions, type WaitStrategy } from "../../src/index.js";
import { FlotillaError, WaitError } from "../../src/errors.js";
import { connectFromEnv } from "../../src/api/project.js";
import { Label } from "../../src/runtime/labels.js";
import type { Engine } from "../../src/runtime/engine.js";
import type { FlotillaEvent } from "../../src/events.js";

const IMAGE = "flotilla-busybox:latest";

/** The first overall deadline of a case that fails at its deadline (doubled while up() eats it, up to MAX_DEADLINE_MS). */
const DEADLINE_MS = 8_000;
const MAX_DEADLINE_MS = 128_000;
/** The wait must have run this long for a timeout to count (a started container has printed its marker by then). */
const MIN_WAIT_MS = 3_000;
/** The bound of a case that passes, or fails at once: only a regression ever reaches it. */
const BOUND_MS = 60_000;

async function leftovers(engine: Engine, project: string): Promise<string[]> {
  const by = { [Label.project]: project };
  const [c, n, v] = await Promise.all([engine.listContainers({ labels: by, all: true }), engine.listNetworks({ labels: by }), engine.listVolumes({ labels: by })]);
  return [...c.map((x) => `container ${x.name}`), ...n.map((x) => `network ${x.name}`), ...v.map((x) => `volume ${x.name}`)];
}

/** A long-running service: runs `script` (sh), then sleeps; stops at once on SIGTERM thanks to init. */
function svc(script: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { image: IMAGE, init: true, command: ["sh", "-c", `${script}; exec sleep 3600`], ...extra };
}

/** A busybox httpd on 8080 serving /health ("ok") and / ("hello"), published on 127.0.0.1. */
function web(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    image: IMAGE,
    init: true,
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/health && echo hello > /www/index.html && echo web-marker-up && exec httpd -f -p 8080 -h /www"],
    ports: ["127.0.0.1::8080"],
    ...extra,
  };
}

function stack(services: Record<string, unknown>, opts: ComposeOptions = {}): ComposeBuilder {
  // A bound for the passing cases too, stated here rather than left to the library's default.
  return compose({ documents: [{ services }], timeout: BOUND_MS, ...opts });
}

/** Run a builder's up() expecting it to fail; returns the error and the project it used. */
async function upFails(b: ComposeBuilder, engine: Engine): Promise<unknown> {
  const projectName = b.options.projectName;
  assert.ok(projectName, "failure cases name their project so leftovers can be checked");
  try {
    const s = await b.up();
    await s.down();
    assert.fail(`up() of ${projectName} should have failed`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.deepEqual(await leftovers(engine, projectName), [], `nothing left of ${projectName} after the failed up`);
    return e;
  } finally {
    const { removeStack } = await import("../../src/api/reaper.js");
    await removeStack(engine, projectName);
  }
}

/**
 * `upFails` for a case that must end at its deadline: `make(timeout)` builds it (naming a fresh project).
 * A run in which up() itself timed out, or the wait got less than MIN_WAIT_MS, is run again with twice
 * the deadline; the last run's error is returned whatever it is, for the caller's assertions.
 */
async function upFailsAtDeadline(make: (timeout: number) => ComposeBuilder, engine: Engine): Promise<unknown> {
  for (let timeout = DEADLINE_MS; ; timeout *= 2) {
    const e = await upFails(make(timeout), engine);
    const upAteIt = e instanceof FlotillaError && !(e instanceof WaitError) && e.code === "WAIT_TIMEOUT";
    const waitStarved = e instanceof WaitError && e.code === "WAIT_TIMEOUT" && e.elapsedMs < MIN_WAIT_MS;
    if (!(upAteIt || waitStarved) || timeout * 2 > MAX_DEADLINE_MS) return e;
  }
}

let seq = 0;
function name(tag: string): string {
  return `flotilla-test-wait-${tag}-${process.pid}-${++seq}`;
}

/** The message of a WaitError carries service, strategy, elapsed time and the log tail. */
function assertWaitError(
  e: unknown,
  expected: { code: "WAIT_TIMEOUT" | "WAIT_FAILED"; service: string; strategy: WaitStrategy; reason: RegExp; logLine?: string },
): WaitError {
  assert.ok(e instanceof WaitError, `expected a WaitError, got ${String(e)}`);
  assert.equal(e.code, expected.code, e.message);
  assert.equal(e.service, expected.service);
  assert.equal(e.strategy, expected.strategy.description);
  assert.ok(e.elapsedMs >= 0);
  assert.ok(e.message.includes(`service "${expected.service}"`), e.message);
  assert.ok(e.message.includes(expected.strategy.description), e.message);
  assert.match(e.message, expected.code === "WAIT_TIMEOUT" ? /timed out after \d+\.\ds/ : /failed after \d+\.\ds/);
  assert.match(e.message, expected.reason);
  if (expected.logLine === undefined) {
    // A wait that fails at once may come before the container wrote anything: either form is right.
    assert.match(e.message, /last \d+ log lines? of |\(no log output from /);
    return e;
  }
  assert.match(e.message, /last \d+ log lines? of /);
  assert.ok(e.message.includes(expected.logLine), `log line ${JSON.stringify(expected.logLine)} quoted in: ${e.message}`);
  assert.ok(e.logs?.includes(expected.logLine), "and kept in .logs");
  return e;
}

describe("wait strategies", { concurrency: 4 }, () => {
  test("healthy: passes once the healthcheck reports healthy", async () => {
    const h = wait.healthy();
    await using s = await stack({ app: svc("echo app-up", { healthcheck: { test: ["CMD", "true"], interval: "200ms", retries: 3 } }) })
      .waitFor("app", h)
      .up();
    assert.equal((await s.service("app").inspect()).state.health?.status, "healthy");
  });

  test("healthy: fails on unhealthy, and on a service without a healthcheck", async () => {
    const engine = await connectFromEnv(process.env);
    const h = wait.healthy();
    const unhealthy = await upFails(
      stack(
        { app: svc("echo sick-marker", { healthcheck: { test: ["CMD-SHELL", "echo probe-says-no; exit 1"], interval: "200ms", retries: 1 } }) },
        { projectName: name("unhealthy"), timeout: BOUND_MS },
      ).waitFor("app", h),
      engine,
    );
    assertWaitError(unhealthy, { code: "WAIT_FAILED", service: "app", strategy: h, reason: /is unhealthy: probe-says-no/, logLine: "sick-marker" });

    const none = await upFails(stack({ app: svc("echo no-check-marker") }, { projectName: name("nocheck"), timeout: BOUND_MS }).waitFor("app", h), engine);
    // This wait fails as soon as the container is inspected, possibly before it printed its marker.
    assertWaitError(none, { code: "WAIT_FAILED", service: "app", strategy: h, reason: /has no healthcheck/ });
  });

  test("port: passes when the server listens; times out while nothing listens behind the published port", async () => {
    const engine = await connectFromEnv(process.env);
    const p = wait.port(8080);
    // Published but nothing listening: the engine's port proxy accepts and hangs up, which is not "listening".
    // (started first: it runs until its deadline while the other cases run)
    const timingOut = upFailsAtDeadline((timeout) => stack({ idle: svc("echo idle-marker", { ports: ["127.0.0.1::8080"] }) }, { projectName: name("port"), timeout }).waitFor("idle", p), engine);
    const failing = upFails(stack({ idle: svc("echo unpublished-marker") }, { projectName: name("noport"), timeout: BOUND_MS }).waitFor("idle", p), engine);
    {
      await using s = await stack({ web: web() }).waitFor("web", p).up();
      assert.equal((await fetch(s.service("web").url(8080, "/health"))).status, 200);
    }
    const e = await timingOut;
    const err = assertWaitError(e, { code: "WAIT_TIMEOUT", service: "idle", strategy: p, reason: /\(connection to 127\.0\.0\.1:\d+ (refused|closed at once)/, logLine: "idle-marker" });
    assert.ok(err.elapsedMs <= MAX_DEADLINE_MS, `the wait ran within the deadline (${err.elapsedMs} ms)`);

    const unpublished = await failing;
    // (at once: possibly before the container printed its marker, so no log line is required)
    assertWaitError(unpublished, { code: "WAIT_FAILED", service: "idle", strategy: p, reason: /port 8080\/tcp of .* is not published/ });
  });

  test("http: passes on status and body; fails on a wrong status and on a wrong body", async () => {
    const engine = await connectFromEnv(process.env);
    const ok = wait.http({ port: 8080, path: "/health", status: 200, body: "ok" });
    const notFound = wait.http({ port: 8080, path: "/missing", status: 404 });
    const pattern = wait.http({ port: 8080, body: /^hel+o$/m });
    const wrongStatus = wait.http({ port: 8080, path: "/missing" });
    const wrongBody = wait.http({ port: 8080, path: "/health", body: "healthy" });
    // both run into their deadline: started first, side by side, while the passing case runs
    const timingOut = Promise.all([
      upFailsAtDeadline((timeout) => stack({ web: web() }, { projectName: name("status"), timeout }).waitFor("web", wrongStatus), engine),
      upFailsAtDeadline((timeout) => stack({ web: web() }, { projectName: name("body"), timeout }).waitFor("web", wrongBody), engine),
    ]);
    {
      await using s = await stack({ a: web(), b: web(), c: web() }).waitFor("a", ok).waitFor("b", notFound).waitFor("c", pattern).up();
      assert.equal((await (await fetch(s.service("a").url(8080, "/health"))).text()).trim(), "ok");
    }
    const [e1, e2] = await timingOut;
    assert.equal(wrongStatus.description, "http GET :8080/missing expecting 200");
    assertWaitError(e1, { code: "WAIT_TIMEOUT", service: "web", strategy: wrongStatus, reason: /\(last answer: status 404\)/, logLine: "web-marker-up" });
    assertWaitError(e2, { code: "WAIT_TIMEOUT", service: "web", strategy: wrongBody, reason: /\(last answer: status 200, body "ok\\n"\)/, logLine: "web-marker-up" });
  });

  test("log: passes after the pattern appears N times; fails when it appears fewer times", async () => {
    const engine = await connectFromEnv(process.env);
    const three = wait.log(/tick \d/, 3);
    // Two of three, then the container keeps running: the deadline ends the wait (started first, runs meanwhile).
    const timingOut = upFailsAtDeadline((timeout) => stack({ app: svc("echo tick 1; echo tick 2") }, { projectName: name("log"), timeout }).waitFor("app", three), engine);
    // One of three, then the container exits: no need to wait for the deadline.
    const failing = upFails(
      stack({ app: { image: IMAGE, command: ["sh", "-c", "echo tick 1; echo bye >&2"] } }, { projectName: name("logexit"), timeout: BOUND_MS }).waitFor("app", three),
      engine,
    );
    {
      const events: FlotillaEvent[] = [];
      await using s = await stack({ app: svc("for i in 1 2 3; do echo tick $$i; sleep 0.2; done; echo tock >&2") }, { onEvent: (e) => events.push(e) })
        .waitFor("app", three)
        .up();
      const text = await s.service("app").logText();
      assert.match(text, /tick 1\ntick 2\ntick 3/);
      assert.ok(events.some((e) => e.type === "resource" && e.kind === "service" && e.status === "Healthy" && e.detail === "log line matching /tick \\d/ 3 times"));
    }
    const e1 = await timingOut;
    assertWaitError(e1, { code: "WAIT_TIMEOUT", service: "app", strategy: three, reason: /\(2 of 3 matching lines seen\)/, logLine: "tick 2" });

    const e2 = await failing;
    assertWaitError(e2, { code: "WAIT_FAILED", service: "app", strategy: three, reason: /stopped \(exit code 0\) after 1 of 3 matching lines/, logLine: "bye" });
  });

  test("command: passes once the command exits 0 inside the container; times out while it does not", async () => {
    const engine = await connectFromEnv(process.env);
    const ready = wait.command("test -f /ready");
    const never = wait.command(["sh", "-c", "echo not-yet >&2; exit 3"]);
    // runs until its deadline while the passing case runs
    const timingOut = upFailsAtDeadline((timeout) => stack({ app: svc("echo cmd-marker") }, { projectName: name("cmd"), timeout }).waitFor("app", never), engine);
    {
      await using s = await stack({ app: svc("sleep 0.5; touch /ready") }).waitFor("app", ready).up();
      assert.equal((await s.service("app").exec(["test", "-f", "/ready"])).exitCode, 0);
    }
    const e = await timingOut;
    assertWaitError(e, { code: "WAIT_TIMEOUT", service: "app", strategy: never, reason: /\(last exit code 3: not-yet\)/, logLine: "cmd-marker" });
  });

  test("completed: a one-shot exiting 0 passes; one exiting non-zero fails with its exit code", async () => {
    const engine = await connectFromEnv(process.env);
    const done = wait.completed();
    {
      await using s = await stack({
        migrate: { image: IMAGE, command: ["sh", "-c", "sleep 0.3; echo migrated"] },
        web: web({ depends_on: { migrate: { condition: "service_completed_successfully" } } }),
      })
        .waitFor("migrate", done)
        .up();
      const st = (await s.service("migrate").inspect()).state;
      assert.deepEqual([st.running, st.exitCode], [false, 0]);
      assert.equal(await s.service("migrate").logText(), "migrated");
    }
    const e = await upFails(stack({ migrate: { image: IMAGE, command: ["sh", "-c", "echo migration-broke >&2; exit 3"] } }, { projectName: name("oneshot"), timeout: BOUND_MS }).waitFor("migrate", done), engine);
    const err = assertWaitError(e, { code: "WAIT_FAILED", service: "migrate", strategy: done, reason: /exited with code 3/, logLine: "migration-broke" });
    assert.equal(err.exitCode, 3);
  });

  test("all(...): passes when every strategy passes; fails naming the one that did not", async () => {
    const engine = await connectFromEnv(process.env);
    const both = wait.all(wait.log("web-marker-up"), wait.port(8080), wait.http({ port: 8080, path: "/health", body: "ok" }));
    assert.match(both.description, /^all of \(log line matching "web-marker-up"; port 8080\/tcp listening; http GET :8080\/health/);
    const oneFails = wait.all(wait.log("web-marker-up"), wait.http({ port: 8080, path: "/nope" }));
    // runs until its deadline while the passing case runs
    const timingOut = upFailsAtDeadline((timeout) => stack({ web: web() }, { projectName: name("all"), timeout }).waitFor("web", oneFails), engine);
    {
      await using s = await stack({ web: web() }).waitFor("web", both).up();
      assert.equal((await fetch(s.service("web").url(8080, "/"))).status, 200);
    }
    const e = await timingOut;
    assertWaitError(e, { code: "WAIT_TIMEOUT", service: "web", strategy: oneFails, reason: /http GET :8080\/nope expecting 200: last answer: status 404/, logLine: "web-marker-up" });

    // A strategy that can never succeed fails the composition at once, without waiting for the deadline.
    const withDead = wait.all(wait.http({ port: 8080 }), wait.healthy());
    const e2 = await upFails(stack({ web: web() }, { projectName: name("alldead"), timeout: BOUND_MS }).waitFor("web", withDead), engine);
    // (at once: possibly before the container printed its marker, so no log line is required)
    assertWaitError(e2, { code: "WAIT_FAILED", service: "web", strategy: withDead, reason: /has no healthcheck/ });
  });

  test("waitForAll sets the default wait; a per-service wait overrides it", async () => {
    const events: FlotillaEvent[] = [];
    await using s = await stack({ a: svc("echo ready-a"), b: svc("echo ready-b"), c: web() }, { onEvent: (e) => events.push(e) })
      .waitForAll(wait.log(/^ready-/))
      .waitFor("c", wait.http({ port: 8080 }))
      .up();
    const waited = events.flatMap((e) => (e.type === "resource" && e.kind === "service" && e.status === "Healthy" ? [`${e.service}: ${e.detail}`] : [])).sort();
    assert.deepEqual(waited, ["a: log line matching /^ready-/", "b: log line matching /^ready-/", "c: http GET :8080/ expecting 200"]);
    assert.deepEqual(s.services(), ["a", "b", "c"]);
  });

  test("AbortSignal: aborting while waiting (or before up) rejects with ABORTED and tears down", async () => {
    const engine = await connectFromEnv(process.env);
    const ac = new AbortController();
    const projectName = name("abort");
    const e = await upFails(
      stack(
        { app: svc("echo abort-marker") },
        {
          projectName,
          signal: ac.signal,
          // Abort as soon as the stack starts waiting for app: deterministic, no timer.
          onEvent: (ev) => {
            if (ev.type === "resource" && ev.kind === "service" && ev.status === "Waiting") ac.abort();
          },
        },
      ).waitFor("app", wait.log("never printed")),
      engine,
    );
    assert.ok(e instanceof FlotillaError && !(e instanceof WaitError), String(e));
    assert.equal(e.code, "ABORTED");

    // Aborting while containers are being created: up() stops and removes what it made.
    const ac2 = new AbortController();
    const e2 = await upFails(
      stack(
        { app: svc("echo x"), other: svc("echo y", { depends_on: ["app"] }) },
        {
          projectName: name("abortup"),
          signal: ac2.signal,
          onEvent: (ev) => {
            if (ev.type === "resource" && ev.kind === "network" && ev.status === "Created") ac2.abort();
          },
        },
      ),
      engine,
    );
    assert.ok(e2 instanceof FlotillaError, String(e2));
    assert.equal(e2.code, "ABORTED");

    const pre = new AbortController();
    pre.abort();
    await assert.rejects(stack({ app: svc("echo z") }, { signal: pre.signal }).up(), (x: unknown) => x instanceof FlotillaError && x.code === "ABORTED");
  });

  test("one overall deadline: it bounds every service's wait together, and covers up() itself", async () => {
    const engine = await connectFromEnv(process.env);
    const never = wait.log("never printed");
    // the events and the deadline of the run whose error is checked (the last one)
    let events: FlotillaEvent[] = [];
    let timeout = 0;
    const e = await upFailsAtDeadline((t) => {
      const seen: FlotillaEvent[] = (events = []);
      timeout = t;
      return stack(
        { quick: svc("echo quick-ready"), slow1: svc("echo slow1-marker"), slow2: svc("echo slow2-marker") },
        { projectName: name("deadline"), timeout: t, onEvent: (ev) => seen.push(ev) },
      )
        .waitFor("quick", wait.log("quick-ready"))
        .waitFor("slow1", never)
        .waitFor("slow2", never);
    }, engine);
    assert.ok(e instanceof WaitError, String(e));
    assert.equal(e.code, "WAIT_TIMEOUT");
    assert.ok(e.service === "slow1" || e.service === "slow2", e.message);
    assertWaitError(e, { code: "WAIT_TIMEOUT", service: e.service, strategy: never, reason: /\(0 of 1 matching line seen\)/, logLine: `${e.service}-marker` });
    // The deadline is shared with up(): the wait itself had less than the whole budget.
    assert.ok(e.elapsedMs <= timeout, `wait elapsed ${e.elapsedMs} ms within the ${timeout} ms budget`);
    assert.ok(events.some((ev) => ev.type === "resource" && ev.kind === "service" && ev.service === "quick" && ev.status === "Healthy"), "quick passed meanwhile");

    // A budget too small for up() itself: WAIT_TIMEOUT from up, nothing left behind.
    const e2 = await upFails(stack({ app: svc("echo never-started") }, { projectName: name("deadlineup"), timeout: 1 }), engine);
    assert.ok(e2 instanceof FlotillaError && !(e2 instanceof WaitError), String(e2));
    assert.equal(e2.code, "WAIT_TIMEOUT");
    assert.match(e2.message, /did not come up within \d+\.\ds/);
  });
});
