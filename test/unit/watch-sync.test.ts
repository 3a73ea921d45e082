import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, symlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { extract } from "tar-stream";
import { Readable } from "node:stream";
import { packFiles, syncContainer, syncOwner } from "../../src/runtime/watch/sync.js";
import type { Engine, ExecOptions } from "../../src/runtime/engine.js";

interface Entry { name: string; type: string; mode: number; body: string; linkname?: string; uid: number; gid: number }

async function entries(tar: Buffer): Promise<Entry[]> {
  const out: Entry[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        out.push({ name: h.name, type: h.type ?? "file", mode: h.mode ?? 0, body: Buffer.concat(chunks).toString(), uid: h.uid ?? 0, gid: h.gid ?? 0, ...(h.linkname ? { linkname: h.linkname } : {}) });
        next();
      });
      stream.resume();
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  Readable.from([tar]).pipe(ex);
  await done;
  return out;
}

describe("watch sync", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "flotilla-watch-sync-"));
    mkdirSync(path.join(dir, "sub"));
    writeFileSync(path.join(dir, "a.txt"), "hello");
    writeFileSync(path.join(dir, "sub", "run.sh"), "#!/bin/sh\n");
    chmodSync(path.join(dir, "sub", "run.sh"), 0o755);
    symlinkSync("a.txt", path.join(dir, "link"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("packs files at their container paths with modes, no implied parent directories", async () => {
    const packed = await packFiles([
      { hostPath: path.join(dir, "sub", "run.sh"), containerPath: "/app/sub/run.sh" },
      { hostPath: path.join(dir, "a.txt"), containerPath: "/app/a.txt" },
      { hostPath: path.join(dir, "link"), containerPath: "/app/link" },
      { hostPath: path.join(dir, "gone.txt"), containerPath: "/app/gone.txt" },
      { hostPath: path.join(dir, "a.txt"), containerPath: "/app/a.txt" },
    ]);
    const list = await entries(packed.tar);
    assert.deepEqual(list.map((e) => e.name), ["app/a.txt", "app/link", "app/sub/run.sh"]);
    assert.equal(list[0]!.body, "hello");
    assert.equal(list[1]!.type, "symlink");
    assert.equal(list[1]!.linkname, "a.txt");
    assert.equal(list[2]!.mode & 0o777, 0o755);
    assert.deepEqual(packed.vanished.map((f) => f.containerPath), ["/app/gone.txt"]);
    assert.deepEqual(packed.written.sort(), ["/app/a.txt", "/app/link", "/app/sub/run.sh"]);
  });

  test("syncContainer deletes first, then sends one archive", async () => {
    const calls: string[] = [];
    const engine = {
      exec: async (id: string, o: ExecOptions) => {
        calls.push(`exec ${id} ${o.cmd.join(" ")}`);
        return { exitCode: 0, stdout: "", stderr: "" };
      },
      putArchive: async (id: string, p: string) => {
        calls.push(`put ${id} ${p}`);
      },
    } as unknown as Engine;
    const r = await syncContainer(engine, "c1", { tar: Buffer.from("x"), deletions: ["/app/old.txt", "/app/dir"] });
    assert.equal(r.archives, 1);
    assert.deepEqual(calls, ["exec c1 rm -rf -- /app/old.txt /app/dir", "put c1 /"]);
  });

  test("ownership: root by default, a numeric user in the tar headers, a named user through copyUIDGID", async () => {
    assert.deepEqual([undefined, "root", "0:0", "1000", "1000:1001", "node", "www-data:www-data"].map((u) => syncOwner(u)), [
      { uid: 0, gid: 0 },
      { uid: 0, gid: 0 },
      { uid: 0, gid: 0 },
      { uid: 1000, gid: 0 },
      { uid: 1000, gid: 1001 },
      "container-user",
      "container-user",
    ]);
    const rootOwned = await entries((await packFiles([{ hostPath: path.join(dir, "a.txt"), containerPath: "/app/a.txt" }])).tar);
    assert.deepEqual([rootOwned[0]!.uid, rootOwned[0]!.gid], [0, 0]);
    const owned = await entries((await packFiles([{ hostPath: path.join(dir, "a.txt"), containerPath: "/app/a.txt" }], 4, { uid: 1000, gid: 1001 })).tar);
    assert.deepEqual([owned[0]!.uid, owned[0]!.gid], [1000, 1001]);
  });

  test("copyUIDGID is asked for; an engine that cannot resolve the user gets the archive as it is", async () => {
    const puts: string[] = [];
    const engine = (failWith?: string) =>
      ({
        exec: async () => ({ exitCode: 0, stdout: "", stderr: "" }),
        putArchive: async (_id: string, _p: string, _tar: Buffer, o?: { copyUIDGID?: boolean }) => {
          puts.push(o?.copyUIDGID ? "copy" : "plain");
          if (o?.copyUIDGID && failWith) throw new Error(failWith);
        },
      }) as unknown as Engine;
    assert.deepEqual(await syncContainer(engine(), "c1", { tar: Buffer.from("x"), deletions: [] }, undefined, true), { archives: 1 });
    const r = await syncContainer(engine('getent unable to find entry "node" in passwd database'), "c1", { tar: Buffer.from("x"), deletions: [] }, undefined, true);
    assert.equal(r.archives, 1);
    assert.match(r.ownerFallback ?? "", /getent/);
    await assert.rejects(syncContainer(engine("no space left on device"), "c1", { tar: Buffer.from("x"), deletions: [] }, undefined, true), /no space/);
    assert.deepEqual(puts, ["copy", "copy", "plain", "copy"]);
  });

  test("a failing rm is an error", async () => {
    const engine = { exec: async () => ({ exitCode: 1, stdout: "", stderr: "read-only file system" }) } as unknown as Engine;
    await assert.rejects(syncContainer(engine, "c1", { deletions: ["/x"] }), /read-only/);
  });
});
