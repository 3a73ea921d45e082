import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Project } from "../../src/api/project.js";
import type { FlotillaEvent } from "../../src/events.js";
import { newWatchStats, watchProject } from "../../src/runtime/watch/watch.js";

const root = resolve(import.meta.dirname, "../../..");
const fixture = resolve(root, "fixtures/watch-web");
const name = `watch-e2e-${process.pid}`;

/** Polls until `fn` gives a value; the bound is generous (a loaded machine is slow), a pass returns at once. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("watch mode on the real engine", () => {
  let dir: string;
  let p: Project;
  let port: number;
  const ac = new AbortController();
  const events: FlotillaEvent[] = [];
  const stats = newWatchStats();
  let watching: Promise<void> | undefined;

  const get = async (path: string): Promise<{ status: number; body: string }> => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, body: await r.text() };
  };
  const serves = (path: string, body: string) => until(`${path} to serve ${JSON.stringify(body)}`, async () => ((await get(path)).body === body ? true : undefined));
  const saw = (re: RegExp) => until(`a watch line matching ${re}`, async () => (watchLines().some((l) => re.test(l)) ? true : undefined), 30_000).catch((e: Error) => assert.fail(`${e.message}\n${watchLines().join("\n")}`));
  const watchLines = (): string[] => events.flatMap((e) => (e.type === "watch" ? [`${e.service}: ${e.message}`] : e.type === "warning" ? [`WARN ${e.message}`] : []));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flotilla-watch-"));
    cpSync(fixture, dir, { recursive: true });
    p = await Project.load({ cwd: dir, projectName: name, env: { PATH: process.env.PATH ?? "" } });
    await p.up({ detach: true });
    port = (await p.port("web", 8080))!;
    assert.ok(port > 0);
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    // Batching windows wider than the defaults (20 ms quiet, 1 s at most): on a loaded machine the 1,000-file
    // burst below takes longer than 1 s to write, which would split it. The defaults are unit-tested
    // (watch-batcher, fake clock); here the window is generous so that a burst is one batch however slow the writer.
    watching = watchProject(p, { signal: ac.signal, onEvent: (e) => events.push(e), stats, onReady: ready, prune: true, quietMs: 250, maxWaitMs: 30_000 });
    watching.catch(() => ready());
    await isReady;
  });

  after(async () => {
    ac.abort();
    await watching?.catch(() => undefined);
    try {
      await p?.down({ volumes: true, removeOrphans: true, rmi: "local" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("initial_sync copies the rule's files before any edit; unwatched services are reported", async () => {
    assert.deepEqual(await get("/index.html"), { status: 200, body: "<h1>home</h1>\n" });
    assert.ok(watchLines().some((l) => /^web: initial sync: 1 file to \/www$/.test(l)), watchLines().join("\n"));
    assert.ok(events.some((e) => e.type === "info" && e.service === "db" && /not watched/.test(e.message)));
  });

  test("an edited file is served; a new file in a new directory too; a deleted file is gone", async () => {
    writeFileSync(join(dir, "site/index.html"), "edited\n");
    await serves("/index.html", "edited\n");
    mkdirSync(join(dir, "site/sub/deeper"), { recursive: true });
    writeFileSync(join(dir, "site/sub/deeper/page.html"), "deep\n");
    await serves("/sub/deeper/page.html", "deep\n");
    await saw(/^web: synced 1 file to \/www \(index\.html\)$/);

    unlinkSync(join(dir, "site/sub/deeper/page.html"));
    await until("404 after delete", async () => ((await get("/sub/deeper/page.html")).status === 404 ? true : undefined));
    await saw(/^web: removed \d+ paths? from \/www/);
  });

  test("ignore patterns are respected", async () => {
    writeFileSync(join(dir, "site/skip.tmp"), "tmp\n");
    mkdirSync(join(dir, "site/drafts"), { recursive: true });
    writeFileSync(join(dir, "site/drafts/d.html"), "draft\n");
    writeFileSync(join(dir, "site/.index.html.swp"), "swap\n");
    writeFileSync(join(dir, "site/marker-after-ignored.html"), "m\n"); // synced, proves the batch ran
    await serves("/marker-after-ignored.html", "m\n");
    const ls = await p.exec("web", ["ls", "-a", "/www"]);
    assert.doesNotMatch(ls.stdout, /skip\.tmp|drafts|\.swp/);
    assert.equal((await get("/skip.tmp")).status, 404);
  });

  test("include narrows the rule to matching files", async () => {
    writeFileSync(join(dir, "assets/app.js"), "js\n");
    writeFileSync(join(dir, "assets/theme.css"), "css\n");
    await serves("/assets/theme.css", "css\n");
    assert.equal((await get("/assets/app.js")).status, 404);
  });

  test("sync+exec syncs, then runs the hook in the container", async () => {
    writeFileSync(join(dir, "hook/v.txt"), "v1\n");
    await serves("/hooked.txt", "v1\n");
    await saw(/^web: ran "sh -c cat \/hook\/v\.txt > \/www\/hooked\.txt" \(exit 0\) after v\.txt changed$/);
  });

  test("synced files belong to the container's user (copyUIDGID), as with Compose", async () => {
    writeFileSync(join(dir, "owned/mine.txt"), "mine\n");
    const owner = await until("owned/mine.txt in the container", async () => {
      const r = await p.exec("owned", ["stat", "-c", "%u:%g", "/owned/mine.txt"]);
      return r.exitCode === 0 ? r.stdout.trim() : undefined;
    });
    assert.equal(owner, "1000:1000");
    // so the non-root user can change it
    assert.equal((await p.exec("owned", ["sh", "-c", "echo changed > /owned/mine.txt && cat /owned/mine.txt"])).stdout, "changed\n");
  });

  test("sync+restart syncs the file and restarts the container", async () => {
    const engine = await p.engine();
    const id = await p.containerId("api");
    const before = (await engine.inspectContainer(id))!.state.startedAt;
    writeFileSync(join(dir, "api/conf/app.conf"), "a=2\n");
    await until("restart", async () => {
      const d = await engine.inspectContainer(id);
      return d?.state.running && d.state.startedAt !== before ? true : undefined;
    });
    const r = await p.exec("api", ["cat", "/conf/app.conf"]);
    assert.equal(r.stdout, "a=2\n");
    await saw(/^api: restarted after app\.conf changed$/);
  });

  test("rebuild after a Dockerfile change gives a new image and a new container; prune removes the old image", async () => {
    const engine = await p.engine();
    const oldId = await p.containerId("api");
    const oldImage = (await engine.inspectContainer(oldId))!.image;
    const rebuildsBefore = stats.rebuilds;
    writeFileSync(join(dir, "api/Dockerfile"), 'FROM flotilla-busybox:latest\nRUN echo v2 > /version\nCMD ["sleep", "3600"]\n');
    const newId = await until("a new api container", async () => {
      const id = await p.containerId("api").catch(() => undefined);
      if (!id || id === oldId) return undefined;
      return (await engine.inspectContainer(id))?.state.running ? id : undefined;
    }, 120_000);
    const d = (await engine.inspectContainer(newId))!;
    assert.notEqual(d.image, oldImage);
    assert.equal((await p.exec("api", ["cat", "/version"])).stdout, "v2\n");
    assert.equal(stats.rebuilds, rebuildsBefore + 1);
    await saw(/^api: rebuilding after Dockerfile changed$/);
    await until("the old image to be pruned", async () => ((await engine.inspectImage(oldImage)) === undefined ? true : undefined), 30_000);
  });

  test("a failed rebuild keeps the running container and keeps watching", async () => {
    const id = await p.containerId("api");
    const errorsBefore = stats.errors;
    writeFileSync(join(dir, "api/Dockerfile"), "FROM flotilla-busybox:latest\nRUN exit 3\n");
    await until("the rebuild failure", async () => (stats.errors > errorsBefore ? true : undefined), 120_000);
    assert.ok(watchLines().some((l) => /rebuild failed, the running container is kept/.test(l)), watchLines().join("\n"));
    assert.equal(await p.containerId("api"), id);
    writeFileSync(join(dir, "site/after-failure.html"), "still watching\n");
    await serves("/after-failure.html", "still watching\n");
    // The file shows in the container before the sync is counted; the line comes after, so the next test's counts start clean.
    await saw(/^web: synced 1 file to \/www \(after-failure\.html\)$/);
  });

  test("a 1,000-file burst arrives complete in one archive", async () => {
    const archivesBefore = stats.archives;
    mkdirSync(join(dir, "site/burst"));
    for (let i = 0; i < 1000; i++) writeFileSync(join(dir, `site/burst/f${i}.txt`), `${i}\n`);
    await serves("/burst/f999.txt", "999\n");
    await until("all 1000 files", async () => {
      const r = await p.exec("web", ["sh", "-c", "ls /www/burst | wc -l"]);
      return r.stdout.trim() === "1000" ? true : undefined;
    });
    assert.equal(stats.archives - archivesBefore, 1, watchLines().slice(-5).join("\n"));
    await saw(/^web: synced 1000 files to \/www \(burst\/f/);
  });
});
