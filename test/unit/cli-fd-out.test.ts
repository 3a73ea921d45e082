/**
 * stdout/stderr written without their Node streams (src/cli/fd-out.ts, issue 13): the same bytes in
 * the same order, the stream made only when something needs it, and a closed reader still a quiet
 * exit 0.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FdOut } from "../../src/cli/fd-out.js";

/** A stand-in for process.stdout: records what reaches it. */
function fakeStream(): { stream: NodeJS.WriteStream; got: (string | Uint8Array)[]; opened: () => number } {
  const got: (string | Uint8Array)[] = [];
  let opened = 0;
  const stream = { isTTY: false, write: (c: string | Uint8Array) => (got.push(c), true) } as unknown as NodeJS.WriteStream;
  return { stream, got, opened: () => opened++ };
}

describe("FdOut", () => {
  test("text and bytes reach the descriptor in order, and no stream is made for a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-fdout-"));
    try {
      const file = join(dir, "out");
      const fd = openSync(file, "w");
      let opened = 0;
      const out = new FdOut(fd, () => {
        opened++;
        throw new Error("no stream wanted");
      });
      assert.equal(out.write("héllo "), true);
      assert.equal(out.write(Buffer.from([0x77, 0x6f, 0x72, 0x6c, 0x64, 0x0a])), true);
      assert.equal(out.write("x".repeat(200_000)), true);
      assert.equal(out.isTTY, false, "a regular file is no terminal, known without the stream");
      assert.equal(out.columns, undefined);
      closeSync(fd);
      assert.equal(opened, 0);
      assert.equal(readFileSync(file, "utf8"), `héllo world\n${"x".repeat(200_000)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("when the descriptor refuses a write, the stream takes that write and every later one", () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-fdout-"));
    try {
      const fd = openSync(join(dir, "ro"), "w");
      closeSync(fd); // writes now fail (EBADF)
      const f = fakeStream();
      const out = new FdOut(fd, () => (f.opened(), f.stream));
      out.write("first");
      out.write("second");
      assert.deepEqual(f.got, ["first", "second"]);
      assert.equal(f.opened(), 1, "made once");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("nodeStream() hands out the process's stream; writes then go through it", () => {
    const f = fakeStream();
    const out = new FdOut(1, () => f.stream);
    assert.equal(out.nodeStream(), f.stream);
    out.write("via the stream");
    assert.deepEqual(f.got, ["via the stream"]);
  });

  test("stdout whose reader went away: the process ends quietly with exit 0", async () => {
    const module = fileURLToPath(new URL("../../src/cli/fd-out.js", import.meta.url));
    const script = `const { FdOut } = await import(${JSON.stringify(module)}); const out = new FdOut(1, () => process.stdout); for (;;) { out.write("y".repeat(65536)); await new Promise((r) => setTimeout(r, 1)); }`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
  });
});
