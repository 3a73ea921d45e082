import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ComposeModel, LoadedProject, ServiceConfig } from "../../src/spec/model.js";
import { anonymousVolumesToInherit, containerName, containerSpec, dependsOnLabel, hookExecOptions, networkSpec, serviceHooks, volumeSpec, type ContainerIdentity, type ConvertContext } from "../../src/runtime/convert.js";
import { COMPOSE_VERSION } from "../../src/runtime/labels.js";
import { parseBytes, parseDuration, durationToNs } from "../../src/spec/units.js";
import { resourceConfigHash } from "../../src/spec/hash.js";
import { bindingsFor, formatPorts, portKey } from "../../src/runtime/network/ports.js";
import { isFlotillaError } from "../../src/errors.js";

function project(services: Record<string, ServiceConfig>, extra: Partial<ComposeModel> = {}, p: Partial<LoadedProject> = {}): LoadedProject {
  const model: ComposeModel = {
    name: "demo",
    services,
    networks: { default: { name: "demo_default" } },
    volumes: {},
    secrets: {},
    configs: {},
    ...extra,
  };
  return {
    model,
    workingDir: "/srv/demo",
    configFiles: ["/srv/demo/compose.yaml", "/srv/demo/compose.override.yaml"],
    envFiles: [],
    environment: {},
    profiles: [],
    disabledServices: {},
    warnings: [],
    ...p,
  };
}

function convert(svc: ServiceConfig, opts: { extra?: Partial<ComposeModel>; p?: Partial<LoadedProject>; id?: Partial<ContainerIdentity>; ctx?: Partial<ConvertContext> } = {}) {
  const proj = project({ web: svc, db: { image: "db:1" } }, opts.extra, opts.p);
  const id: ContainerIdentity = { project: "demo", service: "web", number: 1, name: containerName("demo", "web", 1, svc), ...opts.id };
  return containerSpec(svc, "web", id, { project: proj, configHash: "abc123", ...opts.ctx });
}

describe("names and labels", () => {
  test("containerName uses <project>-<service>-<n> unless container_name", () => {
    assert.equal(containerName("demo", "web", 3, { image: "x" }), "demo-web-3");
    assert.equal(containerName("demo", "web", 1, { image: "x", container_name: "custom" }), "custom");
  });

  test("Compose labels are exact and override user labels", () => {
    const { spec } = convert(
      {
        image: "nginx",
        labels: { "com.example": "1", "com.docker.compose.project": "spoofed" },
        depends_on: {
          db: { condition: "service_healthy", required: true, restart: true },
          cache: { condition: "service_started", required: true },
        },
      },
      { p: { envFiles: ["/srv/demo/.env.prod"], envFilesExplicit: true }, ctx: { imageDigest: "sha256:feed" } },
    );
    assert.deepEqual(spec.Labels, {
      "com.example": "1",
      "com.docker.compose.project": "demo",
      "com.docker.compose.service": "web",
      "com.docker.compose.oneoff": "False",
      "com.docker.compose.container-number": "1",
      "com.docker.compose.config-hash": "abc123",
      "com.docker.compose.depends_on": "cache:service_started:false,db:service_healthy:true",
      "com.docker.compose.image": "sha256:feed",
      "com.docker.compose.version": COMPOSE_VERSION,
      "com.docker.compose.project.working_dir": "/srv/demo",
      "com.docker.compose.project.config_files": "/srv/demo/compose.yaml,/srv/demo/compose.override.yaml",
      "com.docker.compose.project.environment_file": "/srv/demo/.env.prod",
    });
  });

  test("the implicit .env is not recorded as environment_file (only --env-file files are)", () => {
    const { spec } = convert({ image: "nginx" }, { p: { envFiles: ["/srv/demo/.env"] } });
    assert.equal(spec.Labels?.["com.docker.compose.project.environment_file"], undefined);
  });

  test("one-off containers: oneoff True, no container-number, slug label, no service alias", () => {
    const { spec } = convert({ image: "nginx" }, { id: { oneoff: true, slug: "0123456789ab", name: "demo-web-run-0123456789ab" } });
    assert.equal(spec.Labels?.["com.docker.compose.oneoff"], "True");
    assert.equal(spec.Labels?.["com.docker.compose.container-number"], undefined);
    assert.equal(spec.Labels?.["com.docker.compose.slug"], "0123456789ab");
    assert.equal(spec.Labels?.["com.docker.compose.image"], undefined);
    assert.equal(spec.Labels?.["com.docker.compose.project.environment_file"], undefined);
    assert.deepEqual(spec.NetworkingConfig?.EndpointsConfig["demo_default"], {});
  });

  test("dependsOnLabel is empty without dependencies", () => {
    assert.equal(dependsOnLabel({ image: "x" }), "");
  });
});

