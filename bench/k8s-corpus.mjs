// The Kubernetes conversion over the corpus (issue 12): for every project of fixtures/k8s-corpus,
// the objects written, whether they all pass Flotilla's API-server rules, and the warnings and
// refusals, then totals per key of the capabilities table, and the conversion time.
// Usage: node bench/k8s-corpus.mjs   (build first: npm run build)
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const { analyzeConversion } = await import(join(root, "dist/src/api/convert.js"));
const { checkObjects } = await import(join(root, "dist/src/cluster/kubernetes/rules.js"));

const corpus = join(root, "fixtures/k8s-corpus");
const projects = readdirSync(corpus, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const perKey = new Map();
let objects = 0;
let invalid = 0;
let failed = 0;
const rows = [];
const t0 = performance.now();
for (const p of projects) {
  try {
    const r = await analyzeConversion({ cwd: join(corpus, p), env: {} });
    const bad = checkObjects(r.objects).length;
    objects += r.objects.length;
    invalid += bad;
    for (const i of [...r.warnings, ...r.refusals]) {
      const k = perKey.get(i.key) ?? { warned: 0, refused: 0 };
      if (i.severity === "refusal") k.refused++;
      else k.warned++;
      perKey.set(i.key, k);
    }
    rows.push([p, Object.keys(r.services).length, r.objects.length, bad, r.warnings.length, r.refusals.length]);
  } catch (e) {
    failed++;
    rows.push([p, "-", "-", "-", "-", `load failed: ${e.message.split("\n")[0]}`]);
  }
}
const elapsed = performance.now() - t0;
const table = (head, body) => {
  const all = [head, ...body].map((r) => r.map(String));
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => c.padEnd(w[i])).join("  ")).join("\n");
};
console.log(table(["project", "services", "objects", "invalid", "warnings", "refusals"], rows));
console.log("");
console.log(table(["key", "warned", "refused"], [...perKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.warned, v.refused])));
console.log("");
console.log(`${projects.length} projects, ${failed} not loaded, ${objects} objects, ${invalid} invalid; converted in ${elapsed.toFixed(0)} ms (${(elapsed / projects.length).toFixed(1)} ms per project)`);
process.exitCode = invalid > 0 || failed > 0 ? 1 : 0;
