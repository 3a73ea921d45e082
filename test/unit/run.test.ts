import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseKeyValues, runRequest } from "../../src/cli/commands/run.js";
import { humanSize } from "../../src/cli/commands/images.js";
import { splitServicePath } from "../../src/runtime/ops/cp.js";
import { formatEvent } from "../../src/cli/commands/events.js";
import { binarySize } from "../../src/cli/commands/stats.js";
import { containerStats, ipv4First } from "../../src/runtime/docker/index.js";
import { oneOffService } from "../../src/runtime/run.js";
import type { ServiceConfig } from "../../src/spec/model.js";

describe("run: flags -> request", () => {
  test("command, env (bare KEY from the environment), labels, user, workdir, name", () => {
    const r = runRequest("api", ["npm", "test"], { env: ["A=1", "HOME", "MISSING", "B=x=y"], label: ["l=v"], user: "1000", workdir: "/src", name: "one", rm: true }, { HOME: "/root" });
    assert.deepEqual(r.command, ["npm", "test"]);
    assert.deepEqual(r.env, { A: "1", HOME: "/root", B: "x=y" });
    assert.deepEqual(r.labels, { l: "v" });
    assert.equal(r.user, "1000");
    assert.equal(r.workdir, "/src");
    assert.equal(r.name, "one");
    assert.equal(r.remove, true);
    assert.equal(r.detach, false);
  });

  test("--entrypoint is one word; an empty one clears it; -d with --rm is refused", () => {
    assert.deepEqual(runRequest("api", [], { entrypoint: "/bin/sh" }, {}).entrypoint, ["/bin/sh"]);
    assert.deepEqual(runRequest("api", [], { entrypoint: "" }, {}).entrypoint, [""]);
    assert.equal(runRequest("api", [], {}, {}).command, undefined);
    assert.throws(() => runRequest("api", [], { detach: true, rm: true }, {}), /--detach and --rm cannot be combined/);
    assert.throws(() => parseKeyValues("--env", ["=x"], {}), /invalid --env "=x"/);
  });
});

describe("run: publish, volumes, capabilities, aliases, env files", () => {
  const files = (map: Record<string, string>) => ({
    projectDir: "/srv/proj",
    readFile: (f: string): string => {
      if (!(f in map)) throw new Error(`ENOENT: no such file ${f}`);
      return map[f]!;
    },
  });

  test("-p short syntax (with ranges and host IP), -v with relative binds resolved against the project directory", () => {
    const r = runRequest("api", [], { publish: ["8080:80", "127.0.0.1:9000-9001:9000-9001/udp"], volume: ["./src:/app/src:ro", "data:/data", "/abs:/abs"] }, {}, files({}));
    assert.deepEqual(
      r.publish?.map((p) => `${p.host_ip ?? ""}|${p.published ?? ""}|${p.target}/${p.protocol}`),
      ["|8080|80/tcp", "127.0.0.1|9000|9000/udp", "127.0.0.1|9001|9001/udp"],
    );
    assert.deepEqual(r.volumes?.map((v) => `${v.type} ${v.source} ${v.target}${v.read_only ? " ro" : ""}`), ["bind /srv/proj/src /app/src ro", "volume data /data", "bind /abs /abs"]);
    assert.throws(() => runRequest("api", [], { publish: ["nope:80:x:y"] }, {}, files({})), /invalid --publish "nope:80:x:y"/);
    assert.throws(() => runRequest("api", [], { volume: ["/x::/y"] }, {}, files({})), /invalid --volume "\/x::\/y": empty section/);
  });

  test("--env-from-file (dotenv syntax, in order) under -e; cap-add/drop, use-aliases, remove-orphans", () => {
    const r = runRequest(
      "api",
      [],
      { envFromFile: ["a.env", "b.env"], env: ["B=cli"], capAdd: ["NET_ADMIN"], capDrop: ["MKNOD"], useAliases: true, removeOrphans: true },
      { HOME: "/root" },
      files({ "a.env": "# base\nA=1\nB=from-a\nQ='lit $HOME'\n", "b.env": "export C=\"${A}-2\"\n" }),
    );
    assert.deepEqual(r.env, { A: "1", B: "cli", Q: "lit $HOME", C: "1-2" });
    assert.deepEqual([r.capAdd, r.capDrop, r.useAliases, r.removeOrphans], [["NET_ADMIN"], ["MKNOD"], true, true]);
    assert.throws(() => runRequest("api", [], { envFromFile: ["missing.env"] }, {}, files({})), /--env-from-file missing.env: ENOENT/);
  });

  test("--env-from-file as Compose's run reads it: an earlier file and -e win; ${VAR} sees them, not the shell", () => {
    const r = runRequest(
      "api",
      [],
      { envFromFile: ["a.env", "b.env"], env: ["E=cli"] },
      { HOME: "/root", SHELLVAR: "shell" },
      files({ "a.env": "A=1\n", "b.env": "A=2\nFROM_A=${A}\nFROM_E=${E}\nFROM_SHELL=${SHELLVAR:-unset}\nE=from-b\n" }),
    );
    assert.deepEqual(r.env, { E: "cli", A: "1", FROM_A: "1", FROM_E: "cli", FROM_SHELL: "unset" });
  });

  test("the one-off service gets them: a -v target replaces the service's mount there; caps merge", () => {
    const base: ServiceConfig = { image: "app", volumes: [{ type: "volume", source: "data", target: "/data" }, { type: "bind", source: "/etc/x", target: "/x" }], cap_add: ["SYS_TIME"], ports: [{ mode: "ingress", target: 80, published: "8080", protocol: "tcp" }] };
    const o = oneOffService(base, {
      volumes: [{ type: "bind", source: "/tmp/d", target: "/data" }],
      capAdd: ["NET_ADMIN", "SYS_TIME"],
      capDrop: ["MKNOD"],
      publish: [{ mode: "ingress", target: 9000, published: "9000", protocol: "tcp" }],
    });
    assert.deepEqual(o.volumes?.map((v) => `${v.source}:${v.target}`), ["/etc/x:/x", "/tmp/d:/data"]);
    assert.deepEqual(o.cap_add, ["SYS_TIME", "NET_ADMIN"]);
    assert.deepEqual(o.cap_drop, ["MKNOD"]);
    assert.deepEqual(o.ports?.map((p) => p.target), [9000], "-p without --service-ports: only what -p asks");
  });
});

