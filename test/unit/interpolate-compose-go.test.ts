/** Issue 14 theme 5: interpolation as compose-go does it (braces in defaults, typed attributes, dns, the project name). */
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { interpolateString, interpolateTree } from "../../src/spec/interpolate.js";
import { Locations } from "../../src/spec/locations.js";
import { IssueCollector } from "../../src/errors.js";
import { loadProject } from "../../src/spec/load.js";
import { loadError } from "../support/spec.js";
import { projectDir, removeProjectDirs } from "../support/project-dir.js";

after(removeProjectDirs);

describe("braces inside a default", () => {
  const env: Record<string, string> = { JSON: "x", EMPTY: "" };
  const cases: Array<[string, string]> = [
    ['${JSON:-{"json":1}}', "x"],
    ['${UNSET:-{"json":1}}', '{"json":1}'],
    ['${EMPTY:-{"a":{"b":2}}}', '{"a":{"b":2}}'],
    ["${UNSET:-{}}", "{}"],
    ["${JSON}}", "x}"],
    ["a${JSON:+{b}}c", "a{b}c"],
    ["${UNSET-${JSON}}/${UNSET:-{x}}", "x/{x}"],
    ["${EMPTY-{kept}}", ""],
  ];
  for (const [template, want] of cases) {
    test(template, () => assert.equal(interpolateString(template, (n) => env[n]).value, want));
  }
  test("an unclosed ${ is still an invalid template", () => {
    assert.throws(() => interpolateString("${JSON", (n) => env[n]), /Invalid template/);
  });
});

function tree(doc: Record<string, unknown>, env: Record<string, string>): { value: any; issues: IssueCollector; warnings: Set<string> } {
  const issues = new IssueCollector();
  const warnings = new Set<string>();
  const value = interpolateTree(doc, (n) => env[n], { locations: new Locations(), path: [], issues, warnings });
  return { value, issues, warnings };
}

describe("typed attributes are converted after interpolation", () => {
  test("numbers", () => {
    const { value, issues } = tree(
      {
        services: {
          web: {
            deploy: { replicas: "$R", update_config: { parallelism: "$N", max_failure_ratio: "0.5" }, restart_policy: { max_attempts: "${N}" } },
            healthcheck: { retries: "${N:-1}" },
            cpus: "1.5",
            pids_limit: "-1",
            ports: [{ target: "$P" }],
            ulimits: { nofile: { soft: "$N", hard: "20" }, nproc: "$N" },
          },
        },
      },
      { N: "3", R: "2", P: "80" },
    );
    assert.equal(issues.size, 0);
    const w = value.services.web;
    assert.equal(w.deploy.replicas, 2);
    assert.equal(w.deploy.update_config.parallelism, 3);
    assert.equal(w.deploy.update_config.max_failure_ratio, 0.5);
    assert.equal(w.deploy.restart_policy.max_attempts, 3);
    assert.equal(w.healthcheck.retries, 3);
    assert.equal(w.cpus, 1.5);
    assert.equal(w.pids_limit, -1);
    assert.equal(w.ports[0].target, 80);
    assert.deepEqual(w.ulimits, { nofile: { soft: 3, hard: 20 }, nproc: 3 });
  });
  test("booleans (YAML 1.1 spellings are left to the normalizer, which warns at their position)", () => {
    const { value, issues, warnings } = tree(
      {
        services: { web: { init: "$T", privileged: "yes", read_only: "FALSE", tty: "off", depends_on: { db: { required: "$T", restart: "false" } }, volumes: [{ read_only: "true", volume: { nocopy: "on" } }] } },
        networks: { n: { external: "true", internal: "$F" } },
        volumes: { v: { external: "false" } },
        secrets: { s: { external: "true" } },
        configs: { c: { external: "no" } },
      },
      { T: "true", F: "false" },
    );
    assert.equal(issues.size, 0);
    const w = value.services.web;
    assert.deepEqual([w.init, w.privileged, w.read_only, w.tty], [true, "yes", false, "off"]);
    assert.deepEqual(w.depends_on.db, { required: true, restart: false });
    assert.deepEqual(w.volumes[0], { read_only: true, volume: { nocopy: "on" } });
    assert.deepEqual([value.networks.n.external, value.networks.n.internal, value.volumes.v.external, value.secrets.s.external, value.configs.c.external], [true, false, false, true, "no"]);
    assert.equal(warnings.size, 0);
  });
  test("a value that is not of the type is an error at the attribute", () => {
    const { issues } = tree({ services: { web: { deploy: { update_config: { parallelism: "$N" } }, init: "maybe" } } }, { N: "three" });
    assert.equal(issues.size, 2);
    assert.equal(issues.issues[0]!.path, "services.web.deploy.update_config.parallelism");
    assert.match(issues.issues[0]!.message, /not an integer/);
    assert.match(issues.issues[1]!.message, /invalid boolean: maybe/);
  });
  test("other strings stay strings (image tags that look like numbers, environment values)", () => {
    const { value } = tree({ services: { web: { image: "$N", environment: { A: "$N", B: "true" }, labels: ["x=$N"] } } }, { N: "3" });
    assert.deepEqual(value.services.web, { image: "3", environment: { A: "3", B: "true" }, labels: ["x=3"] });
  });
  test("loads end to end: parallelism: $N is the number N", async () => {
    const dir = projectDir({ "compose.yaml": "services:\n  web:\n    image: busybox\n    deploy:\n      update_config:\n        parallelism: $N\n" });
    const p = await loadProject({ cwd: dir, env: { N: "4" } });
    assert.equal((p.model.services["web"]!.deploy as any).update_config.parallelism, 4);
  });
});

