// Benchmark for the spec layer (issue 2):
//  - in-process loadProject of a generated 200-service file (median of runs, after one warm-up)
//  - whole-process `flotilla config` on a small file and on the 200-service file
//  - the same `config` with Compose v1 (`docker-compose`, Debian's package) when installed, as a peer
// Usage: node bench/config.mjs [runs]   (build first: npm run build — tsc, then the CLI bundle)
// The whole-process figures are taken three ways in the same run: the bundle with its V8 code cache
// (what `flotilla` runs), the bundle without the cache, and the unbundled ES modules of dist/src.
import { statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median, ms, ratio, timeCommand, have, generateStack, writeStack } from "./lib.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.argv[2] ?? 15);
const { loadProject } = await import(join(root, "dist/src/spec/load.js"));

const big = writeStack(generateStack(200));
const small = join(root, "fixtures/example");
const env = { ...process.env };

// in-process
await loadProject({ cwd: big, env, files: [join(big, "compose.yaml")] }); // warm-up (JIT, schema)
const inproc = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  await loadProject({ cwd: big, env, files: [join(big, "compose.yaml")] });
  inproc.push(performance.now() - t0);
}
// first load in a fresh process (module loading + schema + parse), measured inside the process
const cold = [];
const loadUrl = JSON.stringify(join(root, "dist/src/spec/load.js"));
for (let i = 0; i < Math.min(runs, 7); i++) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `const t=performance.now();const {loadProject}=await import(${loadUrl});await loadProject({cwd:${JSON.stringify(big)},env:process.env,files:[${JSON.stringify(join(big, "compose.yaml"))}]});console.log(performance.now()-t)`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  cold.push(Number(r.stdout.trim()));
}

const bin = join(root, "bin/flotilla.js");
const mtime = (f) => {
  try {
    return statSync(join(root, f)).mtimeMs;
  } catch {
    return undefined;
  }
};
const bundled = mtime("dist/bundle/cli/flotilla.cjs");
if (bundled === undefined || bundled < (mtime("dist/src/cli/main.js") ?? 0)) {
  console.log("warning: the CLI bundle is missing or older than dist/src (run npm run build): the first figure is unbundled");
}
const whole = (dir, extraEnv = {}) => {
  const xs = [];
  const env = { ...process.env, ...extraEnv };
  for (let i = 0; i < runs; i++) xs.push(timeCommand(process.execPath, [bin, "config", "-f", join(dir, "compose.yaml")], { cwd: dir, env }));
  return median(xs);
};
const nodeBare = median(Array.from({ length: runs }, () => timeCommand(process.execPath, ["-e", "0"])));
const flotSmall = whole(small);
const flotBig = whole(big);
const flotSmallNoCache = whole(small, { FLOTILLA_CODE_CACHE: "0" });
const flotSmallModules = whole(small, { FLOTILLA_NO_BUNDLE: "1" });

console.log(`runs per figure: ${runs} (medians)`);
console.log(`in-process loadProject, 200 services (warm):   ${ms(median(inproc))}   target < 100 ms`);
console.log(`in-process loadProject, 200 services (cold):   ${ms(median(cold))}   (first call in a fresh process)`);
console.log(`node -e 0 (process floor):                    ${ms(nodeBare)}`);
console.log(`flotilla config, small file (whole process):   ${ms(flotSmall)}   target < 150 ms`);
console.log(`  same, bundle without its V8 code cache:       ${ms(flotSmallNoCache)}`);
console.log(`  same, unbundled ES modules (dist/src):       ${ms(flotSmallModules)}   the bundle + cache is ${ratio(flotSmallModules, flotSmall)} faster`);
console.log(`flotilla config, 200 services (whole process): ${ms(flotBig)}`);
if (have("docker-compose")) {
  const v1 = (dir) => median(Array.from({ length: Math.min(runs, 7) }, () => timeCommand("docker-compose", ["-f", join(dir, "compose.yaml"), "config"], { cwd: dir, allowFail: true })));
  const v1Small = v1(small);
  const v1Big = v1(big);
  console.log(`docker-compose v1 config, small file:          ${ms(v1Small)}   flotilla is ${ratio(v1Small, flotSmall)} faster`);
  console.log(`docker-compose v1 config, 200 services:        ${ms(v1Big)}   flotilla is ${ratio(v1Big, flotBig)} faster`);
} else {
  console.log("docker-compose (v1) not installed: apt-get install docker-compose to compare");
}
