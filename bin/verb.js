// The verb a `flotilla` command line names, read before the CLI is loaded: bin/flotilla.js keeps
// one V8 code cache per verb. Kept apart from bin/flotilla.js (which runs the CLI when imported)
// so that it can be tested. CommonJS, like the rest of bin/ (see bin/package.json).
"use strict";

/**
 * Flags before the verb that take a value: Flotilla's global flags (src/cli/program.ts) and, in
 * plugin mode (`docker [FLAGS] compose VERB`), the Docker CLI's (src/cli/docker-plugin.ts).
 */
const VALUE_FLAGS = new Set([
  "-f", "--file", "-p", "--project-name", "--project-directory", "--profile", "--env-file", "--parallel", "--progress", "--ansi", "--lock-timeout",
  "-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey",
]);

/**
 * The verb argv names (`-f x.yaml ps` → "ps"), which picks the code cache: each verb keeps its own,
 * holding the functions that verb runs. A wrong guess only picks another cache file.
 */
function verbOf(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (VALUE_FLAGS.has(a)) i++;
    else if (a === "compose" || a.startsWith("-")) continue;
    else return /^[a-z][a-z-]{0,23}$/.test(a) ? a : "other";
  }
  return "none";
}

/**
 * The verbs that have a bundle of their own besides the full one (dist/bundle/cli/flotilla-NAME.cjs,
 * written by scripts/bundle.mjs from this table): the short commands people run in loops. Each
 * leaves out the modules its verbs never load (config: the runtime and the engine client; ls: the
 * Compose file loader; all: the other verbs), so that there is less to read, to deserialize from
 * the code cache and to evaluate on every start.
 */
const VERB_BUNDLES = {
  config: { verbs: ["config"], without: ["cli/library.js", "api/engine-projects.js"] },
  ps: { verbs: ["ps", "port"], without: ["attach", "build", "commit", "cp", "down", "exec", "images", "kill", "pause", "pull", "push", "restart", "rm", "run", "start", "stats", "stop", "top", "up", "volumes", "wait"].map((op) => `runtime/ops/${op}.js`) },
  ls: { verbs: ["ls"], without: ["cli/library.js", "spec/load.js"] },
  up: { verbs: ["up"], without: [] },
};

/** The name of the bundle of its own that `verb` has, or undefined (the full bundle runs it). */
function bundleOf(verb) {
  for (const [name, b] of Object.entries(VERB_BUNDLES)) if (b.verbs.includes(verb)) return name;
  return undefined;
}

module.exports = { verbOf, bundleOf, VERB_BUNDLES };
