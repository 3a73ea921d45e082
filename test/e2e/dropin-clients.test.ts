/**
 * Flotilla driven by real programs that drive `docker compose`: the `docker-compose` npm package (every
 * export that applies to a local stack) and testcontainers' DockerComposeEnvironment — each both through
 * the Docker CLI plugin path (a temporary DOCKER_CONFIG with Flotilla installed as its plugin, run by the
 * real `docker` CLI) and through Flotilla as a standalone executable. Plus `docker compose
 * version|up -d|ps|ls|down` typed at the real Docker CLI.
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import compose from "docker-compose";

process.env["TESTCONTAINERS_RYUK_DISABLED"] = "true";
// This process may run inside a container (/.dockerenv) with dockerd beside it in the same network namespace;
// testcontainers would then dial the bridge gateway, which does not reach a port published on 127.0.0.1.
process.env["TESTCONTAINERS_HOST_OVERRIDE"] ??= "127.0.0.1";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "flotilla.js");

/** The Docker CLIs on this machine (28.x first); the plugin path needs at least one. */
const dockerClis = ["/usr/local/bin/docker", "/usr/bin/docker"].filter((p) => existsSync(p) && spawnSync(p, ["--version"]).status === 0);

const COMPOSE = `
services:
  web:
    image: flotilla-busybox:latest
    init: true
    command: ["sh", "-c", "echo web says hello; mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1::8080"]
    depends_on:
      worker: { condition: service_started }
  worker:
    image: flotilla-busybox:latest
    init: true
    command: ["sh", "-c", "echo worker ready; exec sleep 3600"]
    volumes: ["data:/data"]
volumes:
  data: {}
`;

