import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { describeStopped, isReady, waitForCondition } from "../../src/runtime/conditions.js";
import type { ContainerDetails, Engine } from "../../src/runtime/engine.js";
import { ServiceError } from "../../src/errors.js";

type State = ContainerDetails["state"];
const health = (status: "starting" | "healthy" | "unhealthy") => ({ status, failingStreak: status === "unhealthy" ? 3 : 0, log: [{ exitCode: 1, output: "probe said no", start: "", end: "" }] });
const state = (over: Partial<State>): State => ({ status: "running", running: true, paused: false, restarting: false, exitCode: 0, oomKilled: false, ...over }) as State;

/** An engine with one container whose state is scripted poll by poll (the last one repeats); undefined = removed. */
function engineWith(states: (State | undefined)[]): Engine {
  let i = 0;
  return {
    inspectContainer: () => {
      const st = states[Math.min(i++, states.length - 1)];
      return Promise.resolve(st ? ({ id: "c1", name: "p-db-1", state: st } as unknown as ContainerDetails) : undefined);
    },
    logs: function* () {
      yield { stream: "stdout", data: Buffer.from("last words\n") };
    },
  } as unknown as Engine;
}

async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ServiceError, String(e));
    return e;
  }
  assert.fail("expected a failure");
}

const target = { service: "db", condition: "service_healthy" as const, containers: [{ id: "c1", name: "p-db-1" }] };

describe("a stopped health-checked dependency says what happened, not 'unhealthy'", () => {
  test("stopped by a signal (down, docker stop, engine restart): 'was stopped', with the code", async () => {
    // the engine marks a stopped health-checked container unhealthy: that is not the story
    const e = await failure(waitForCondition(engineWith([state({ health: health("starting") }), state({ status: "exited", running: false, exitCode: 143, health: health("unhealthy") })]), target, { pollMs: 1 }));
    assert.equal(e.code, "DEPENDENCY_FAILED");
    assert.equal(e.message, "dependency failed to start: container p-db-1 was stopped (exit code 143, SIGTERM) before becoming healthy");
    assert.ok(!/unhealthy/.test(e.message));
    assert.match(e.hint ?? "", /stopped from outside/);
    const killed = await failure(waitForCondition(engineWith([state({ status: "exited", running: false, exitCode: 137, health: health("unhealthy") })]), target));
    assert.match(killed.message, /was stopped \(exit code 137, SIGKILL\)/);
  });

  test("exited on its own: 'exited (code N)', with its last log lines", async () => {
    const e = await failure(waitForCondition(engineWith([state({ status: "exited", running: false, exitCode: 3, health: health("unhealthy") })]), target));
    assert.equal(e.message, "dependency failed to start: container p-db-1 exited (code 3) before becoming healthy");
    assert.deepEqual(e.logs, ["last words"]);
  });

  test("removed while waited for (a concurrent down): said so", async () => {
    const e = await failure(waitForCondition(engineWith([state({ health: health("starting") }), undefined]), target, { pollMs: 1 }));
    assert.match(e.message, /no longer exists \(removed while waiting for it\)/);
  });

  test("running and failing its probe is still 'unhealthy', with the probe's output", async () => {
    const e = await failure(waitForCondition(engineWith([state({ health: health("unhealthy") })]), target));
    assert.equal(e.message, "dependency failed to start: container p-db-1 is unhealthy: probe said no");
  });

  test("a one-shot stopped by a signal is 'was stopped', not a failed job", async () => {
    const e = await failure(waitForCondition(engineWith([state({ status: "exited", running: false, exitCode: 143 })]), { ...target, condition: "service_completed_successfully" }));
    assert.match(e.message, /container p-db-1 was stopped \(exit code 143, SIGTERM\)/);
  });

  test("--wait: the same words", async () => {
    const stopped = await failure(isReady(engineWith([state({ status: "exited", running: false, exitCode: 143, health: health("unhealthy") })]), "db", { id: "c1", name: "p-db-1" }, "healthy"));
    assert.equal(stopped.message, "container p-db-1 was stopped (exit code 143, SIGTERM)");
    const exited = await failure(isReady(engineWith([state({ status: "exited", running: false, exitCode: 2 })]), "db", { id: "c1", name: "p-db-1" }, "running"));
    assert.equal(exited.message, "container p-db-1 exited (code 2)");
    const unhealthy = await failure(isReady(engineWith([state({ health: health("unhealthy") })]), "db", { id: "c1", name: "p-db-1" }, "healthy"));
    assert.equal(unhealthy.message, "container p-db-1 is unhealthy: probe said no");
  });

  test("describeStopped: out of memory, dead, other signals", () => {
    assert.equal(describeStopped(state({ status: "exited", running: false, exitCode: 137, oomKilled: true })), "was killed: out of memory (exit code 137)");
    assert.equal(describeStopped(state({ status: "exited", running: false, exitCode: 130 })), "was stopped (exit code 130, SIGINT)");
    assert.equal(describeStopped(state({ status: "exited", running: false, exitCode: 134 })), "was stopped (exit code 134, signal 6)");
    assert.equal(describeStopped(state({ status: "dead", running: false, exitCode: 0, error: "driver failed" })), "is dead (exit code 0): driver failed");
  });
});
