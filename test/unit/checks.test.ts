import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from "yaml";
import { IssueCollector, type ConfigIssue } from "../../src/errors.js";
import { Locations, type PathSegment } from "../../src/spec/locations.js";
import { normalizeModel } from "../../src/spec/normalize.js";
import { checkModel, closestName, findDependencyCycles } from "../../src/spec/checks.js";

const FILE = "/work/proj/compose.yaml";

/** Parse YAML and record where every key and sequence item starts (what the real parser stage does). */
function parseWithLocations(text: string): { raw: Record<string, unknown>; locations: Locations } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const locations = new Locations();
  const at = (offset: number) => {
    const p = lc.linePos(offset);
    return { file: FILE, line: p.line, col: p.col };
  };
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const range = (pair.key as Node | null)?.range;
        if (range) locations.set([...path, key], at(range[0]));
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const range = (item as Node | null)?.range;
        if (range) locations.set([...path, i], at(range[0]));
        walk(item, [...path, i]);
      });
    }
  };
  walk(doc.contents, []);
  return { raw: doc.toJS() as Record<string, unknown>, locations };
}

function check(text: string): ConfigIssue[] {
  const { raw, locations } = parseWithLocations(text);
  const issues = new IssueCollector();
  const model = normalizeModel(raw, { projectName: "proj", workingDir: "/work/proj", environment: {}, locations, issues, readFile: () => "" });
  assert.deepEqual(issues.issues, [], "the fixture itself normalizes cleanly");
  checkModel(model, locations, issues);
  return issues.issues;
}

function only(issues: ConfigIssue[]): ConfigIssue {
  assert.equal(issues.length, 1, `expected one issue, got: ${issues.map((i) => i.message).join(" | ")}`);
  return issues[0]!;
}

describe("service references", () => {
  test("a clean project has no issues", () => {
    assert.deepEqual(
      check(`
services:
  web:
    image: i
    depends_on: [db]
    volumes: [data:/data]
    secrets: [token]
  db:
    image: i
volumes:
  data:
secrets:
  token:
    file: ./t
`),
      [],
    );
  });
  test("depends_on an unknown service: path, line and a suggestion", () => {
    const i = only(
      check(`services:
  web:
    image: i
    depends_on:
      - databse
  database:
    image: i
`),
    );
    assert.equal(i.code, "CONFIG_INVALID");
    assert.equal(i.path, "services.web.depends_on.databse");
    assert.match(i.message, /undefined service "databse"/);
    assert.equal(i.hint, 'did you mean "database"?');
    // normalized depends_on is a map: the location falls back to the depends_on key (line 4)
    assert.deepEqual(i.location, { file: FILE, line: 4, col: 5 });
  });
  test("links, network_mode and volumes_from naming unknown services (reported once each)", () => {
    const issues = check(`services:
  web:
    image: i
    links: ["cache:c"]
    network_mode: "service:proxy"
    volumes_from: ["store:ro", "container:abc"]
`);
    assert.deepEqual(
      issues.map((i) => [i.path, i.location?.line]),
      [
        ["services.web.links[0]", 4],
        ["services.web.network_mode", 5],
        ["services.web.volumes_from[0]", 6],
      ],
    );
  });
  test("a dependency cycle is one DEPENDENCY_CYCLE issue with the path", () => {
    const i = only(
      check(`services:
  alpha:
    image: i
    depends_on: [beta]
  beta:
    image: i
    depends_on: [gamma]
  gamma:
    image: i
    depends_on: [alpha]
`),
    );
    assert.equal(i.code, "DEPENDENCY_CYCLE");
    assert.match(i.message, /alpha -> beta -> gamma -> alpha/);
    assert.equal(i.location?.line, 4);
  });
  test("cycle finder on its own", () => {
    assert.deepEqual(findDependencyCycles({ a: { depends_on: { a: { condition: "service_started", required: true } } } }), [["a", "a"]]);
    assert.deepEqual(findDependencyCycles({ a: { depends_on: { b: { condition: "service_started", required: true } } }, b: {} }), []);
    assert.equal(closestName("webb", ["web", "db"]), "web");
    assert.equal(closestName("zzzzzz", ["web", "db"]), undefined);
  });
});

