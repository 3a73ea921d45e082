import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { isValidProjectName, normalizeProjectName, resolveProjectName } from "../../src/spec/project-name.js";
import { ConfigError } from "../../src/errors.js";

describe("normalizeProjectName", () => {
  test("lower-cases, drops characters outside [a-z0-9_-], trims leading _ and -", () => {
    assert.equal(normalizeProjectName("My App.v2"), "myappv2");
    assert.equal(normalizeProjectName("__-Web_Site-1"), "web_site-1");
    assert.equal(normalizeProjectName("héllo wörld"), "hllowrld");
    assert.equal(normalizeProjectName("..."), "");
  });
  test("validity", () => {
    assert.equal(isValidProjectName("web-1_a"), true);
    assert.equal(isValidProjectName("Web"), false);
    assert.equal(isValidProjectName("-web"), false);
    assert.equal(isValidProjectName("we b"), false);
  });
});

describe("resolveProjectName precedence", () => {
  const base = { projectDir: "/home/me/My.Project", env: {} as Record<string, string> };

  test("-p wins over everything", () => {
    const r = resolveProjectName({ ...base, flag: "flagname", env: { COMPOSE_PROJECT_NAME: "envname" }, fromFile: { value: "filename" } });
    assert.deepEqual(r, { name: "flagname", source: "flag" });
  });
  test("COMPOSE_PROJECT_NAME wins over name: and the directory", () => {
    const r = resolveProjectName({ ...base, env: { COMPOSE_PROJECT_NAME: "envname" }, fromFile: { value: "filename" } });
    assert.deepEqual(r, { name: "envname", source: "env" });
  });
  test("top-level name: is normalized", () => {
    const r = resolveProjectName({ ...base, fromFile: { value: "My Stack!" } });
    assert.deepEqual(r, { name: "mystack", source: "file" });
  });
  test("falls back to the normalized directory name", () => {
    assert.deepEqual(resolveProjectName(base), { name: "myproject", source: "directory" });
  });
  test("an empty COMPOSE_PROJECT_NAME is ignored", () => {
    assert.equal(resolveProjectName({ ...base, env: { COMPOSE_PROJECT_NAME: "" } }).name, "myproject");
  });
});

describe("resolveProjectName errors", () => {
  const isNameError = (re: RegExp) => (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.code, "PROJECT_NAME");
    assert.match(e.message, re);
    assert.ok(e.hint && e.hint.length > 0);
    return true;
  };
  test("invalid -p is an error (not normalized)", () => {
    assert.throws(() => resolveProjectName({ projectDir: "/x/ok", env: {}, flag: "My App" }), isNameError(/"My App" \(from -p\)/));
  });
  test("invalid COMPOSE_PROJECT_NAME is an error with a suggestion", () => {
    assert.throws(
      () => resolveProjectName({ projectDir: "/x/ok", env: { COMPOSE_PROJECT_NAME: "_Bad" } }),
      (e: unknown) => isNameError(/COMPOSE_PROJECT_NAME/)(e) && /COMPOSE_PROJECT_NAME=bad/.test((e as ConfigError).hint ?? ""),
    );
  });
  test("name: that normalizes to nothing is an error with its location", () => {
    assert.throws(
      () => resolveProjectName({ projectDir: "/x/ok", env: {}, fromFile: { value: "!!!", location: { file: "c.yaml", line: 1, col: 7 } } }),
      (e: unknown) => isNameError(/empty once normalized/)(e) && (e as ConfigError).issues[0]!.location?.line === 1,
    );
  });
  test("a directory name that normalizes to nothing is an error", () => {
    assert.throws(() => resolveProjectName({ projectDir: "/x/___", env: {} }), isNameError(/cannot derive a project name/));
  });
});
