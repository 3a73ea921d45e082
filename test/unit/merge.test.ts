import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mergeDocuments, mergeService, portIdentity, volumeTarget } from "../../src/spec/merge.js";
import { parseComposeYaml } from "../../src/spec/yaml.js";
import { IssueCollector } from "../../src/errors.js";
import type { RawMap } from "../../src/spec/tags.js";

function y(text: string): RawMap {
  const issues = new IssueCollector();
  const r = parseComposeYaml(text, "t.yaml", issues);
  assert.deepEqual(issues.issues, []);
  return r.value!;
}

/** Merge two service bodies written in YAML (indented under `services.s`). */
function svc(base: string, over: string): Record<string, any> {
  const wrap = (body: string) => y(`services:\n  s:\n${body.replace(/^/gm, "    ")}\n`);
  const out = mergeDocuments(wrap(base), wrap(over)) as any;
  return out.services.s;
}

describe("mergeDocuments: mappings and scalars", () => {
  test("deep merge, later wins, new keys added, null keeps earlier", () => {
    const out = mergeDocuments(
      y(`name: a\nservices:\n  web:\n    image: a\n    restart: always\n  db:\n    image: pg\n`),
      y(`name: b\nservices:\n  web:\n    image: b\n    restart:\n    init: true\n  cache:\n    image: redis\n`),
    );
    assert.deepEqual(out, {
      name: "b",
      services: {
        web: { image: "b", restart: "always", init: true },
        db: { image: "pg" },
        cache: { image: "redis" },
      },
    });
  });

  test("inputs are not mutated and share nothing with the result", () => {
    const base = y(`services:\n  web:\n    environment: {A: "1"}\n    ports: ["80:80"]\n`);
    const over = y(`services:\n  web:\n    environment: {B: "2"}\n    ports: ["443:443"]\n`);
    const before = [JSON.stringify(base), JSON.stringify(over)];
    const out = mergeDocuments(base, over) as any;
    assert.deepEqual([JSON.stringify(base), JSON.stringify(over)], before);
    out.services.web.ports.push("x");
    assert.equal((base as any).services.web.ports.length, 1);
  });

  test("x-* extensions merge like any mapping (compose-go has no rule of its own for them)", () => {
    const out = mergeDocuments(y(`x-a: {k: 1, j: 2}\n`), y(`x-a: {k: 3}\n`));
    assert.deepEqual(out, { "x-a": { k: 3, j: 2 } });
  });

  test("top-level resources deep-merge by key, labels by key", () => {
    const out = mergeDocuments(
      y(`networks:\n  back:\n    driver: bridge\n    labels: [a=1]\nvolumes:\n  data:\n  logs:\n    driver: local\n`),
      y(`networks:\n  back:\n    internal: true\n    labels: {b: "2"}\n  front: {}\nvolumes:\n  data:\n    labels: {x: y}\n`),
    );
    assert.deepEqual(out, {
      networks: { back: { driver: "bridge", labels: { a: "1", b: "2" }, internal: true }, front: {} },
      volumes: { data: { labels: { x: "y" } }, logs: { driver: "local" } },
    });
  });

  test("ipam.config is merged by subnet", () => {
    const out = mergeDocuments(
      y(`networks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n          gateway: 10.0.0.1\n`),
      y(`networks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n          gateway: 10.0.0.254\n        - subnet: 10.1.0.0/24\n`),
    ) as any;
    assert.deepEqual(out.networks.n.ipam.config, [{ subnet: "10.0.0.0/24", gateway: "10.0.0.254" }, { subnet: "10.1.0.0/24" }]);
  });
});

describe("mergeService: replaced attributes", () => {
  test("command, entrypoint and healthcheck.test are replaced", () => {
    const out = svc(
      `command: ["a", "b"]\nentrypoint: [sh, -c]\nhealthcheck:\n  test: [CMD, a]\n  interval: 5s`,
      `command: ["c"]\nentrypoint: bash\nhealthcheck:\n  test: [CMD, b]\n  retries: 3`,
    );
    assert.deepEqual(out.command, ["c"]);
    assert.equal(out.entrypoint, "bash");
    assert.deepEqual(out.healthcheck, { test: ["CMD", "b"], interval: "5s", retries: 3 });
  });
});

