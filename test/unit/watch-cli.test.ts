import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { BufferStream, type CliIO } from "../../src/cli/io.js";

function io(cwd: string): { io: CliIO; out: BufferStream; err: BufferStream } {
  const out = new BufferStream();
  const err = new BufferStream();
  // DOCKER_HOST points nowhere: these tests must fail before any engine call.
  const env = { PATH: process.env.PATH ?? "", DOCKER_HOST: "tcp://127.0.0.1:1" };
  return { io: { stdout: out, stderr: err, env, cwd, readStdin: async () => "", onSignal: () => () => {} }, out, err };
}

describe("watch CLI", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "flotilla-watch-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("`watch --help` lists its flags", async () => {
    const t = io(dir);
    await main(["watch", "--help"], t.io);
    const text = t.out.text + t.err.text;
    for (const flag of ["--no-up", "--quiet", "--prune"]) assert.ok(text.includes(flag), `${flag} in:\n${text}`);
  });

  test("nothing configured for watch is an error before anything starts (watch and up --watch)", async () => {
    writeFileSync(join(dir, "compose.yaml"), "services:\n  db:\n    image: flotilla-busybox:latest\n");
    for (const argv of [["watch"], ["up", "--watch"]]) {
      const t = io(dir);
      const code = await main(["-p", "watchcli", ...argv], t.io);
      assert.notEqual(code, 0);
      assert.match(t.err.text, /none of the selected services \(db\) is configured for watch/);
      assert.doesNotMatch(t.err.text, /Container|Network/, "nothing was created");
    }
  });

  test("an invalid rule is reported with its model path", async () => {
    writeFileSync(
      join(dir, "compose.yaml"),
      "services:\n  web:\n    image: flotilla-busybox:latest\n    develop:\n      watch:\n        - path: ./src\n          action: rebuild\n",
    );
    const t = io(dir);
    const code = await main(["-p", "watchcli", "watch", "--no-up"], t.io);
    assert.notEqual(code, 0);
    assert.match(t.err.text, /services\.web\.develop\.watch\[0\].*no build section/);
  });
});
