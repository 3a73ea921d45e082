import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import { IssueCollector, type ConfigIssue } from "../../src/errors.js";
import { Locations } from "../../src/spec/locations.js";
import { normalizeModel, parsePortSpec, parseVolumeSpec, type NormalizeContext } from "../../src/spec/normalize.js";
import { splitShellWords } from "../../src/spec/shell-words.js";
import type { ComposeModel } from "../../src/spec/model.js";

const here = path.dirname(fileURLToPath(import.meta.url));
// dist/test/unit → repo root
const repo = path.resolve(here, "../../..");

interface Opts {
  env?: Record<string, string>;
  files?: Record<string, string>;
  workingDir?: string;
  readFile?: (p: string) => string;
  resolveEnvFiles?: boolean;
}

function norm(raw: Record<string, unknown>, opts: Opts = {}): { model: ComposeModel; issues: ConfigIssue[] } {
  const issues = new IssueCollector();
  const ctx: NormalizeContext = {
    projectName: "proj",
    workingDir: opts.workingDir ?? "/work/proj",
    environment: opts.env ?? {},
    locations: new Locations(),
    issues,
    homeDir: "/home/me",
    readFile:
      opts.readFile ??
      ((p) => {
        const t = opts.files?.[p];
        if (t === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });
        return t;
      }),
  };
  if (opts.resolveEnvFiles !== undefined) ctx.resolveEnvFiles = opts.resolveEnvFiles;
  return { model: normalizeModel(raw, ctx), issues: issues.issues };
}

function svc(service: Record<string, unknown>, opts: Opts = {}) {
  const { model, issues } = norm({ services: { s: { image: "img", ...service } } }, opts);
  return { s: model.services["s"]!, model, issues };
}

describe("shell words", () => {
  test("quotes, escapes and empty words", () => {
    assert.deepEqual(splitShellWords(`sh -c 'echo "hi there"; exit 1'`), ["sh", "-c", `echo "hi there"; exit 1`]);
    assert.deepEqual(splitShellWords(`node app.js --base-href ""`), ["node", "app.js", "--base-href", ""]);
    assert.deepEqual(splitShellWords(`awk '{ print $1 }' a\\ b`), ["awk", "{ print $1 }", "a b"]);
    assert.deepEqual(splitShellWords(`echo "a\\"b" $HOME`), ["echo", `a"b`, "$HOME"]);
    assert.deepEqual(splitShellWords("  spaced\tout \n"), ["spaced", "out"]);
  });
  test("an unquoted operator ends the command, a redirected fd is dropped", () => {
    assert.deepEqual(splitShellWords("run a b 2>/dev/null || true"), ["run", "a", "b"]);
    assert.deepEqual(splitShellWords("one; two"), ["one"]);
  });
  test("an unterminated quote is an error", () => {
    assert.throws(() => splitShellWords(`echo "oops`), /unterminated double quote/);
  });
});

describe("ports", () => {
  test("short syntax forms", () => {
    assert.deepEqual(parsePortSpec("127.0.0.1:8080:80/tcp"), [{ mode: "ingress", host_ip: "127.0.0.1", target: 80, published: "8080", protocol: "tcp" }]);
    assert.deepEqual(parsePortSpec("80"), [{ mode: "ingress", target: 80, protocol: "tcp" }]);
    assert.deepEqual(parsePortSpec("53:53/UDP"), [{ mode: "ingress", target: 53, published: "53", protocol: "udp" }]);
    assert.deepEqual(parsePortSpec("127.0.0.1::80"), [{ mode: "ingress", host_ip: "127.0.0.1", target: 80, protocol: "tcp" }]);
    assert.deepEqual(parsePortSpec("[::1]:8080:80"), [{ mode: "ingress", host_ip: "::1", target: 80, published: "8080", protocol: "tcp" }]);
  });
  test("ranges expand one entry per port; a host range for one target stays a range", () => {
    assert.deepEqual(parsePortSpec("8000-8001:80-81"), [
      { mode: "ingress", target: 80, published: "8000", protocol: "tcp" },
      { mode: "ingress", target: 81, published: "8001", protocol: "tcp" },
    ]);
    assert.deepEqual(parsePortSpec("8000-8010:80"), [{ mode: "ingress", target: 80, published: "8000-8010", protocol: "tcp" }]);
    assert.deepEqual(
      parsePortSpec("90-91").map((p) => p.target),
      [90, 91],
    );
    assert.throws(() => parsePortSpec("8000-8002:80-81"), /different sizes/);
    assert.throws(() => parsePortSpec("abc:80"), /not a number/);
  });
  test("in a service: numbers, strings and long syntax, with casts and issues", () => {
    const { s, issues } = svc({ ports: [3000, "8000-8001:80-81", { target: "443", published: 8443, protocol: "tcp" }, "x:y"] });
    assert.deepEqual(s.ports, [
      { mode: "ingress", target: 3000, protocol: "tcp" },
      { mode: "ingress", target: 80, published: "8000", protocol: "tcp" },
      { mode: "ingress", target: 81, published: "8001", protocol: "tcp" },
      { mode: "ingress", target: 443, published: "8443", protocol: "tcp" },
    ]);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.path, "services.s.ports[3]");
    assert.equal(issues[0]!.code, "CONFIG_INVALID");
  });
  test("expose becomes strings", () => {
    assert.deepEqual(svc({ expose: [80, "8000-8001"] }).s.expose, ["80", "8000-8001"]);
  });
});

