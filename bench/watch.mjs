// Benchmark for watch mode (issue 4), on the real engine:
//  - single-file edit: time from writing one file to the new content being served by the
//    container over HTTP (tight loop of GETs); median and p90 of N edits (default 30)
//  - burst: 1,000 new files; time until the last one is served, and the number of archives sent
//  - reference, in the same run: the engine's share of an edit — the same one-file tar put into the
//    container directly (putArchive), then served; the edit's p50 is printed as a ratio of it
// Usage: node bench/watch.mjs [edits]   (build first: npx tsc -p .; needs flotilla-busybox:latest)
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const edits = Number(process.argv[2] ?? 30);
const { Project } = await import(join(root, "dist/src/api/project.js"));
const { watchProject, newWatchStats } = await import(join(root, "dist/src/runtime/watch/watch.js"));
const { packFiles } = await import(join(root, "dist/src/runtime/watch/sync.js"));

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (x) => `${x.toFixed(0)} ms`;

async function servedAfter(port, path, body, t0, timeoutMs = 10_000) {
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      if ((await r.text()) === body) return performance.now() - t0;
    } catch {
      // connection hiccup: retry
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`${path} not served within ${timeoutMs} ms`);
  }
}

const dir = mkdtempSync(join(tmpdir(), "flotilla-watch-bench-"));
cpSync(join(root, "fixtures/watch-bench"), dir, { recursive: true });
const p = await Project.load({ cwd: dir, projectName: `watch-bench-${process.pid}`, env: { PATH: process.env.PATH ?? "" } });
const ac = new AbortController();
const stats = newWatchStats();
let watching;
try {
  await p.up({ detach: true });
  const port = await p.port("web", 8080);
  let ready;
  const isReady = new Promise((r) => (ready = r));
  watching = watchProject(p, { signal: ac.signal, stats, onReady: ready });
  await isReady;

  // warm-up edit (first connection, first exec paths)
  writeFileSync(join(dir, "site/index.html"), "warm");
  await servedAfter(port, "/index.html", "warm", performance.now());

  const single = [];
  for (let i = 0; i < edits; i++) {
    const body = `edit ${i} ${Date.now()}`;
    const t0 = performance.now();
    writeFileSync(join(dir, "site/index.html"), body);
    single.push(await servedAfter(port, "/index.html", body, t0));
    await new Promise((r) => setTimeout(r, 150)); // let the batch finish: each edit is its own batch
  }

  // The reference: the same file put by hand (pack + one putArchive), interleaved with edits above in time.
  const engine = await p.engine();
  const [web] = await p.ps();
  const direct = [];
  for (let i = 0; i < edits; i++) {
    const body = `direct ${i} ${Date.now()}`;
    const file = join(dir, "direct.html");
    writeFileSync(file, body);
    const t0 = performance.now();
    const { tar } = await packFiles([{ hostPath: file, containerPath: "/www/direct.html" }]);
    await engine.putArchive(web.ID, "/", tar);
    direct.push(await servedAfter(port, "/direct.html", body, t0));
    await new Promise((r) => setTimeout(r, 150));
  }

  const archivesBefore = stats.archives;
  mkdirSync(join(dir, "site/burst"));
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) writeFileSync(join(dir, `site/burst/f${i}.txt`), `file ${i}`);
  const written = performance.now() - t0;
  const burst = await servedAfter(port, "/burst/f999.txt", "file 999", t0);
  const count = await p.exec("web", ["sh", "-c", "ls /www/burst | wc -l"]);
  await new Promise((r) => setTimeout(r, 500));

  console.log(`single-file edit → served (${edits} edits): p50 ${fmt(pct(single, 50))}, p90 ${fmt(pct(single, 90))}, min ${fmt(Math.min(...single))}, max ${fmt(Math.max(...single))}  (target p50 ≤ 100 ms)`);
  console.log(`  reference, pack + putArchive by hand → served: p50 ${fmt(pct(direct, 50))}, p90 ${fmt(pct(direct, 90))}; edit p50 = ${(pct(single, 50) / pct(direct, 50)).toFixed(2)}x the reference (the rest: file event + quiet period)`);
  console.log(`1,000-file burst → last file served: ${fmt(burst)} from the first write (writing took ${fmt(written)}); files in container: ${count.stdout.trim()}; archives sent: ${stats.archives - archivesBefore}  (target ≤ 2 s, 1 archive)`);
} finally {
  ac.abort();
  await watching?.catch(() => undefined);
  await p.down({ volumes: true, removeOrphans: true });
  rmSync(dir, { recursive: true, force: true });
}
