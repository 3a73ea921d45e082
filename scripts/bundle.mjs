#!/usr/bin/env node
// Bundles the CLI into one CommonJS file and warms its V8 code cache, so that `flotilla config`
// starts in a fraction of the time the ~40 ES modules of dist/src plus yaml and commander take.
//
//   node scripts/bundle.mjs            write dist/bundle/cli/flotilla.cjs and warm its code cache
//   node scripts/bundle.mjs --no-warm  write the bundle only
//
// Runs after tsc (npm run build / prepare): its input is dist/src/cli/main.js, not the TypeScript.
// bin/flotilla.js runs the bundle through node:vm with the cached code when the bundle exists and is
// not older than dist/src/cli/main.js, and falls back to dist/src/cli/main.js otherwise.
//
// Choices, each measured (see bench/config.mjs):
//  - CommonJS, not ESM: one vm.Script can be compiled from a V8 code cache (Node 20 has no compile
//    cache for ES modules), and the ESM loader's per-module work disappears. Dynamic imports of our
//    own modules become lazy initializers inside the bundle, so a verb still only runs the code it
//    needs; the engine adapter's dockerode is still loaded on demand by createRequire.
//  - dockerode (native optional deps, loaded by createRequire) and listr2 (only for TTY progress,
//    reached by a dynamic import) stay outside. chokidar is ESM-only and imported statically by the
//    watch code: a CommonJS `require` of it would fail on Node 20, so it is bundled.
//  - `import.meta.url` is the bundle's own URL. The bundle sits three directories below the package
//    root (dist/bundle/cli/), like dist/src/cli/main.js, so relative URLs such as
//    `../../../package.json` resolve to the same files from both builds.
//  - FLOTILLA_BUNDLE=true lets src/spec/validate/schema.ts inline the schema and its precompiled validator.
//  - The first line records the bundle's sha256: bin/flotilla.js keys the code cache with it.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "dist", "src", "cli", "main.js");
const outDir = join(root, "dist", "bundle", "cli");
const outFile = join(outDir, "flotilla.cjs");
/** The verbs that get a bundle of their own, and what each leaves out (shared with bin/flotilla.js). */
const { VERB_BUNDLES } = createRequire(import.meta.url)("../bin/verb.js");
/** Where bin/flotilla.js keeps code caches first (it falls back to a per-user temp directory). */
const cacheDir = join(root, "node_modules", ".cache", "flotilla");

/** Packages left to node's own resolution at run time (see above). */
const EXTERNAL = ["listr2"];

/**
 * dockerode is bundled (its ~50 files would otherwise be resolved, read and compiled on every
 * command that talks to the engine), except three of its modules that pull in what Flotilla
 * rarely or never needs: gRPC for BuildKit sessions (dockerode/lib/session.js), protobuf for
 * BuildKit progress (dockerode/lib/buildkit.js) and ssh2 for ssh:// hosts (docker-modem/lib/ssh.js).
 * Each becomes a stub that requires the real file from node_modules when it is first used.
 */
const LAZY = [
  { importer: /[\\/]dockerode[\\/]lib[\\/]docker\.js$/, request: "./session", pkg: "dockerode", file: "lib/session.js", call: true },
  { importer: /[\\/]dockerode[\\/]lib[\\/]docker\.js$/, request: "./buildkit", pkg: "dockerode", file: "lib/buildkit.js", call: false },
  { importer: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/, request: "./ssh", pkg: "docker-modem", file: "lib/ssh.js", call: true },
];
/**
 * commander's child_process (for executable sub-commands, which Flotilla has none of) loads net,
 * dgram and more on every start; docker-modem's https (tls, crypto) is for TLS endpoints only;
 * dockerode's zlib gzips build contexts.
 */
const LAZY_BUILTINS = [
  { file: /[\\/]commander[\\/]lib[\\/]command\.js$/, eager: "require('node:child_process')", builtin: "node:child_process" },
  { file: /[\\/]docker-modem[\\/]lib[\\/]http\.js$/, eager: "require('https')", builtin: "https" },
  { file: /[\\/]dockerode[\\/]lib[\\/]util\.js$/, eager: "require('zlib')", builtin: "zlib" },
];
/**
 * Costs docker-modem pays on every command or request, measured on `flotilla ps` (issue 13):
 *  - loading the `debug` package (which looks for supports-color on disk and opens stderr to ask
 *    whether it is a terminal) when DEBUG is not set and nothing can be logged;
 *  - it formats each request with util.inspect for its debug log even when the log is off;
 *  - for a unix socket, node's http Agent still derives a TLS server name from the Host header,
 *    testing it with net.isIP, whose IPv6 expression takes ~4 ms of CPU to compile on first use.
 *    A request with `servername: ""` skips that (a unix socket has no TLS and no server name).
 */