describe("process attributes", () => {
  test("platform is a create parameter, without a warning; absent when not set", () => {
    const { spec, warnings } = convert({ image: "app:1", platform: "linux/arm64" });
    assert.equal(spec.platform, "linux/arm64");
    assert.deepEqual(warnings.filter((w) => /platform/.test(w)), []);
    assert.equal(convert({ image: "app:1" }).spec.platform, undefined);
  });

  test("image, command, entrypoint, env, user, workdir, stop settings", () => {
    const { spec } = convert({
      command: ["sh", "-c", "echo hi"],
      entrypoint: [],
      environment: { A: "1", B: "", UNSET: null },
      working_dir: "/app",
      user: "1000:1000",
      hostname: "h",
      domainname: "example.org",
      tty: true,
      stdin_open: true,
      stop_signal: "SIGINT",
      stop_grace_period: "1m30s",
      mac_address: "02:42:ac:11:00:02",
    });
    assert.equal(spec.name, "demo-web-1");
    assert.equal(spec.Image, "demo-web", "no image: → <project>-<service>");
    assert.deepEqual(spec.Cmd, ["sh", "-c", "echo hi"]);
    assert.deepEqual(spec.Entrypoint, [""], "an empty entrypoint clears the image's");
    assert.deepEqual(spec.Env, ["A=1", "B="]);
    assert.equal(spec.WorkingDir, "/app");
    assert.equal(spec.User, "1000:1000");
    assert.equal(spec.Hostname, "h");
    assert.equal(spec.Domainname, "example.org");
    assert.equal(spec.Tty, true);
    assert.equal(spec.OpenStdin, true);
    assert.equal(spec.StopSignal, "SIGINT");
    assert.equal(spec.StopTimeout, 90);
    assert.equal(spec.MacAddress, "02:42:ac:11:00:02");
  });

  test("healthcheck durations become nanoseconds; disable and NONE become Test NONE", () => {
    const { spec } = convert({
      image: "x",
      healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"], interval: "1s", timeout: "500ms", retries: 3, start_period: "1m", start_interval: "2s" },
    });
    assert.deepEqual(spec.Healthcheck, {
      Test: ["CMD", "test", "-f", "/tmp/ready"],
      Interval: 1_000_000_000,
      Timeout: 500_000_000,
      Retries: 3,
      StartPeriod: 60_000_000_000,
      StartInterval: 2_000_000_000,
    });
    assert.deepEqual(convert({ image: "x", healthcheck: { disable: true, interval: "1s" } }).spec.Healthcheck, { Test: ["NONE"] });
    assert.deepEqual(convert({ image: "x", healthcheck: { test: ["NONE"] } }).spec.Healthcheck, { Test: ["NONE"] });
  });

  test("restart policies, and deploy.restart_policy.condition overrides restart", () => {
    assert.deepEqual(convert({ image: "x", restart: "unless-stopped" }).spec.HostConfig.RestartPolicy, { Name: "unless-stopped" });
    assert.deepEqual(convert({ image: "x", restart: "on-failure:3" }).spec.HostConfig.RestartPolicy, { Name: "on-failure", MaximumRetryCount: 3 });
    const any = convert({ image: "x", restart: "no", deploy: { restart_policy: { condition: "any", delay: "5s" } } });
    assert.deepEqual(any.spec.HostConfig.RestartPolicy, { Name: "always" });
    assert.ok(any.warnings.some((w) => w.includes("deploy.restart_policy.delay")));
    assert.deepEqual(convert({ image: "x", deploy: { restart_policy: { condition: "on-failure", max_attempts: 5 } } }).spec.HostConfig.RestartPolicy, {
      Name: "on-failure",
      MaximumRetryCount: 5,
    });
    assert.deepEqual(convert({ image: "x", restart: "always", deploy: { restart_policy: { condition: "none" } } }).spec.HostConfig.RestartPolicy, { Name: "no" });
    assert.throws(
      () => convert({ image: "x", restart: "sometimes" }),
      (e: unknown) => isFlotillaError(e) && e.service === "web" && /restart "sometimes"/.test(e.message),
    );
  });
});

