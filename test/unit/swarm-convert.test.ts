import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { loadProject } from "../../src/spec/load.js";
import { convertStack, stackSpecsJson, type ConvertInput, type SwarmStackSpec } from "../../src/cluster/swarm/convert.js";
import { ConfigError } from "../../src/errors.js";
import type { ServiceSpec } from "../../src/runtime/engine-swarm.js";

const files: Record<string, string> = { "/cfg/app.conf": "port=80\n", "/cfg/pw.txt": "s3cr3t" };
const readFile = (p: string): string => {
  const f = files[p];
  if (f === undefined) throw new Error("ENOENT");
  return f;
};

async function conv(yaml: string, extra: Partial<ConvertInput> = {}, env: Record<string, string> = {}): Promise<SwarmStackSpec> {
  const project = await loadProject({ cwd: "/cfg", env, documents: [yaml], projectName: "proj", checkFiles: false });
  return convertStack({ model: project.model, stack: "st", environment: project.environment, readFile, ...extra });
}
async function svc(body: string, top = ""): Promise<ServiceSpec> {
  const s = await conv(`services:\n  web:\n    image: nginx:1\n${body.replace(/^/gm, "    ")}\n${top}`);
  return s.services[0]!.spec;
}
const sha8 = (s: string): string => createHash("sha256").update(s).digest("hex").slice(0, 8);
const c = (s: ServiceSpec) => s.TaskTemplate.ContainerSpec;
/** Networks without their spec-hash label (checked on its own). */
function withoutHash(nets: SwarmStackSpec["networks"]): SwarmStackSpec["networks"] {
  return nets.map((n) => {
    assert.match(n.Labels?.["io.flotilla.spec-hash"] ?? "", /^[0-9a-f]{64}$/);
    const labels = { ...n.Labels };
    delete labels["io.flotilla.spec-hash"];
    return { ...n, Labels: labels };
  });
}

describe("convertStack: names and labels as docker stack", () => {
  test("service name, stack labels, image label, spec-hash label", async () => {
    const s = await svc("labels: {a: b}\ndeploy:\n  labels: {tier: front}");
    assert.equal(s.Name, "st_web");
    assert.equal(s.Labels!["com.docker.stack.namespace"], "st");
    assert.equal(s.Labels!["com.docker.stack.image"], "nginx:1");
    assert.equal(s.Labels!["tier"], "front");
    assert.match(s.Labels?.["io.flotilla.spec-hash"] ?? "", /^[0-9a-f]{64}$/);
    assert.deepEqual(c(s).Labels, { a: "b", "com.docker.stack.namespace": "st" });
    assert.equal(c(s).Image, "nginx:1");
  });
  test("the spec hash is stable and changes with the spec", async () => {
    const a = await svc("command: [a]");
    const b = await svc("command: [a]");
    const d = await svc("command: [b]");
    assert.equal(a.Labels!["io.flotilla.spec-hash"], b.Labels!["io.flotilla.spec-hash"]);
    assert.notEqual(a.Labels!["io.flotilla.spec-hash"], d.Labels!["io.flotilla.spec-hash"]);
  });
  test("a service name longer than a DNS label is refused", async () => {
    await assert.rejects(
      conv(`services:\n  ${"s".repeat(61)}:\n    image: x\n`),
      (e: unknown) => e instanceof ConfigError && /longer than 63 characters/.test(e.issues[0]!.message),
    );
  });
  test("an image override (pinned by digest) is sent; the label keeps the file's image", async () => {
    const s = await conv("services:\n  web:\n    image: nginx:1\n", { images: { web: "nginx:1@sha256:abc" } });
    assert.equal(c(s.services[0]!.spec).Image, "nginx:1@sha256:abc");
    assert.equal(s.services[0]!.spec.Labels!["com.docker.stack.image"], "nginx:1");
  });
});

