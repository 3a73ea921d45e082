/** Bad input is an error at its position (issue 10): bytes that are not text, nesting past what the parser holds. */
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeText, BadTextError } from "../../src/spec/discover.js";
import { deepestPoint } from "../../src/spec/yaml.js";
import { loadError } from "../support/spec.js";
import { projectDir as project, removeProjectDirs } from "../support/project-dir.js";

after(removeProjectDirs);

describe("decodeText", () => {
  const cases: Array<[string, number[], number, number, string]> = [
    ["Latin-1 é", [...Buffer.from("a: caf"), 0xe9, 0x0a], 1, 7, "invalid UTF-8"],
    ["on line 3 after a multibyte char", [...Buffer.from("a\nb\nç"), 0xff], 3, 2, "invalid UTF-8"],
    ["truncated 3-byte sequence", [...Buffer.from("x: "), 0xe2, 0x82], 1, 4, "invalid UTF-8"],
    ["overlong encoding", [...Buffer.from("x"), 0xc0, 0xaf], 1, 2, "invalid UTF-8"],
    ["encoded surrogate", [0xed, 0xa0, 0x80], 1, 1, "invalid UTF-8"],
    ["NUL byte", [...Buffer.from("k: a"), 0, ...Buffer.from("b")], 1, 5, "a NUL byte"],
    ["NUL on line 2", [...Buffer.from("é\n  z"), 0], 2, 4, "a NUL byte"],
  ];
  for (const [name, bytes, line, col, what] of cases) {
    test(name, () => {
      assert.throws(
        () => decodeText(Uint8Array.from(bytes), "f.yaml"),
        (e: unknown) => e instanceof BadTextError && e.line === line && e.col === col && e.what === what,
      );
    });
  }
  test("valid UTF-8 (with a BOM) decodes", () => {
    assert.equal(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from("a: é😀")]), "f"), "a: é😀");
  });
});

describe("bad bytes in files the project reads", () => {
  test("invalid UTF-8 in the compose file is an error at file:line:col", async () => {
    const dir = project({ "compose.yaml": Buffer.concat([Buffer.from('services:\n  web:\n    image: busybox\n    environment:\n      A: "caf'), Buffer.from([0xe9]), Buffer.from('"\n')]) });
    const err = await loadError({ cwd: dir, env: {} });
    assert.equal(err.issues.length, 1);
    assert.match(err.issues[0]!.message, /invalid UTF-8/);
    assert.deepEqual(err.issues[0]!.location, { file: join(dir, "compose.yaml"), line: 5, col: 14 });
  });
  test("a NUL byte in the compose file is an error at file:line:col", async () => {
    const dir = project({ "compose.yaml": 'services:\n  web:\n    image: busybox\n    command: "a\u0000b"\n' });
    const err = await loadError({ cwd: dir, env: {} });
    assert.match(err.issues[0]!.message, /NUL/);
    assert.deepEqual(err.issues[0]!.location, { file: join(dir, "compose.yaml"), line: 4, col: 16 });
  });
  test("invalid UTF-8 in .env is an error at its position", async () => {
    const dir = project({
      "compose.yaml": "services:\n  web:\n    image: busybox\n",
      ".env": Buffer.concat([Buffer.from("A=1\nB=x"), Buffer.from([0xff]), Buffer.from("\n")]),
    });
    const err = await loadError({ cwd: dir, env: {} });
    assert.deepEqual(err.issues[0]!.location, { file: join(dir, ".env"), line: 2, col: 4 });
  });
});

