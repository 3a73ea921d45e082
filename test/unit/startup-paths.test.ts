/**
 * What the short commands ask of the engine (issue 13): `port` answers from one container list, and
 * a new connection's first call (its /_ping, whose headers tell Docker from Podman) is the one a
 * container list needs anyway, so `ps`, `ls` and `port` cost the engine two calls and no /version. Also the verb bin/flotilla.js keys its code
 * caches with.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeEngine } from "../support/fake-engine.js";
import { Project } from "../../src/api/project.js";
import { bindingOf } from "../../src/runtime/ops/port.js";
import type { PortBinding } from "../../src/runtime/engine.js";
import { connectEngine } from "../../src/runtime/docker/index.js";
import { listContainers, listProjects } from "../../src/runtime/ps.js";
import { Label } from "../../src/runtime/labels.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const { verbOf } = createRequire(import.meta.url)(join(root, "bin", "verb.js")) as { verbOf: (argv: string[]) => string };

describe("port: the binding from a container's list entry", () => {
  const ports = (...ps: PortBinding[]): { ports: PortBinding[] } => ({ ports: ps });

  test("the first published binding of the port and protocol, in the adapter's order (IPv4 first)", () => {
    const c = ports(
      { privatePort: 80, protocol: "tcp", hostIp: "0.0.0.0", publicPort: 32768 },
      { privatePort: 80, protocol: "tcp", hostIp: "::", publicPort: 32768 },
      { privatePort: 80, protocol: "udp", hostIp: "127.0.0.1", publicPort: 5353 },
    );
    assert.deepEqual(bindingOf(c, 80, "tcp"), { hostIp: "0.0.0.0", port: 32768 });
    assert.deepEqual(bindingOf(c, 80, "udp"), { hostIp: "127.0.0.1", port: 5353 });
  });

  test("an exposed port that is not published, another port, or no address named", () => {
    const c = ports({ privatePort: 443, protocol: "tcp" }, { privatePort: 81, protocol: "tcp", publicPort: 8081 });
    assert.equal(bindingOf(c, 443, "tcp"), undefined);
    assert.equal(bindingOf(c, 9999, "tcp"), undefined);
    assert.deepEqual(bindingOf(c, 81, "tcp"), { hostIp: "0.0.0.0", port: 8081 });
  });

  test("Project.portBinding lists the service's container once and inspects nothing", async () => {
    const e = new FakeEngine();
    e.addImage("flotilla-busybox:latest");
    const doc = { services: { web: { image: "flotilla-busybox:latest", ports: ["127.0.0.1:18080:80"] }, db: { image: "flotilla-busybox:latest" } } };
    const p = await Project.load({ engine: e, env: {}, cwd: "/tmp", projectName: "portone", documents: [doc] });
    await p.up({ detach: true });
    e.calls.length = 0;
    assert.deepEqual(await p.portBinding("web", 80), { hostIp: "127.0.0.1", port: 18080 });
    assert.deepEqual(
      e.calls.map((c) => c.method),
      ["listContainers"],
    );
    assert.equal(await p.port("web", 80), 18080);
    assert.equal(await p.portBinding("web", 81), undefined);
    await assert.rejects(p.portBinding("web", 80, "tcp", 2), /has no container number 2/);
    await assert.rejects(p.portBinding("nope", 80), /no such service: nope/);
    assert.equal(e.callsOf("inspectContainer").length, 0);
  });
});

describe("a new connection to a Docker engine", () => {
  const dir = mkdtempSync(join(tmpdir(), "flotilla-startup-"));
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A Docker-like engine on a unix socket that logs each request's path and answers with one container of project "p". */
  async function engineLog(name: string): Promise<{ path: string; requests: string[] }> {
    const path = join(dir, name);
    const requests: string[] = [];
    const container = {
      Id: "c1",
      Names: ["/p-web-1"],
      Image: "img",
      ImageID: "sha256:1",
      Command: "sleep",
      Created: 0,
      State: "running",
      Status: "Up 1 second",
      Labels: { [Label.project]: "p", [Label.service]: "web", [Label.containerNumber]: "1", [Label.oneoff]: "False" },
      Ports: [{ PrivatePort: 80, PublicPort: 18080, IP: "127.0.0.1", Type: "tcp" }],
      Mounts: [],
      NetworkSettings: { Networks: {} },
    };
    const srv = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      requests.push(url.pathname.replace(/^\/v[\d.]+/, ""));
      res.setHeader("content-type", "application/json");
      if (url.pathname.endsWith("/_ping")) return void res.end("OK");
      if (url.pathname.endsWith("/version")) return void res.end(JSON.stringify({ Version: "20.10.0", ApiVersion: "1.41", Os: "linux", Components: [{ Name: "Engine" }] }));
      if (url.pathname.endsWith("/containers/json")) return void res.end(JSON.stringify([container]));
      res.statusCode = 404;
      res.end(JSON.stringify({ message: "not here" }));
    });
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(path, r));
    return { path, requests };
  }

  const connect = (path: string) => connectEngine({}, { endpoint: { kind: "unix", socketPath: path, url: `unix://${path}` }, registryAuth: () => Promise.resolve(undefined) });

  test("ps: the ping on connecting, then one container list (no version, no second ping, no inspect)", async () => {
    const { path, requests } = await engineLog("ps.sock");
    const rows = await listContainers(await connect(path), "p");
    assert.deepEqual(rows.map((r) => [r.Name, r.Ports]), [["p-web-1", "127.0.0.1:18080->80/tcp"]]);
    assert.deepEqual(requests, ["/_ping", "/containers/json"]);
  });

  test("ls: the same two calls", async () => {
    const { path, requests } = await engineLog("ls.sock");
    assert.deepEqual((await listProjects(await connect(path))).map((p) => p.Name), ["p"]);
    assert.deepEqual(requests, ["/_ping", "/containers/json"]);
  });
});

describe("the verb that picks bin/flotilla.js's code cache", () => {
  test("the first operand after the global flags, their values skipped", () => {
    assert.equal(verbOf(["config"]), "config");
    assert.equal(verbOf(["-f", "a.yaml", "-p", "x", "ps", "--all"]), "ps");
    assert.equal(verbOf(["--file", "up", "--dry-run", "down"]), "down");
    assert.equal(verbOf(["--lock-timeout", "5", "up", "-d"]), "up");
  });

  test("plugin mode: the Docker CLI's flags and `compose` skipped", () => {
    assert.equal(verbOf(["-H", "unix:///x.sock", "compose", "-p", "x", "port", "web", "80"]), "port");
    assert.equal(verbOf(["--context", "default", "compose", "ls"]), "ls");
  });

  test("no verb, or an operand that is no verb name, gets a fixed name (never a file name taken from argv)", () => {
    assert.equal(verbOf([]), "none");
    assert.equal(verbOf(["--help"]), "none");
    assert.equal(verbOf(["../../etc/passwd"]), "other");
    assert.equal(verbOf(["Config"]), "other");
    assert.equal(verbOf(["x".repeat(40)]), "other");
  });
});