describe("volumes", () => {
  test("short syntax parsing", () => {
    assert.deepEqual(parseVolumeSpec("./data:/data:ro"), { type: "bind", source: "./data", target: "/data", read_only: true, bind: { create_host_path: true } });
    assert.deepEqual(parseVolumeSpec("named:/v/:nocopy"), { type: "volume", source: "named", target: "/v", volume: { nocopy: true } });
    assert.deepEqual(parseVolumeSpec("/anon"), { type: "volume", target: "/anon", volume: {} });
    assert.deepEqual(parseVolumeSpec("/host:/c:z,rshared,rw"), {
      type: "bind",
      source: "/host",
      target: "/c",
      bind: { selinux: "z", propagation: "rshared", create_host_path: true },
    });
    assert.throws(() => parseVolumeSpec("vol:/x:ro:extra"), /too many colons/);
    assert.throws(() => parseVolumeSpec("vol::/b"), /empty section/);
  });
  test("bind sources become absolute (relative to the project, ~ to home); targets are cleaned", () => {
    const { s, issues } = svc({
      volumes: ["./www:/www:ro", "~/cache:/cache", "../up/./x:/x/../y/", { type: "bind", source: "conf", target: "/etc/app/" }, { type: "volume", source: "data", target: "/data", read_only: "false" }],
    });
    assert.deepEqual(issues, []);
    assert.deepEqual(s.volumes, [
      { type: "bind", source: "/work/proj/www", target: "/www", read_only: true, bind: { create_host_path: true } },
      { type: "bind", source: "/home/me/cache", target: "/cache", bind: { create_host_path: true } },
      { type: "bind", source: "/work/up/x", target: "/y", bind: { create_host_path: true } },
      { type: "bind", source: "/work/proj/conf", target: "/etc/app" },
      { type: "volume", source: "data", target: "/data" },
    ]);
  });
});

describe("dependencies", () => {
  test("list and map forms get condition and required defaults", () => {
    const { model } = norm({
      services: {
        a: { image: "i", depends_on: ["b"] },
        b: { image: "i", depends_on: { c: { condition: "service_healthy" }, d: { condition: "service_started", required: "false", restart: true } } },
        c: { image: "i" },
        d: { image: "i" },
      },
    });
    assert.deepEqual(model.services["a"]!.depends_on, { b: { condition: "service_started", required: true } });
    assert.deepEqual(model.services["b"]!.depends_on, {
      c: { condition: "service_healthy", required: true },
      d: { condition: "service_started", required: false, restart: true },
    });
  });
  test("implicit dependencies from links, service: namespaces and volumes_from", () => {
    const { s } = svc({
      depends_on: { db: { condition: "service_healthy" } },
      links: ["db:database", "cache"],
      network_mode: "service:net",
      ipc: "service:ipcsvc",
      volumes_from: ["store:ro", "container:abc123"],
    });
    assert.deepEqual(s.depends_on, {
      db: { condition: "service_healthy", required: true },
      cache: { condition: "service_started", required: true, restart: true },
      net: { condition: "service_started", required: true, restart: true },
      ipcsvc: { condition: "service_started", required: true, restart: true },
      store: { condition: "service_started", required: true },
    });
    assert.equal(s.networks, undefined, "network_mode services do not join the default network");
  });
});

