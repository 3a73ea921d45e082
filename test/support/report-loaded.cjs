// Preloaded with `node -r` by test/unit/cli-bundle.test.ts: on exit, prints to stderr whether the
// process loaded commander from node_modules (dist/src does; the CLI bundle has it inlined), and
// which of a few node built-ins it loaded (the CLI bundle inlines dockerode, so the built-ins its
// engine client needs tell whether a command started it).
"use strict";
const WATCHED = ["http", "child_process"];
process.on("exit", () => {
  const fromNodeModules = Object.keys(require.cache).some((f) => f.includes("/node_modules/commander/"));
  process.stderr.write(`commander-from-node_modules: ${fromNodeModules}\n`);
  const loaded = WATCHED.filter((m) => process.moduleLoadList.includes(`NativeModule ${m}`));
  process.stderr.write(`builtins-loaded: ${loaded.join(",")}\n`);
});
