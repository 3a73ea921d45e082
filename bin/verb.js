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

module.exports = { verbOf };
