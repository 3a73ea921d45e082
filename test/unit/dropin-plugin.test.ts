import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { BufferStream, type CliIO } from "../../src/cli/io.js";
import type { CliDeps, OpenOptions } from "../../src/cli/api.js";
import { composeCompatibleVersion, envForDockerFlags, pluginCall, pluginMetadata, splitDockerGlobals } from "../../src/cli/docker-plugin.js";
import { installPlugin, isOurs, pluginDir, pluginScript, uninstallPlugin } from "../../src/cli/commands/plugin.js";
import { renderVersion } from "../../src/cli/commands/version.js";

async function run(argv: string[], env: Record<string, string> = {}) {
  const stdout = new BufferStream();
  const stderr = new BufferStream();
  const opened: OpenOptions[] = [];
  const io: CliIO = { stdout, stderr, env, cwd: "/work", readStdin: () => Promise.resolve(""), onSignal: () => () => {} };
  const deps: CliDeps = {
    listProjects: (_o, env) => Promise.resolve([{ Name: "seen", Status: "running(1)", ConfigFiles: String(env["DOCKER_HOST"] ?? "") }]),
  };
  const code = await main(argv, io, deps);
  return { code, stdout: stdout.text, stderr: stderr.text, opened };
}

const PLUGIN_ENV = { DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND: "docker" };

describe("plugin metadata", () => {
  test("docker-cli-plugin-metadata answers the Docker CLI's schema", async () => {
    const r = await run(["docker-cli-plugin-metadata"]);
    assert.equal(r.code, 0);
    const meta = JSON.parse(r.stdout) as Record<string, string>;
    assert.equal(meta["SchemaVersion"], "0.1.0");
    assert.equal(meta["Vendor"], "Flotilla");
    assert.match(meta["Version"]!, /^v2\.\d+\.\d+\+flotilla\.\d+\.\d+\.\d+/);
    assert.equal(typeof meta["ShortDescription"], "string");
    assert.ok(meta["URL"] === undefined || /^https?:\/\//.test(meta["URL"]), "URL only from package.json's homepage");
    assert.equal(pluginMetadata("0.1.0", "https://example.org/flotilla")["URL"], "https://example.org/flotilla");
  });
});

describe("run by the Docker CLI", () => {
  test("the leading compose is dropped", async () => {
    const r = await run(["compose", "ls", "--format", "json"], PLUGIN_ENV);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { Name: string }[])[0]?.Name, "seen");
  });

  test("without the CLI's variable, compose stays an unknown verb", async () => {
    const r = await run(["compose", "ls"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "compose"/);
  });

  test("the Docker CLI's global flags become the environment the engine lookup reads", async () => {
    const r = await run(["-H", "tcp://10.0.0.1:2375", "compose", "ls", "--format", "json"], PLUGIN_ENV);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { ConfigFiles: string }[])[0]?.ConfigFiles, "tcp://10.0.0.1:2375");
  });

  test("global flag spellings", () => {
    const s = splitDockerGlobals(["--config=/c", "-c", "prod", "-D", "--log-level", "warn", "compose", "up", "-d"]);
    assert.ok(s);
    assert.deepEqual(s.rest, ["up", "-d"]);
    assert.equal(s.flags.get("config"), "/c");
    assert.equal(s.flags.get("context"), "prod");
    assert.equal(s.flags.get("debug"), true);
    assert.equal(s.flags.get("log-level"), "warn");
    assert.throws(() => splitDockerGlobals(["--bogus", "compose"]), /unknown docker flag "--bogus"/);
    assert.equal(splitDockerGlobals(["up"]), undefined);
  });

  test("--context beats DOCKER_HOST; --host and --context conflict; --config sets DOCKER_CONFIG", () => {
    const env = envForDockerFlags(new Map<string, string | boolean>([["context", "prod"], ["config", "/cfg"]]), { DOCKER_HOST: "unix:///x" });
    assert.equal(env["DOCKER_HOST"], undefined);
    assert.equal(env["DOCKER_CONTEXT"], "prod");
    assert.equal(env["DOCKER_CONFIG"], "/cfg");
    assert.throws(() => envForDockerFlags(new Map([["context", "a"], ["host", "b"]]), {}), /cannot specify both/);
    const tls = envForDockerFlags(new Map<string, string | boolean>([["tlsverify", true], ["tlscacert", "/d/ca.pem"], ["tlscert", "/d/cert.pem"], ["tlskey", "/d/key.pem"]]), {});
    assert.equal(tls["DOCKER_CERT_PATH"], "/d");
    assert.equal(tls["DOCKER_TLS_VERIFY"], "1");
    assert.throws(() => envForDockerFlags(new Map([["tlscacert", "/a/ca.pem"], ["tlskey", "/b/key.pem"]]), {}), /one directory/);
  });

  test("a bad docker flag is a usage error (exit 2)", async () => {
    const r = await run(["--nope", "compose", "ls"], PLUGIN_ENV);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--nope/);
  });

  test("pluginCall leaves direct calls alone", () => {
    assert.deepEqual(pluginCall(["ls"], {}), { kind: "none" });
    assert.deepEqual(pluginCall(["ls"], PLUGIN_ENV), { kind: "none" });
  });
});