describe("resource references", () => {
  test("undeclared network, volume, secret and config", () => {
    const issues = check(`services:
  web:
    image: i
    networks: [front]
    volumes:
      - cache:/cache
    secrets: [token]
    configs: [conf]
networks:
  fronts:
`);
    assert.deepEqual(
      issues.map((i) => [i.path, i.location?.line, i.hint]),
      [
        ["services.web.networks.front", 4, 'did you mean "fronts"?'],
        ["services.web.volumes[0]", 6, "declare it under the top-level `volumes:`, or use a path starting with ./ or / for a bind mount"],
        ["services.web.secrets[0]", 7, "declare it under the top-level `secrets:`"],
        ["services.web.configs[0]", 8, "declare it under the top-level `configs:`"],
      ],
    );
  });
  test("a non-external secret needs file or environment", () => {
    const i = only(
      check(`services:
  web: {image: i}
secrets:
  token:
    labels: {a: b}
  ext:
    external: true
`),
    );
    assert.equal(i.path, "secrets.token");
    assert.equal(i.location?.line, 4);
  });
});

describe("attribute checks", () => {
  test("port numbers out of range", () => {
    const issues = check(`services:
  web:
    image: i
    ports:
      - "70000:80"
      - target: 0
      - target: 80
        published: "9000-8000"
`);
    assert.deepEqual(
      issues.map((i) => [i.path, i.location?.line]),
      [
        ["services.web.ports[0]", 5],
        ["services.web.ports[1]", 6],
        ["services.web.ports[2]", 7],
      ],
    );
    assert.match(issues[0]!.message, /70000 is outside/);
    assert.match(issues[2]!.message, /ends before it starts/);
  });
  test("container_name with replicas, network_mode with networks, no image nor build", () => {
    const issues = check(`services:
  web:
    image: i
    container_name: web
    deploy:
      replicas: 2
  net:
    image: i
    network_mode: host
    networks: [default]
  empty:
    restart: always
`);
    assert.deepEqual(
      issues.map((i) => i.path),
      ["services.web.container_name", "services.net.network_mode", "services.empty"],
    );
    assert.equal(issues[0]!.location?.line, 4);
    assert.equal(issues[2]!.location?.line, 11);
  });
  test("shared container_name, negative scale/replicas, healthcheck test form, cpus/memory disagreeing, platform outside build.platforms", () => {
    const issues = check(`services:
  a:
    image: i
    container_name: same
    scale: -1
    healthcheck:
      test: [FOO, x]
  b:
    image: i
    container_name: same
    cpus: 1
    mem_limit: 1g
    deploy:
      replicas: -2
      resources:
        limits:
          cpus: "2"
          memory: 2g
  c:
    image: i
    platform: linux/arm64
    cpus: 0.5
    mem_limit: 1024m
    build:
      context: .
      platforms: [linux/amd64]
    deploy:
      resources:
        limits:
          cpus: "0.5"
          memory: 1g
`);
    assert.deepEqual(
      issues.map((i) => [i.path, i.location?.line]),
      [
        ["services.a.scale", 5],
        ["services.a.healthcheck.test", 7],
        ["services.b.deploy.replicas", 14],
        ["services.b.cpus", 11],
        ["services.b.mem_limit", 12],
        ["services.c.platform", 21],
        ["services.b.container_name", 10],
      ],
    );
    assert.match(issues[1]!.message, /must start with "CMD", "CMD-SHELL" or "NONE" \(got "FOO"\)/);
    assert.match(issues[6]!.message, /services "a" and "b" both use container_name "same"/);
  });

  test("an external network's creation attributes are a warning (Compose accepts and ignores them)", () => {
    const { raw, locations } = parseWithLocations(`services:
  a:
    image: i
    networks: [ext]
networks:
  ext:
    external: true
    driver: overlay
`);
    const issues = new IssueCollector();
    const model = normalizeModel(raw, { projectName: "proj", workingDir: "/work/proj", environment: {}, locations, issues, readFile: () => "" });
    const warnings: string[] = [];
    checkModel(model, locations, issues, warnings);
    assert.deepEqual(issues.issues, []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /:8:5: networks\.ext\.driver: network "ext" is external: "driver" has no effect/);
  });

  test("duplicate targets, dockerfile with dockerfile_inline, sync watch rule without target", () => {
    const issues = check(`services:
  web:
    build:
      context: .
      dockerfile: Dockerfile
      dockerfile_inline: FROM scratch
    volumes:
      - ./a:/data
      - bb:/data/
    develop:
      watch:
        - path: ./src
          action: sync
        - path: ./pkg
          action: rebuild
volumes:
  bb:
`);
    assert.deepEqual(
      issues.map((i) => [i.path, i.location?.line]),
      [
        ["services.web.volumes[1]", 9],
        ["services.web.build.dockerfile_inline", 6],
        ["services.web.develop.watch[0]", 12],
      ],
    );
  });
});
