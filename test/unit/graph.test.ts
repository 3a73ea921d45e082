import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ServiceGraph } from "../../src/graph/graph.js";
import { ConfigError } from "../../src/errors.js";

const dep = (condition: "service_started" | "service_healthy" | "service_completed_successfully" = "service_started", required = true, restart = false) => ({ condition, required, restart });

describe("ServiceGraph edges", () => {
  test("depends_on edges keep condition, required and restart", () => {
    const g = ServiceGraph.fromServices({
      web: { depends_on: { db: dep("service_healthy", true, true), cache: dep("service_started", false) } },
      db: {},
      cache: {},
    });
    assert.deepEqual(g.dependencies("web"), [
      { service: "db", condition: "service_healthy", required: true, restart: true },
      { service: "cache", condition: "service_started", required: false, restart: false },
    ]);
    assert.deepEqual(g.dependents("db"), ["web"]);
    assert.deepEqual(g.dependents("web"), []);
    assert.deepEqual(g.services, ["web", "db", "cache"]);
  });

  test("implicit edges from links, service: namespaces and volumes_from, deduplicated", () => {
    const g = ServiceGraph.fromServices({
      app: {
        links: ["db:database", "db"],
        network_mode: "service:vpn",
        ipc: "service:shm",
        pid: "host",
        volumes_from: ["data:ro", "container:external", "data"],
        depends_on: { vpn: dep("service_healthy") },
      },
      db: {},
      vpn: {},
      shm: {},
      data: {},
    });
    const edges = g.dependencies("app");
    assert.deepEqual(edges.map((e) => e.service).sort(), ["data", "db", "shm", "vpn"]);
    // the explicit depends_on wins over the implicit network_mode edge
    assert.equal(edges.find((e) => e.service === "vpn")?.condition, "service_healthy");
    assert.equal(edges.find((e) => e.service === "db")?.restart, true);
    assert.equal(edges.find((e) => e.service === "data")?.restart, false);
    assert.equal(edges.find((e) => e.service === "shm")?.condition, "service_started");
  });

  test("dependencies on services not in the map are ignored", () => {
    const g = ServiceGraph.fromServices({ web: { depends_on: { gone: dep() }, links: ["also-gone"] } });
    assert.deepEqual(g.dependencies("web"), []);
    assert.deepEqual(g.order(), ["web"]);
  });
});

describe("ServiceGraph restartClosure", () => {
  test("adds dependents with restart: true, transitively; not plain dependents", () => {
    const g = ServiceGraph.fromServices({
      db: {},
      api: { depends_on: { db: dep("service_healthy", true, true) } },
      web: { depends_on: { api: dep("service_started", true, true) } },
      worker: { depends_on: { db: dep() } },
      sidecar: { network_mode: "service:api" },
    });
    assert.deepEqual([...g.restartClosure(["db"])].sort(), ["api", "db", "sidecar", "web"]);
    assert.deepEqual([...g.restartClosure(["worker"])], ["worker"]);
    assert.deepEqual([...g.restartClosure(["nope"])], []);
  });
});

describe("ServiceGraph closures and order", () => {
  const g = ServiceGraph.fromServices({
    proxy: { depends_on: { web: dep() } },
    web: { depends_on: { api: dep(), static: dep() } },
    api: { depends_on: { db: dep("service_healthy") } },
    static: {},
    db: {},
    worker: { depends_on: { db: dep() } },
    lonely: {},
  });

  test("closure: the services and everything they need", () => {
    assert.deepEqual([...g.closure(["web"])].sort(), ["api", "db", "static", "web"]);
    assert.deepEqual([...g.closure(["worker", "lonely"])].sort(), ["db", "lonely", "worker"]);
    assert.deepEqual([...g.closure(["nope"])], []);
  });

  test("dependentClosure: the services and everything that needs them", () => {
    assert.deepEqual([...g.dependentClosure(["db"])].sort(), ["api", "db", "proxy", "web", "worker"]);
    assert.deepEqual([...g.dependentClosure(["static"])].sort(), ["proxy", "static", "web"]);
  });

  test("order puts every dependency before its dependents", () => {
    const order = g.order();
    assert.equal(order.length, 7);
    assert.deepEqual(new Set(order), new Set(g.services));
    for (const s of g.services) {
      for (const d of g.dependencies(s)) assert.ok(order.indexOf(d.service) < order.indexOf(s), `${d.service} before ${s}`);
    }
    assert.equal(g.findCycle(), undefined);
  });
});

describe("ServiceGraph cycles", () => {
  test("findCycle names the closed path", () => {
    const g = ServiceGraph.fromServices({
      alpha: { depends_on: { beta: dep() } },
      beta: { depends_on: { gamma: dep() } },
      gamma: { depends_on: { alpha: dep() } },
      delta: { depends_on: { alpha: dep() } },
    });
    assert.deepEqual(g.findCycle(), ["alpha", "beta", "gamma", "alpha"]);
  });

  test("order throws ConfigError DEPENDENCY_CYCLE with the path", () => {
    const g = ServiceGraph.fromServices({
      start: { depends_on: { alpha: dep() } },
      alpha: { depends_on: { beta: dep() } },
      beta: { volumes_from: ["alpha"] },
    });
    assert.throws(
      () => g.order(),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.code, "DEPENDENCY_CYCLE");
        assert.match(e.message, /alpha -> beta -> alpha/);
        assert.ok(e.hint);
        return true;
      },
    );
  });

  test("a self-dependency is a cycle", () => {
    const g = ServiceGraph.fromServices({ solo: { network_mode: "service:solo" } });
    assert.deepEqual(g.findCycle(), ["solo", "solo"]);
  });
});
