import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ServiceGraph } from "../../src/graph/graph.js";
import { criticalOrder, limiter, walkGraph } from "../../src/graph/scheduler.js";
import { FlotillaError, isFlotillaError } from "../../src/errors.js";
import type { ServiceConfig } from "../../src/spec/model.js";

const on = (...names: string[]): ServiceConfig => ({
  depends_on: Object.fromEntries(names.map((n) => [n, { condition: "service_started" as const, required: true }])),
});

// db <- api <- web ; cache <- web ; worker <- db
const graph = ServiceGraph.fromServices({ web: on("api", "cache"), api: on("db"), db: {}, cache: {}, worker: on("db") });

/** A deferred visit the test resolves by hand, to observe exactly what runs when. */
function controlled() {
  const pending = new Map<string, { resolve: () => void; reject: (e: unknown) => void }>();
  const started: string[] = [];
  let notify: (() => void) | undefined;
  const visit = (s: string) =>
    new Promise<void>((resolve, reject) => {
      started.push(s);
      pending.set(s, { resolve, reject });
      notify?.();
    });
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  const finish = async (s: string) => {
    const p = pending.get(s);
    assert.ok(p, `${s} is running`);
    pending.delete(s);
    p.resolve();
    await settle();
  };
  const fail = async (s: string, e: unknown) => {
    const p = pending.get(s);
    assert.ok(p, `${s} is running`);
    pending.delete(s);
    p.reject(e);
    await settle();
  };
  return { visit, started, pending, finish, fail, settle };
}

describe("walkGraph", () => {
  test("up: a service starts as soon as its own dependencies are done", async () => {
    const c = controlled();
    const done = walkGraph(graph, { direction: "up" }, c.visit);
    await c.settle();
    assert.deepEqual(c.started.sort(), ["cache", "db"]);
    await c.finish("db");
    assert.deepEqual([...c.pending.keys()].sort(), ["api", "cache", "worker"]);
    await c.finish("api");
    assert.ok(!c.pending.has("web"), "web still waits for cache");
    await c.finish("cache");
    assert.ok(c.pending.has("web"));
    await c.finish("web");
    await c.finish("worker");
    await done;
    assert.equal(c.started.length, 5);
  });

  test("down: a service is visited after all its dependents", async () => {
    const order: string[] = [];
    await walkGraph(graph, { direction: "down" }, async (s) => {
      await new Promise((r) => setImmediate(r));
      order.push(s);
    });
    assert.equal(order.length, 5);
    const at = (s: string) => order.indexOf(s);
    assert.ok(at("web") < at("api") && at("api") < at("db") && at("worker") < at("db") && at("web") < at("cache"));
  });

  test("services limits the walk and ignores edges leaving the set", async () => {
    const visited: string[] = [];
    await walkGraph(graph, { direction: "up", services: ["web", "api", "nope"] }, async (s) => {
      visited.push(s);
    });
    assert.deepEqual(visited, ["api", "web"]);
  });

  test("concurrency bounds the visits in flight", async () => {
    const wide = ServiceGraph.fromServices(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`s${i}`, {}])));
    let inFlight = 0;
    let peak = 0;
    await walkGraph(wide, { direction: "up", concurrency: 3 }, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    });
    assert.equal(peak, 3);
  });

  test("the first failure stops new visits, waits for running ones, and rejects with it unchanged", async () => {
    const c = controlled();
    const boom = new FlotillaError("CONTAINER_FAILED", "db failed");
    const done = walkGraph(graph, { direction: "up" }, c.visit);
    const outcome = done.then(
      () => "resolved",
      (e: unknown) => e,
    );
    await c.settle();
    await c.fail("db", boom);
    assert.deepEqual(c.started.sort(), ["cache", "db"], "nothing new starts after the failure");
    let settled = false;
    void outcome.then(() => (settled = true));
    await c.settle();
    assert.equal(settled, false, "still waiting for cache");
    await c.finish("cache");
    assert.equal(await outcome, boom);
    assert.deepEqual(c.started.sort(), ["cache", "db"]);
  });

  test("a visit that throws synchronously also rejects the walk", async () => {
    const err = new Error("sync");
    await assert.rejects(
      walkGraph(graph, { direction: "up" }, (s) => {
        if (s === "db") throw err;
        return Promise.resolve();
      }),
      (e: unknown) => e === err,
    );
  });

  test("abort rejects with ABORTED after the running visits end", async () => {
    const c = controlled();
    const ac = new AbortController();
    const done = walkGraph(graph, { direction: "up", signal: ac.signal }, c.visit);
    let settled = false;
    const outcome = done.then(
      () => "resolved",
      (e: unknown) => {
        settled = true;
        return e;
      },
    );
    await c.settle();
    ac.abort();
    await c.finish("db");
    assert.equal(settled, false, "still waiting for cache");
    await c.finish("cache");
    const e = await outcome;
    assert.ok(isFlotillaError(e) && e.code === "ABORTED");
    assert.deepEqual(c.started.sort(), ["cache", "db"]);
  });

  test("an already aborted signal visits nothing", async () => {
    const visited: string[] = [];
    await assert.rejects(
      walkGraph(graph, { direction: "up", signal: AbortSignal.abort() }, async (s) => {
        visited.push(s);
      }),
      (e: unknown) => isFlotillaError(e) && e.code === "ABORTED",
    );
    assert.deepEqual(visited, []);
  });

  test("a cycle rejects with DEPENDENCY_CYCLE instead of hanging", async () => {
    const cyclic = ServiceGraph.fromServices({ a: on("b"), b: on("a") });
    await assert.rejects(walkGraph(cyclic, { direction: "up" }, async () => {}), (e: unknown) => isFlotillaError(e) && e.code === "DEPENDENCY_CYCLE");
  });

  test("an empty selection resolves without visiting", async () => {
    let n = 0;
    await walkGraph(graph, { direction: "down", services: [] }, async () => {
      n++;
    });
    assert.equal(n, 0);
  });
});

