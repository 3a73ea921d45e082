import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { Readable } from "node:stream";
import * as tarStream from "tar-stream";
import { StreamDemuxer, connectEngine, labelFilters, openEngine } from "../../src/runtime/docker/index.js";
import { parseDockerHost } from "../../src/runtime/connect.js";
import { isFlotillaError } from "../../src/errors.js";
import { engineContract } from "../support/engine-contract.js";
import { startRegistry } from "../support/registry.js";

const IMAGE = "flotilla-busybox:latest";
// The engine the CLI would use: DOCKER_HOST, else the Docker context, else the default socket
// (scripts/podman-check.sh runs this file against Podman with DOCKER_HOST=unix:///tmp/podman.sock
// and FLOTILLA_EXPECT_FLAVOR=podman).
const engine = await connectEngine(process.env);
const endpoint = engine.endpoint;
const expectedFlavor = process.env["FLOTILLA_EXPECT_FLAVOR"] === "podman" ? "podman" : "docker";

engineContract("DockerEngine", async () => {
  execFileSync("bash", ["scripts/base-image.sh", IMAGE], { stdio: "ignore" });
  // pushes and pulls go to a throw-away local registry (nothing can be pulled from the internet here)
  const registry = await startRegistry();
  return { engine, image: IMAGE, registry: registry.host, cleanup: () => registry.stop() };
}, { realProcesses: true });

describe("DockerEngine specifics", () => {
  test("an unreachable socket gives ENGINE_UNREACHABLE with a hint", async () => {
    await assert.rejects(connectEngine({}, { endpoint: parseDockerHost("unix:///tmp/nope.sock", "test") }), (e: unknown) => {
      assert.ok(isFlotillaError(e));
      assert.equal(e.code, "ENGINE_UNREACHABLE");
      assert.equal(e.message, "cannot reach the Docker engine at unix:///tmp/nope.sock: is dockerd running?");
      assert.match(e.hint ?? "", /DOCKER_HOST/);
      return true;
    });
  });

  test("info reports versions, the endpoint and localhost for a unix socket", async () => {
    const info = await openEngine(endpoint).info();
    assert.equal(info.endpoint, endpoint.url);
    assert.equal(info.host, "localhost");
    assert.match(info.apiVersion, /^1\.\d+$/);
    assert.equal(info.flavor, expectedFlavor);
  });

  test("build errors inside the stream reject with BUILD_FAILED and the last output lines; success returns the id", async () => {
    const engine = openEngine(endpoint);
    const context = (dockerfile: string): Readable => {
      const pack = tarStream.pack();
      pack.entry({ name: "Dockerfile" }, dockerfile);
      pack.finalize();
      return pack as unknown as Readable;
    };
    const tag = `flotilla-contract-build-${process.pid}:latest`;
    try {
      await assert.rejects(
        engine.buildImage({ context: context(`FROM ${IMAGE}\nRUN echo before-failure && exit 3\n`), tags: [tag] }),
        (e: unknown) => {
          assert.ok(isFlotillaError(e));
          assert.equal(e.code, "BUILD_FAILED");
          // Docker: "returned a non-zero code: 3"; Podman: "while running runtime: exit status 3"
          assert.match(e.message, /non-zero code: 3|exit status 3/);
          assert.match(e.message, /before-failure/);
          return true;
        },
      );
      const lines: string[] = [];
      const id = await engine.buildImage({ context: context(`FROM ${IMAGE}\nLABEL io.flotilla.test=build\n`), tags: [tag] }, (m) => {
        if (m.stream) lines.push(m.stream);
      });
      assert.match(id, /^sha256:[0-9a-f]{64}$/);
      const img = await engine.inspectImage(tag);
      assert.equal(img?.id, id);
      assert.equal(img?.labels["io.flotilla.test"], "build");
      assert.ok(lines.length > 0);
    } finally {
      await engine.removeImage(tag, true);
    }
  });

  test("pulling an image that cannot be reached rejects with PULL_FAILED", async () => {
    const engine = openEngine(endpoint);
    await assert.rejects(engine.pullImage("127.0.0.1:1/flotilla/none:1"), (e: unknown) => isFlotillaError(e) && e.code === "PULL_FAILED");
  });

  test("a taken host port gives PORT_ALLOCATED", async () => {
    const engine = openEngine(endpoint);
    const name = `flotilla-contract-port-${process.pid}`;
    const ids: string[] = [];
    try {
      const mk = async (n: string) => {
        const id = await engine.createContainer({
          name: n,
          Image: IMAGE,
          Cmd: ["sleep", "300"],
          ExposedPorts: { "80/tcp": {} },
          HostConfig: { Init: true, PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] } },
        });
        ids.push(id);
        return id;
      };
      const a = await mk(`${name}-a`);
      await engine.startContainer(a);
      const port = (await engine.inspectContainer(a))?.ports.find((p) => p.publicPort !== undefined)?.publicPort;
      assert.ok(port);
      const b = await engine.createContainer({
        name: `${name}-b`,
        Image: IMAGE,
        Cmd: ["sleep", "300"],
        ExposedPorts: { "80/tcp": {} },
        HostConfig: { Init: true, PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
      });
      ids.push(b);
      await assert.rejects(engine.startContainer(b), (e: unknown) => isFlotillaError(e) && e.code === "PORT_ALLOCATED");
    } finally {
      for (const id of ids) await engine.removeContainer(id, { force: true });
    }
  });
});

describe("DockerEngine helpers (no engine needed)", () => {
  const frame = (type: number, text: string): Buffer => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = type;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  test("the demuxer separates stdout and stderr frames, even split mid-header and mid-payload", () => {
    const all = Buffer.concat([frame(1, "hello "), frame(2, "oops\n"), frame(1, "world\n")]);
    for (const cuts of [[], [3], [8, 9], [5, 14, 20, 27], Array.from({ length: all.length - 1 }, (_, i) => i + 1)]) {
      const d = new StreamDemuxer();
      const out: string[] = [];
      let last = 0;
      for (const cut of [...cuts, all.length]) {
        for (const c of d.push(all.subarray(last, cut))) out.push(`${c.stream}:${c.data.toString()}`);
        last = cut;
      }
      assert.deepEqual(out, ["stdout:hello ", "stderr:oops\n", "stdout:world\n"], `cuts ${cuts.join(",")}`);
      assert.equal(d.pendingBytes, 0);
    }
  });

  test("the demuxer holds back an unfinished frame", () => {
    const d = new StreamDemuxer();
    assert.deepEqual(d.push(frame(2, "partial").subarray(0, 10)), []);
    assert.equal(d.pendingBytes, 10);
  });

  test("label filters: exact values and presence", () => {
    assert.deepEqual(labelFilters({ "com.docker.compose.project": "demo", "com.docker.compose.service": undefined }), [
      "com.docker.compose.project=demo",
      "com.docker.compose.service",
    ]);
    assert.deepEqual(labelFilters(undefined), []);
  });
});