interface Mode {
  name: string;
  /** Options for the docker-compose package's calls. */
  options: (project: string) => Record<string, unknown>;
  /** What the environment of a process running `docker compose` needs. */
  env: Record<string, string>;
  /** For testcontainers' withClientOptions. */
  executable?: { standalone: true; executablePath: string };
}

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A DOCKER_CONFIG with Flotilla installed as its compose plugin (by `flotilla plugin install`). */
function pluginConfig(): string {
  const config = tempDir("flo-dockercfg-");
  const r = spawnSync(process.execPath, [bin, "plugin", "install"], { env: { ...process.env, DOCKER_CONFIG: config }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return config;
}

function modes(): Mode[] {
  const out: Mode[] = [];
  const standaloneEnv = { ...process.env, COMPOSE_PROGRESS: "" } as Record<string, string>;
  out.push({
    name: "standalone executable",
    env: standaloneEnv,
    executable: { standalone: true, executablePath: bin },
    options: (project) => ({ env: standaloneEnv, executable: { standalone: true, executablePath: bin }, composeOptions: [["-p", project]] }),
  });
  for (const cli of dockerClis) {
    const config = pluginConfig();
    const env = { ...process.env, DOCKER_CONFIG: config, COMPOSE_PROGRESS: "", PATH: `${dirname(cli)}:${process.env["PATH"] ?? ""}` } as Record<string, string>;
    out.push({
      name: `Docker CLI plugin (${cli})`,
      env,
      // A Docker CLI global flag before `compose`: the plugin must honour it.
      options: (project) => ({ env, executable: { executablePath: cli, options: ["--host", "unix:///var/run/docker.sock"] }, composeOptions: [["-p", project]] }),
    });
  }
  return out;
}

after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("docker-compose (npm) drives Flotilla", () => {
  for (const mode of modes()) {
    describe(mode.name, () => {
      const project = `dropin-npm-${mode.name.replace(/[^a-z0-9]/gi, "").toLowerCase().slice(0, 12)}-${process.pid}`;
      const cwd = tempDir("flo-dropin-");
      writeFileSync(join(cwd, "compose.yaml"), COMPOSE);
      const opts = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ cwd, ...mode.options(project), ...extra });
      const down = async (): Promise<void> => {
        await compose.downAll(opts({ commandOptions: ["-v", ["--timeout", "1"]] })).catch(() => undefined);
      };
      before(down);
      after(down);

      test("version gates read it as Compose 2.40 and it names Flotilla", async () => {
        const v = await compose.version(opts());
        assert.match(v.data.version, /^2\.40\.\d+\+flotilla\.\d+\.\d+\.\d+/);
      });

      test("config, configServices, configVolumes", async () => {
        const c = await compose.config(opts());
        const cfg = c.data.config as unknown as { services: Record<string, { image: string }> };
        assert.equal(cfg.services["web"]!.image, "flotilla-busybox:latest");
        const s = await compose.configServices(opts());
        assert.deepEqual(s.data.services, ["worker", "web"], "dependencies first, as Compose prints them");
        const v = await compose.configVolumes(opts());
        assert.deepEqual(v.data.volumes, ["data"]);
      });

      test("upAll, then ps (table and JSON) parse for services with and without ports", async () => {
        await compose.upAll(opts());
        const table = await compose.ps(opts());
        const byName = new Map(table.data.services.map((s) => [s.name, s]));
        assert.deepEqual([...byName.keys()].sort(), [`${project}-web-1`, `${project}-worker-1`]);
        const web = byName.get(`${project}-web-1`)!;
        assert.match(web.state, /^Up/);
        assert.equal(web.ports[0]?.exposed.port, 8080);
        assert.ok((web.ports[0]?.mapped?.port ?? 0) > 0);
        const worker = byName.get(`${project}-worker-1`)!;
        assert.match(worker.state, /^Up/);
        assert.deepEqual(worker.ports, []);
        assert.match(worker.command, /^"sh -c/);

        const json = await compose.ps(opts({ commandOptions: [["--format", "json"]] }));
        const jw = json.data.services.find((s) => s.name === `${project}-web-1`)!;
        assert.equal(jw.state, "running");
        assert.equal(jw.ports[0]?.exposed.port, 8080);
      });

      test("port, exec, run, logs", async () => {
        const p = await compose.port("web", 8080, opts());
        assert.equal(p.data.address, "127.0.0.1");
        assert.ok(p.data.port > 0);
        const res = await fetch(`http://127.0.0.1:${p.data.port}/index.html`);
        assert.equal((await res.text()).trim(), "ok");

        const e = await compose.exec("worker", ["sh", "-c", "echo from-exec; test -d /data"], opts());
        assert.equal(e.out.trim(), "from-exec");
        const r = await compose.run("worker", ["echo", "from-run"], opts({ commandOptions: ["--rm"] }));
        assert.equal(r.out.trim(), "from-run");

        const l = await compose.logs(["web", "worker"], opts({ commandOptions: ["--no-color"] }));
        assert.match(l.out, /^web-1 {4}\| web says hello$/m, "Compose's prefix: the longest label + 1, then '| '");
        assert.match(l.out, /^worker-1 \| worker ready$/m);
      });

      test("images and stats", async () => {
        const i = await compose.images(opts());
        const img = i.data.services.find((s) => s.container === `${project}-web-1`)!;
        assert.equal(img.repository, "flotilla-busybox");
        assert.equal(img.tag, "latest");
        assert.equal(img.platform, "linux/amd64");
        assert.match(img.id, /^[0-9a-f]{12}$/);
        const s = await compose.stats("web", opts());
        const st = s as unknown as Record<string, string>;
        assert.equal(st["Name"], `${project}-web-1`);
        for (const k of ["Container", "ID", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs"]) assert.equal(typeof st[k], "string", k);
        assert.match(st["CPUPerc"]!, /^\d+\.\d\d%$/);
      });

      test("restart, pause/unpause, stop, rm, downAll", async () => {
        await compose.restartAll(opts({ commandOptions: [["--timeout", "1"]] }));
        await compose.pauseOne("worker", opts());
        let ps = await compose.ps(opts({ commandOptions: [["--format", "json"]] }));
        assert.equal(ps.data.services.find((s) => s.name === `${project}-worker-1`)!.state, "paused");
        await compose.unpauseOne("worker", opts());
        await compose.stopOne("web", opts({ commandOptions: [["--timeout", "1"]] }));
        ps = await compose.ps(opts({ commandOptions: ["-a", ["--format", "json"]] }));
        assert.equal(ps.data.services.find((s) => s.name === `${project}-web-1`)!.state, "exited");
        await compose.rm(opts(), "web");
        ps = await compose.ps(opts({ commandOptions: ["-a"] }));
        assert.deepEqual(ps.data.services.map((s) => s.name), [`${project}-worker-1`]);
        await compose.downAll(opts({ commandOptions: ["-v", ["--timeout", "1"]] }));
        ps = await compose.ps(opts({ commandOptions: ["-a"] }));
        assert.deepEqual(ps.data.services, []);
      });
    });
  }
});

describe("testcontainers' DockerComposeEnvironment drives Flotilla", () => {
  for (const mode of modes()) {
    test(mode.name, async () => {
      const { DockerComposeEnvironment, Wait } = await import("testcontainers");
      const cwd = tempDir("flo-dropin-tc-");
      writeFileSync(join(cwd, "compose.yaml"), COMPOSE);
      const project = `dropin-tc-${process.pid}-${mode.executable ? "s" : "p"}${Math.random().toString(36).slice(2, 6)}`;
      // testcontainers runs `docker compose` with process.env: the plugin's DOCKER_CONFIG and PATH go there.
      const saved = { DOCKER_CONFIG: process.env["DOCKER_CONFIG"], PATH: process.env["PATH"] };
      if (!mode.executable) {
        process.env["DOCKER_CONFIG"] = mode.env["DOCKER_CONFIG"];
        process.env["PATH"] = mode.env["PATH"];
      }
      let env = new DockerComposeEnvironment(cwd, "compose.yaml")
        .withProjectName(project)
        .withWaitStrategy("worker-1", Wait.forLogMessage("worker ready"))
        .withWaitStrategy("web-1", Wait.forListeningPorts())
        .withStartupTimeout(60_000);
      if (mode.executable) env = env.withClientOptions({ executable: mode.executable });
      try {
        const started = await env.up();
        try {
          const web = started.getContainer("web-1");
          const port = web.getMappedPort(8080);
          const res = await fetch(`http://${web.getHost()}:${port}/index.html`);
          assert.equal((await res.text()).trim(), "ok");
          const worker = started.getContainer("worker-1");
          const ex = await worker.exec(["sh", "-c", "echo $((6 * 7))"]);
          assert.equal(ex.exitCode, 0);
          assert.equal(ex.output.trim(), "42");
        } finally {
          await started.down({ timeout: 1000 });
        }
        const left = spawnSync("docker", ["ps", "-aq", "--filter", `label=com.docker.compose.project=${project}`], { encoding: "utf8" });
        assert.equal(left.stdout.trim(), "", "down removed the containers");
      } finally {
        if (saved.DOCKER_CONFIG === undefined) delete process.env["DOCKER_CONFIG"];
        else process.env["DOCKER_CONFIG"] = saved.DOCKER_CONFIG;
        process.env["PATH"] = saved.PATH;
        spawnSync(process.execPath, [bin, "-p", project, "down", "-v", "-t", "0"], { env: { ...process.env } });
      }
    });
  }
});

describe("docker compose typed at the real Docker CLI runs Flotilla", () => {
  for (const cli of dockerClis) {
    test(cli, () => {
      const config = pluginConfig();
      const cwd = tempDir("flo-dropin-cli-");
      writeFileSync(join(cwd, "compose.yaml"), COMPOSE);
      const project = `dropin-cli-${process.pid}-${cli.includes("local") ? "a" : "b"}`;
      const env = { ...process.env, DOCKER_CONFIG: config, COMPOSE_PROGRESS: "" };
      const docker = (...args: string[]) => spawnSync(cli, args, { cwd, env, encoding: "utf8", timeout: 120_000 });
      try {
        const v = docker("compose", "version");
        assert.equal(v.status, 0, v.stderr);
        assert.match(v.stdout, /^Docker Compose version v2\.40\.\d+\+flotilla\./);
        const up = docker("compose", "-p", project, "up", "-d");
        assert.equal(up.status, 0, up.stderr);
        const ps = docker("compose", "-p", project, "ps", "--format", "{{.Service}} {{.State}}");
        assert.equal(ps.status, 0, ps.stderr);
        assert.deepEqual(ps.stdout.trim().split("\n").sort(), ["web running", "worker running"]);
        const ls = docker("compose", "ls", "--format", "json");
        assert.equal(ls.status, 0, ls.stderr);
        assert.ok((JSON.parse(ls.stdout) as { Name: string }[]).some((p) => p.Name === project));
        const down = docker("compose", "-p", project, "down", "-v", "-t", "1");
        assert.equal(down.status, 0, down.stderr);
        const after = docker("compose", "-p", project, "ps", "-a", "-q");
        assert.equal(after.stdout.trim(), "");
      } finally {
        docker("compose", "-p", project, "down", "-v", "-t", "0");
      }
    });
  }
});
