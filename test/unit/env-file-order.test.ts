/**
 * A service's `env_file`s are read in order, as compose-go's WithServicesEnvironmentResolved reads
 * them: `${VAR}` in a file looks in the project environment (shell, .env) first, then in the
 * service's `environment`, then among what was read before it (earlier files, earlier lines; the
 * last written wins). A bare `KEY` line sees only the first two. The service's `environment` wins
 * over every file.
 */
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProject } from "../../src/spec/load.js";
import { parseDotenv } from "../../src/spec/dotenv.js";
import { modelToJson } from "../../src/spec/serialize.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A project whose service `s` reads `a.env` then `b.env`; returns its environment. */
async function envOf(files: { a: string; b: string }, opts: { shell?: Record<string, string>; environment?: Record<string, string | null> } = {}): Promise<Record<string, string | null>> {
  const dir = mkdtempSync(join(tmpdir(), "flotilla-envfile-"));
  dirs.push(dir);
  writeFileSync(join(dir, "a.env"), files.a);
  writeFileSync(join(dir, "b.env"), files.b);
  const service: Record<string, unknown> = { image: "x", env_file: ["a.env", "b.env"] };
  if (opts.environment) service["environment"] = opts.environment;
  const p = await loadProject({ cwd: dir, env: opts.shell ?? {}, documents: [{ name: "envorder", services: { s: service } }] });
  return p.model.services["s"]!.environment ?? {};
}

describe("env_file: a later file sees what earlier ones defined (compose-go)", () => {
  test("${A} in b.env is a.env's value, with or without a default", async () => {
    const env = await envOf({ a: "A=1\n", b: "B=${A}-b\nC=${A:-none}\nD=${MISSING:-d}\n" });
    assert.deepEqual(env, { A: "1", B: "1-b", C: "1", D: "d" });
  });

  test("the project environment (shell) comes first: it wins over an earlier file's value", async () => {
    const env = await envOf({ a: "A=1\n", b: "B=${A}\n" }, { shell: { A: "shell" } });
    // The file's own A stays in the container's environment; only the lookup sees the shell first.
    assert.equal(env["B"], "shell");
    assert.equal(env["A"], "1");
  });

  test("then the service's environment, then earlier files", async () => {
    const env = await envOf({ a: "A=1\n", b: "B=${A}\n" }, { environment: { A: "svc" } });
    assert.equal(env["B"], "svc");
    assert.equal(env["A"], "svc", "environment wins over the files");
  });

  test("the last value written wins: b.env's own earlier line over a.env, a.env before b.env defines it", async () => {
    const env = await envOf({ a: "A=1\n", b: "BEFORE=${A}\nA=2\nAFTER=${A}\n" });
    assert.deepEqual(env, { A: "2", BEFORE: "1", AFTER: "2" });
  });

  test("a bare KEY in b.env looks only at the shell and the service environment, not at a.env", async () => {
    assert.deepEqual(await envOf({ a: "A=1\n", b: "A\n" }), { A: "1" });
    assert.deepEqual(await envOf({ a: "A=1\n", b: "A\n" }, { shell: { A: "shell" } }), { A: "shell" });
  });

  test("single quotes stay literal; config prints the $ as $$ and the output loads back the same", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-envfile-"));
    dirs.push(dir);
    writeFileSync(join(dir, "a.env"), "A=1\n");
    writeFileSync(join(dir, "b.env"), "LIT='${A}'\nEXP=\"${A}$$x\"\n");
    const p = await loadProject({ cwd: dir, env: {}, documents: [{ name: "envorder", services: { s: { image: "x", env_file: ["a.env", "b.env"] } } }] });
    assert.deepEqual(p.model.services["s"]!.environment, { A: "1", LIT: "${A}", EXP: "1$x" });
    const printed = JSON.parse(modelToJson(p.model)) as { services: { s: { environment: Record<string, string> } } };
    assert.deepEqual(printed.services.s.environment, { A: "1", LIT: "$${A}", EXP: "1$$x" });
    const back = await loadProject({ cwd: dir, env: {}, documents: [printed] });
    assert.deepEqual(back.model.services["s"]!.environment, p.model.services["s"]!.environment);
  });
});