describe("ports", () => {
  test("all forms: host ip, ranges, ephemeral, udp, expose", () => {
    const { spec } = convert({
      image: "x",
      ports: [
        { mode: "ingress", target: 80, published: "8080", protocol: "tcp" },
        { mode: "ingress", host_ip: "127.0.0.1", target: 80, published: "8081", protocol: "tcp" },
        { mode: "ingress", target: 53, published: "5353", protocol: "udp" },
        { mode: "ingress", target: 9000, published: "8000-8010", protocol: "tcp" },
        { mode: "host", target: 443, protocol: "tcp" },
      ],
      expose: ["3000-3001", "7000/udp"],
    });
    assert.deepEqual(spec.ExposedPorts, {
      "80/tcp": {},
      "53/udp": {},
      "9000/tcp": {},
      "443/tcp": {},
      "3000/tcp": {},
      "3001/tcp": {},
      "7000/udp": {},
    });
    assert.deepEqual(spec.HostConfig.PortBindings, {
      "80/tcp": [
        { HostIp: "", HostPort: "8080" },
        { HostIp: "127.0.0.1", HostPort: "8081" },
      ],
      "53/udp": [{ HostIp: "", HostPort: "5353" }],
      "9000/tcp": [{ HostIp: "", HostPort: "8000-8010" }],
      "443/tcp": [{ HostIp: "", HostPort: "" }],
    });
  });

  test("portKey, bindingsFor de-duplicates", () => {
    assert.equal(portKey({ target: 5432, protocol: "tcp" }), "5432/tcp");
    const b = bindingsFor([
      { mode: "ingress", target: 80, published: "80", protocol: "tcp" },
      { mode: "ingress", target: 80, published: "80", protocol: "tcp" },
    ]);
    assert.deepEqual(b, { "80/tcp": [{ HostIp: "", HostPort: "80" }] });
  });

  test("formatPorts prints like docker ps, collapsing consecutive ranges", () => {
    assert.equal(
      formatPorts([
        { privatePort: 80, protocol: "tcp", hostIp: "0.0.0.0", publicPort: 8080 },
        { privatePort: 80, protocol: "tcp", hostIp: "::", publicPort: 8080 },
        { privatePort: 443, protocol: "tcp" },
      ]),
      "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 443/tcp",
    );
    assert.equal(
      formatPorts([
        { privatePort: 8001, protocol: "tcp", hostIp: "0.0.0.0", publicPort: 9001 },
        { privatePort: 8000, protocol: "tcp", hostIp: "0.0.0.0", publicPort: 9000 },
        { privatePort: 8002, protocol: "tcp", hostIp: "0.0.0.0", publicPort: 9002 },
        { privatePort: 53, protocol: "udp", hostIp: "127.0.0.1", publicPort: 53 },
      ]),
      "127.0.0.1:53->53/udp, 0.0.0.0:9000-9002->8000-8002/tcp",
    );
    assert.equal(formatPorts([]), "");
  });
});

