// Preloaded with `node -r` by test/unit/cli-bundle.test.ts: on exit, prints to stderr whether the
// process loaded commander from node_modules (dist/src does; the CLI bundle has it inlined).
"use strict";
process.on("exit", () => {
  const fromNodeModules = Object.keys(require.cache).some((f) => f.includes("/node_modules/commander/"));
  process.stderr.write(`commander-from-node_modules: ${fromNodeModules}\n`);
});
