/** `use_api_socket` on the real engine: the service's container gets the engine's socket, a plain one does not. */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { Project } from "../../src/api/project.js";

const root = resolve(import.meta.dirname, "../../..");
const dir = resolve(root, "fixtures/api-socket");
const name = `api-socket-${process.pid}`;

describe("use_api_socket on the real engine", () => {
  let p: Project | undefined;
  after(async () => {
    await p?.down({ volumes: true, removeOrphans: true, timeout: 0 });
  });

  test("the engine's socket is bind-mounted at /var/run/docker.sock, and only where it is asked for", async () => {
    p = await Project.load({ cwd: dir, projectName: name, env: { PATH: process.env.PATH ?? "" } });
    assert.equal(p.config.model.services["tool"]!.use_api_socket, true);
    const result = await p.up({ wait: true });
    assert.deepEqual(result.warnings.filter((w) => w.includes("use_api_socket")), []);

    const engine = await p.engine();
    const tool = await engine.inspectContainer(`${name}-tool-1`);
    assert.ok(tool);
    const mount = tool.mounts.find((m) => m.destination === "/var/run/docker.sock");
    assert.ok(mount, "the socket is mounted");
    assert.equal(mount.type, "bind");
    assert.equal(mount.source, "/var/run/docker.sock");

    const isSocket = await p.exec("tool", ["test", "-S", "/var/run/docker.sock"]);
    assert.equal(isSocket.exitCode, 0, "a unix socket inside the container");
    const plain = await p.exec("plain", ["test", "-e", "/var/run/docker.sock"]);
    assert.notEqual(plain.exitCode, 0, "a service without use_api_socket does not see the socket");
  });
});