describe("mergeService: merged by key", () => {
  test("environment: list and map forms on either side", () => {
    assert.deepEqual(svc(`environment: [A=1, B=2, C]`, `environment: {B: "3", D: "4"}`).environment, { A: "1", B: "3", C: null, D: "4" });
    assert.deepEqual(svc(`environment: {A: "1"}`, `environment: [A=2, "E=x=y"]`).environment, { A: "2", E: "x=y" });
  });

  test("labels, annotations, sysctls, deploy.labels", () => {
    const out = svc(
      `labels: [a=1, flag]\nannotations: {x: "1"}\nsysctls: [net.core.somaxconn=1024]\ndeploy:\n  replicas: 2\n  labels: [d=1]`,
      `labels: {b: "2"}\nannotations: [y=2]\nsysctls: {net.ipv4.tcp_syncookies: 0}\ndeploy:\n  labels: {e: "2"}`,
    );
    assert.deepEqual(out.labels, { a: "1", flag: "", b: "2" });
    assert.deepEqual(out.annotations, { x: "1", y: "2" });
    assert.deepEqual(out.sysctls, { "net.core.somaxconn": "1024", "net.ipv4.tcp_syncookies": 0 });
    assert.deepEqual(out.deploy, { replicas: 2, labels: { d: "1", e: "2" } });
  });

  test("extra_hosts: host:ip, host=ip and map forms", () => {
    // compose-go's mergeExtraHosts: entries, not hosts: one host keeps the addresses of both files
    const out = svc(`extra_hosts: ["a:10.0.0.1", "v6:::1"]`, `extra_hosts: ["a=10.0.0.2", "b:10.0.0.3"]`);
    assert.deepEqual(out.extra_hosts, ["a=10.0.0.1", "v6=::1", "a=10.0.0.2", "b=10.0.0.3"]);
    assert.deepEqual(svc(`extra_hosts: {a: 1.1.1.1}`, `extra_hosts: ["c:2.2.2.2"]`).extra_hosts, ["a=1.1.1.1", "c=2.2.2.2"]);
  });

  test("build: string becomes {context}; args and labels by key", () => {
    const out = svc(`build: ./app`, `build:\n  dockerfile: Dockerfile.dev\n  args: [A=1]`);
    // an attribute only the later file has is copied as written
    assert.deepEqual(out.build, { context: "./app", dockerfile: "Dockerfile.dev", args: ["A=1"] });
    const out2 = svc(`build:\n  context: .\n  args: {A: "1", B: "2"}\n  labels: [l=1]`, `build:\n  args: [B=3, C]\n  labels: {m: "2"}`);
    assert.deepEqual(out2.build, { context: ".", args: { A: "1", B: "3", C: null }, labels: { l: "1", m: "2" } });
    assert.deepEqual(svc(`build: {context: a, target: x}`, `build: b`).build, { context: "b", target: "x" });
  });

  test("ulimits by name: maps merge, a number replaces", () => {
    const out = svc(`ulimits:\n  nproc: 100\n  nofile: {soft: 10, hard: 20}`, `ulimits:\n  nofile: {hard: 40}\n  core: 0`);
    assert.deepEqual(out.ulimits, { nproc: 100, nofile: { soft: 10, hard: 40 }, core: 0 });
    assert.deepEqual(svc(`ulimits: {nofile: {soft: 1, hard: 2}}`, `ulimits: {nofile: 5}`).ulimits, { nofile: 5 });
  });
});

