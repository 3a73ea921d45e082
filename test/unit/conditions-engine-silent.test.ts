import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectEngine, openEngine } from "../../src/runtime/docker/index.js";
import { ANSWER_TIMEOUT_MS } from "../../src/runtime/docker/errors.js";
import { EngineError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "flotilla-silent-"));
const open: Socket[] = [];
const servers: (Server | HttpServer)[] = [];
after(() => {
  for (const s of open) s.destroy();
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A unix socket that accepts every connection and never says a word. */
async function silentSocket(name: string): Promise<string> {
  const path = join(dir, name);
  const srv = createServer((s) => void open.push(s));
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(path, r));
  return path;
}

/** An engine that answers /_ping at once, never answers /version, and answers /wait only after `waitMs`. */
async function slowEngine(name: string, waitMs: number): Promise<string> {
  const path = join(dir, name);
  const srv = createHttpServer((req, res) => {
    open.push(req.socket);
    if (req.url?.includes("/_ping")) return void res.end("OK");
    if (req.url?.includes("/wait")) {
      setTimeout(() => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ StatusCode: 7 }));
      }, waitMs);
      return;
    }
    // /version and anything else: silence
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(path, r));
  return path;
}

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof EngineError, String(e));
    return e;
  }
  assert.fail("expected a rejection");
}

describe("an engine that accepts the connection but never answers", { concurrency: true }, () => {
  test("the bound is a few seconds", () => {
    assert.ok(ANSWER_TIMEOUT_MS > 0 && ANSWER_TIMEOUT_MS <= 5_000, String(ANSWER_TIMEOUT_MS));
  });

  test("connecting fails (default bound) with the socket named and what it means", { timeout: 30_000 }, async () => {
    const path = await silentSocket("silent.sock");
    const e = await rejection(connectEngine({}, { endpoint: { kind: "unix", socketPath: path, url: `unix://${path}` }, registryAuth: () => Promise.resolve(undefined) }));
    assert.equal(e.code, "ENGINE_UNREACHABLE");
    assert.equal(e.message, `the Docker engine at unix://${path} accepted the connection but did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
    assert.match(e.hint ?? "", /hung or overloaded/);
  });

  test("a refused connection is still 'cannot reach' (not a timeout)", { timeout: 30_000 }, async () => {
    const path = join(dir, "nobody-listens.sock");
    const e = await rejection(openEngine({ kind: "unix", socketPath: path, url: `unix://${path}` }).ping(10_000));
    assert.match(e.message, /^cannot reach the Docker engine at unix:\/\/.*nobody-listens\.sock/);
  });

  test("the version call is bounded too (an engine that answers ping, then goes silent)", { timeout: 30_000 }, async () => {
    const path = await slowEngine("version.sock", 0);
    const engine = openEngine({ kind: "unix", socketPath: path, url: `unix://${path}` });
    await engine.ping(10_000);
    const e = await rejection(engine.info());
    assert.equal(e.message, `the Docker engine at unix://${path} accepted the connection but did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
  });

  test("long calls are not bounded: a wait answered after the bound still returns its exit code", { timeout: 30_000 }, async () => {
    const path = await slowEngine("wait.sock", ANSWER_TIMEOUT_MS + 1_500);
    const engine = openEngine({ kind: "unix", socketPath: path, url: `unix://${path}` });
    assert.equal(await engine.waitContainer("abc"), 7);
  });
});
