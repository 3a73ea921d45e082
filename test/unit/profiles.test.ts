import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { activeProfiles, applyProfiles, serviceDependencies } from "../../src/spec/profiles.js";
import { Locations } from "../../src/spec/locations.js";
import { IssueCollector } from "../../src/errors.js";
import type { ServiceConfig } from "../../src/spec/model.js";

const started = { condition: "service_started" as const, required: true };

// The same shape as fixtures/profiles-basic/compose.yaml, already normalized.
function services(): Record<string, ServiceConfig> {
  return {
    web: { image: "i" },
    db: { image: "i", profiles: ["dev"] },
    mock: { image: "i", profiles: ["dev"], depends_on: { db: started } },
    debug: { image: "i", profiles: ["debug"], depends_on: { db: started } },
    tools: { image: "i", profiles: ["tools"], depends_on: { helper: started } },
    helper: { image: "i", profiles: ["helpers"] },
    optional: { image: "i", profiles: ["opt"], depends_on: { db: { condition: "service_started", required: false } } },
  };
}

function run(profiles: string[], requested?: string[]) {
  const issues = new IssueCollector();
  const locations = new Locations();
  locations.set(["services", "tools", "depends_on", "helper"], { file: "compose.yaml", line: 19, col: 7 });
  const r = applyProfiles(services(), profiles, requested, locations, issues);
  return { ...r, issues: issues.issues, on: Object.keys(r.enabled).sort(), off: Object.keys(r.disabled).sort() };
}

describe("activeProfiles", () => {
  test("--profile values win over COMPOSE_PROFILES", () => {
    assert.deepEqual(activeProfiles(["a", "b"], { COMPOSE_PROFILES: "c" }), ["a", "b"]);
  });
  test("COMPOSE_PROFILES is a comma list (spaces and duplicates dropped)", () => {
    assert.deepEqual(activeProfiles([], { COMPOSE_PROFILES: "dev, debug,,dev" }), ["dev", "debug"]);
    assert.deepEqual(activeProfiles(undefined, {}), []);
  });
});

describe("applyProfiles", () => {
  test("no active profile: only services without profiles", () => {
    const r = run([]);
    assert.deepEqual(r.on, ["web"]);
    assert.deepEqual(r.off, ["db", "debug", "helper", "mock", "optional", "tools"]);
    assert.equal(r.issues.length, 0);
  });

  test("--profile dev enables its services", () => {
    const r = run(["dev"]);
    assert.deepEqual(r.on, ["db", "mock", "web"]);
    assert.equal(r.issues.length, 0);
  });

  test("several profiles (as from COMPOSE_PROFILES)", () => {
    const r = run(activeProfiles([], { COMPOSE_PROFILES: "dev,debug" }));
    assert.deepEqual(r.on, ["db", "debug", "mock", "web"]);
  });

  test("* enables every service", () => {
    const r = run(["*"]);
    assert.deepEqual(r.off, []);
    assert.equal(r.on.length, 7);
  });

  test("a named service is enabled with its dependencies and its profile becomes active", () => {
    const r = run([], ["debug"]);
    assert.deepEqual(r.on, ["db", "debug", "web"]);
    assert.deepEqual(r.profiles, ["debug"]);
    assert.equal(r.issues.length, 0);
  });

  test("named service dependencies are followed transitively (links, volumes_from, network_mode)", () => {
    const s: Record<string, ServiceConfig> = {
      a: { image: "i", profiles: ["x"], links: ["b:alias"] },
      b: { image: "i", profiles: ["y"], volumes_from: ["c:ro"] },
      c: { image: "i", profiles: ["z"], network_mode: "service:d" },
      d: { image: "i", profiles: ["w"] },
      e: { image: "i", profiles: ["w"] },
    };
    const issues = new IssueCollector();
    const r = applyProfiles(s, [], ["a"], new Locations(), issues);
    assert.deepEqual(Object.keys(r.enabled).sort(), ["a", "b", "c", "d"]);
    assert.deepEqual(Object.keys(r.disabled), ["e"]);
    assert.equal(issues.size, 0);
  });

  test("a required dependency on a disabled service is an error naming both and the profile", () => {
    const r = run(["tools"]);
    assert.equal(r.issues.length, 1);
    const issue = r.issues[0]!;
    assert.equal(issue.code, "CONFIG_INVALID");
    assert.match(issue.message, /"tools" depends on service "helper"/);
    assert.match(issue.hint ?? "", /--profile helpers/);
    assert.deepEqual(issue.location, { file: "compose.yaml", line: 19, col: 7 });
    assert.equal(issue.path, "services.tools.depends_on.helper");
  });

  test("an optional dependency on a disabled service is dropped, not an error", () => {
    const r = run(["opt"]);
    assert.equal(r.issues.length, 0);
    assert.deepEqual(r.on, ["optional", "web"]);
    assert.deepEqual(r.enabled["optional"]!.depends_on, {});
  });

  test("an unknown named service is reported", () => {
    const r = run([], ["nope"]);
    assert.equal(r.issues[0]?.code, "NO_SUCH_SERVICE");
    assert.match(r.issues[0].hint ?? "", /web/);
  });

  test("serviceDependencies collects every kind of reference", () => {
    assert.deepEqual(
      serviceDependencies({
        depends_on: { a: started },
        links: ["b", "c:alias"],
        volumes_from: ["d", "container:x"],
        network_mode: "service:e",
        ipc: "service:f",
      }).sort(),
      ["a", "b", "c", "d", "e", "f"],
    );
  });
});
