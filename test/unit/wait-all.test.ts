import { test } from "node:test";
import assert from "node:assert/strict";
import { wait } from "../../src/api/wait/index.js";
import { assertDeadline, assertFailure, waitRun } from "../support/wait-harness.js";

const HEALTHCHECK = { Healthcheck: { Test: ["CMD", "true"] } };

test("wait.all resolves when every strategy has", async () => {
  const run = await waitRun("all-ok", HEALTHCHECK);
  await wait.all(wait.healthy(), wait.command(["true"])).wait(run.ctx);
  assert.match(run.notes.at(-1) ?? "", /healthcheck healthy: health healthy/);
});

test("wait.all fails with the first failure and cancels the others", async () => {
  const run = await waitRun("all-sick", HEALTHCHECK, (e) => e.script.health("all-sick", ["unhealthy"]));
  const log = wait.log("never printed");
  await assertFailure(run, wait.all(log, wait.healthy()), /all-sick is unhealthy/);
  // the log strategy was following and stopped with the failure (no deadline was needed)
  assert.equal(run.engine.callsOf("logs").length, 1);
});

test("wait.all waits for the slowest until the deadline, noting each strategy", async () => {
  const run = await waitRun("all-slow", HEALTHCHECK, (e) => e.script.health("all-slow", ["starting"]));
  const original = run.ctx.note.bind(run.ctx);
  run.ctx.note = (o) => {
    original(o);
    // once the command is done and the healthcheck has been seen starting twice: the deadline
    if ((o.match(/health starting/g) ?? []).length > 0 && run.notes.filter((n) => n.includes("health starting")).length >= 2 && !run.deadline.signal.aborted) {
      run.deadline.abort(run.reason);
    }
  };
  await assertDeadline(run, wait.all(wait.command(["true"]), wait.healthy()));
  assert.match(run.notes.at(-1) ?? "", /healthcheck healthy: health starting/);
});
