import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDockerHost, resolveEndpoint } from "../../src/runtime/connect.js";
import { isFlotillaError } from "../../src/errors.js";

const home = mkdtempSync(join(tmpdir(), "flotilla-connect-"));
after(() => rmSync(home, { recursive: true, force: true }));

const readFile = (p: string): string | undefined => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
};

function writeContext(dockerDir: string, name: string, host: string, tls?: Record<string, string>): void {
  const digest = createHash("sha256").update(name).digest("hex");
  const meta = join(dockerDir, "contexts", "meta", digest);
  mkdirSync(meta, { recursive: true });
  writeFileSync(join(meta, "meta.json"), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  if (tls) {
    const dir = join(dockerDir, "contexts", "tls", digest, "docker");
    mkdirSync(dir, { recursive: true });
    for (const [f, content] of Object.entries(tls)) writeFileSync(join(dir, f), content);
  }
}

describe("resolveEndpoint", () => {
  test("defaults to the local socket", () => {
    const e = resolveEndpoint({}, join(home, "empty"), readFile);
    assert.deepEqual(e, { kind: "unix", socketPath: "/var/run/docker.sock", url: "unix:///var/run/docker.sock" });
  });

  test("DOCKER_HOST unix:// and tcp://", () => {
    assert.deepEqual(resolveEndpoint({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }, home, readFile), {
      kind: "unix",
      socketPath: "/run/user/1000/docker.sock",
      url: "unix:///run/user/1000/docker.sock",
    });
    assert.deepEqual(resolveEndpoint({ DOCKER_HOST: "tcp://10.0.0.5:2375" }, home, readFile), { kind: "tcp", host: "10.0.0.5", port: 2375, url: "tcp://10.0.0.5:2375" });
    const noPort = resolveEndpoint({ DOCKER_HOST: "tcp://docker.example" }, home, readFile);
    assert.equal(noPort.port, 2375);
    assert.equal(noPort.host, "docker.example");
  });

  test("DOCKER_TLS_VERIFY + DOCKER_CERT_PATH read ca/cert/key", () => {
    const certs = join(home, "certs");
    mkdirSync(certs, { recursive: true });
    writeFileSync(join(certs, "ca.pem"), "CA");
    writeFileSync(join(certs, "cert.pem"), "CERT");
    writeFileSync(join(certs, "key.pem"), "KEY");
    const e = resolveEndpoint({ DOCKER_HOST: "tcp://secure:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs }, home, readFile);
    assert.equal(e.kind, "tcp");
    assert.equal(e.port, 2376);
    assert.deepEqual(e.tls, { ca: "CA", cert: "CERT", key: "KEY" });
  });

  test("DOCKER_HOST wins over a context", () => {
    const e = resolveEndpoint({ DOCKER_HOST: "tcp://a:1", DOCKER_CONTEXT: "remote" }, home, readFile);
    assert.equal(e.url, "tcp://a:1");
  });

  test("currentContext in ~/.docker/config.json selects the context's endpoint (and its TLS files)", () => {
    const h = join(home, "ctx-home");
    const dockerDir = join(h, ".docker");
    mkdirSync(dockerDir, { recursive: true });
    writeFileSync(join(dockerDir, "config.json"), JSON.stringify({ auths: {}, currentContext: "rootless" }));
    writeContext(dockerDir, "rootless", "unix:///run/user/1000/docker.sock");
    writeContext(dockerDir, "remote", "tcp://remote.example:2376", { "ca.pem": "RCA", "cert.pem": "RCERT", "key.pem": "RKEY" });
    assert.equal(resolveEndpoint({}, h, readFile).url, "unix:///run/user/1000/docker.sock");
    const remote = resolveEndpoint({ DOCKER_CONTEXT: "remote" }, h, readFile);
    assert.deepEqual(remote, { kind: "tcp", host: "remote.example", port: 2376, url: "tcp://remote.example:2376", tls: { ca: "RCA", cert: "RCERT", key: "RKEY" } });
    // "default" means the default socket, whatever config.json says
    assert.equal(resolveEndpoint({ DOCKER_CONTEXT: "default" }, h, readFile).url, "unix:///var/run/docker.sock");
  });

  test("an unknown context is an ENGINE_UNREACHABLE error naming it", () => {
    assert.throws(
      () => resolveEndpoint({ DOCKER_CONTEXT: "ghost" }, home, readFile),
      (e: unknown) => isFlotillaError(e) && e.code === "ENGINE_UNREACHABLE" && /ghost/.test(e.message) && e.hint !== undefined,
    );
  });

  test("a malformed config.json is reported, not ignored", () => {
    const h = join(home, "bad-home");
    mkdirSync(join(h, ".docker"), { recursive: true });
    writeFileSync(join(h, ".docker", "config.json"), "{ not json");
    assert.throws(() => resolveEndpoint({}, h, readFile), (e: unknown) => isFlotillaError(e) && /config\.json/.test(e.message));
  });
});

describe("parseDockerHost", () => {
  test("rejects unknown schemes and relative socket paths", () => {
    assert.throws(() => parseDockerHost("ftp://x", "test"), (e: unknown) => isFlotillaError(e) && /unsupported scheme/.test(e.message));
    assert.throws(() => parseDockerHost("unix://relative.sock", "test"), /absolute/);
    assert.throws(() => parseDockerHost("tcp://host:99999", "test"), /invalid port/);
  });
  test("IPv6 hosts and npipe", () => {
    assert.deepEqual(parseDockerHost("tcp://[::1]:2375", "t"), { kind: "tcp", host: "::1", port: 2375, url: "tcp://[::1]:2375" });
    assert.equal(parseDockerHost("npipe:////./pipe/docker_engine", "t").kind, "npipe");
  });
});
