import { test } from "node:test";
import assert from "node:assert/strict";
import { wait } from "../../src/api/wait/index.js";
import { abortAfterNotes, assertDeadline, assertFailure, waitRun } from "../support/wait-harness.js";

const HEALTHCHECK = { Healthcheck: { Test: ["CMD", "true"] } };

test("wait.healthy resolves once the healthcheck reports healthy", async () => {
  const run = await waitRun("healthy-ok", HEALTHCHECK, (e) => e.script.health("healthy-ok", ["starting", "starting", "healthy"]));
  await wait.healthy().wait(run.ctx);
  assert.deepEqual(run.notes, ["health starting", "health starting", "health healthy"]);
});

test("wait.healthy fails at once on unhealthy, and on a container without a healthcheck", async () => {
  const sick = await waitRun("healthy-sick", HEALTHCHECK, (e) => e.script.health("healthy-sick", ["starting", "unhealthy"]));
  await assertFailure(sick, wait.healthy(), /container healthy-sick is unhealthy/);
  const none = await waitRun("healthy-none");
  await assertFailure(none, wait.healthy(), /has no healthcheck/);
});

test("wait.healthy keeps polling while starting, until the deadline", async () => {
  const run = await waitRun("healthy-slow", HEALTHCHECK, (e) => e.script.health("healthy-slow", ["starting"]));
  abortAfterNotes(run, 2);
  await assertDeadline(run, wait.healthy());
  assert.deepEqual(run.notes, ["health starting", "health starting"]);
});
