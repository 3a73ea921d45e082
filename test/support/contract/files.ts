/** Contract cases: logs, exec, stdin and files in containers. */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { collect, tarOf, untar, withCode } from "./helpers.js";
import type { ContractContext } from "../engine-contract.js";

export function fileCases(ctx: ContractContext): void {
  const { run, contract, spec, create } = ctx;

  contract("logs are demultiplexed into stdout and stderr", ["logs"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("logs", ["sh", "-c", "echo out; echo err >&2"]));
    await engine.startContainer(id);
    assert.equal(await engine.waitContainer(id), 0);
    const all = await collect(engine.logs(id, {}));
    assert.equal(all.stdout, "out\n");
    assert.equal(all.stderr, "err\n");
    const onlyErr = await collect(engine.logs(id, { stdout: false }));
    assert.deepEqual(onlyErr, { stdout: "", stderr: "err\n" });
    // follow on a stopped container ends instead of hanging
    const followed = await collect(engine.logs(id, { follow: true }));
    assert.equal(followed.stdout, "out\n");
  });

  contract("a TTY container's logs are all stdout", ["logs"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("tty", ["sh", "-c", "echo on-tty >&2"], { Tty: true }));
    await engine.startContainer(id);
    await engine.waitContainer(id);
    const out = await collect(engine.logs(id, {}));
    assert.equal(out.stderr, "");
    assert.match(out.stdout, /on-tty/);
  });

  contract("exec returns the exit code and separated output", ["exec"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("exec", ["sleep", "300"]));
    await engine.startContainer(id);
    const r = await engine.exec(id, { cmd: ["sh", "-c", "echo hi; echo oops >&2; exit 3"] });
    assert.deepEqual(r, { exitCode: 3, stdout: "hi\n", stderr: "oops\n" });
    const ok = await engine.exec(id, { cmd: ["true"] });
    assert.equal(ok.exitCode, 0);
    // onOutput: the output goes to the callback, per stream, and not into the result
    const chunks: { stream: string; text: string }[] = [];
    const streamed = await engine.exec(id, { cmd: ["sh", "-c", "echo hi; echo oops >&2; exit 3"], onOutput: (c) => chunks.push({ stream: c.stream, text: c.data.toString() }) });
    assert.deepEqual(streamed, { exitCode: 3, stdout: "", stderr: "" });
    const joined = (stream: string) => chunks.filter((c) => c.stream === stream).map((c) => c.text).join("");
    assert.deepEqual([joined("stdout"), joined("stderr")], ["hi\n", "oops\n"]);
    await engine.removeContainer(id, { force: true });
  });

  contract("putArchive extracts a tar, then exec cat reads the file", ["putArchive", "exec"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("archive", ["sleep", "300"]));
    await engine.startContainer(id);
    // (the busybox base image is FROM scratch: "/" is the one directory sure to exist)
    await engine.putArchive(id, "/", await tarOf({ "hello.txt": "hello from the tar\n" }));
    const r = await engine.exec(id, { cmd: ["cat", "/hello.txt"] });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, "hello from the tar\n");
    const missing = await engine.exec(id, { cmd: ["cat", "/tmp/nope.txt"] });
    assert.notEqual(missing.exitCode, 0);
    await engine.removeContainer(id, { force: true });
  });

  contract("statPath tells files from directories; getArchive packs a file under its base name", ["statPath", "getArchive", "putArchive"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("getarchive", ["sleep", "300"]));
    await engine.startContainer(id);
    await engine.putArchive(id, "/", await tarOf({ "copied/one.txt": "one\n" }));
    assert.deepEqual(await engine.statPath(id, "/copied/one.txt"), { isDirectory: false });
    assert.deepEqual(await engine.statPath(id, "/copied"), { isDirectory: true });
    assert.deepEqual(await engine.statPath(id, "/"), { isDirectory: true });
    assert.equal(await engine.statPath(id, "/copied/none.txt"), undefined);
    const files = await untar(await engine.getArchive(id, "/copied/one.txt"));
    assert.deepEqual([...files], [["one.txt", "one\n"]]);
    const dir = await untar(await engine.getArchive(id, "/copied"));
    assert.equal(dir.get("copied/one.txt"), "one\n");
    await assert.rejects(engine.getArchive(id, "/copied/none.txt"), withCode("NOT_FOUND"));
    await engine.removeContainer(id, { force: true });
  });

  contract("attachStdin feeds a container's stdin and closes it: cat echoes the input and exits 0", ["attachStdin"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("stdin", ["cat"], { OpenStdin: true, StdinOnce: true, AttachStdin: true }));
    const stop = new AbortController();
    const feeding = engine.attachStdin(id, Readable.from([Buffer.from("line one\n"), "line two\n"]), stop.signal);
    await engine.startContainer(id);
    await feeding;
    assert.equal(await engine.waitContainer(id), 0);
    stop.abort();
    assert.equal((await collect(engine.logs(id, {}))).stdout, "line one\nline two\n");
  });

  contract("exportContainer streams the filesystem with the files put into it", ["exportContainer"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("export", ["sleep", "300"]));
    await engine.putArchive(id, "/", await tarOf({ "exported.txt": `from ${run}\n` }));
    const files = await untar(await engine.exportContainer(id));
    assert.equal(files.get("exported.txt"), `from ${run}\n`);
    await engine.removeContainer(id, { force: true });
  });
}