describe("convertStack: deploy", () => {
  test("replicas, scale fallback, global, jobs", async () => {
    assert.deepEqual((await svc("deploy: {replicas: 3}")).Mode, { Replicated: { Replicas: 3 } });
    assert.deepEqual((await svc("scale: 2")).Mode, { Replicated: { Replicas: 2 } });
    assert.deepEqual((await svc("")).Mode, { Replicated: { Replicas: 1 } });
    assert.deepEqual((await svc("deploy: {mode: global}")).Mode, { Global: {} });
    assert.deepEqual((await svc("deploy: {mode: replicated-job, replicas: 4}")).Mode, { ReplicatedJob: { MaxConcurrent: 4, TotalCompletions: 4 } });
    assert.deepEqual((await svc("deploy: {mode: global-job}")).Mode, { GlobalJob: {} });
  });
  test("placement", async () => {
    const s = await svc("deploy:\n  placement:\n    constraints: [node.role==worker]\n    preferences: [{spread: node.labels.zone}]\n    max_replicas_per_node: 2");
    assert.deepEqual(s.TaskTemplate.Placement, {
      Constraints: ["node.role==worker"],
      Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }],
      MaxReplicas: 2,
    });
  });
  test("resources: limits, reservations, generic resources", async () => {
    const s = await svc(
      "deploy:\n  resources:\n    limits: {cpus: '0.5', memory: 64M, pids: 100}\n    reservations:\n      cpus: '0.25'\n      memory: 32m\n      generic_resources: [{discrete_resource_spec: {kind: gpu, value: 2}}]",
    );
    assert.deepEqual(s.TaskTemplate.Resources, {
      Limits: { NanoCPUs: 500_000_000, MemoryBytes: 64 * 1024 * 1024, Pids: 100 },
      Reservations: { NanoCPUs: 250_000_000, MemoryBytes: 32 * 1024 * 1024, GenericResources: [{ DiscreteResourceSpec: { Kind: "gpu", Value: 2 } }] },
    });
  });
  test("legacy cpus / mem_limit / mem_reservation / pids_limit become resources", async () => {
    const s = await svc("cpus: 1.5\nmem_limit: 1g\nmem_reservation: 512m\npids_limit: 50");
    assert.deepEqual(s.TaskTemplate.Resources, {
      Limits: { NanoCPUs: 1_500_000_000, MemoryBytes: 1024 ** 3, Pids: 50 },
      Reservations: { MemoryBytes: 512 * 1024 ** 2 },
    });
  });
  test("restart_policy, and its fallback from restart:", async () => {
    assert.deepEqual((await svc("deploy:\n  restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 1m}")).TaskTemplate.RestartPolicy, {
      Condition: "on-failure",
      Delay: 5e9,
      MaxAttempts: 3,
      Window: 60e9,
    });
    assert.deepEqual((await svc("restart: always")).TaskTemplate.RestartPolicy, { Condition: "any" });
    assert.deepEqual((await svc("restart: unless-stopped")).TaskTemplate.RestartPolicy, { Condition: "any" });
    assert.deepEqual((await svc("restart: on-failure:4")).TaskTemplate.RestartPolicy, { Condition: "on-failure", MaxAttempts: 4 });
    assert.deepEqual((await svc('restart: "no"')).TaskTemplate.RestartPolicy, { Condition: "none" });
    assert.equal((await svc("")).TaskTemplate.RestartPolicy, undefined);
  });
  test("update_config and rollback_config (parallelism 1 when the block is given)", async () => {
    const s = await svc(
      "deploy:\n  update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 500ms, max_failure_ratio: 0.3, order: start-first}\n  rollback_config: {order: stop-first}",
    );
    assert.deepEqual(s.UpdateConfig, { Parallelism: 2, Delay: 10e9, FailureAction: "rollback", Monitor: 500e6, MaxFailureRatio: 0.3, Order: "start-first" });
    assert.deepEqual(s.RollbackConfig, { Parallelism: 1, Order: "stop-first" });
    assert.equal((await svc("")).UpdateConfig, undefined);
  });
  test("endpoint_mode and ports (ingress and host), sorted", async () => {
    const s = await svc('deploy: {endpoint_mode: dnsrr}\nports:\n  - "9090:90/udp"\n  - {target: 80, published: "8080", mode: host, name: web}\n  - "443"');
    assert.deepEqual(s.EndpointSpec, {
      Mode: "dnsrr",
      Ports: [
        { Protocol: "tcp", TargetPort: 443, PublishMode: "ingress" },
        { Name: "web", Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "host" },
        { Protocol: "udp", TargetPort: 90, PublishedPort: 9090, PublishMode: "ingress" },
      ],
    });
    // as docker stack (and the engine stores): vip when the file names no mode, also without ports
    assert.deepEqual((await svc("")).EndpointSpec, { Mode: "vip" });
  });
});