describe("environment", () => {
  test("list becomes a map; a bare key is looked up, else null; values become strings", () => {
    const { s } = svc({ environment: ["A=1", "B=x=y", "FROM_SHELL", "UNSET"] }, { env: { FROM_SHELL: "shell" } });
    assert.deepEqual(s.environment, { A: "1", B: "x=y", FROM_SHELL: "shell", UNSET: null });
    const m = svc({ environment: { N: 42, T: true, E: null } }, { env: { E: "e" } }).s;
    assert.deepEqual(m.environment, { N: "42", T: "true", E: "e" });
  });
  test("env_file is read relative to the project and merged under environment", () => {
    const dir = path.join(repo, "fixtures/normalize-envfile");
    const { s, issues } = svc(
      {
        env_file: ["app.env", { path: "override.env", required: true }, { path: "missing.env", required: false }],
        environment: { GREETING: "from environment", FROM_SHELL: null },
      },
      { workingDir: dir, readFile: (p) => readFileSync(p, "utf8") },
    );
    assert.deepEqual(issues, []);
    assert.deepEqual(s.env_file, [
      { path: path.join(dir, "app.env"), required: true },
      { path: path.join(dir, "override.env"), required: true },
      { path: path.join(dir, "missing.env"), required: false },
    ]);
    assert.equal(s.environment?.["GREETING"], "from environment");
    assert.equal(s.environment?.["PORT"], "9090", "later env files win");
    assert.equal(s.environment?.["ONLY_FILE"], "file");
    assert.equal(s.environment?.["FROM_SHELL"], null);
  });
  test("a missing required env_file is a CONFIG_ENV_FILE issue", () => {
    const { issues, s } = svc({ env_file: "nope.env" });
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.code, "CONFIG_ENV_FILE");
    assert.equal(issues[0]!.path, "services.s.env_file");
    assert.match(issues[0]!.message, /\/work\/proj\/nope\.env not found/);
    assert.deepEqual(s.env_file, [{ path: "/work/proj/nope.env", required: true }]);
  });
  test("a malformed env file becomes an issue with its file:line, not an exception", () => {
    const { issues } = svc({ env_file: "bad.env" }, { files: { "/work/proj/bad.env": "A=1\n=oops\n" } });
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.code, "CONFIG_ENV_FILE");
    assert.deepEqual(issues[0]!.location, { file: "/work/proj/bad.env", line: 2, col: 1 });
  });
  test("resolveEnvFiles: false keeps env_file but does not read it", () => {
    const { s, issues } = svc({ env_file: "nope.env", environment: ["A=1"] }, { resolveEnvFiles: false });
    assert.deepEqual(issues, []);
    assert.deepEqual(s.environment, { A: "1" });
  });
  test("labels and sysctls lists become maps", () => {
    const { s } = svc({ labels: ["a=1", "flag"], sysctls: ["net.core.somaxconn=1024"] });
    assert.deepEqual(s.labels, { a: "1", flag: "" });
    assert.deepEqual(s.sysctls, { "net.core.somaxconn": "1024" });
  });
});

describe("build, commands, healthcheck", () => {
  test("build string and long form", () => {
    assert.deepEqual(svc({ build: "./app" }).s.build, { context: "/work/proj/app", dockerfile: "Dockerfile" });
    const b = svc({ build: { context: "https://github.com/x/y.git#main", args: ["V=1", "FROM_ENV"], dockerfile_inline: "FROM scratch" } }, { env: { FROM_ENV: "e" } }).s.build!;
    assert.equal(b.context, "https://github.com/x/y.git#main");
    assert.equal(b.dockerfile, undefined);
    assert.deepEqual(b.args, { V: "1", FROM_ENV: "e" });
    assert.equal(svc({ build: { dockerfile: "Dev.Dockerfile" } }).s.build!.context, "/work/proj");
  });
  test("command and entrypoint strings are split like a shell; healthcheck test string → CMD-SHELL", () => {
    const { s } = svc({ command: `sh -c "echo hi && sleep 1"`, entrypoint: ["/bin/x", 1], healthcheck: { test: "wget -q localhost", retries: "3", interval: "5s" } });
    assert.deepEqual(s.command, ["sh", "-c", "echo hi && sleep 1"]);
    assert.deepEqual(s.entrypoint, ["/bin/x", "1"]);
    assert.deepEqual(s.healthcheck, { test: ["CMD-SHELL", "wget -q localhost"], retries: 3, interval: "5s" });
  });
});

