/**
 * bin/flotilla.js runs the esbuild bundle of the CLI (dist/bundle/cli/flotilla.cjs, from a V8 code
 * cache) when it is current, and the ES modules of dist/src otherwise. Both must behave the same.
 * `npm test` builds the bundle right after tsc, so here it must exist and be current.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const bin = join(root, "bin", "flotilla.js");
const bundle = join(root, "dist", "bundle", "cli", "flotilla.cjs");

function run(args: string[], env: Record<string, string>, cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The watched node built-ins (test/support/report-loaded.cjs) a bundle run of `args` loaded. */
function builtinsLoaded(args: string[], env: Record<string, string> = {}, cwd = root): { status: number | null; stderr: string; builtins: string[] } {
  const probe = join(root, "test", "support", "report-loaded.cjs");
  const r = spawnSync(process.execPath, ["-r", probe, bin, ...args], { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
  const reported = /builtins-loaded: (.*)/.exec(r.stderr)?.[1];
  assert.ok(reported !== undefined, r.stderr);
  return { status: r.status, stderr: r.stderr, builtins: reported.split(",").filter(Boolean) };
}

/** The bundle files a run of `args` compiled (test/support/report-loaded.cjs), its exit status and output. */
function bundlesRun(args: string[], env: Record<string, string> = {}, cwd = root): { status: number | null; stdout: string; bundles: string[] } {
  const probe = join(root, "test", "support", "report-loaded.cjs");
  const r = spawnSync(process.execPath, ["-r", probe, bin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, encoding: "utf8" });
  const reported = /bundles-compiled: (.*)/.exec(r.stderr)?.[1];
  assert.ok(reported !== undefined, r.stderr);
  return { status: r.status, stdout: r.stdout, bundles: reported.split(",").filter(Boolean) };
}

/** Which build ran: dist/src imports commander from node_modules, the bundle has it inlined. */
function ranBundle(env: Record<string, string>): boolean {
  const probe = join(root, "test", "support", "report-loaded.cjs");
  const r = spawnSync(process.execPath, ["-r", probe, bin, "version"], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const reported = /commander-from-node_modules: (true|false)/.exec(r.stderr)?.[1];
  assert.ok(reported !== undefined, r.stderr);
  return reported === "false";
}

describe("the CLI bundle", () => {
  test("exists and is not older than the compiled sources", () => {
    assert.ok(existsSync(bundle), "dist/bundle/cli/flotilla.cjs is missing: npm test runs scripts/bundle.mjs after tsc");
    assert.ok(statSync(bundle).mtimeMs >= statSync(join(root, "dist", "src", "cli", "main.js")).mtimeMs);
  });

  test("is what bin/flotilla.js runs, unless FLOTILLA_NO_BUNDLE=1", () => {
    assert.equal(ranBundle({}), true);
    assert.equal(ranBundle({ FLOTILLA_NO_BUNDLE: "1" }), false);
  });

  test("config starts no engine client (the bundled dockerode stays unused) and no child process module", () => {
    const r = builtinsLoaded(["config", "--services"], {}, join(root, "fixtures", "example"));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.builtins, []);
  });

  test("the probe does see the engine client: ps against an engine that is not there", () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-bundle-ps-"));
    try {
      const r = builtinsLoaded(["-p", "nobody", "ps"], { DOCKER_HOST: `unix://${join(dir, "none.sock")}`, DOCKER_CONTEXT: "" }, dir);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /cannot reach the Docker engine/);
      assert.ok(r.builtins.includes("http"), r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("is ASCII only (bin/flotilla.js reads it as latin1), and text it escaped still means the same", () => {
    assert.doesNotMatch(readFileSync(bundle, "latin1"), /[^\x00-\x7f]/);
    // src/spec/units.ts accepts "µs" (U+00B5) and "μs" (U+03BC) in a regular expression
    const dir = mkdtempSync(join(tmpdir(), "flotilla-bundle-ascii-"));
    try {
      writeFileSync(join(dir, "compose.yaml"), "services:\n  a:\n    image: x\n    healthcheck: { test: [CMD, \"true\"], interval: 1500µs, timeout: 2500μs }\n");
      const fromBundle = run(["config", "--format", "json"], {}, dir);
      const fromModules = run(["config", "--format", "json"], { FLOTILLA_NO_BUNDLE: "1" }, dir);
      assert.equal(fromBundle.status, 0, fromBundle.stderr);
      assert.match(fromBundle.stdout, /"interval": "1\.5ms"/);
      assert.deepEqual(fromBundle, fromModules);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("has no dynamic import() left (a script run from a V8 code cache cannot import)", () => {
    assert.doesNotMatch(readFileSync(bundle, "utf8"), /\bimport\(\s*["']/);
  });

  test("config -o writes the same file as dist/src, with and without the code cache", () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-bundle-o-"));
    try {
      const cwd = join(root, "fixtures", "example");
      const variants: Record<string, string>[] = [{}, { FLOTILLA_CODE_CACHE: "0" }, { FLOTILLA_NO_BUNDLE: "1" }];
      const outputs = variants.map((env, i) => {
        const file = join(dir, `out-${i}.yaml`);
        const r = run(["config", "-o", file], env, cwd);
        assert.deepEqual([r.status, r.stderr], [0, ""]);
        return readFileSync(file, "utf8");
      });
      assert.match(outputs[0]!, /^name: flotilla-example$/m);
      assert.equal(outputs[1], outputs[0]);
      assert.equal(outputs[2], outputs[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [name, args, cwd] of [
    ["config of the example", ["config"], join(root, "fixtures", "example")],
    ["config --format json with interpolation and include", ["config", "--format", "json"], join(root, "fixtures", "include-basic")],
    ["config of an invalid file (errors with file:line:col)", ["config"], join(root, "fixtures", "invalid-schema")],
    ["an unknown verb", ["frobnicate"], root],
    ["--help of up", ["up", "--help"], root],
  ] as const) {
    test(`prints the same as dist/src: ${name}`, () => {
      const fromBundle = run([...args], { FLOTILLA_CODE_CACHE: "0" }, cwd);
      const fromCache = run([...args], {}, cwd);
      const fromModules = run([...args], { FLOTILLA_NO_BUNDLE: "1" }, cwd);
      assert.deepEqual(fromBundle, fromModules);
      assert.deepEqual(fromCache, fromModules);
    });
  }
});

describe("the bundles of the short verbs (bin/verb.js VERB_BUNDLES)", () => {
  const { VERB_BUNDLES } = createRequire(import.meta.url)(join(root, "bin", "verb.js")) as { VERB_BUNDLES: Record<string, { verbs: string[]; without: string[] }> };
  const fileOf = (name: string): string => join(root, "dist", "bundle", "cli", `flotilla-${name}.cjs`);

  test("each exists, is current, and is smaller than the full bundle", () => {
    for (const name of Object.keys(VERB_BUNDLES)) {
      assert.ok(existsSync(fileOf(name)), `${fileOf(name)} is missing`);
      assert.ok(statSync(fileOf(name)).mtimeMs >= statSync(join(root, "dist", "src", "cli", "main.js")).mtimeMs);
      assert.ok(statSync(fileOf(name)).size < statSync(bundle).size, name);
      assert.doesNotMatch(readFileSync(fileOf(name), "latin1"), /[^\x00-\x7f]/);
    }
  });

  test("a verb runs from its own bundle; other verbs, and FLOTILLA_FULL_BUNDLE=1, from the full one", () => {
    const cwd = join(root, "fixtures", "example");
    assert.deepEqual(bundlesRun(["config", "--services"], {}, cwd).bundles, ["flotilla-config.cjs"]);
    assert.deepEqual(bundlesRun(["ls", "--help"]).bundles, ["flotilla-ls.cjs"]);
    assert.deepEqual(bundlesRun(["-p", "x", "port", "--help"]).bundles, ["flotilla-ps.cjs"]);
    assert.deepEqual(bundlesRun(["version"]).bundles, ["flotilla.cjs"]);
    assert.deepEqual(bundlesRun(["config", "--services"], { FLOTILLA_FULL_BUNDLE: "1" }, cwd).bundles, ["flotilla.cjs"]);
  });

  test("a bundle says which command lines it can run, finding the verb as main does", () => {
    const load = (name: string) => createRequire(import.meta.url)(fileOf(name)) as { handles: (argv: string[], env: Record<string, string>) => boolean };
    const config = load("config");
    assert.equal(config.handles(["config"], {}), true);
    assert.equal(config.handles(["-f", "a.yaml", "--profile", "x", "config", "--services"], {}), true);
    assert.equal(config.handles(["--lock-timeout", "5", "config"], {}), true);
    assert.equal(config.handles(["ps"], {}), false);
    assert.equal(config.handles(["--help"], {}), false);
    assert.equal(config.handles([], {}), false);
    // as the Docker CLI's plugin: its flags and `compose` come first
    assert.equal(config.handles(["-H", "unix:///x.sock", "compose", "config"], { DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND: "docker" }), true);
    assert.equal(load("ps").handles(["-p", "x", "port", "web", "80"], {}), true);
    assert.equal(load("ps").handles(["-p", "x", "logs"], {}), false);
  });

  test("a command line whose verb bin/verb.js reads another way runs from the full bundle, as before", () => {
    // verbOf skips a value after -c (the Docker CLI's --context) and picks the ps bundle; main sees "config"
    const odd = ["-c", "config", "ps"];
    const r = bundlesRun(odd);
    assert.deepEqual(r.bundles, ["flotilla-ps.cjs", "flotilla.cjs"]);
    assert.deepEqual(run(odd, {}), run(odd, { FLOTILLA_FULL_BUNDLE: "1" }));
    assert.equal(r.status, 2);
  });

  for (const [name, args, cwd] of [
    ["config of the example", ["config"], join(root, "fixtures", "example")],
    ["config --format json with include", ["config", "--format", "json"], join(root, "fixtures", "include-basic")],
    ["config of an invalid file (errors with file:line:col)", ["config"], join(root, "fixtures", "invalid-schema")],
    ["config --hash of the example", ["config", "--hash", "*"], join(root, "fixtures", "example")],
    ["ps of an invalid file", ["ps"], join(root, "fixtures", "invalid-schema")],
    ["up of an invalid file", ["up", "-d"], join(root, "fixtures", "invalid-schema")],
    ["--help of ps", ["ps", "--help"], root],
    ["--help of up", ["up", "--help"], root],
    ["root help asked before the verb", ["-h", "ls"], root],
  ] as const) {
    test(`prints the same as the full bundle: ${name}`, () => {
      assert.deepEqual(run([...args], {}, cwd), run([...args], { FLOTILLA_FULL_BUNDLE: "1" }, cwd));
    });
  }
});
describe("the code cache a verb keeps", () => {
  test("is not written by a run that only printed help", () => {
    const dir = join(root, "node_modules", ".cache", "flotilla");
    const probeVerb = "top"; // a verb the other tests here do not run for real
    const caches = (): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.includes(`-${probeVerb}-`)) : []);
    for (const f of caches()) rmSync(join(dir, f));
    const r = run([probeVerb, "--help"], {});
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(caches(), []);
  });
});
