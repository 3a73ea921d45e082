// Preloaded with `node -r` by test/unit/cli-bundle.test.ts: on exit, prints to stderr whether the
// process loaded commander from node_modules (dist/src does; the CLI bundle has it inlined), and
// which of a few node built-ins it loaded (the CLI bundle inlines dockerode, so the built-ins its
// engine client needs tell whether a command started it), and which bundle files it compiled.
"use strict";
const WATCHED = ["http", "child_process"];
// Which bundle files bin/flotilla.js compiled (it runs them with node:vm).
const vm = require("node:vm");
const compiled = [];
const Script = vm.Script;
vm.Script = function (code, options) {
  if (typeof options?.filename === "string") compiled.push(require("node:path").basename(options.filename));
  return new Script(code, options);
};
process.on("exit", () => {
  const fromNodeModules = Object.keys(require.cache).some((f) => f.includes("/node_modules/commander/"));
  process.stderr.write(`commander-from-node_modules: ${fromNodeModules}\n`);
  const loaded = WATCHED.filter((m) => process.moduleLoadList.includes(`NativeModule ${m}`));
  process.stderr.write(`builtins-loaded: ${loaded.join(",")}\n`);
  process.stderr.write(`bundles-compiled: ${compiled.join(",")}\n`);
});