describe("convertStack: container", () => {
  test("healthcheck, and disable", async () => {
    const s = await svc("healthcheck:\n  test: wget -q localhost\n  interval: 2s\n  timeout: 1s\n  retries: 3\n  start_period: 5s\n  start_interval: 1s");
    assert.deepEqual(c(s).Healthcheck, { Test: ["CMD-SHELL", "wget -q localhost"], Interval: 2e9, Timeout: 1e9, Retries: 3, StartPeriod: 5e9, StartInterval: 1e9 });
    assert.deepEqual(c(await svc("healthcheck: {disable: true}")).Healthcheck, { Test: ["NONE"] });
  });
  test("command/entrypoint, environment and env_file (sorted), user, working_dir, hostname", async () => {
    const s = await svc("entrypoint: [/bin/sh, -c]\ncommand: echo hi\nenvironment: {B: '2', A: '1', C: null}\nuser: '1000:1000'\nworking_dir: /app\nhostname: h1");
    assert.deepEqual(c(s).Command, ["/bin/sh", "-c"]);
    assert.deepEqual(c(s).Args, ["echo", "hi"]);
    assert.deepEqual(c(s).Env, ["A=1", "B=2", "C"]);
    assert.equal(c(s).User, "1000:1000");
    assert.equal(c(s).Dir, "/app");
    assert.equal(c(s).Hostname, "h1");
  });
  test("stop_grace_period/stop_signal, init, cap_add/cap_drop, sysctls, ulimits, read_only, tty, stdin_open, group_add, oom_score_adj", async () => {
    const s = await svc(
      "stop_grace_period: 1m30s\nstop_signal: SIGINT\ninit: true\ncap_add: [NET_ADMIN]\ncap_drop: [ALL]\nsysctls: {net.core.somaxconn: '1024'}\nulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}}\nread_only: true\ntty: true\nstdin_open: true\ngroup_add: [audio]\noom_score_adj: 100",
    );
    const x = c(s);
    assert.equal(x.StopGracePeriod, 90e9);
    assert.equal(x.StopSignal, "SIGINT");
    assert.equal(x.Init, true);
    assert.deepEqual(x.CapabilityAdd, ["CAP_NET_ADMIN"]);
    assert.deepEqual(x.CapabilityDrop, ["ALL"]);
    assert.deepEqual(x.Sysctls, { "net.core.somaxconn": "1024" });
    assert.deepEqual(x.Ulimits, [
      { Name: "nofile", Soft: 20000, Hard: 40000 },
      { Name: "nproc", Soft: 65535, Hard: 65535 },
    ]);
    assert.equal(x.ReadOnly, true);
    assert.equal(x.TTY, true);
    assert.equal(x.OpenStdin, true);
    assert.deepEqual(x.Groups, ["audio"]);
    assert.equal(x.OomScoreAdj, 100);
  });
  test("capabilities are normalized as docker stack sends them (CAP_ prefix, ALL alone, added wins over dropped, sorted)", async () => {
    const x = c(await svc("cap_add: [sys_admin, CAP_CHOWN, net_raw]\ncap_drop: [NET_RAW, mknod]"));
    assert.deepEqual(x.CapabilityAdd, ["CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_ADMIN"]);
    assert.deepEqual(x.CapabilityDrop, ["CAP_MKNOD"]);
    const all = c(await svc("cap_add: [ALL, CHOWN]"));
    assert.deepEqual(all.CapabilityAdd, ["ALL"]);
    assert.equal(all.CapabilityDrop, undefined);
  });
  test("one secret mounted twice keeps the file's order (sorted by name only, stably)", async () => {
    const s = await conv("services:\n  web:\n    image: x\n    secrets: [b, {source: a, target: z}, a]\nsecrets:\n  a: {file: /cfg/pw.txt}\n  b: {file: /cfg/app.conf}\n");
    assert.deepEqual(
      c(s.services[0]!.spec).Secrets!.map((r) => `${r.SecretName!.replace(/_[0-9a-f]{8}$/, "")}:${r.File.Name}`),
      ["st_a:z", "st_a:a", "st_b:b"],
    );
  });
  test("labels, isolation, credential_spec", async () => {
    const s = await svc("labels: {a: '1'}\nisolation: process\ncredential_spec: {file: spec.json}");
    assert.deepEqual(c(s).Labels, { a: "1", "com.docker.stack.namespace": "st" });
    assert.equal(c(s).Isolation, "process");
    assert.deepEqual(c(s).Privileges, { CredentialSpec: { File: "spec.json" } });
  });
  test("bind propagation, volume subpath and labels, consistency", async () => {
    const s = await svc(
      "volumes:\n  - {type: bind, source: /srv, target: /srv, bind: {propagation: rshared}, consistency: cached}\n  - {type: volume, source: v, target: /v, volume: {subpath: sub, labels: {m: '1'}}}",
      "volumes:\n  v: {}\n",
    );
    assert.deepEqual(c(s).Mounts, [
      { Type: "bind", Source: "/srv", Target: "/srv", Consistency: "cached", BindOptions: { Propagation: "rshared" } },
      { Type: "volume", Source: "st_v", Target: "/v", VolumeOptions: { Subpath: "sub", Labels: { m: "1", "com.docker.stack.namespace": "st" } } },
    ]);
  });
  test("logging, dns, extra_hosts (SwarmKit's 'ip host' notation)", async () => {
    const s = await svc("logging: {driver: json-file, options: {max-size: 10m}}\ndns: [8.8.8.8]\ndns_search: [example.com]\ndns_opt: [ndots:2]\nextra_hosts: ['db:10.0.0.5', 'v6=::1']");
    assert.deepEqual(s.TaskTemplate.LogDriver, { Name: "json-file", Options: { "max-size": "10m" } });
    assert.deepEqual(c(s).DNSConfig, { Nameservers: ["8.8.8.8"], Search: ["example.com"], Options: ["ndots:2"] });
    assert.deepEqual(c(s).Hosts, ["10.0.0.5 db", "::1 v6"]);
  });
});

