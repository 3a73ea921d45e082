/**
 * Runs a wait strategy against one container of the fake engine, with a deadline the test
 * controls (an AbortController: no wall-clock limits), and records the strategy's notes.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import type { AddressInfo } from "node:net";
import { isFlotillaError } from "../../src/errors.js";
import type { ContainerCreateSpec } from "../../src/runtime/engine.js";
import type { WaitContext, WaitStrategy } from "../../src/api/wait/strategy.js";
import { WaitFailure } from "../../src/api/wait/strategy.js";
import { FakeEngine } from "./fake-engine.js";

export const IMAGE = "flotilla-busybox:latest";

export interface WaitRun {
  engine: FakeEngine;
  ctx: WaitContext;
  notes: string[];
  /** Ends the wait as the stack's deadline would. */
  deadline: AbortController;
  /** What the deadline aborts with. */
  reason: Error;
}

/** A started fake container named `name` from `spec`, and a context to wait on it. */
export async function waitRun(name: string, spec: Partial<ContainerCreateSpec> = {}, setup?: (engine: FakeEngine) => void): Promise<WaitRun> {
  const engine = new FakeEngine();
  engine.addImage(IMAGE);
  setup?.(engine);
  const id = await engine.createContainer({ name, Image: IMAGE, Cmd: ["sleep", "300"], HostConfig: {}, ...spec });
  await engine.startContainer(id);
  const deadline = new AbortController();
  const notes: string[] = [];
  const ctx: WaitContext = {
    engine,
    host: "127.0.0.1",
    target: { service: "svc", number: 1, id, name },
    signal: deadline.signal,
    note: (o) => notes.push(o),
  };
  return { engine, ctx, notes, deadline, reason: new Error("the deadline passed") };
}

/** Abort the wait once the strategy has noted `count` observations (it is polling, not done). */
export function abortAfterNotes(run: WaitRun, count: number): void {
  const note = run.ctx.note.bind(run.ctx);
  run.ctx.note = (o) => {
    note(o);
    if (run.notes.length >= count && !run.deadline.signal.aborted) run.deadline.abort(run.reason);
  };
}

/** The wait ended by the deadline: the deadline's reason, or ABORTED from a cancelled engine call. */
export async function assertDeadline(run: WaitRun, strategy: WaitStrategy): Promise<void> {
  await assert.rejects(strategy.wait(run.ctx), (e: unknown) => {
    assert.ok(e === run.reason || (isFlotillaError(e) && e.code === "ABORTED"), `ended by the deadline, got ${String(e)}`);
    return true;
  });
}

/** The wait failed for good (a WaitFailure matching `reason`). */
export async function assertFailure(run: WaitRun, strategy: WaitStrategy, reason: RegExp, exitCode?: number): Promise<void> {
  await assert.rejects(strategy.wait(run.ctx), (e: unknown) => {
    assert.ok(e instanceof WaitFailure, `a WaitFailure, got ${String(e)}`);
    assert.match(e.message, reason);
    if (exitCode !== undefined) assert.equal(e.exitCode, exitCode);
    return true;
  });
  assert.equal(run.deadline.signal.aborted, false, "it failed before any deadline");
}

/** The create-spec fields that publish container port `containerPort` on 127.0.0.1:`hostPort`. */
export function published(containerPort: number, hostPort: number): Partial<ContainerCreateSpec> {
  const key = `${containerPort}/tcp`;
  return { ExposedPorts: { [key]: {} }, HostConfig: { PortBindings: { [key]: [{ HostIp: "127.0.0.1", HostPort: String(hostPort) }] } } };
}

export interface Listening {
  port: number;
  close(): Promise<void>;
}

function listening(server: Server | ReturnType<typeof createTcpServer>): Promise<Listening> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ port, close: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}

/** An HTTP server on 127.0.0.1 answering every request with `status` and `body`. */
export function httpServer(status: number, body = ""): Promise<Listening> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "text/plain", connection: "close" });
    res.end(body);
  });
  return listening(server);
}

/** A TCP server on 127.0.0.1 that accepts and holds connections (something is listening). */
export async function tcpServer(): Promise<Listening> {
  const sockets = new Set<import("node:net").Socket>();
  const server = createTcpServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const l = await listening(server);
  return {
    port: l.port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await l.close();
    },
  };
}

/** A port on 127.0.0.1 nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const l = await tcpServer();
  await l.close();
  return l.port;
}
