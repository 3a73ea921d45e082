#!/usr/bin/env node
// The `flotilla` command.
//
// Runs the CLI bundle (dist/bundle/cli/flotilla.cjs, written by scripts/bundle.mjs) when it exists and
// is at least as new as the compiled sources, else the tsc output dist/src/cli/main.js (a checkout after
// a bare `tsc`, or an install without the bundle). Both export the same `main(argv)`. The short
// commands run in loops (config, ps, port, ls, up) have a smaller bundle of their own
// (flotilla-NAME.cjs, see VERB_BUNDLES in verb.js), used when it says it can run the command line.
//
// The bundle is compiled with node:vm from a V8 code cache: compiling ~1.4 MB of JavaScript (and then
// each function on its first call) is most of what a short command like `flotilla config` costs. The
// cache holds the bytecode of every function the first run of a verb compiled, one cache per verb
// (`ps` does not deserialize what only `up` runs, and each verb's cache holds what it runs); it is
// keyed by the bundle's sha256 (first line of the bundle), the verb, the node version, the
// architecture and node's flags, and V8 itself rejects a cache that does not fit (then a new one is
// written after a successful run). It is kept in
// <package>/node_modules/.cache/flotilla/, or in a private per-user directory under the OS temp dir
// when the package directory is read-only.
//
// Environment: FLOTILLA_NO_BUNDLE=1 runs dist/src; FLOTILLA_FULL_BUNDLE=1 runs the full bundle for
// every verb; FLOTILLA_CODE_CACHE=0 skips the cache, FLOTILLA_CODE_CACHE=refresh rewrites it
// (scripts/bundle.mjs does this once after building).
//
// This directory is CommonJS (bin/package.json): node then runs this file without loading its ES
// module loader, which a short command would otherwise pay for on every start.
"use strict";
const { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { dirname, join } = require("node:path");
const vm = require("node:vm");
const { bundleOf, verbOf } = require("./verb.js");

const root = join(__dirname, "..");
const bundleDir = join(root, "dist", "bundle", "cli");
const fullBundle = join(bundleDir, "flotilla.cjs");
const compiledMain = join(root, "dist", "src", "cli", "main.js");

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function bundleUsable(file) {
  if (process.env.FLOTILLA_NO_BUNDLE === "1") return false;
  const bundled = mtime(file);
  if (bundled === undefined) return false;
  // A `tsc` after the last bundle: the bundle is stale, the compiled sources are the truth.
  const compiled = mtime(compiledMain);
  return compiled === undefined || compiled <= bundled;
}

/** FNV-1a, for a short stable tag of node's flags. */
function tag(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

/** The code cache of this bundle for `verb`, or undefined when caching is off or the bundle has no hash line. */
function codeCache(source, verb) {
  const hash = /^\/\/ flotilla-bundle ([0-9a-f]{16})/.exec(source)?.[1];
  if (hash === undefined || process.env.FLOTILLA_CODE_CACHE === "0") return undefined;
  const name = `${hash}-${verb}-${process.version}-${process.arch}-${tag(process.execArgv.join("\0"))}.v8cache`;
  const uid = process.getuid?.();
  const dirs = [{ dir: join(root, "node_modules", ".cache", "flotilla"), shared: false }];
  // The temp directory is shared by every user: use a directory only this user can write to, and
  // only when it is verifiably ours (a planted cache would be code run by us). node:os is loaded
  // only if the package's own cache directory did not serve.
  if (uid !== undefined) dirs.push({ get dir() { return join(require("node:os").tmpdir(), `flotilla-${uid}`); }, shared: true });
  const trusted = ({ dir, shared }) => {
    if (!shared) return true;
    const st = statSync(dir);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
  };
  return {
    read() {
      for (const d of dirs) {
        try {
          if (trusted(d)) return readFileSync(join(d.dir, name));
        } catch {
          // not there: try the next place
        }
      }
      return undefined;
    },
    write(data) {
      for (const d of dirs) {
        const tmp = join(d.dir, `${name}.${process.pid}.tmp`);
        try {
          mkdirSync(d.dir, { recursive: true, mode: 0o700 });
          if (!trusted(d)) continue;
          writeFileSync(tmp, data, { mode: 0o600 });
          renameSync(tmp, join(d.dir, name)); // atomic: concurrent runs never see half a cache
          return;
        } catch {
          try {
            unlinkSync(tmp);
          } catch {
            // nothing was written
          }
        }
      }
    },
  };
}

/** Compile and run a bundle as a CommonJS module; returns its exports and a hook to save the cache. */
function loadBundle(bundleFile, verb) {
  // scripts/bundle.mjs writes ASCII only: latin1 is the same text, read without UTF-8 decoding.
  const source = readFileSync(bundleFile, "latin1");
  const cache = codeCache(source, verb);
  const refresh = process.env.FLOTILLA_CODE_CACHE === "refresh";
  const cachedData = cache && !refresh ? cache.read() : undefined;
  // The bundle has no import(): scripts/bundle.mjs turns its dynamic imports into requires.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundleFile,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundleFile), module, bundleFile, dirname(bundleFile));
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  // Created after the run, the cache also holds the functions the command compiled lazily.
  const save = cache && stale ? () => cache.write(script.createCachedData()) : () => {};
  return { main: module.exports.main, handles: module.exports.handles, save };
}

/**
 * The build that runs `argv`: the verb's own bundle when it has one (bin/verb.js) and that bundle
 * says it can run this command line, else the full bundle, else dist/src.
 */
async function pick(argv) {
  const verb = verbOf(argv);
  const own = bundleOf(verb);
  if (own !== undefined && process.env.FLOTILLA_FULL_BUNDLE !== "1") {
    const file = join(bundleDir, `flotilla-${own}.cjs`);
    if (bundleUsable(file)) {
      const b = loadBundle(file, verb);
      if (b.handles?.(argv, process.env) === true) return b;
    }
  }
  if (bundleUsable(fullBundle)) return loadBundle(fullBundle, verb);
  // dist/src is ES modules: import() from CommonJS (only on this fallback path).
  return { ...(await import("../dist/src/cli/main.js")), save: () => {} };
}

async function run() {
  const argv = process.argv.slice(2);
  const { main, save } = await pick(argv);
  process.exitCode = await main(argv);
  // Only a successful run writes a cache: a mistyped verb leaves no file behind. Nor does a run that
  // only printed help or the version: its cache would hold the help's functions only, and the
  // verb's later runs (which keep the first cache that fits) would compile the rest every time.
  if (process.exitCode === 0 && !argv.some((a) => a === "--help" || a === "-h" || a === "--version")) save();
}

// A failure outside main (which catches everything it runs) is node's own: the stack, exit 1.
void run();