describe("convertStack: networks", () => {
  test("the default network is an overlay named <stack>_default; aliases include the service name", async () => {
    const s = await conv("services:\n  web:\n    image: x\n");
    assert.deepEqual(withoutHash(s.networks), [{ Name: "st_default", Driver: "overlay", Labels: { "com.docker.stack.namespace": "st" } }]);
    assert.deepEqual(s.services[0]!.spec.TaskTemplate.Networks, [{ Target: "st_default", Aliases: ["web"] }]);
  });
  test("attachable, driver_opts, ipam, labels, external, aliases", async () => {
    const s = await conv(
      "services:\n  web:\n    image: x\n    networks:\n      front: {aliases: [www]}\n      ext: {}\nnetworks:\n  front:\n    attachable: true\n    driver_opts: {encrypted: ''}\n    labels: {l: v}\n    ipam: {config: [{subnet: 10.9.0.0/24}]}\n  ext:\n    external: true\n    name: shared-net\n  unused: {}\n",
    );
    assert.deepEqual(withoutHash(s.networks), [
      {
        Name: "st_front",
        Driver: "overlay",
        Options: { encrypted: "" },
        IPAM: { Config: [{ Subnet: "10.9.0.0/24" }] },
        Attachable: true,
        Labels: { l: "v", "com.docker.stack.namespace": "st" },
      },
    ]);
    assert.deepEqual(s.externalNetworks, ["shared-net"]);
    assert.deepEqual(s.services[0]!.spec.TaskTemplate.Networks, [
      { Target: "shared-net", Aliases: ["web"] },
      { Target: "st_front", Aliases: ["www", "web"] },
    ]);
  });
  test("a network's spec-hash label changes with its definition", async () => {
    const a = await conv("services:\n  web:\n    image: x\n    networks: [n]\nnetworks:\n  n: {}\n");
    const b = await conv("services:\n  web:\n    image: x\n    networks: [n]\nnetworks:\n  n: {internal: true}\n");
    assert.notEqual(a.networks[0]!.Labels!["io.flotilla.spec-hash"], b.networks[0]!.Labels!["io.flotilla.spec-hash"]);
  });
  test("network_mode: host joins the host network", async () => {
    const s = await conv("services:\n  web:\n    image: x\n    network_mode: host\n");
    assert.deepEqual(s.services[0]!.spec.TaskTemplate.Networks, [{ Target: "host" }]);
    assert.deepEqual(s.networks, []);
  });
});