describe("networks and resources", () => {
  test("service networks list → map; default network joined and declared", () => {
    const { model } = norm({ services: { a: { image: "i" }, b: { image: "i", networks: ["back"] } }, networks: { back: null } });
    assert.deepEqual(model.services["a"]!.networks, { default: null });
    assert.deepEqual(model.services["b"]!.networks, { back: null });
    assert.deepEqual(model.networks, { back: { name: "proj_back" }, default: { name: "proj_default" } });
  });
  test("no default network when nobody uses it", () => {
    const { model } = norm({ services: { a: { image: "i", network_mode: "host" } } });
    assert.deepEqual(model.networks, {});
  });
  test("names: project prefix, explicit name, external, legacy external name", () => {
    const { model } = norm({
      services: {},
      volumes: { data: null, named: { name: "exact" }, ext: { external: "true" }, legacy: { external: { name: "old" } } },
      networks: { internal_net: { internal: "yes", driver: "bridge" } },
      secrets: { token: { file: "./token.txt" } },
      configs: { conf: { external: true, name: "shared" } },
    });
    assert.deepEqual(model.volumes, {
      data: { name: "proj_data" },
      named: { name: "exact" },
      ext: { name: "ext", external: true },
      legacy: { name: "old", external: true },
    });
    assert.deepEqual(model.networks["internal_net"], { name: "proj_internal_net", internal: true, driver: "bridge" });
    assert.deepEqual(model.secrets, { token: { name: "proj_token", file: "/work/proj/token.txt" } });
    assert.deepEqual(model.configs, { conf: { name: "shared", external: true } });
  });
  test("service secrets default their target; configs do not", () => {
    const { s } = svc({ secrets: ["token", { source: "key", mode: "0400" }], configs: ["conf"] });
    assert.deepEqual(s.secrets, [
      { source: "token", target: "/run/secrets/token" },
      { source: "key", target: "/run/secrets/key", mode: 0o400 },
    ]);
    assert.deepEqual(s.configs, [{ source: "conf" }]);
  });
});

describe("other attributes", () => {
  test("extra_hosts, ulimits, tmpfs, devices, pull_policy", () => {
    const { s } = svc({
      extra_hosts: { zed: "10.0.0.2", alpha: ["10.0.0.1", "::1"] },
      ulimits: { nofile: 1024, nproc: { soft: "10", hard: 20 } },
      tmpfs: "/run",
      devices: ["/dev/fuse", "/dev/a:/dev/b", "/dev/c:/dev/d:r"],
      pull_policy: "if_not_present",
    });
    assert.deepEqual(s.extra_hosts, ["alpha=10.0.0.1", "alpha=::1", "zed=10.0.0.2"]);
    assert.deepEqual(s.ulimits, { nofile: { single: 1024, soft: 1024, hard: 1024 }, nproc: { soft: 10, hard: 20 } });
    assert.deepEqual(s.tmpfs, ["/run"]);
    assert.deepEqual(s.devices, [
      { source: "/dev/fuse", target: "/dev/fuse", permissions: "rwm" },
      { source: "/dev/a", target: "/dev/b", permissions: "rwm" },
      { source: "/dev/c", target: "/dev/d", permissions: "r" },
    ]);
    assert.equal(s.pull_policy, "missing");
    assert.deepEqual(svc({ extra_hosts: ["b:10.0.0.1", "a=::1"] }).s.extra_hosts, ["a=::1", "b=10.0.0.1"]);
  });
  test("boolean and number casts; false plain booleans are dropped; bad values are issues", () => {
    const { s, issues } = svc({ init: "yes", privileged: "false", tty: "on", read_only: "no", scale: "2", stdin_open: "maybe" });
    assert.equal(s.init, true);
    assert.equal(s.privileged, undefined);
    assert.equal(s.tty, true);
    assert.equal(s.read_only, undefined);
    assert.equal(s.scale, 2);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.path, "services.s.stdin_open");
    assert.equal(svc({ init: "false" }).s.init, false, "init is optional: false is kept");
  });
  test("scale and deploy.replicas: one is kept, disagreement is an issue", () => {
    assert.equal(svc({ deploy: { replicas: "3" } }).s.deploy?.replicas, 3);
    assert.equal(svc({ scale: 2, deploy: { replicas: 2 } }).issues.length, 0);
    const { issues } = svc({ scale: 2, deploy: { replicas: 3 } });
    assert.equal(issues.length, 1);
    assert.match(issues[0]!.message, /disagree/);
  });
  test("develop.watch paths absolute, include string → list", () => {
    const { s } = svc({ develop: { watch: [{ path: "./src", action: "sync", target: "/app", include: "*.js", initial_sync: "true" }] } });
    assert.deepEqual(s.develop?.watch, [{ path: "/work/proj/src", action: "sync", target: "/app", include: ["*.js"], initial_sync: true }]);
  });
  test("version dropped, x-* kept at top level and in services, name from the context", () => {
    const { model } = norm({ version: "3.8", name: "ignored", services: { a: { image: "i", "x-note": { k: 1 } } }, "x-top": [1] });
    assert.equal(model.name, "proj");
    assert.equal("version" in model, false);
    assert.deepEqual(model["x-top"], [1]);
    assert.deepEqual(model.services["a"]!["x-note"], { k: 1 });
  });
});