const SOURCE_PATCHES = [
  {
    file: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/,
    find: "debug = require('debug')('modem'),",
    replace: "debug = process.env.DEBUG ? require('debug')('modem') : Object.assign(function () {}, { enabled: false }),",
  },
  { file: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/, find: "debug('Sending: %s', util.inspect(", replace: "debug.enabled && debug('Sending: %s', util.inspect(" },
  {
    file: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/,
    find: "  var req = null;\n",
    replace: "  if (opts.socketPath && opts.servername === undefined) opts.servername = '';\n  var req = null;\n",
  },
];
const LAZY_BUILTINS_FILTER = /[\\/](commander[\\/]lib[\\/]command|docker-modem[\\/]lib[\\/](http|modem)|dockerode[\\/]lib[\\/]util)\.js$/;

const lazyModules = {
  name: "flotilla-lazy-modules",
  setup(build) {
    build.onResolve({ filter: /^\.\/(session|buildkit|ssh)$/ }, (args) => {
      const lazy = LAZY.find((l) => l.request === args.path && l.importer.test(args.importer));
      return lazy ? { path: `${lazy.pkg}/${lazy.file}`, namespace: "flotilla-lazy" } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: "flotilla-lazy" }, (args) => {
      const lazy = LAZY.find((l) => `${l.pkg}/${l.file}` === args.path);
      // Resolved at run time, beside dockerode's (or docker-modem's) main file: docker-modem may be nested under dockerode.
      const main = lazy.pkg === "dockerode" ? "fromBundle.resolve(\"dockerode\")" : "createRequire(fromBundle.resolve(\"dockerode\")).resolve(\"docker-modem\")";
      const find = [
        "const load = () => {",
        '  const { createRequire } = require("node:module");',
        "  const fromBundle = createRequire(__filename);",
        `  return createRequire(${main})(${JSON.stringify(`./${lazy.file.replace(/^lib\//, "")}`)});`,
        "};",
      ];
      const body = lazy.call
        ? "let real;\nmodule.exports = function (...args) {\n  real ??= load();\n  return real.apply(this, args);\n};"
        : "module.exports = load();";
      return { contents: `${find.join("\n")}\n${body}\n`, loader: "js" };
    });
    // Node built-ins that dependencies require at load time and use only on a path Flotilla seldom
    // takes: each becomes an object that requires the built-in on first property access.
    build.onLoad({ filter: LAZY_BUILTINS_FILTER }, async (args) => {
      const rules = LAZY_BUILTINS.filter((r) => r.file.test(args.path));
      const patches = SOURCE_PATCHES.filter((p) => p.file.test(args.path));
      if (rules.length === 0 && patches.length === 0) return undefined;
      let source = await readFile(args.path, "utf8");
      // Another version of the dependency, without the text a rule looks for: bundled as it is (only slower to start).
      for (const r of rules) {
        if (source.includes(r.eager)) source = source.replace(r.eager, `new Proxy({}, { get: (_, key) => require(${JSON.stringify(r.builtin)})[key] })`);
      }
      for (const p of patches) {
        if (source.includes(p.find)) source = source.replace(p.find, p.replace);
      }
      return { contents: source, loader: "js" };
    });
  },
};

function fail(message) {
  console.error(`bundle: ${message}`);
  process.exit(1);
}

if (!existsSync(entry)) fail(`${relative(root, entry)} is missing: compile first (tsc -p tsconfig.json)`);

let esbuild;
try {
  esbuild = await import("esbuild");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  // Not an error: without the bundle bin/flotilla.js runs dist/src/cli/main.js (slower start).
  console.warn("bundle: esbuild is not installed; skipping the CLI bundle (flotilla runs from dist/src)");
  process.exit(0);
}

/**
 * A bundle for some verbs only (VERB_BUNDLES in bin/verb.js): the registry loads no other verb's
 * module (their names and summaries stay, for the help), and the modules `without` names are
 * replaced by one that fails loudly, should a path of these verbs ever reach one.
 */
function verbsOnly({ verbs, without }) {
  return {
    name: "flotilla-verbs-only",
    setup(build) {
      build.onLoad({ filter: /[\\/]dist[\\/]src[\\/]cli[\\/]commands[\\/]registry\.js$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        let kept = 0;
        const contents = source.replace(/\(await import\("\.\/([a-z-]+)\.js"\)\)/g, (load, file) => {
          if (verbs.includes(file)) return kept++, load;
          return `(await Promise.reject(new Error("flotilla: internal error: the ${verbs.join("/")} bundle has no ${file} command")))`;
        });
        if (kept !== verbs.length) fail(`the registry no longer loads ${verbs.join(", ")} as ./VERB.js: update verbsOnly in scripts/bundle.mjs`);
        return { contents, loader: "js" };
      });
      if (without.length === 0) return;
      build.onLoad({ filter: /[\\/]dist[\\/]src[\\/].*\.js$/ }, (args) => {
        const file = relative(join(root, "dist", "src"), args.path).split("\\").join("/");
        if (!without.includes(file)) return undefined;
        return { contents: `throw new Error("flotilla: internal error: the ${verbs.join("/")} bundle leaves out ${file}");`, loader: "js" };
      });
    },
  };
}

/** Build one bundle into `file` (only: the verbs and left-out modules of a verb's own bundle). */
async function buildBundle(file, only) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    outfile: file,
    external: EXTERNAL,
    plugins: only ? [verbsOnly(only), lazyModules] : [lazyModules],
    define: {
      FLOTILLA_BUNDLE: "true",
      ...(only ? { FLOTILLA_BUNDLE_VERBS: JSON.stringify(only.verbs) } : {}),
      "import.meta.url": "__flotilla_import_meta_url",
    },
    banner: {
      js: [
        'const __flotilla_import_meta_url = require("node:url").pathToFileURL(__filename).href;',
        // See LAZY_NAMED_BUILTINS below.
        "const __flotilla_lazy_builtin = (id) => { let m; return new Proxy({}, { get: (_, key) => (m ??= require(id))[key] }); };",
      ].join("\n"),
    },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "warning",
  });
  const built = result.outputFiles.find((f) => f.path === file)?.text;
  if (built === undefined) fail("esbuild produced no output");
  const code = postProcess(built);
  const sha256 = createHash("sha256").update(code).digest("hex");
  writeFileSync(file, `// flotilla-bundle ${sha256} (generated by scripts/bundle.mjs from dist/src: do not edit)\n${code}`);
  return `${relative(root, file)} (${Math.round(code.length / 1024)} KB, sha256 ${sha256.slice(0, 12)})`;
}