describe("version", () => {
  test("semver build metadata names Flotilla and compares as the Compose version", () => {
    const v = composeCompatibleVersion("0.1.0");
    assert.equal(v, "2.40.0+flotilla.0.1.0");
    assert.match(v, /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/);
    assert.equal(composeCompatibleVersion("0.2.0-rc_1"), "2.40.0+flotilla.0.2.0-rc-1");
    assert.equal(pluginMetadata("0.1.0")["Version"], `v${v}`);
  });

  test("short, json and pretty as Compose prints them", () => {
    const v = "2.40.0+flotilla.0.1.0";
    assert.equal(renderVersion("0.1.0", v, { short: true }), `${v}\n`);
    assert.deepEqual(JSON.parse(renderVersion("0.1.0", v, { format: "json" })), { version: `v${v}`, flotilla: "0.1.0" });
    assert.equal(renderVersion("0.1.0", v, {}), `Docker Compose version v${v}\n`);
    assert.throws(() => renderVersion("0.1.0", v, { format: "yaml" }), /expected pretty or json/);
  });

  test("the version verb", async () => {
    const r = await run(["version", "--short"]);
    assert.match(r.stdout, /^2\.40\.0\+flotilla\./);
  });
});

describe("plugin install / uninstall", () => {
  const script = pluginScript("/usr/bin/node", "/opt/flo's/bin/flotilla.js", "0.1.0");

  test("the plugin directory follows DOCKER_CONFIG, else ~/.docker", () => {
    assert.equal(pluginDir({ DOCKER_CONFIG: "/cfg" }, "/home/u"), "/cfg/cli-plugins");
    assert.equal(pluginDir({}, "/home/u"), "/home/u/.docker/cli-plugins");
  });

  test("the script runs this node with this entry, quoted", () => {
    assert.match(script, /^#!\/bin\/sh\n/);
    assert.match(script, /exec '\/usr\/bin\/node' '\/opt\/flo'\\''s\/bin\/flotilla.js' "\$@"/);
  });

  test("install into an empty directory, reinstall, uninstall", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "flo-plugin-")), "cli-plugins");
    try {
      const r = installPlugin(dir, script);
      assert.equal(r.movedAside, undefined);
      assert.ok(isOurs(r.path));
      assert.equal(statSync(r.path).mode & 0o777, 0o755);
      assert.equal(installPlugin(dir, script).movedAside, undefined, "reinstalling replaces our own script");
      assert.deepEqual(uninstallPlugin(dir), { removed: true });
      assert.equal(existsSync(r.path), false);
      assert.deepEqual(uninstallPlugin(dir), { removed: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a previous plugin is moved aside and restored", () => {
    const dir = mkdtempSync(join(tmpdir(), "flo-plugin-"));
    try {
      const path = join(dir, "docker-compose");
      writeFileSync(path, "#!/bin/sh\necho real compose\n", { mode: 0o755 });
      const r = installPlugin(dir, script);
      assert.ok(r.movedAside && !r.movedAside.split("/").pop()!.startsWith("docker-"), "the backup is not listed by the CLI as a plugin");
      assert.ok(isOurs(path));
      const u = uninstallPlugin(dir);
      assert.equal(u.restored, path);
      assert.equal(readFileSync(path, "utf8"), "#!/bin/sh\necho real compose\n");
      assert.throws(() => uninstallPlugin(dir), /not Flotilla's plugin/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