describe("volumes, tmpfs, secrets, configs", () => {
  test("bind with create_host_path → Binds; without → Mounts; named/anonymous/tmpfs → Mounts", () => {
    const { spec } = convert(
      {
        image: "x",
        volumes: [
          { type: "bind", source: "/srv/demo/src", target: "/app", read_only: true, bind: { create_host_path: true, propagation: "rshared", selinux: "z" } },
          { type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", bind: { create_host_path: false } },
          { type: "volume", source: "data", target: "/data", volume: { nocopy: true, subpath: "sub" } },
          { type: "volume", target: "/cache" },
          { type: "tmpfs", target: "/tmp", tmpfs: { size: "64m", mode: 0o1777 } },
        ],
        tmpfs: ["/run:size=1m,mode=755", "/scratch"],
      },
      { extra: { volumes: { data: { name: "demo_data" } } } },
    );
    assert.deepEqual(spec.HostConfig.Binds, ["/srv/demo/src:/app:ro,rshared,z"]);
    assert.deepEqual(spec.HostConfig.Mounts, [
      { Type: "bind", Source: "/var/run/docker.sock", Target: "/var/run/docker.sock", ReadOnly: false },
      { Type: "volume", Source: "demo_data", Target: "/data", ReadOnly: false, VolumeOptions: { NoCopy: true, Subpath: "sub" } },
      { Type: "volume", Target: "/cache", ReadOnly: false },
      { Type: "tmpfs", Target: "/tmp", ReadOnly: false, TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1777 } },
    ]);
    assert.deepEqual(spec.HostConfig.Tmpfs, { "/run": "size=1m,mode=755", "/scratch": "" });
  });

  test("file secrets/configs are read-only binds; env and inline ones are files to inject; external warns", () => {
    const out = convert(
      {
        image: "x",
        secrets: [{ source: "dbpass" }, { source: "token", target: "api_token", mode: 0o400, uid: "1000" }, { source: "ext" }],
        configs: [{ source: "nginx" }, { source: "inline", target: "/etc/app.conf" }],
      },
      {
        extra: {
          secrets: {
            dbpass: { name: "demo_dbpass", file: "/srv/demo/dbpass.txt" },
            token: { name: "demo_token", environment: "API_TOKEN" },
            ext: { name: "ext", external: true },
          },
          configs: {
            nginx: { name: "demo_nginx", file: "/srv/demo/nginx.conf" },
            inline: { name: "demo_inline", content: "key=value\n" },
          },
        },
        p: { environment: { API_TOKEN: "s3cret" } },
      },
    );
    assert.deepEqual(out.spec.HostConfig.Mounts, [
      { Type: "bind", Source: "/srv/demo/dbpass.txt", Target: "/run/secrets/dbpass", ReadOnly: true },
      { Type: "bind", Source: "/srv/demo/nginx.conf", Target: "/nginx", ReadOnly: true },
    ]);
    assert.deepEqual(out.filesToInject, [
      { containerPath: "/run/secrets/api_token", content: "s3cret", mode: 0o400, uid: 1000 },
      { containerPath: "/etc/app.conf", content: "key=value\n", mode: 0o444 },
    ]);
    assert.ok(out.warnings.some((w) => w.startsWith("service web: secrets.ext") && w.includes("external")));
  });
});

