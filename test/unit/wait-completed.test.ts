import { test } from "node:test";
import assert from "node:assert/strict";
import { wait } from "../../src/api/wait/index.js";
import { abortAfterNotes, assertDeadline, assertFailure, waitRun } from "../support/wait-harness.js";

test("wait.completed resolves when the container exits 0", async () => {
  const run = await waitRun("completed-ok", { Cmd: ["sh", "-c", "echo migrated"] });
  await wait.completed().wait(run.ctx);
  assert.equal((await run.engine.inspectContainer(run.ctx.target.id))?.state.exitCode, 0);
});

test("wait.completed fails with the exit code of a failed run", async () => {
  const run = await waitRun("completed-failed", { Cmd: ["sh", "-c", "exit 3"] });
  await assertFailure(run, wait.completed(), /container completed-failed exited with code 3/, 3);
});

test("wait.completed waits for a running container until the deadline", async () => {
  const run = await waitRun("completed-running");
  abortAfterNotes(run, 1);
  await assertDeadline(run, wait.completed());
  assert.deepEqual(run.notes, ["still running"]);
});
