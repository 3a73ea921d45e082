/** Contract cases: images (inspect, tag, push, pull, remove), builds and commits. */
import assert from "node:assert/strict";
import type { Readable } from "node:stream";
import * as tarStream from "tar-stream";
import { EngineError } from "../../../src/errors.js";
import type { ProgressMessage } from "../../../src/runtime/engine.js";
import type { ContractContext } from "../engine-contract.js";
import { tarOf, withCode } from "./helpers.js";

function buildContext(dockerfile: string): Readable {
  const pack = tarStream.pack();
  pack.entry({ name: "Dockerfile" }, dockerfile);
  pack.finalize();
  return pack as unknown as Readable;
}

export function imageCases(ctx: ContractContext): void {
  const { run, contract, spec, create } = ctx;

  contract("the local image inspects with an id and its tag", ["inspectImage"], async () => {
    const engine = ctx.engine;
    const img = await engine.inspectImage(ctx.subject.image);
    assert.ok(img);
    assert.match(img.id, /^sha256:[0-9a-f]{64}$/);
    assert.ok(img.repoTags.includes(ctx.subject.image));
  });

  contract("tag, push to a registry, untag, pull back; tagging a missing image is IMAGE_NOT_FOUND, pushing one a 404", ["tagImage", "pushImage", "removeImage", "pullImage", "inspectImage"], async () => {
    const engine = ctx.engine;
    const base = await engine.inspectImage(ctx.subject.image);
    assert.ok(base);
    const repo = `${ctx.subject.registry}/${run}`;
    const ref = `${repo}:1`;
    ctx.images.push(ref);
    await engine.tagImage(ctx.subject.image, repo, "1");
    assert.equal((await engine.inspectImage(ref))?.id, base.id);
    const pushed: ProgressMessage[] = [];
    await engine.pushImage(ref, (m) => pushed.push(m));
    assert.ok(pushed.length > 0, "push reports progress");
    await engine.removeImage(ref);
    assert.equal(await engine.inspectImage(ref), undefined, "the tag is gone");
    assert.equal((await engine.inspectImage(ctx.subject.image))?.id, base.id, "removing one tag keeps the image's other tags");
    const pulled: ProgressMessage[] = [];
    await engine.pullImage(ref, (m) => pulled.push(m));
    assert.ok(await engine.inspectImage(ref), "pulled back");
    assert.ok(pulled.some((m) => m.status !== undefined), "pull reports progress");
    await engine.removeImage(ref);
    await engine.removeImage(ref); // removing a missing image is fine
    await assert.rejects(engine.tagImage(`${run}-missing:1`, `${run}-other`, "1"), withCode("IMAGE_NOT_FOUND"));
    await assert.rejects(engine.pushImage(`${repo}:missing`), (e: unknown) => e instanceof EngineError && e.code === "PUSH_FAILED" && e.statusCode === 404);
  });

  contract("buildImage returns the new image id, tagged and labelled as asked", ["buildImage"], async () => {
    const engine = ctx.engine;
    const tag = `${run}-built:1`;
    ctx.images.push(tag);
    const id = await engine.buildImage({ context: buildContext(`FROM ${ctx.subject.image}\n`), tags: [tag], labels: { "io.flotilla.test.run": run } });
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const img = await engine.inspectImage(tag);
    assert.equal(img?.id, id);
    assert.equal(img?.labels["io.flotilla.test.run"], run);
    await engine.removeImage(tag, true);
    assert.equal(await engine.inspectImage(tag), undefined);
  });

  contract("commitContainer makes a tagged image from a container", ["commitContainer"], async () => {
    const engine = ctx.engine;
    const id = await create(spec("commit", ["sleep", "300"]));
    await engine.putArchive(id, "/", await tarOf({ "committed.txt": "kept\n" }));
    const ref = `${run}-committed:1`;
    ctx.images.push(ref);
    const imageId = await engine.commitContainer(id, { reference: ref, message: "contract" });
    assert.match(imageId, /^sha256:[0-9a-f]{64}$/);
    assert.equal((await engine.inspectImage(ref))?.id, imageId);
    await engine.removeContainer(id, { force: true });
    await engine.removeImage(ref, true);
  });
}