describe("limiter", () => {
  test("runs at most n at once, in FIFO order, and returns each result", async () => {
    const limit = limiter(2);
    let inFlight = 0;
    let peak = 0;
    const startedOrder: number[] = [];
    const results = await Promise.all(
      [5, 1, 3, 1, 2, 1].map((ms, i) =>
        limit(async () => {
          startedOrder.push(i);
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, ms));
          inFlight--;
          return i * 10;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(results, [0, 10, 20, 30, 40, 50]);
    assert.deepEqual(startedOrder, [0, 1, 2, 3, 4, 5]);
  });

  test("a rejection (or a synchronous throw) frees its slot", async () => {
    const limit = limiter(1);
    await assert.rejects(limit(() => Promise.reject(new Error("x"))), /x/);
    await assert.rejects(
      limit(() => {
        throw new Error("sync");
      }),
      /sync/,
    );
    assert.equal(await limit(async () => "still works"), "still works");
  });

  test("rejects a limit below 1", () => {
    assert.throws(() => limiter(0), RangeError);
  });
});

describe("limiter: the urgent lane", () => {
  test("queued urgent jobs run before queued ordinary ones, each lane in FIFO order", async () => {
    const limit = limiter(1);
    const order: string[] = [];
    let open!: () => void;
    const first = limit(() => new Promise<void>((r) => (open = r)).then(() => order.push("first")));
    const jobs = [limit(async () => order.push("c1")), limit(async () => order.push("u1"), true), limit(async () => order.push("c2")), limit(async () => order.push("u2"), true)];
    open();
    await Promise.all([first, ...jobs]);
    assert.deepEqual(order, ["first", "u1", "u2", "c1", "c2"]);
  });
});

describe("criticalOrder", () => {
  test("by depth, then the longest chain of dependents first, then the graph's order", () => {
    // db <- api <- web ; cache <- web ; worker <- db
    assert.deepEqual(criticalOrder(graph, graph.services), ["db", "cache", "api", "worker", "web"]);
    assert.deepEqual(criticalOrder(graph, ["web", "cache"]), ["cache", "web"]);
  });
});
