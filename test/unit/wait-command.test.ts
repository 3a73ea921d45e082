import { test } from "node:test";
import assert from "node:assert/strict";
import { wait } from "../../src/api/wait/index.js";
import { abortAfterNotes, assertDeadline, assertFailure, waitRun } from "../support/wait-harness.js";

test("wait.command resolves once the command exits 0 (a string runs through sh -c)", async () => {
  const run = await waitRun("command-ok");
  await wait.command("test -f /etc/ready || true").wait(run.ctx);
  assert.deepEqual(run.engine.callsOf("exec").map((c) => (c.args[1] as { cmd: string[] }).cmd), [["sh", "-c", "test -f /etc/ready || true"]]);
});

test("wait.command fails at once when the container exited", async () => {
  const run = await waitRun("command-exited", { Cmd: ["sh", "-c", "exit 4"] });
  await run.engine.waitContainer(run.ctx.target.id);
  await assertFailure(run, wait.command(["true"]), /command-exited exited with code 4/, 4);
});

test("wait.command retries a failing command until the deadline, noting its last exit code and output", async () => {
  const run = await waitRun("command-failing");
  abortAfterNotes(run, 2);
  await assertDeadline(run, wait.command("echo not yet >&2; exit 1"));
  assert.deepEqual(run.notes, ["last exit code 1: not yet", "last exit code 1: not yet"]);
});