describe("convertStack: volumes", () => {
  test("named (with driver), external, bind, tmpfs, anonymous", async () => {
    const s = await svc(
      "volumes:\n  - data:/data:ro\n  - ext:/ext\n  - /srv/html:/html\n  - {type: tmpfs, target: /cache, tmpfs: {size: 1m, mode: 0o1777}}\n  - /anon\n  - {type: volume, source: data, target: /nc, volume: {nocopy: true}}\ntmpfs: ['/run:size=64k']",
      "volumes:\n  data:\n    driver: local\n    driver_opts: {type: nfs}\n    labels: {backup: 'yes'}\n  ext:\n    external: true\n",
    );
    const stackLabel = { "com.docker.stack.namespace": "st" };
    assert.deepEqual(c(s).Mounts, [
      {
        Type: "volume",
        Source: "st_data",
        Target: "/data",
        ReadOnly: true,
        VolumeOptions: { Labels: { backup: "yes", ...stackLabel }, DriverConfig: { Name: "local", Options: { type: "nfs" } } },
      },
      { Type: "volume", Source: "ext", Target: "/ext" },
      { Type: "bind", Source: "/srv/html", Target: "/html" },
      { Type: "tmpfs", Target: "/cache", TmpfsOptions: { SizeBytes: 1024 * 1024, Mode: 0o1777 } },
      { Type: "volume", Target: "/anon" },
      {
        Type: "volume",
        Source: "st_data",
        Target: "/nc",
        VolumeOptions: { NoCopy: true, Labels: { backup: "yes", ...stackLabel }, DriverConfig: { Name: "local", Options: { type: "nfs" } } },
      },
      { Type: "tmpfs", Target: "/run", TmpfsOptions: { SizeBytes: 64 * 1024 } },
    ]);
  });
});

