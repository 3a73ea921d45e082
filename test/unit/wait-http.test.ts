import { test } from "node:test";
import assert from "node:assert/strict";
import { wait } from "../../src/api/wait/index.js";
import { abortAfterNotes, assertDeadline, assertFailure, httpServer, published, waitRun } from "../support/wait-harness.js";

test("wait.http resolves on the expected status and body", async () => {
  const server = await httpServer(200, "status: ready");
  try {
    const run = await waitRun("http-ok", published(8080, server.port));
    await wait.http({ port: 8080, path: "health", body: /ready/ }).wait(run.ctx);
    assert.deepEqual(run.notes, []);
  } finally {
    await server.close();
  }
});

test("wait.http fails at once when the container exited", async () => {
  const run = await waitRun("http-exited", { Cmd: ["sh", "-c", "exit 2"] });
  await run.engine.waitContainer(run.ctx.target.id);
  await assertFailure(run, wait.http({ port: 8080 }), /container http-exited exited with code 2/, 2);
});

test("wait.http keeps asking while the answer is wrong, until the deadline", async () => {
  const server = await httpServer(503, "starting");
  try {
    const run = await waitRun("http-503", published(8080, server.port));
    abortAfterNotes(run, 2);
    await assertDeadline(run, wait.http({ port: 8080 }));
    assert.deepEqual(run.notes, ["last answer: status 503", "last answer: status 503"]);
  } finally {
    await server.close();
  }
});