describe("mergeService: appended without duplicates", () => {
  test("ports dedupe on ip/published/target/protocol across short and long syntax", () => {
    const out = svc(
      `ports: ["8080:80", "443", 9000, "127.0.0.1:53:53/udp"]`,
      `ports:\n  - target: 80\n    published: "8080"\n  - "8443:443"\n  - "9000"\n  - "127.0.0.1:53:53/udp"\n  - "53:53/udp"`,
    );
    assert.deepEqual(out.ports, [{ target: 80, published: "8080" }, "443", "9000", "127.0.0.1:53:53/udp", "8443:443", "53:53/udp"]);
  });

  test("volumes merge by container path", () => {
    const out = svc(
      `volumes: ["./a:/app:ro", "data:/data", "/anon"]`,
      `volumes:\n  - ./b:/app\n  - type: volume\n    source: other\n    target: /data\n  - cache:/cache`,
    );
    assert.deepEqual(out.volumes, ["./b:/app", { type: "volume", source: "other", target: "/data" }, "/anon", "cache:/cache"]);
    // the target as written is the identity (compose-go): `/app/` is another entry, which the consistency check reports
    assert.deepEqual(svc(`volumes: ["./a:/app"]`, `volumes: ["./b:/app/"]`).volumes, ["./a:/app", "./b:/app/"]);
  });

  test("secrets and configs by target", () => {
    const out = svc(
      `secrets: [s1, {source: s2, target: /etc/s2}]\nconfigs: [c1]`,
      `secrets: [{source: s1, mode: 400}, {source: s3, target: /etc/s2}]\nconfigs: [{source: c1, target: /c1}, c2]`,
    );
    assert.deepEqual(out.secrets, [{ source: "s1", mode: 400 }, { source: "s3", target: "/etc/s2" }]);
    assert.deepEqual(out.configs, [{ source: "c1", target: "/c1" }, "c2"]);
  });

  test("string-or-list attributes append by value", () => {
    const out = svc(
      `dns: 8.8.8.8\ndns_search: [a.example]\ndns_opt: [use-vc]\ncap_add: [NET_ADMIN]\ncap_drop: [ALL]\ntmpfs: /tmp\nsecurity_opt: [no-new-privileges]\nprofiles: [dev]\nlinks: [db]\nexternal_links: [x]\ngroup_add: [100]\nexpose: ["80", 90]`,
      `dns: [1.1.1.1, 8.8.8.8]\ndns_search: a.example\ndns_opt: [ndots:2]\ncap_add: [NET_ADMIN, SYS_TIME]\ncap_drop: [ALL]\ntmpfs: [/run, /tmp]\nsecurity_opt: [no-new-privileges]\nprofiles: [debug, dev]\nlinks: [db, cache]\nexternal_links: [x]\ngroup_add: ["100", 200]\nexpose: [80, "91"]`,
    );
    assert.deepEqual(out.dns, ["8.8.8.8", "1.1.1.1"]);
    assert.deepEqual(out.dns_search, ["a.example"]);
    assert.deepEqual(out.dns_opt, ["use-vc", "ndots:2"]);
    assert.deepEqual(out.cap_add, ["NET_ADMIN", "SYS_TIME"]);
    assert.deepEqual(out.cap_drop, ["ALL"]);
    assert.deepEqual(out.tmpfs, ["/tmp", "/run"]);
    assert.deepEqual(out.security_opt, ["no-new-privileges"]);
    assert.deepEqual(out.profiles, ["dev", "debug"]);
    assert.deepEqual(out.links, ["db", "cache"]);
    assert.deepEqual(out.external_links, ["x"]);
    assert.deepEqual(out.group_add, ["100", 200]);
    assert.deepEqual(out.expose, [80, 90, "91"]);
  });

  test("env_file by path and devices by container path", () => {
    const out = svc(
      `env_file: .env\ndevices: ["/dev/a:/dev/x", "/dev/b"]`,
      `env_file: [{path: .env, required: false}, other.env]\ndevices: ["/dev/c:/dev/x:rwm", {source: /dev/b, target: /dev/b}]`,
    );
    assert.deepEqual(out.env_file, [{ path: ".env", required: false }, "other.env"]);
    assert.deepEqual(out.devices, ["/dev/c:/dev/x:rwm", { source: "/dev/b", target: "/dev/b" }]);
  });
});

describe("mergeService: maps of names", () => {
  test("depends_on: list form expanded then merged as a map", () => {
    const out = svc(`depends_on: [db, cache]`, `depends_on:\n  db:\n    condition: service_healthy\n  queue:\n    condition: service_started`);
    assert.deepEqual(out.depends_on, {
      db: { condition: "service_healthy", required: true },
      cache: { condition: "service_started", required: true },
      queue: { condition: "service_started" },
    });
    assert.deepEqual(svc(`depends_on: {db: {condition: service_healthy}}`, `depends_on: [db, x]`).depends_on, {
      db: { condition: "service_started", required: true },
      x: { condition: "service_started", required: true },
    });
  });

  test("networks: list → map, entries merged, aliases appended", () => {
    const out = svc(
      `networks:\n  front:\n    aliases: [a]\n  back:`,
      `networks: [back, other]`,
    );
    assert.deepEqual(out.networks, { front: { aliases: ["a"] }, back: null, other: null });
    const out2 = svc(`networks: [front]`, `networks:\n  front:\n    aliases: [b]\n    priority: 3`);
    assert.deepEqual(out2.networks, { front: { aliases: ["b"], priority: 3 } });
    const out3 = svc(`networks: {front: {aliases: [a], priority: 1}}`, `networks: {front: {aliases: [b, a]}}`);
    assert.deepEqual(out3.networks, { front: { aliases: ["a", "b"], priority: 1 } });
  });

  test("a null override of a list-or-map attribute keeps the base", () => {
    const out = svc(`networks: [n]\ndepends_on: [db]`, `networks:\ndepends_on:`);
    assert.deepEqual(out.networks, ["n"]);
    assert.deepEqual(out.depends_on, ["db"]);
  });
});