describe("env_file: the cases of compose-go's own test (TestProject_WithServicesEnvironmentResolved)", () => {
  const BASE = "FOO=foo-base\nI_FOO=${FOO}\nBAR=bar-base\nI_BAR=${BAR}\nZOT=zot-base\nI_ZOT=${ZOT}\n";
  const OVERRIDE = "FOO=foo-override\nI_FOO=${FOO}\nBAR=bar-override\nI_BAR=${BAR}\n";
  const shell = { FOO: "foo-shell", QIX: "qix-shell" };

  test("one file: environment wins, a bare KEY takes the shell's; ${VAR} sees the shell, then environment, then the file", async () => {
    const env = await envOf({ a: BASE, b: "" }, { shell, environment: { FOO: "foo-env", BAR: "bar-env", QIX: null } });
    assert.deepEqual(env, { FOO: "foo-env", BAR: "bar-env", QIX: "qix-shell", ZOT: "zot-base", I_FOO: "foo-shell", I_BAR: "bar-env", I_ZOT: "zot-base" });
  });

  test("two files: the later one overrides, and its ${VAR} sees its own value before the earlier file's", async () => {
    const env = await envOf({ a: BASE, b: OVERRIDE }, { shell, environment: { FOO: "foo-env" } });
    assert.deepEqual(env, { FOO: "foo-env", BAR: "bar-override", ZOT: "zot-base", I_FOO: "foo-shell", I_BAR: "bar-override", I_ZOT: "zot-base" });
  });
});

describe("parseDotenv's `earlier` lookup", () => {
  test("consulted after `lookup` and after the file's own earlier lines; never for a bare KEY", () => {
    const earlier = (n: string): string | undefined => ({ A: "early", B: "early-b" })[n];
    const lookup = (n: string): string | undefined => (n === "S" ? "shell" : undefined);
    assert.deepEqual(parseDotenv("X=${A}\nA=own\nY=${A}\nZ=${S}\nB\n", "f.env", lookup, earlier), { X: "early", A: "own", Y: "own", Z: "shell" });
  });
});

describe("include: an entry's env_file feeds the included project's interpolation (compose-go)", () => {
  const project = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-envfile-"));
    dirs.push(dir);
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "compose.yaml"), "name: inc\ninclude:\n  - path: sub/compose.yaml\n    env_file: [sub/a.env, sub/b.env]\n");
    writeFileSync(join(dir, "sub", "compose.yaml"), "services:\n  api:\n    image: app:${TAG}\n    environment:\n      MODE: ${MODE:-none}\n");
    writeFileSync(join(dir, "sub", "a.env"), "TAG=from-a\nMODE=early\n");
    writeFileSync(join(dir, "sub", "b.env"), "MODE=${MODE}-then-b\n");
    return dir;
  };

  test("the files' variables are seen by the included file; a later file sees an earlier one's", async () => {
    const p = await loadProject({ cwd: project(), env: {} });
    assert.equal(p.model.services["api"]!.image, "app:from-a");
    assert.equal(p.model.services["api"]!.environment?.["MODE"], "early-then-b");
  });

  test("the including project's environment wins over the files", async () => {
    const p = await loadProject({ cwd: project(), env: { TAG: "from-shell" } });
    assert.equal(p.model.services["api"]!.image, "app:from-shell");
  });
});

describe("--env-file a.env --env-file b.env (compose-go's GetEnvFromFile)", () => {
  test("b.env sees the shell first, then the last value written: its own earlier line over a.env's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-envfile-"));
    dirs.push(dir);
    writeFileSync(join(dir, "a.env"), "A=1\nS=file\n");
    writeFileSync(join(dir, "b.env"), "BEFORE=${A}\nA=2\nAFTER=${A}\nSH=${S}\n");
    writeFileSync(join(dir, "compose.yaml"), "services:\n  s:\n    image: x\n    environment: [BEFORE, AFTER, SH, A]\n");
    const p = await loadProject({ cwd: dir, env: { S: "shell" }, envFiles: [join(dir, "a.env"), join(dir, "b.env")] });
    assert.deepEqual(p.model.services["s"]!.environment, { BEFORE: "1", AFTER: "2", SH: "shell", A: "2" });
  });
});