describe("convertStack: secrets and configs", () => {
  const top =
    "secrets:\n  pw: {file: /cfg/pw.txt}\n  token: {environment: TOKEN}\n  old: {external: true, name: legacy_pw}\nconfigs:\n  app: {file: /cfg/app.conf, template_driver: golang}\n  inline: {content: 'hello'}\n";
  const body =
    "services:\n  web:\n    image: x\n    secrets: [pw, {source: token, target: tok, uid: '100', gid: '101', mode: 0400}, old]\n    configs: [{source: app, target: /etc/app.conf}, inline]\n";
  test("named <stack>_<name>_<sha8 of content>, stack-labelled, base64 Data, templating", async () => {
    const s = await conv(body + top, {}, { TOKEN: "t0k3n" });
    assert.deepEqual(
      s.secrets.map((o) => o.spec),
      [
        { Name: `st_pw_${sha8("s3cr3t")}`, Labels: { "com.docker.stack.namespace": "st", "io.flotilla.object": "pw" }, Data: Buffer.from("s3cr3t").toString("base64") },
        { Name: `st_token_${sha8("t0k3n")}`, Labels: { "com.docker.stack.namespace": "st", "io.flotilla.object": "token" }, Data: Buffer.from("t0k3n").toString("base64") },
      ],
    );
    assert.deepEqual(s.externalSecrets, ["legacy_pw"]);
    assert.deepEqual(
      s.configs.map((o) => o.spec),
      [
        {
          Name: `st_app_${sha8("port=80\n")}`,
          Labels: { "com.docker.stack.namespace": "st", "io.flotilla.object": "app" },
          Data: Buffer.from("port=80\n").toString("base64"),
          Templating: { Name: "golang" },
        },
        { Name: `st_inline_${sha8("hello")}`, Labels: { "com.docker.stack.namespace": "st", "io.flotilla.object": "inline" }, Data: Buffer.from("hello").toString("base64") },
      ],
    );
    const x = c(s.services[0]!.spec);
    assert.deepEqual(x.Secrets, [
      { File: { Name: "old", UID: "0", GID: "0", Mode: 0o444 }, SecretName: "legacy_pw" },
      { File: { Name: "pw", UID: "0", GID: "0", Mode: 0o444 }, SecretName: `st_pw_${sha8("s3cr3t")}` },
      { File: { Name: "tok", UID: "100", GID: "101", Mode: 0o400 }, SecretName: `st_token_${sha8("t0k3n")}` },
    ]);
    assert.deepEqual(x.Configs, [
      { File: { Name: "/etc/app.conf", UID: "0", GID: "0", Mode: 0o444 }, ConfigName: `st_app_${sha8("port=80\n")}` },
      { File: { Name: "inline", UID: "0", GID: "0", Mode: 0o444 }, ConfigName: `st_inline_${sha8("hello")}` },
    ]);
  });
  test("a content change renames the secret and changes the services' spec hash", async () => {
    const a = await conv(body + top, {}, { TOKEN: "one" });
    const b = await conv(body + top, {}, { TOKEN: "two" });
    assert.notEqual(a.secrets[1]!.spec.Name, b.secrets[1]!.spec.Name);
    assert.notEqual(a.services[0]!.hash, b.services[0]!.hash);
  });
  test("secret values appear only in Data: not in labels, names or the service spec; stack config redacts Data", async () => {
    const s = await conv(body + top, {}, { TOKEN: "t0k3n" });
    const outside = JSON.stringify({ services: s.services, labels: s.secrets.map((o) => [o.spec.Name, o.spec.Labels]) });
    assert.ok(!outside.includes("t0k3n") && !outside.includes("s3cr3t"));
    const printed = JSON.stringify(stackSpecsJson(s));
    assert.ok(!printed.includes(Buffer.from("s3cr3t").toString("base64")), "redacted by default");
    assert.match(printed, /redacted: 6 bytes/);
    assert.ok(JSON.stringify(stackSpecsJson(s, { showSecrets: true })).includes(Buffer.from("s3cr3t").toString("base64")));
  });
  test("only the secrets and configs enabled services use are created", async () => {
    const s = await conv(
      "services:\n  web:\n    image: x\n    secrets: [pw]\n  dbg:\n    image: x\n    profiles: [debug]\n    secrets: [token]\nsecrets:\n  pw: {file: /cfg/pw.txt}\n  token: {environment: UNSET_HERE}\n  spare: {file: /cfg/pw.txt}\n",
    );
    assert.deepEqual(s.secrets.map((o) => o.key), ["pw"]);
  });
  test("a Swarm name over 64 characters is refused with a hint", async () => {
    const long = "k".repeat(60);
    await assert.rejects(
      conv(`services:\n  web:\n    image: x\n    configs: [${long}]\nconfigs:\n  ${long}: {content: a}\n`),
      (e: unknown) => e instanceof ConfigError && /longer than 64 characters/.test(e.issues[0]!.message) && e.issues[0]!.path === `configs.${long}`,
    );
  });
  test("problems are collected: unreadable file, unset variable", async () => {
    await assert.rejects(
      conv("services:\n  web:\n    image: x\n    secrets: [a, b]\nsecrets:\n  a: {file: /cfg/missing}\n  b: {environment: NOPE}\n"),
      (e: unknown) => e instanceof ConfigError && e.issues.length === 2 && /cannot read/.test(e.issues[0]!.message) && /NOPE is not set/.test(e.issues[1]!.message),
    );
  });
});