describe("networks", () => {
  test("first network at create with aliases and static IPs, the rest to connect after", () => {
    const out = convert(
      {
        image: "x",
        networks: {
          back: { aliases: ["api", "web"], ipv4_address: "172.28.0.10" },
          front: null,
          admin: { priority: 10, mac_address: "02:42:ac:11:00:09" },
        },
      },
      { extra: { networks: { front: { name: "demo_front" }, back: { name: "demo_back" }, admin: { name: "shared-admin" } } } },
    );
    assert.equal(out.spec.HostConfig.NetworkMode, "shared-admin", "highest priority first");
    assert.deepEqual(out.spec.NetworkingConfig, { EndpointsConfig: { "shared-admin": { Aliases: ["web"], MacAddress: "02:42:ac:11:00:09" } } });
    assert.deepEqual(out.extraNetworks, [
      { name: "demo_back", endpoint: { Aliases: ["web", "api"], IPAMConfig: { IPv4Address: "172.28.0.10" } } },
      { name: "demo_front", endpoint: { Aliases: ["web"] } },
    ]);
  });

  test("network_mode service:x resolves to container:<id>; unresolved is a typed error", () => {
    const out = convert({ image: "x", network_mode: "service:db", ipc: "service:db", pid: "host" }, { ctx: { resolveContainer: (s) => (s === "db" ? "c0ffee" : undefined) } });
    assert.equal(out.spec.HostConfig.NetworkMode, "container:c0ffee");
    assert.equal(out.spec.HostConfig.IpcMode, "container:c0ffee");
    assert.equal(out.spec.HostConfig.PidMode, "host");
    assert.equal(out.spec.NetworkingConfig, undefined);
    assert.throws(
      () => convert({ image: "x", network_mode: "service:db" }),
      (e: unknown) => isFlotillaError(e) && e.code === "DEPENDENCY_FAILED" && e.service === "web" && /db/.test(e.message),
    );
    assert.equal(convert({ image: "x", network_mode: "host" }).spec.HostConfig.NetworkMode, "host");
  });

  test("links, extra_hosts, dns, volumes_from", () => {
    const out = convert(
      {
        image: "x",
        links: ["db", "db:database"],
        external_links: ["legacy_redis:redis"],
        extra_hosts: ["somehost=162.242.195.82", "other:10.0.0.1", "v6=::1"],
        dns: ["8.8.8.8"],
        dns_opt: ["use-vc"],
        dns_search: ["example.com"],
        volumes_from: ["db:ro", "container:other"],
      },
      { ctx: { resolveContainer: (s) => (s === "db" ? "demo-db-1" : undefined) } },
    );
    const h = out.spec.HostConfig;
    assert.deepEqual(h.Links, ["demo-db-1:db", "demo-db-1:database", "legacy_redis:redis"]);
    assert.deepEqual(h.ExtraHosts, ["somehost:162.242.195.82", "other:10.0.0.1", "v6:::1"]);
    assert.deepEqual(h.Dns, ["8.8.8.8"]);
    assert.deepEqual(h.DnsOptions, ["use-vc"]);
    assert.deepEqual(h.DnsSearch, ["example.com"]);
    assert.deepEqual(h.VolumesFrom, ["demo-db-1:ro", "other"]);
  });

  test("networkSpec and volumeSpec carry the Compose labels", () => {
    const backNet = {
      name: "demo_back",
      driver: "bridge",
      driver_opts: { "com.docker.network.bridge.name": "br-demo" },
      ipam: { driver: "default", config: [{ subnet: "172.28.0.0/16", gateway: "172.28.0.1", ip_range: "172.28.5.0/24", aux_addresses: { host1: "172.28.1.5" } }] },
      internal: true,
      attachable: true,
      enable_ipv6: false,
      labels: { team: "a" },
    };
    assert.deepEqual(
      networkSpec("back", backNet, "demo"),
      {
        Name: "demo_back",
        CheckDuplicate: true,
        Driver: "bridge",
        Options: { "com.docker.network.bridge.name": "br-demo" },
        IPAM: { Driver: "default", Config: [{ Subnet: "172.28.0.0/16", IPRange: "172.28.5.0/24", Gateway: "172.28.0.1", AuxiliaryAddresses: { host1: "172.28.1.5" } }] },
        Internal: true,
        Attachable: true,
        EnableIPv6: false,
        Labels: { team: "a", "com.docker.compose.network": "back", "com.docker.compose.project": "demo", "com.docker.compose.version": COMPOSE_VERSION, "com.docker.compose.config-hash": resourceConfigHash(backNet) },
      },
    );
    assert.deepEqual(volumeSpec("data", { name: "demo_data", driver: "local", driver_opts: { type: "tmpfs" } }, "demo"), {
      Name: "demo_data",
      Driver: "local",
      DriverOpts: { type: "tmpfs" },
      Labels: {
        "com.docker.compose.volume": "data",
        "com.docker.compose.project": "demo",
        "com.docker.compose.version": COMPOSE_VERSION,
        "com.docker.compose.config-hash": resourceConfigHash({ name: "demo_data", driver: "local", driver_opts: { type: "tmpfs" } }),
      },
    });
    // the hash follows the definition: one changed attribute gives another hash
    assert.notEqual(resourceConfigHash(backNet), resourceConfigHash({ ...backNet, internal: false }));
  });
});