function postProcess(built) {
  // Dynamic imports left in the bundle (node builtins, listr2) become requires: a script compiled by
  // vm.Script from a code cache has no working import() (V8 drops its host options), and the loader
  // that would serve it is experimental. Every such package has a CommonJS entry.
  const withImports = built.replace(/\bimport\((["'])(node:[a-z/_]+|listr2)\1\)/g, (_, q, spec) => `Promise.resolve().then(() => require(${q}${spec}${q}))`);
  /**
   * Node built-ins that our modules import by name and that a short command does not use: esbuild
   * requires them when the importing module is first evaluated (`import_node_crypto =
   * require("node:crypto")`) and reads each name at its call (`(0, import_node_crypto.createHash)(…)`),
   * so an object that requires the built-in on its first property read is the same module, loaded
   * when first used. node:crypto alone is ~4 ms of every `ps`/`ls`/`port`, which never hash.
   */
  const LAZY_NAMED_BUILTINS = ["crypto", "async_hooks", "zlib", "child_process", "https", "tls", "readline", "worker_threads", "v8"];
  const lazyNamed = new RegExp(`\\b(import_[A-Za-z0-9_$]+)=require\\("(node:(?:${LAZY_NAMED_BUILTINS.join("|")}))"\\)`, "g");
  const rewritten = withImports.replace(lazyNamed, (_, name, id) => `${name}=__flotilla_lazy_builtin("${id}")`);
  // ASCII only, so that bin/flotilla.js can read the bundle as latin1 (a copy, where UTF-8 decoding
  // of ~1.4 MB costs a few ms on every start). esbuild escapes non-ASCII text in strings but leaves a
  // few (e.g. in regular expressions): \uXXXX means the same there, in strings and in identifiers
  // (not in a String.raw template, which the bundle has none of with non-ASCII text).
  const code = rewritten.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const leftover = /\bimport\(\s*["'][^"']*["']\s*\)/.exec(code);
  if (leftover) fail(`the bundle still has a dynamic ${leftover[0]}: add the package to the rewrite in scripts/bundle.mjs (if it has a CommonJS entry) or keep it out of the CLI`);
  return code;
}

mkdirSync(outDir, { recursive: true });
// A verb bundle no longer in the table would otherwise stay behind, current but never rebuilt.
for (const f of readdirSync(outDir)) {
  const m = /^flotilla-([a-z-]+)\.cjs$/.exec(f);
  if (m && !(m[1] in VERB_BUNDLES)) rmSync(join(outDir, f));
}
const written = await Promise.all([
  buildBundle(outFile),
  ...Object.entries(VERB_BUNDLES).map(([name, only]) => buildBundle(join(outDir, `flotilla-${name}.cjs`), only)),
]);
for (const w of written) console.log(`bundle: ${w}`);

// src/api/reaper.ts spawns `new URL("./reaper-process.js", import.meta.url)`: from the bundle that is
// this directory, so point it at the compiled script.
if (existsSync(join(root, "dist", "src", "api", "reaper-process.js"))) {
  writeFileSync(join(outDir, "reaper-process.js"), 'import "../../src/api/reaper-process.js";\n');
}

if (!process.argv.includes("--no-warm")) warm();

/**
 * Smoke-test the bundle and leave a V8 code cache behind: run `flotilla config` on a small project
 * (the common first command, and the one whose start-up time matters) with FLOTILLA_CODE_CACHE=refresh
 * so bin/flotilla.js writes the cache after the run, including the functions that run compiled.
 * Caches of older bundles are removed first. A failing run fails the build: the bundle is broken.
 */
function warm() {
  rmSync(cacheDir, { recursive: true, force: true });
  const dir = mkdtempSync(join(tmpdir(), "flotilla-bundle-"));
  try {
    writeFileSync(
      join(dir, "compose.yaml"),
      [
        "name: bundle-warmup",
        "x-base: &base",
        "  image: flotilla-busybox:latest",
        "  init: true",
        "services:",
        "  db:",
        "    <<: *base",
        "    environment: { PASSWORD: \"${DB_PASSWORD:-secret}\" }",
        "    volumes: [data:/var/lib/db]",
        "    healthcheck: { test: [CMD, test, -f, /tmp/ready], interval: 1s }",
        "  web:",
        "    <<: *base",
        "    build: { context: ., dockerfile: Dockerfile }",
        "    command: [httpd, -f, -p, \"80\"]",
        "    ports: [\"127.0.0.1:8080:80\"]",
        "    env_file: [{ path: .env.web, required: false }]",
        "    depends_on: { db: { condition: service_healthy } }",
        "    networks: [front, default]",
        "volumes: { data: {} }",
        "networks: { front: {} }",
        "",
      ].join("\n"),
    );
    const env = { ...process.env, FLOTILLA_CODE_CACHE: "refresh" };
    delete env.FLOTILLA_NO_BUNDLE;
    delete env.FLOTILLA_FULL_BUNDLE;
    const flotilla = (args, extra = {}) => spawnSync(process.execPath, [join(root, "bin", "flotilla.js"), ...args], { cwd: dir, env: { ...env, ...extra }, encoding: "utf8" });
    const run = flotilla(["config"]); // the config bundle
    if (run.status !== 0 || !run.stdout.includes("name: bundle-warmup")) {
      fail(`the bundle does not run (exit ${run.status}):\n${run.stderr || run.stdout}`);
    }
    // Every other bundle loads and knows its verbs (without writing a cache: --help runs little of a verb).
    const smoke = [["version"], ...Object.values(VERB_BUNDLES).flatMap((b) => b.verbs.map((v) => [v, "--help"]))];
    for (const args of smoke) {
      const r = flotilla(args, { FLOTILLA_CODE_CACHE: "0" });
      if (r.status !== 0 || !r.stdout.includes(args[1] === "--help" ? `flotilla ${args[0]}` : "version")) fail(`flotilla ${args.join(" ")} does not run from its bundle (exit ${r.status}):\n${r.stderr || r.stdout}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const caches = existsSync(cacheDir) ? readdirSync(cacheDir) : [];
  console.log(caches.length > 0 ? `bundle: code cache warmed in ${relative(root, cacheDir)}` : "bundle: no code cache written (cache directory not writable?)");
}
