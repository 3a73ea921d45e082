import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { serviceConfigHash, diffServiceConfig, canonicalJson } from "../../src/spec/hash.js";
import type { ServiceConfig } from "../../src/spec/model.js";

const base = (): ServiceConfig => ({
  image: "flotilla-busybox:latest",
  command: ["sleep", "60"],
  environment: { GREETING: "hello", OTHER: "x" },
  ports: [{ mode: "ingress", target: 80, published: "8080", protocol: "tcp" }],
  labels: { "com.example": "a" },
  networks: { default: null },
  depends_on: { db: { condition: "service_started", required: true } },
});

describe("serviceConfigHash", () => {
  test("is a sha256 hex digest, stable across runs and key order", () => {
    const h = serviceConfigHash(base());
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.equal(serviceConfigHash(base()), h);
    const reordered: ServiceConfig = {
      depends_on: { db: { required: true, condition: "service_started" } },
      networks: { default: null },
      labels: { "com.example": "a" },
      ports: [{ protocol: "tcp", published: "8080", target: 80, mode: "ingress" }],
      environment: { OTHER: "x", GREETING: "hello" },
      command: ["sleep", "60"],
      image: "flotilla-busybox:latest",
    };
    assert.equal(serviceConfigHash(reordered), h);
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: [{ f: 1, e: 2 }] } }), '{"a":{"c":[{"e":2,"f":1}],"d":2},"b":1}');
  });

  test("changes when anything that affects the container changes", () => {
    const h = serviceConfigHash(base());
    const changed: [string, (s: ServiceConfig) => void][] = [
      ["environment", (s) => (s.environment!["GREETING"] = "bye")],
      ["ports", (s) => (s.ports![0]!.published = "8081")],
      ["image", (s) => (s.image = "other:1")],
      ["command", (s) => (s.command = ["sleep", "61"])],
      ["labels", (s) => (s.labels!["com.example"] = "b")],
      ["deploy.resources", (s) => (s.deploy = { resources: { limits: { memory: "64m" } } })],
    ];
    for (const [what, change] of changed) {
      const s = base();
      change(s);
      assert.notEqual(serviceConfigHash(s), h, `${what} should change the hash`);
    }
  });

  test("ignores build, pull_policy, scale, replicas, depends_on, profiles, develop and com.docker.compose.* labels", () => {
    const h = serviceConfigHash(base());
    const s = base();
    s.depends_on = { cache: { condition: "service_healthy", required: false } };
    s.scale = 3;
    s.deploy = { replicas: 3 };
    s.build = { context: "/work/proj", dockerfile: "Dockerfile" };
    s.pull_policy = "always";
    s.profiles = ["debug"];
    s.develop = { watch: [{ path: "/work/proj/src", action: "rebuild" }] };
    s.labels = { ...s.labels, "com.docker.compose.project": "proj" };
    assert.equal(serviceConfigHash(s), h);
  });
});

describe("diffServiceConfig", () => {
  test("lists changed leaf paths for maps and whole arrays", () => {
    const a = base();
    const b = base();
    b.environment = { GREETING: "bye", OTHER: "x", NEW: "1" };
    b.ports = [{ mode: "ingress", target: 80, published: "9090", protocol: "tcp" }];
    b.image = "other:1";
    b.healthcheck = { test: ["CMD", "true"] };
    b.scale = 4;
    b.depends_on = {};
    assert.deepEqual(diffServiceConfig(a, b), ["environment.GREETING", "environment.NEW", "healthcheck", "image", "ports"]);
  });
  test("is empty for equal services and for ignored differences", () => {
    const b = base();
    b.profiles = ["x"];
    b.labels = { ...b.labels, "com.docker.compose.oneoff": "False" };
    assert.deepEqual(diffServiceConfig(base(), b), []);
  });
});
