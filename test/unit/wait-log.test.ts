import { test } from "node:test";
import assert from "node:assert/strict";
import { wait } from "../../src/api/wait/index.js";
import { assertDeadline, assertFailure, waitRun } from "../support/wait-harness.js";

test("wait.log resolves once enough lines match, stdout and stderr alike", async () => {
  const run = await waitRun("log-ok", { Cmd: ["sleep", "300"] }, (e) =>
    e.script.output("log-ok", [
      { stream: "stdout", data: "booting\nready to accept connections\n" },
      { stream: "stderr", data: "ready to accept connections\n" },
    ]),
  );
  await wait.log("ready to accept", 2).wait(run.ctx);
  assert.equal(run.notes.at(-1), "2 of 2 matching lines seen");
});

test("wait.log fails when the container stops before printing enough", async () => {
  const run = await waitRun("log-short", { Cmd: ["sh", "-c", "echo ready; exit 0"] });
  await assertFailure(run, wait.log(/^ready$/, 2), /log-short stopped \(exit code 0\) after 1 of 2 matching lines/, 0);
});

test("wait.log follows a silent running container until the deadline", async () => {
  const run = await waitRun("log-silent");
  const waiting = assertDeadline(run, wait.log("ready"));
  // The strategy is following the logs (the fake logged the call): now the deadline passes.
  await new Promise((r) => setImmediate(r));
  assert.equal(run.engine.callsOf("logs").length, 1);
  run.deadline.abort(run.reason);
  await waiting;
  assert.deepEqual(run.notes, ["0 of 1 matching line seen"]);
});
