/** Issue 14 theme 2: Compose validates the model merged so far, not each file alone. */
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadProject } from "../../src/spec/load.js";
import { loadError } from "../support/spec.js";
import { projectDir, removeProjectDirs } from "../support/project-dir.js";

after(removeProjectDirs);

const base = "services:\n  web:\n    image: busybox\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: busybox\n";

describe("an override valid only over its base loads", () => {
  test("depends_on entry giving only required: false (the base gives the condition)", async () => {
    const dir = projectDir({ "compose.yaml": base, "compose.override.yaml": "services:\n  web:\n    depends_on:\n      db:\n        required: false\n" });
    const p = await loadProject({ cwd: dir, env: {} });
    assert.equal(p.model.services["web"]!.depends_on?.["db"]?.condition, "service_healthy");
    assert.equal(p.model.services["web"]!.depends_on?.["db"]?.required, false);
  });
  test("depends_on entry giving only restart: true", async () => {
    const dir = projectDir({ "compose.yaml": base, "compose.override.yaml": "services:\n  web:\n    depends_on:\n      db:\n        restart: true\n" });
    const p = await loadProject({ cwd: dir, env: {} });
    assert.equal(p.model.services["web"]!.depends_on?.["db"]?.restart, true);
  });
  test("an empty override file, a comment-only one, and one holding only `---`", async () => {
    for (const body of ["", "# nothing here\n", "---\n"]) {
      const dir = projectDir({ "compose.yaml": base, "compose.override.yaml": body });
      const p = await loadProject({ cwd: dir, env: {} });
      assert.deepEqual(Object.keys(p.model.services).sort(), ["db", "web"]);
    }
  });
  test("a project whose only file is empty is still an error", async () => {
    const dir = projectDir({ "compose.yaml": "# empty\n" });
    const e = await loadError({ cwd: dir, env: {} });
    assert.match(e.issues[0]!.message, /empty compose file/);
  });
  test("the first file alone must be valid (compose-go validates after each merge)", async () => {
    const dir = projectDir({
      "compose.yaml": "services:\n  web:\n    image: busybox\n    depends_on:\n      db:\n        required: false\n  db:\n    image: busybox\n",
      "compose.override.yaml": "services:\n  web:\n    depends_on:\n      db:\n        condition: service_started\n",
    });
    const e = await loadError({ cwd: dir, env: {} });
    assert.equal(e.issues[0]!.location?.file, join(dir, "compose.yaml"));
    assert.match(e.message, /condition/);
  });
  test("an invalid override is reported at its own position", async () => {
    const dir = projectDir({ "compose.yaml": base, "compose.override.yaml": "services:\n  web:\n    ports: 80\n" });
    const e = await loadError({ cwd: dir, env: {} });
    assert.deepEqual(e.issues[0]!.location, { file: join(dir, "compose.override.yaml"), line: 3, col: 5 });
  });
});

describe("extends and include", () => {
  test("a null (or unrelated invalid) service in an extended file does not matter", async () => {
    for (const other of ["  other:\n", "  other:\n    ports: 80\n"]) {
      const dir = projectDir({
        "base.yaml": "services:\n  base:\n    image: busybox\n    environment: [A=1]\n" + other,
        "compose.yaml": "services:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n",
      });
      const p = await loadProject({ cwd: dir, env: {} });
      assert.equal(p.model.services["web"]!.environment?.["A"], "1");
    }
  });
  test("an extended service completed by the extending one (no image in the base)", async () => {
    const dir = projectDir({
      "base.yaml": "services:\n  base:\n    environment: [A=1]\n",
      "compose.yaml": "services:\n  web:\n    image: busybox\n    extends:\n      file: base.yaml\n      service: base\n",
    });
    const p = await loadProject({ cwd: dir, env: {} });
    assert.equal(p.model.services["web"]!.image, "busybox");
  });
  test("the same file included twice", async () => {
    const dir = projectDir({
      "sub/compose.yaml": "services:\n  db:\n    image: busybox\n",
      "compose.yaml": "include:\n  - sub/compose.yaml\n  - sub/compose.yaml\nservices:\n  web:\n    image: busybox\n    depends_on: [db]\n",
    });
    const p = await loadProject({ cwd: dir, env: {} });
    assert.deepEqual(Object.keys(p.model.services).sort(), ["db", "web"]);
  });
  test("an included project's invalid attribute is reported once, at the included file", async () => {
    const dir = projectDir({
      "sub/compose.yaml": "services:\n  db:\n    image: busybox\n    ports: 80\n",
      "compose.yaml": "include:\n  - sub/compose.yaml\nservices:\n  web:\n    image: busybox\n",
    });
    const e = await loadError({ cwd: dir, env: {} });
    assert.equal(e.issues.length, 1, e.message);
    assert.equal(e.issues[0]!.location?.file, join(dir, "sub", "compose.yaml"));
  });
});

describe("<< merge keys", () => {
  const cases: Array<[string, string, Record<string, string>]> = [
    ["an alias to a list of mappings", "x-l: &l\n  - A: a\n  - B: b\n", { A: "a", B: "b" }],
    ["the first mapping of the list wins", "x-l: &l\n  - A: first\n  - A: second\n", { A: "first" }],
    ["an inline list of an alias and a mapping", "x-m: &l\n  A: a\n", { A: "a" }],
  ];
  for (const [name, anchors, want] of cases) {
    test(name, async () => {
      const merge = name.startsWith("an inline") ? "[*l, {B: b}]" : "*l";
      const dir = projectDir({ "compose.yaml": `${anchors}services:\n  web:\n    image: busybox\n    labels:\n      <<: ${merge}\n      C: c\n` });
      const p = await loadProject({ cwd: dir, env: {} });
      const expected = { ...want, C: "c", ...(name.startsWith("an inline") ? { B: "b" } : {}) };
      assert.deepEqual(p.model.services["web"]!.labels, expected);
    });
  }
  test("an alias to a scalar is still refused at its position", async () => {
    const dir = projectDir({ "compose.yaml": 'x-s: &s "no"\nservices:\n  web:\n    image: busybox\n    labels:\n      <<: *s\n' });
    const e = await loadError({ cwd: dir, env: {} });
    assert.match(e.issues[0]!.message, /merge key/);
    assert.equal(e.issues[0]!.location?.line, 6);
  });
});