describe("mergeService: logging", () => {
  test("options merge when the driver is the same or missing on one side", () => {
    assert.deepEqual(
      svc(`logging:\n  driver: json-file\n  options: {max-size: 1m}`, `logging:\n  options: {max-file: "3"}`).logging,
      { driver: "json-file", options: { "max-size": "1m", "max-file": "3" } },
    );
    assert.deepEqual(
      svc(`logging:\n  driver: json-file\n  options: {max-size: 1m}`, `logging:\n  driver: json-file\n  options: {max-size: 2m}`).logging,
      { driver: "json-file", options: { "max-size": "2m" } },
    );
  });

  test("a different driver replaces the whole block", () => {
    assert.deepEqual(
      svc(`logging:\n  driver: json-file\n  options: {max-size: 1m}`, `logging:\n  driver: syslog\n  options: {tag: x}`).logging,
      { driver: "syslog", options: { tag: "x" } },
    );
  });
});

describe("tags: !reset and !override", () => {
  test("!reset removes the attribute, !override replaces without merging", () => {
    const out = svc(
      `image: a\nports: ["80:80"]\nenvironment: {A: "1", B: "2"}\nlabels: {l: "1"}\ndepends_on: [db]\nbuild: {context: ., args: {X: "1"}}`,
      `ports: !reset []\nenvironment: !override {C: "3"}\nlabels: !reset {}\ndepends_on: !override [cache]\nbuild:\n  args: !override {Y: "2"}`,
    );
    assert.equal(out.image, "a");
    assert.equal("ports" in out, false);
    assert.equal("labels" in out, false);
    assert.deepEqual(out.environment, { C: "3" });
    assert.deepEqual(out.depends_on, ["cache"]);
    assert.deepEqual(out.build, { context: ".", args: { Y: "2" } });
  });

  test("!reset on a whole service or resource removes it", () => {
    const out = mergeDocuments(y(`services:\n  a: {image: x}\n  b: {image: y}\nvolumes:\n  v: {}\n`), y(`services:\n  b: !reset\nvolumes: !reset\n`));
    assert.deepEqual(out, { services: { a: { image: "x" } } });
  });

  test("!reset on a single environment key", () => {
    assert.deepEqual(svc(`environment: {A: "1", B: "2"}`, `environment:\n  A: !reset`).environment, { B: "2" });
  });

  test("tags never survive in the output", () => {
    const first = y(`services:\n  a:\n    image: !override x\n    ports: !reset ["1:1"]\n    labels: [!reset a=b, c=d]\n`);
    const out = mergeDocuments(first, y(`services:\n  a:\n    command: !override [run]\n`));
    assert.deepEqual(out, { services: { a: { image: "x", labels: ["c=d"], command: ["run"] } } });
    assert.doesNotMatch(JSON.stringify(out), /value/);
  });
});

describe("mergeService (extends)", () => {
  test("same rules on bare service maps, inputs untouched", () => {
    const base = { image: "a", environment: ["A=1"], ports: ["80:80"], command: ["x"] };
    const local = { environment: { B: "2" }, ports: ["80:80", "81:81"], command: "y" };
    const out = mergeService(base, local);
    assert.deepEqual(out, { image: "a", environment: { A: "1", B: "2" }, ports: ["80:80", "81:81"], command: "y" });
    assert.deepEqual(base.environment, ["A=1"]);
  });
});

describe("identities", () => {
  test("portIdentity normalizes short and long syntax", () => {
    assert.equal(portIdentity("8080:80"), portIdentity({ target: 80, published: 8080 }));
    assert.equal(portIdentity("127.0.0.1:8080:80/tcp"), portIdentity({ host_ip: "127.0.0.1", target: 80, published: "8080", protocol: "tcp" }));
    assert.equal(portIdentity("[::1]:8080:80"), portIdentity({ host_ip: "::1", target: 80, published: "8080" }));
    assert.notEqual(portIdentity("53:53/udp"), portIdentity("53:53"));
    assert.equal(portIdentity(80), portIdentity("80"));
  });

  test("volumeTarget reads the container path", () => {
    assert.equal(volumeTarget("./a:/app:ro"), "/app");
    assert.equal(volumeTarget("/data"), "/data");
    assert.equal(volumeTarget("data:/var/lib/x/"), "/var/lib/x");
    assert.equal(volumeTarget("C:\\data:/app"), "/app");
    assert.equal(volumeTarget({ type: "bind", source: ".", target: "/app//x" }), "/app/x");
  });
});