describe("dns: empty entries are dropped (compose-go's OmitEmpty)", () => {
  const cases: Array<[string, string[]]> = [
    ["dns: ${UNSET}", []],
    ["dns: ['${UNSET}', 1.1.1.1]", ["1.1.1.1"]],
    ["dns: ['', '']", []],
    ["dns: 8.8.8.8", ["8.8.8.8"]],
  ];
  for (const [line, want] of cases) {
    test(line, async () => {
      const dir = projectDir({ "compose.yaml": `services:\n  web:\n    image: busybox\n    ${line}\n` });
      const p = await loadProject({ cwd: dir, env: {} });
      assert.deepEqual(p.model.services["web"]!.dns ?? [], want);
    });
  }
});

describe("${COMPOSE_PROJECT_NAME} in a file that names its project", () => {
  test("container_name: ${COMPOSE_PROJECT_NAME}-web with name: demo is demo-web", async () => {
    const dir = projectDir({ "compose.yaml": "name: demo\nservices:\n  web:\n    image: busybox\n    container_name: ${COMPOSE_PROJECT_NAME}-web\n" });
    const p = await loadProject({ cwd: dir, env: {} });
    assert.equal(p.model.services["web"]!.container_name, "demo-web");
    assert.deepEqual(p.warnings, []);
  });
  test("-p wins over name:", async () => {
    const dir = projectDir({ "compose.yaml": "name: demo\nservices:\n  web:\n    image: busybox\n    container_name: ${COMPOSE_PROJECT_NAME}-web\n" });
    const p = await loadProject({ cwd: dir, env: {}, projectName: "other" });
    assert.equal(p.model.services["web"]!.container_name, "other-web");
  });
  test("a real problem in the file is still reported", async () => {
    const dir = projectDir({ "compose.yaml": "name: demo\nservices:\n  web:\n    image: busybox\n    container_name: ${COMPOSE_PROJECT_NAME}-web\n    ports: 80\n" });
    const e = await loadError({ cwd: dir, env: {} });
    assert.equal(e.issues.length, 1, e.message);
    assert.equal(e.issues[0]!.path, "services.web.ports");
  });
});