describe("resources and security", () => {
  test("legacy attributes map to HostConfig", () => {
    const h = convert({
      image: "x",
      cpus: "1.5",
      cpu_shares: 512,
      cpuset: "0-1",
      mem_limit: "512m",
      mem_reservation: "128m",
      memswap_limit: -1,
      shm_size: "64m",
      pids_limit: 100,
      oom_score_adj: -500,
      ulimits: { nofile: { soft: 1024, hard: 2048 } },
      sysctls: { "net.core.somaxconn": "1024" },
      cap_add: ["NET_ADMIN"],
      cap_drop: ["ALL"],
      privileged: true,
      read_only: true,
      init: true,
      security_opt: ["no-new-privileges:true"],
      devices: [{ source: "/dev/fuse", target: "/dev/fuse" }],
      group_add: ["audio"],
      logging: { driver: "json-file", options: { "max-size": "10m" } },
      storage_opt: { size: "1G" },
      runtime: "runc",
      userns_mode: "host",
      cgroup_parent: "/flotilla",
    }).spec.HostConfig;
    assert.equal(h.NanoCpus, 1_500_000_000);
    assert.equal(h.CpuShares, 512);
    assert.equal(h.CpusetCpus, "0-1");
    assert.equal(h.Memory, 512 * 1024 * 1024);
    assert.equal(h.MemoryReservation, 128 * 1024 * 1024);
    assert.equal(h.MemorySwap, -1);
    assert.equal(h.ShmSize, 64 * 1024 * 1024);
    assert.equal(h.PidsLimit, 100);
    assert.equal(h.OomScoreAdj, -500);
    assert.deepEqual(h.Ulimits, [{ Name: "nofile", Soft: 1024, Hard: 2048 }]);
    assert.deepEqual(h.Sysctls, { "net.core.somaxconn": "1024" });
    assert.deepEqual(h.CapAdd, ["NET_ADMIN"]);
    assert.deepEqual(h.CapDrop, ["ALL"]);
    assert.equal(h.Privileged, true);
    assert.equal(h.ReadonlyRootfs, true);
    assert.equal(h.Init, true);
    assert.deepEqual(h.SecurityOpt, ["no-new-privileges:true"]);
    assert.deepEqual(h.Devices, [{ PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" }]);
    assert.deepEqual(h.GroupAdd, ["audio"]);
    assert.deepEqual(h.LogConfig, { Type: "json-file", Config: { "max-size": "10m" } });
    assert.deepEqual(h.StorageOpt, { size: "1G" });
    assert.equal(h.Runtime, "runc");
    assert.equal(h.UsernsMode, "host");
    assert.equal(h.CgroupParent, "/flotilla");
  });

  test("deploy.resources fill in when the attributes are absent; GPUs become DeviceRequests", () => {
    const out = convert({
      image: "x",
      deploy: {
        resources: {
          limits: { cpus: "0.5", memory: "1g", pids: 50 },
          reservations: { memory: "256m", devices: [{ driver: "nvidia", count: 1, capabilities: ["gpu"] }] },
        },
      },
    });
    const h = out.spec.HostConfig;
    assert.equal(h.NanoCpus, 500_000_000);
    assert.equal(h.Memory, 1024 ** 3);
    assert.equal(h.PidsLimit, 50);
    assert.equal(h.MemoryReservation, 256 * 1024 ** 2);
    assert.deepEqual(h.DeviceRequests, [{ Driver: "nvidia", Count: 1, DeviceIDs: null, Capabilities: [["gpu"]], Options: {} }]);
    assert.deepEqual(out.warnings, []);
    const clash = convert({ image: "x", mem_limit: "512m", deploy: { resources: { limits: { memory: "1g" } } } });
    assert.equal(clash.spec.HostConfig.Memory, 512 * 1024 ** 2);
    assert.ok(clash.warnings.some((w) => w.includes("mem_limit") && w.includes("disagrees")));
  });

  test("bad sizes are typed errors naming the service and attribute", () => {
    assert.throws(
      () => convert({ image: "x", mem_limit: "lots" }),
      (e: unknown) => isFlotillaError(e) && e.service === "web" && /mem_limit/.test(e.message),
    );
  });
});

describe("warnings for attributes a single engine cannot honour", () => {
  test("swarm-only deploy keys, credential_spec, external secrets, consistency", () => {
    const out = convert({
      image: "x",
      deploy: { placement: { constraints: ["node.role==manager"] }, update_config: { parallelism: 2 }, mode: "global", labels: { a: "b" } },
      credential_spec: { file: "spec.json" },
      volumes: [{ type: "bind", source: "/a", target: "/b", consistency: "cached", bind: { create_host_path: true } }],
    });
    assert.ok(out.warnings.includes("service web: deploy.placement is ignored (swarm only)"));
    assert.ok(out.warnings.includes("service web: deploy.update_config is ignored (swarm only)"));
    assert.ok(out.warnings.some((w) => w.startsWith("service web: deploy.mode: global")));
    assert.ok(out.warnings.some((w) => w.startsWith("service web: deploy.labels")));
    assert.ok(out.warnings.some((w) => w.startsWith("service web: credential_spec")));
    assert.ok(out.warnings.some((w) => w.includes("consistency")));
    assert.deepEqual(convert({ image: "x" }).warnings, []);
  });
});

describe("durations and sizes", () => {
  test("Go durations", () => {
    assert.equal(parseDuration("1h2m3.5s"), 3_723_500);
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("10us"), 0.01);
    assert.equal(parseDuration("1m30s"), 90_000);
    assert.equal(parseDuration("-1.5h"), -5_400_000);
    assert.equal(parseDuration("0"), 0);
    assert.equal(parseDuration(30), 30_000, "bare numbers are seconds");
    assert.equal(parseDuration("30"), 30_000);
    assert.equal(durationToNs("1.5s"), 1_500_000_000);
    assert.throws(() => parseDuration("10 minutes"), RangeError);
    assert.throws(() => parseDuration("s"), RangeError);
    assert.throws(() => parseDuration(""), RangeError);
  });

  test("byte sizes", () => {
    assert.equal(parseBytes("64m"), 64 * 1024 ** 2);
    assert.equal(parseBytes("1g"), 1024 ** 3);
    assert.equal(parseBytes("1gb"), 1024 ** 3);
    assert.equal(parseBytes("1GiB"), 1024 ** 3);
    assert.equal(parseBytes("512k"), 512 * 1024);
    assert.equal(parseBytes("100b"), 100);
    assert.equal(parseBytes("2048"), 2048);
    assert.equal(parseBytes(4096), 4096);
    assert.equal(parseBytes("1.5m"), 1.5 * 1024 ** 2);
    assert.throws(() => parseBytes("12x"), RangeError);
  });
});

describe("recreate: inherited anonymous volumes, image label, hooks", () => {
  const anon = (c: string) => c.repeat(64);
  const svc: ServiceConfig = {
    image: "x",
    volumes: [
      { type: "volume", target: "/data" },
      { type: "volume", source: "named", target: "/named" },
      { type: "bind", source: "/srv/conf", target: "/conf" },
    ],
  };
  const oldMounts = [
    { type: "volume", name: anon("a"), source: "/var/lib/docker/volumes/a/_data", destination: "/data", rw: true },
    { type: "volume", name: "demo_named", source: "/var/lib/docker/volumes/demo_named/_data", destination: "/named", rw: true },
    { type: "bind", source: "/srv/conf", destination: "/conf", rw: true },
    { type: "volume", name: anon("b"), source: "/var/lib/docker/volumes/b/_data", destination: "/var/cache", rw: true },
  ];

  test("keeps the volume of an anonymous service volume and image-declared volumes, never named ones or binds", () => {
    assert.deepEqual(anonymousVolumesToInherit(svc, oldMounts, svc), [
      { name: anon("a"), target: "/data", readOnly: false },
      { name: anon("b"), target: "/var/cache", readOnly: false },
    ]);
  });

  test("a target the new config mounts otherwise, or an anonymous volume the old config declared and the new one dropped, is not kept", () => {
    const rebound: ServiceConfig = { image: "x", volumes: [{ type: "bind", source: "/srv/data", target: "/data" }] };
    assert.deepEqual(anonymousVolumesToInherit(rebound, oldMounts.slice(0, 1), svc), []);
    const dropped: ServiceConfig = { image: "x" };
    assert.deepEqual(anonymousVolumesToInherit(dropped, oldMounts.slice(0, 1), svc), []);
    // Without the old config an unclaimed anonymous volume is taken for an image VOLUME.
    assert.deepEqual(anonymousVolumesToInherit(dropped, oldMounts.slice(0, 1)), [{ name: anon("a"), target: "/data", readOnly: false }]);
  });

  test("containerSpec mounts inherited volumes by name at the same targets", () => {
    const out = convert(svc, { extra: { volumes: { named: { name: "demo_named" } } }, ctx: { inheritedVolumes: anonymousVolumesToInherit(svc, oldMounts, svc) } });
    const mounts = out.spec.HostConfig.Mounts as { Type: string; Source?: string; Target: string }[];
    assert.deepEqual(
      mounts.map((m) => [m.Type, m.Source, m.Target]),
      [
        ["volume", anon("a"), "/data"],
        ["volume", "demo_named", "/named"],
        ["volume", anon("b"), "/var/cache"],
      ],
    );
    // without inheritance the anonymous volume has no source: the engine makes a fresh one
    const fresh = convert(svc, { extra: { volumes: { named: { name: "demo_named" } } } }).spec.HostConfig.Mounts as { Source?: string; Target: string }[];
    assert.equal(fresh.find((m) => m.Target === "/data")!.Source, undefined);
    assert.equal(fresh.some((m) => m.Target === "/var/cache"), false);
  });

  test("com.docker.compose.image carries the image id given, and is absent without one", () => {
    assert.equal(convert({ image: "x" }, { ctx: { imageDigest: "sha256:0123" } }).spec.Labels!["com.docker.compose.image"], "sha256:0123");
    assert.equal(convert({ image: "x" }).spec.Labels!["com.docker.compose.image"], undefined);
  });

  test("hooks become exec requests", () => {
    const withHooks: ServiceConfig = {
      image: "x",
      post_start: [{ command: ["sh", "-c", "touch /ready"], user: "root", privileged: true, working_dir: "/app", environment: { A: "1", B: null } }, { nope: true }],
    };
    const hooks = serviceHooks(withHooks, "post_start");
    assert.equal(hooks.length, 1);
    assert.deepEqual(hookExecOptions(hooks[0]!), { cmd: ["sh", "-c", "touch /ready"], user: "root", privileged: true, workingDir: "/app", env: ["A=1"] });
    assert.deepEqual(serviceHooks(withHooks, "pre_stop"), []);
  });
});