describe("run: the one-off service", () => {
  const svc: ServiceConfig = {
    image: "app",
    command: ["serve"],
    entrypoint: ["/entry"],
    environment: { A: "1", B: "2" },
    ports: [{ mode: "ingress", target: 80, published: "8080", protocol: "tcp" }],
    restart: "always",
    container_name: "fixed",
  };

  test("no ports (unless asked), no restart, no container_name; overrides applied", () => {
    const o = oneOffService(svc, { command: ["sh"], env: { B: "3", C: "4" } });
    assert.equal(o.ports, undefined);
    assert.equal(o.restart, undefined);
    assert.equal(o.container_name, undefined);
    assert.deepEqual(o.command, ["sh"]);
    assert.deepEqual(o.entrypoint, ["/entry"]);
    assert.deepEqual(o.environment, { A: "1", B: "3", C: "4" });
    assert.deepEqual(oneOffService(svc, { servicePorts: true }).ports, svc.ports);
    assert.deepEqual(svc.environment, { A: "1", B: "2" }, "the model is not changed");
  });

  test("a new entrypoint drops the service's command unless one is given", () => {
    assert.equal(oneOffService(svc, { entrypoint: ["/bin/sh"] }).command, undefined);
    assert.deepEqual(oneOffService(svc, { entrypoint: ["/bin/sh"], command: ["-c", "x"] }).command, ["-c", "x"]);
  });
});

describe("port bindings", () => {
  test("IPv4 before IPv6, otherwise in the engine's order", () => {
    const b = [
      { privatePort: 80, protocol: "tcp" as const, hostIp: "::", publicPort: 32771 },
      { privatePort: 80, protocol: "tcp" as const, hostIp: "0.0.0.0", publicPort: 32771 },
      { privatePort: 443, protocol: "tcp" as const, hostIp: "127.0.0.1", publicPort: 8443 },
    ];
    assert.deepEqual(ipv4First(b).map((x) => `${x.hostIp}:${x.publicPort}`), ["0.0.0.0:32771", "127.0.0.1:8443", ":::32771"]);
  });
});

describe("images: sizes as Docker prints them", () => {
  test("decimal units, three significant digits", () => {
    assert.deepEqual([0, 999, 1000, 1985472, 141_234_567, 4_257_345_000].map(humanSize), ["0B", "999B", "1kB", "1.99MB", "141MB", "4.26GB"]);
  });
});

describe("cp: SERVICE:PATH arguments", () => {
  test("a service path, a host path", () => {
    assert.deepEqual(splitServicePath("web:/etc/app.conf"), { service: "web", path: "/etc/app.conf" });
    assert.deepEqual(splitServicePath("web:"), { service: "web", path: "/" });
    assert.equal(splitServicePath("./local/file"), undefined);
    assert.equal(splitServicePath("/abs/path:with-colon"), undefined);
  });
});

describe("events: Compose's text line", () => {
  test("time, type, action, id, then the attributes without compose labels, sorted", () => {
    const e = { time: new Date("2026-01-02T03:04:05.678Z"), type: "container", action: "start", id: "abc", service: "web", attributes: { name: "p-web-1", image: "busybox", "com.docker.compose.project": "p" } };
    assert.equal(formatEvent(e, false), "2026-01-02T03:04:05.678Z container start abc (image=busybox, name=p-web-1)\n");
    assert.deepEqual(JSON.parse(formatEvent(e, true)), { time: "2026-01-02T03:04:05.678Z", type: "container", action: "start", id: "abc", service: "web", attributes: e.attributes });
  });
});

describe("stats: Docker's formulas and units", () => {
  test("CPU % from the two samples, memory without the page cache, summed network and block I/O", () => {
    const s = containerStats({
      cpu_stats: { cpu_usage: { total_usage: 3_000_000 }, system_cpu_usage: 20_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 10_000_000 },
      memory_stats: { usage: 10_000, limit: 100_000, stats: { inactive_file: 2_000 } },
      networks: { eth0: { rx_bytes: 100, tx_bytes: 50 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: "Read", value: 7 }, { op: "Write", value: 9 }, { op: "Read", value: 3 }] },
      pids_stats: { current: 4 },
    });
    assert.deepEqual(s, { cpuPercent: 40, memoryUsage: 8_000, memoryLimit: 100_000, networkRx: 101, networkTx: 52, blockRead: 10, blockWrite: 9, pids: 4 });
  });

  test("binary sizes like docker stats", () => {
    assert.deepEqual([512, 753_664, 25_275_000_000].map(binarySize), ["512B", "736KiB", "23.54GiB"]);
  });
});
