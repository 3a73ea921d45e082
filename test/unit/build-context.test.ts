import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { extract } from "tar-stream";
import { INLINE_DOCKERFILE, packBuildContext, placeDockerfile } from "../../src/runtime/build-context.js";
import { isFlotillaError } from "../../src/errors.js";

/** Every entry of a tar stream: name -> content (files) or "<dir>". */
async function entries(stream: Readable): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on("data", (c: unknown) => {
        chunks.push(c as Buffer);
      });
      body.on("end", () => {
        out.set(header.name.replace(/\/$/, ""), header.type === "directory" ? "<dir>" : Buffer.concat(chunks).toString("utf8"));
        next();
      });
      body.resume();
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  stream.pipe(ex);
  await done;
  return out;
}

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, content);
  }
}

let tmp: string;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "flotilla-ctx-"));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("packBuildContext", () => {
  test(".dockerignore with directories, globs and a negation; Dockerfile and .dockerignore always sent", async () => {
    const dir = path.join(tmp, "basic");
    await write(dir, {
      Dockerfile: "FROM scratch\n",
      ".dockerignore": "# comment\n\nDockerfile\n.dockerignore\nsecret.txt\nlogs/\n*.tmp\n!keep.tmp\nnode_modules\n**/*.bak\n",
      "app.txt": "app",
      "secret.txt": "no",
      "logs/a.txt": "no",
      "x.tmp": "no",
      "keep.tmp": "yes",
      "node_modules/m/index.js": "no",
      "src/main.ts": "code",
      "src/deep/old.bak": "no",
    });
    const got = await entries(await packBuildContext(dir, undefined));
    const files = [...got].filter(([, v]) => v !== "<dir>").map(([k]) => k).sort();
    assert.deepEqual(files, [".dockerignore", "Dockerfile", "app.txt", "keep.tmp", "src/main.ts"]);
    assert.equal(got.get("app.txt"), "app");
    assert.ok(!got.has("logs"), "an ignored directory is not sent at all");
    assert.ok(!got.has("node_modules"));
  });

  test("negation inside an ignored directory re-includes that file", async () => {
    const dir = path.join(tmp, "negdir");
    await write(dir, { Dockerfile: "FROM scratch\n", ".dockerignore": "docs\n!docs/README.md\n", "docs/README.md": "readme", "docs/other.md": "no" });
    const got = await entries(await packBuildContext(dir, "Dockerfile"));
    assert.equal(got.get("docs/README.md"), "readme");
    assert.ok(!got.has("docs/other.md"));
  });

  test("<Dockerfile>.dockerignore wins over .dockerignore; nested Dockerfile kept even if its dir is ignored", async () => {
    const dir = path.join(tmp, "perfile");
    await write(dir, {
      "build/app.Dockerfile": "FROM scratch\n",
      "build/app.Dockerfile.dockerignore": "build\nb.txt\n",
      ".dockerignore": "a.txt\n",
      "a.txt": "a",
      "b.txt": "b",
    });
    const got = await entries(await packBuildContext(dir, "build/app.Dockerfile"));
    assert.equal(got.get("a.txt"), "a", "the context .dockerignore is not used");
    assert.ok(!got.has("b.txt"));
    assert.equal(got.get("build/app.Dockerfile"), "FROM scratch\n");
    assert.ok(got.has("build/app.Dockerfile.dockerignore"));
    assert.deepEqual(await placeDockerfile(dir, "build/app.Dockerfile"), { name: "build/app.Dockerfile", file: path.join(dir, "build/app.Dockerfile") });
  });

  test("dockerfile_inline is added under a generated name", async () => {
    const dir = path.join(tmp, "inline");
    await write(dir, { "a.txt": "a" });
    const inline = "FROM flotilla-busybox:latest\nCOPY a.txt /\n";
    const got = await entries(await packBuildContext(dir, undefined, inline));
    assert.equal(got.get(INLINE_DOCKERFILE), inline);
    assert.equal(got.get("a.txt"), "a");
    assert.equal((await placeDockerfile(dir, undefined, inline)).name, INLINE_DOCKERFILE);
  });

  test("a Dockerfile outside the context is sent as the generated entry", async () => {
    const dir = path.join(tmp, "outside");
    await write(dir, { "ctx/a.txt": "a", "elsewhere/Dockerfile": "FROM scratch\nCOPY a.txt /\n" });
    const ctx = path.join(dir, "ctx");
    const df = path.join(dir, "elsewhere/Dockerfile");
    const got = await entries(await packBuildContext(ctx, df));
    assert.equal(got.get(INLINE_DOCKERFILE), "FROM scratch\nCOPY a.txt /\n");
    assert.equal((await placeDockerfile(ctx, df)).name, INLINE_DOCKERFILE);
  });

  test("a missing context is BUILD_FAILED with a hint", async () => {
    await assert.rejects(packBuildContext(path.join(tmp, "nope"), undefined), (e: unknown) => isFlotillaError(e) && e.code === "BUILD_FAILED" && !!e.hint && e.message.includes("nope"));
  });
});
