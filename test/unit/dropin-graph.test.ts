import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { LoadedProject } from "../../src/spec/model.js";
import { graphModel, serviceState, toDot, toMermaid, toSvg } from "../../src/cli/render/graph.js";

const project = {
  model: {
    name: "shop",
    services: {
      web: {
        image: "web",
        ports: [{ mode: "ingress", target: 80, published: "8080", host_ip: "127.0.0.1", protocol: "tcp" }],
        depends_on: { api: { condition: "service_healthy", required: true, restart: true }, cache: { condition: "service_started", required: false } },
        networks: { front: null },
      },
      api: { image: "api", depends_on: { db: { condition: "service_healthy", required: true }, migrate: { condition: "service_completed_successfully", required: true } }, networks: { front: null, back: null } },
      db: { image: "db", networks: { back: null } },
      migrate: { image: "api", network_mode: "service:db" },
      cache: { image: "cache", networks: { 'we"ird': null } },
    },
  },
} as unknown as LoadedProject;

describe("graph model", () => {
  const m = graphModel(project);
  test("edges carry the condition, optional and restart", () => {
    const edge = (from: string, to: string) => m.edges.find((e) => e.from === from && e.to === to);
    assert.deepEqual(edge("web", "api"), { from: "web", to: "api", condition: "healthy", required: true, restart: true });
    assert.deepEqual(edge("web", "cache"), { from: "web", to: "cache", condition: "started", required: false, restart: false });
    assert.equal(edge("api", "migrate")?.condition, "completed");
    assert.equal(edge("migrate", "db")?.condition, "started", "network_mode: service:db is an implicit dependency");
    assert.equal(m.edges.length, 5);
  });
  test("nodes carry ports and networks; no state without an engine", () => {
    const web = m.nodes.find((n) => n.name === "web")!;
    assert.deepEqual(web.ports, ["127.0.0.1:8080→80/tcp"]);
    assert.deepEqual(web.networks, ["front"]);
    assert.equal(web.state, undefined);
    assert.deepEqual(m.nodes.find((n) => n.name === "api")!.networks, ["back", "front"]);
    assert.deepEqual(m.nodes.find((n) => n.name === "db")!.networks, ["back"]);
    assert.deepEqual(m.nodes.find((n) => n.name === "migrate")!.networks, ["mode: service:db"]);
  });
  test("live state per service", () => {
    const live = graphModel(project, [
      { service: "web", state: "running", health: "", exitCode: 0 },
      { service: "api", state: "running", health: "healthy", exitCode: 0 },
      { service: "migrate", state: "exited", health: "", exitCode: 0 },
      { service: "db", state: "exited", health: "", exitCode: 3 },
    ]);
    const st = (n: string) => live.nodes.find((x) => x.name === n)!;
    assert.equal(st("web").state, "running");
    assert.equal(st("api").state, "healthy");
    assert.equal(st("migrate").stateText, "exited (0)");
    assert.equal(st("db").state, "failed");
    assert.equal(st("cache").state, "absent");
    assert.deepEqual(serviceState([{ service: "x", state: "running", health: "", exitCode: 0 }, { service: "x", state: "exited", health: "", exitCode: 1 }]).state, "mixed");
    assert.equal(serviceState([1, 2].map(() => ({ service: "x", state: "running", health: "unhealthy", exitCode: 0 }))).text, "2× unhealthy");
  });
});

describe("graph output", () => {
  const live = graphModel(project, [{ service: "api", state: "running", health: "healthy", exitCode: 0 }]);
  test("Mermaid: a node per service, labelled edges, optional ones dotted, state classes", () => {
    const text = toMermaid(live);
    assert.match(text, /^flowchart LR\n/);
    assert.match(text, /s\d\["web<br\/>\[not created\]<br\/>127\.0\.0\.1:8080→80\/tcp<br\/>net: front"\]/);
    assert.match(text, /s\d -->\|healthy, restart\| s\d/);
    assert.match(text, /s\d -\.->\|started, optional\| s\d/);
    assert.match(text, /classDef healthy fill:/);
    assert.match(text, /we#quot;ird/, "quotes in a label are escaped");
  });
  test("DOT: quoted ids, escaped labels, dashed optional edges, fill by state", () => {
    const text = toDot(live);
    assert.match(text, /^digraph "shop" \{/);
    assert.match(text, /"web" -> "cache" \[label="started, optional", style=dashed\];/);
    assert.match(text, /"api" \[label="api\\n\[healthy\]\\nnet: back, front", fillcolor="#b6e3b6"\];/);
    assert.match(text, /we\\"ird/);
  });
  test("SVG by Graphviz (WebAssembly), offline", async () => {
    const svg = await toSvg(live);
    assert.match(svg, /<svg[\s>]/);
    for (const name of ["web", "api", "db", "migrate", "cache"]) assert.ok(svg.includes(`>${name}</text>`), name);
    assert.ok(svg.includes(">healthy, restart</text>"));
  });
});