describe("deep nesting", () => {
  const cases: Array<[string, string]> = [
    ["flow sequences", "x-a: " + "[".repeat(10000) + "]".repeat(10000) + "\n"],
    ["flow mappings", "x-a: " + "{a: ".repeat(5000) + "1" + "}".repeat(5000) + "\n"],
    ["block sequences", "x-a:\n" + "- ".repeat(10000) + "1\n"],
    ["block mappings", "x-a:\n" + Array.from({ length: 3000 }, (_, i) => " ".repeat(i + 1) + "k:").join("\n") + "\n" + " ".repeat(3001) + "v: 1\n"],
  ];
  for (const [name, body] of cases) {
    test(`${name}: a clear error at the deepest point, not a stack overflow`, async () => {
      const dir = project({ "compose.yaml": "services:\n  web:\n    image: busybox\n" + body });
      const err = await loadError({ cwd: dir, env: {} });
      assert.equal(err.issues.length, 1, err.message);
      const i = err.issues[0]!;
      assert.match(i.message, /nested too deeply/);
      assert.doesNotMatch(i.message + (i.hint ?? ""), /call stack|indentation/);
      assert.equal(i.location?.file, join(dir, "compose.yaml"));
      assert.ok(i.location.line >= 4, `line ${i.location.line}`);
    });
  }
  test("moderate nesting (100 levels) still loads", async () => {
    const dir = project({ "compose.yaml": "services:\n  web:\n    image: busybox\nx-a: " + "[".repeat(100) + "]".repeat(100) + "\n" });
    const { loadProject } = await import("../../src/spec/load.js");
    await loadProject({ cwd: dir, env: {} });
  });
  test("deepestPoint skips quoted text, comments and block scalars", () => {
    assert.equal(deepestPoint('a: "[[[[[["\nb: \'{{{{\' # [[[[\n').depth, 1);
    assert.equal(deepestPoint("a: |\n    [[[[[[[\n      - - - -\nb: 1\n").depth, 1);
    assert.equal(deepestPoint("a:\n  b:\n    - - c\n").depth, 5);
    const p = deepestPoint("a: [x, [y, {z: 1}]]\n");
    assert.equal(p.depth, 4);
    assert.equal(p.offset, 11);
  });
});

describe("files the project needs are checked at load, with their position", () => {
  const svc = "services:\n  web:\n    image: busybox\n";
  const cases: Array<[string, Record<string, string>, string, RegExp, number]> = [
    ["a missing secret file", { "compose.yaml": svc + "secrets:\n  s:\n    file: ./nope.txt\n" }, "secrets.s.file", /secret "s": file .*nope\.txt does not exist/, 6],
    ["a config file that is a directory", { "compose.yaml": svc + "configs:\n  c:\n    file: ./d\n", "d/x": "" }, "configs.c.file", /is a directory/, 6],
    ["a missing label_file", { "compose.yaml": svc + "    label_file: ./labels.env\n" }, "services.web.label_file[0]", /label file .*labels\.env does not exist/, 4],
    ["a missing build context", { "compose.yaml": "services:\n  web:\n    build: ./app\n" }, "services.web.build.context", /build context .*app does not exist/, 3],
    ["a missing Dockerfile", { "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      dockerfile: Containerfile\n" }, "services.web.build.dockerfile", /Dockerfile .*Containerfile does not exist/, 5],
    [
      "a bind source that is not created on demand",
      { "compose.yaml": svc + "    volumes:\n      - type: bind\n        source: ./data\n        target: /data\n        bind:\n          create_host_path: false\n" },
      "services.web.volumes[0]",
      /bind source .*data does not exist/,
      5,
    ],
  ];
  for (const [name, files, path, message, line] of cases) {
    test(name, async () => {
      const dir = project(files);
      const err = await loadError({ cwd: dir, env: {} });
      const issue = err.issues.find((i) => i.path === path);
      assert.ok(issue, err.message);
      assert.match(issue.message, message);
      assert.equal(issue.location?.line, line);
    });
  }
  test("what exists, a short-syntax bind, an inline Dockerfile and a remote context load", async () => {
    const dir = project({
      "compose.yaml":
        "services:\n  web:\n    build: .\n    volumes: ['./made-on-demand:/x']\n    secrets: [s]\n  inl:\n    build:\n      context: .\n      dockerfile_inline: FROM scratch\n  git:\n    build: https://github.com/docker/welcome-to-docker.git\nsecrets:\n  s:\n    file: ./s.txt\n",
      Dockerfile: "FROM scratch\n",
      "s.txt": "x",
    });
    const { loadProject } = await import("../../src/spec/load.js");
    await loadProject({ cwd: dir, env: {} });
  });
  test("a missing build context is only a warning when the service names an image", async () => {
    const dir = project({ "compose.yaml": "services:\n  web:\n    image: busybox\n    build: ./app\n" });
    const { loadProject } = await import("../../src/spec/load.js");
    const p = await loadProject({ cwd: dir, env: {} });
    assert.ok(p.warnings.some((w) => /:4:5: services\.web\.build\.context: build context .*app does not exist/.test(w)), p.warnings.join("\n"));
  });
});
