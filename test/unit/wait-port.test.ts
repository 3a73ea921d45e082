import { test } from "node:test";
import assert from "node:assert/strict";
import { wait } from "../../src/api/wait/index.js";
import { abortAfterNotes, assertDeadline, assertFailure, closedPort, published, tcpServer, waitRun } from "../support/wait-harness.js";

test("wait.port resolves when the published port accepts a connection", async () => {
  const server = await tcpServer();
  try {
    const run = await waitRun("port-ok", published(5432, server.port));
    await wait.port(5432).wait(run.ctx);
    assert.deepEqual(run.notes, ["connected"]);
  } finally {
    await server.close();
  }
});

test("wait.port fails at once when the port is not published", async () => {
  const run = await waitRun("port-unpublished");
  await assertFailure(run, wait.port(5432), /port 5432\/tcp of port-unpublished is not published/);
});

test("wait.port keeps trying a refused port until the deadline", async () => {
  const port = await closedPort();
  const run = await waitRun("port-refused", published(5432, port));
  abortAfterNotes(run, 2);
  await assertDeadline(run, wait.port(5432));
  assert.equal(run.notes[0], `connection to 127.0.0.1:${port} refused`);
});
