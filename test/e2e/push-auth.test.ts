/**
 * push and registry credentials against the real engine and a local registry that requires basic
 * auth: build, push the image and its extra tag, pull it back with credentials from a Docker
 * config file (inline `auths`, then a credential helper), and fail clearly without them.
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Project } from "../../src/api/project.js";
import type { FlotillaEvent } from "../../src/events.js";
import { isFlotillaError } from "../../src/errors.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const suffix = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const USER = "flotilla";
const PASSWORD = "s3cret";

let registry: TestRegistry;
let work: string;
const refs: string[] = [];

before(async () => {
  registry = await startRegistry({ htpasswd: path.join(ROOT, "fixtures", "registry-auth", "htpasswd") });
  work = await fs.mkdtemp(path.join(os.tmpdir(), "flotilla-push-"));
});

after(async () => {
  for (const r of refs) await run("docker", ["rmi", "-f", r]).catch(() => undefined);
  await registry?.stop();
  await fs.rm(work, { recursive: true, force: true });
});

/** A Docker config directory holding `config`. */
async function dockerConfig(name: string, config: unknown): Promise<string> {
  const dir = path.join(work, name);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

async function load(env: Record<string, string>, image: string, extraTag: string): Promise<Project> {
  return Project.load({
    cwd: work,
    projectName: `flotilla-push-${suffix}`,
    env: { PATH: process.env["PATH"] ?? "", ...env },
    documents: [
      {
        services: {
          app: { image, build: { context: ".", dockerfile_inline: "FROM flotilla-busybox:latest\nLABEL flotilla.test=push\n", tags: [extraTag] } },
          plain: { image: "flotilla-busybox:latest" },
        },
      },
    ],
  });
}

async function registryTags(repo: string): Promise<string[]> {
  const res = await fetch(`http://${registry.host}/v2/${repo}/tags/list`, { headers: { Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { tags: string[] }).tags.sort();
}

describe("push and registry credentials", () => {
  test("build, push (image and build.tags), pull back with auths credentials; without them a clear PULL_FAILED", async () => {
    const repo = `flotilla-push-${suffix}`;
    const image = `${registry.host}/${repo}:1`;
    const extra = `${registry.host}/${repo}:extra`;
    refs.push(image, extra);
    const withAuth = await dockerConfig("auths", { auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString("base64") } } });
    const p = await load({ DOCKER_CONFIG: withAuth }, image, extra);
    await p.build(["app"]);

    const events: FlotillaEvent[] = [];
    const result = await p.push(undefined, { onEvent: (e) => events.push(e) });
    assert.deepEqual(result, { pushed: [image, extra], skipped: ["plain"], failed: [] });
    assert.deepEqual(
      events.flatMap((e) => (e.type === "resource" && e.kind === "image" ? [`${e.status} ${e.name}`] : [])),
      [`Pushing ${image}`, `Pushed ${image}`, `Pushing ${extra}`, `Pushed ${extra}`],
    );
    assert.deepEqual(await registryTags(repo), ["1", "extra"]);

    // gone locally, then pulled back through the same credentials
    await run("docker", ["rmi", "-f", image, extra]);
    const pulled = await p.pull(["app"]);
    assert.deepEqual(pulled.pulled, ["app"]);
    assert.ok((await (await p.engine()).inspectImage(image))?.labels["flotilla.test"] === "push");

    // a config without credentials for this registry: the registry says no, the error says what to do
    await run("docker", ["rmi", "-f", image]);
    const anonymous = await load({ DOCKER_CONFIG: await dockerConfig("empty", {}) }, image, extra);
    await assert.rejects(anonymous.pull(["app"]), (e: unknown) => {
      assert.ok(isFlotillaError(e), String(e));
      assert.equal(e.code, "PULL_FAILED");
      assert.equal(e.service, "app");
      assert.match(e.message, /no basic auth credentials|unauthorized|authentication required/i);
      assert.match(e.hint ?? "", /docker login/);
      return true;
    });
    await assert.rejects(anonymous.push(["app"]), (e: unknown) => isFlotillaError(e) && e.code === "PUSH_FAILED" && /build it first/.test(e.hint ?? ""), "nothing to push once the image is gone locally");
  });

  test("a credential helper (credsStore) on PATH supplies the credentials", async () => {
    const repo = `flotilla-helper-${suffix}`;
    const image = `${registry.host}/${repo}:1`;
    refs.push(image);
    await run("docker", ["tag", "flotilla-busybox:latest", image]);
    const bin = path.join(work, "bin");
    await fs.mkdir(bin, { recursive: true });
    const helper = path.join(bin, "docker-credential-flotillatest");
    // answers `get` with the test user for our registry only, as a real helper would
    await fs.writeFile(
      helper,
      `#!/bin/sh\nread server\nif [ "$1" = get ] && [ "$server" = "${registry.host}" ]; then\n  printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server"\nelse\n  echo "credentials not found in native keychain"; exit 1\nfi\n`,
      { mode: 0o755 },
    );
    const config = await dockerConfig("helper", { credsStore: "flotillatest" });
    const p = await Project.load({
      cwd: work,
      projectName: `flotilla-helper-${suffix}`,
      env: { PATH: `${bin}:${process.env["PATH"] ?? ""}`, DOCKER_CONFIG: config },
      documents: [{ services: { app: { image, build: { context: ".", dockerfile_inline: "FROM flotilla-busybox:latest\n" } } } }],
    });
    assert.deepEqual((await p.push()).pushed, [image]);
    assert.deepEqual(await registryTags(repo), ["1"]);
    await run("docker", ["rmi", "-f", image]);
    assert.deepEqual((await p.pull()).pulled, ["app"]);
  });
});
