import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { discoverComposeFiles, type LoaderFs } from "../../src/spec/discover.js";
import { ConfigError } from "../../src/errors.js";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
const fx = (...p: string[]): string => join(root, "fixtures", ...p);

function memFs(files: Record<string, string>): LoaderFs {
  return {
    isFile: (p) => p in files,
    readFile: (p) => {
      const v = files[p];
      if (v === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });
      return v;
    },
  };
}

describe("discoverComposeFiles", () => {
  test("finds compose.yaml and its override in the working directory", () => {
    const r = discoverComposeFiles({ cwd: fx("load-discovery"), env: {} });
    assert.deepEqual(r.files, [fx("load-discovery", "compose.yaml"), fx("load-discovery", "compose.override.yaml")]);
    assert.equal(r.projectDir, fx("load-discovery"));
    assert.equal(r.source, "search");
    assert.deepEqual(r.warnings, []);
  });

  test("walks up parent directories; the project dir is where the file was found", () => {
    const r = discoverComposeFiles({ cwd: fx("load-discovery", "sub", "deeper"), env: {} });
    assert.equal(r.files[0], fx("load-discovery", "compose.yaml"));
    assert.equal(r.projectDir, fx("load-discovery"));
  });

  test("several candidate names in one directory: first wins, with a warning", () => {
    const r = discoverComposeFiles({ cwd: fx("load-multiple"), env: {} });
    assert.deepEqual(r.files, [fx("load-multiple", "compose.yaml")]);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /multiple config files/);
    assert.match(r.warnings[0]!, /docker-compose\.yml/);
  });

  test("docker-compose.yml gets docker-compose.override.yml", () => {
    const r = discoverComposeFiles({ cwd: fx("load-dockercompose"), env: {} });
    assert.deepEqual(r.files, [
      fx("load-dockercompose", "docker-compose.yml"),
      fx("load-dockercompose", "docker-compose.override.yml"),
    ]);
  });

  test("-f files are relative to cwd, keep their order and skip discovery (no override added)", () => {
    const r = discoverComposeFiles({ cwd: fx("load-discovery"), env: {}, files: ["other.yaml", "compose.yaml"] });
    assert.deepEqual(r.files, [fx("load-discovery", "other.yaml"), fx("load-discovery", "compose.yaml")]);
    assert.equal(r.source, "flag");
    assert.equal(r.projectDir, fx("load-discovery"));
  });

  test("-f wins over COMPOSE_FILE", () => {
    const r = discoverComposeFiles({
      cwd: fx("load-discovery"),
      env: { COMPOSE_FILE: "compose.yaml" },
      files: ["other.yaml"],
    });
    assert.deepEqual(r.files, [fx("load-discovery", "other.yaml")]);
  });

  test("COMPOSE_FILE is split on ':' by default and on COMPOSE_PATH_SEPARATOR when set", () => {
    const a = discoverComposeFiles({ cwd: fx("load-discovery"), env: { COMPOSE_FILE: "compose.yaml:other.yaml" } });
    assert.deepEqual(a.files, [fx("load-discovery", "compose.yaml"), fx("load-discovery", "other.yaml")]);
    assert.equal(a.source, "env");
    const b = discoverComposeFiles({
      cwd: fx("load-discovery"),
      env: { COMPOSE_FILE: "other.yaml;compose.yaml", COMPOSE_PATH_SEPARATOR: ";" },
    });
    assert.deepEqual(b.files, [fx("load-discovery", "other.yaml"), fx("load-discovery", "compose.yaml")]);
  });

  test("stdin: project dir is cwd unless --project-directory", () => {
    const r = discoverComposeFiles({ cwd: "/work/x", env: {}, files: ["-"], fs: memFs({}) });
    assert.deepEqual(r.files, ["-"]);
    assert.equal(r.projectDir, "/work/x");
    const r2 = discoverComposeFiles({ cwd: "/work/x", env: {}, files: ["-"], projectDirectory: "../y", fs: memFs({}) });
    assert.equal(r2.projectDir, "/work/y");
  });

  test("--project-directory overrides the first file's directory", () => {
    const r = discoverComposeFiles({ cwd: fx("load-discovery"), env: {}, projectDirectory: "sub" });
    assert.equal(r.projectDir, fx("load-discovery", "sub"));
    assert.equal(r.files[0], fx("load-discovery", "compose.yaml"));
  });

  test("with --project-directory the search starts there", () => {
    const r = discoverComposeFiles({ cwd: "/", env: {}, projectDirectory: fx("load-dockercompose") });
    assert.equal(r.files[0], fx("load-dockercompose", "docker-compose.yml"));
    assert.equal(r.projectDir, fx("load-dockercompose"));
  });

  test("nothing found → CONFIG_NOT_FOUND with a hint", () => {
    assert.throws(
      () => discoverComposeFiles({ cwd: "/a/b", env: {}, fs: memFs({ "/a/b/other.yml": "" }) }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.code, "CONFIG_NOT_FOUND");
        assert.match(e.message, /no compose file found in \/a\/b/);
        assert.match(e.hint ?? "", /compose\.yaml.*-f/);
        return true;
      },
    );
  });

  test("a missing -f file → CONFIG_NOT_FOUND naming it", () => {
    assert.throws(
      () => discoverComposeFiles({ cwd: fx("load-discovery"), env: {}, files: ["nope.yaml"] }),
      (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_NOT_FOUND" && e.message.includes(fx("load-discovery", "nope.yaml")),
    );
  });

  test("in-memory fs: search stops at the nearest directory with a file", () => {
    const fs = memFs({ "/p/compose.yml": "", "/p/q/docker-compose.yaml": "", "/p/q/compose.override.yml": "" });
    const r = discoverComposeFiles({ cwd: "/p/q/r", env: {}, fs });
    assert.deepEqual(r.files, ["/p/q/docker-compose.yaml", "/p/q/compose.override.yml"]);
    assert.equal(r.projectDir, "/p/q");
  });
});
