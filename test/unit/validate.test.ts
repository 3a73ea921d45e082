import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseComposeYaml } from "../../src/spec/yaml.js";
import { IssueCollector, formatIssue, type ConfigIssue } from "../../src/errors.js";
import { Locations } from "../../src/spec/locations.js";
import { validateDocument, closest, compiledValidator, SERVICE_ATTRIBUTES, TOP_LEVEL_ELEMENTS } from "../../src/spec/validate.js";

/** Parse YAML text with positions and validate it; YAML problems fail the test. */
function check(text: string, file = "compose.yaml"): ConfigIssue[] {
  const issues = new IssueCollector();
  const { value, locations } = parseComposeYaml(text, file, issues);
  assert.deepEqual(issues.issues, [], "fixture must be valid YAML");
  validateDocument(value, locations, issues, { file });
  return issues.issues;
}

function show(issues: readonly ConfigIssue[]): string {
  return issues.map(formatIssue).join("\n");
}

interface Case {
  name: string;
  yaml: string;
  path: string;
  fragment: string;
  line: number;
  col?: number;
}

const invalid: Case[] = [
  {
    name: "unknown service attribute with did-you-mean",
    yaml: "services:\n  web:\n    imagee: nginx\n",
    path: "services.web",
    fragment: 'unknown attribute "imagee" (did you mean "image"?)',
    line: 3,
    col: 5,
  },
  {
    name: "unknown top-level element",
    yaml: "services: {}\nservice:\n  web: {image: x}\n",
    path: "",
    fragment: 'unknown attribute "service" (did you mean "services"?)',
    line: 2,
    col: 1,
  },
  {
    name: "port of the wrong type",
    yaml: "services:\n  web:\n    image: x\n    ports:\n      - 80\n      - true\n",
    path: "services.web.ports[1]",
    fragment: "must be a port such as",
    line: 6,
  },
  {
    name: "malformed short port string",
    yaml: 'services:\n  web:\n    image: x\n    ports: ["8080:80:tcp"]\n',
    path: "services.web.ports[0]",
    fragment: '(got "8080:80:tcp")',
    line: 4,
  },
  {
    name: "long port without target",
    yaml: "services:\n  web:\n    image: x\n    ports:\n      - published: 8080\n",
    path: "services.web.ports[0]",
    fragment: 'missing required attribute "target"',
    line: 5,
  },
  {
    name: "restart policy",
    yaml: "services:\n  web:\n    image: x\n    restart: never\n",
    path: "services.web.restart",
    fragment: 'must be one of "no", "always", "on-failure"',
    line: 4,
    col: 5,
  },
  {
    name: "duration",
    yaml: "services:\n  web:\n    image: x\n    healthcheck:\n      test: [CMD, \"true\"]\n      interval: 10 seconds\n",
    path: "services.web.healthcheck.interval",
    fragment: "must be a duration",
    line: 6,
  },
  {
    name: "boolean given a word",
    yaml: "services:\n  web:\n    image: x\n    init: maybe\n",
    path: "services.web.init",
    fragment: "must be a boolean",
    line: 4,
  },
  {
    name: "integer given a word",
    yaml: "services:\n  web:\n    image: x\n    scale: many\n",
    path: "services.web.scale",
    fragment: 'must be an integer (got "many")',
    line: 4,
  },
  {
    name: "invalid service name",
    yaml: "services:\n  web server:\n    image: x\n",
    path: "services",
    fragment: 'invalid name "web server"',
    line: 2,
  },
  {
    name: "environment of the wrong type",
    yaml: "services:\n  web:\n    image: x\n    environment: 5\n",
    path: "services.web.environment",
    fragment: "must be a mapping or a list",
    line: 4,
  },
  {
    name: "environment value that is a mapping",
    yaml: "services:\n  web:\n    image: x\n    environment:\n      A: {b: 1}\n",
    path: "services.web.environment.A",
    fragment: "must be a string, number, boolean or null",
    line: 5,
  },
  {
    name: "depends_on condition enum",
    yaml: "services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: healthy\n  db: {image: y}\n",
    path: "services.web.depends_on.db.condition",
    fragment: 'must be one of "service_started", "service_healthy", "service_completed_successfully"',
    line: 6,
  },
  {
    name: "depends_on long form needs a condition",
    yaml: "services:\n  web:\n    image: x\n    depends_on:\n      db:\n        required: false\n",
    path: "services.web.depends_on.db",
    fragment: 'missing required attribute "condition"',
    line: 5,
  },
  {
    name: "dockerfile and dockerfile_inline together",
    yaml: "services:\n  web:\n    build:\n      context: .\n      dockerfile: Dockerfile\n      dockerfile_inline: FROM scratch\n",
    path: "services.web.build",
    fragment: '"dockerfile" and "dockerfile_inline" cannot be used together',
    line: 6,
  },
  {
    name: "network_mode with networks",
    yaml: "services:\n  web:\n    image: x\n    network_mode: host\n    networks: [front]\n",
    path: "services.web",
    fragment: '"network_mode" and "networks" cannot be used together',
    line: 5,
  },
  {
    name: "watch sync rule without target",
    yaml: "services:\n  web:\n    build: .\n    develop:\n      watch:\n        - path: ./src\n          action: sync\n",
    path: "services.web.develop.watch[0]",
    fragment: 'missing required attribute "target"',
    line: 6,
  },
  {
    name: "watch action enum",
    yaml: "services:\n  web:\n    build: .\n    develop:\n      watch:\n        - path: ./src\n          action: reload\n",
    path: "services.web.develop.watch[0].action",
    fragment: '"sync+restart"',
    line: 7,
  },
  {
    name: "ulimit mapping missing hard (anyOf collapses to the mapping branch)",
    yaml: "services:\n  web:\n    image: x\n    ulimits:\n      nofile:\n        soft: 1024\n",
    path: "services.web.ulimits.nofile",
    fragment: 'missing required attribute "hard"',
    line: 5,
  },
  {
    name: "ulimit of a type no branch accepts (anyOf collapses to one message)",
    yaml: "services:\n  web:\n    image: x\n    ulimits:\n      nofile: [1, 2]\n",
    path: "services.web.ulimits.nofile",
    fragment: 'must be an integer or a mapping with "soft" and "hard"',
    line: 5,
  },
  {
    name: "legacy external mapping with a typo",
    yaml: "networks:\n  front:\n    external:\n      nme: shared\n",
    path: "networks.front.external",
    fragment: 'unknown attribute "nme" (did you mean "name"?)',
    line: 4,
  },
  {
    name: "network definition attribute",
    yaml: "networks:\n  front:\n    drivr: bridge\n",
    path: "networks.front",
    fragment: 'did you mean "driver"?',
    line: 3,
  },
  {
    name: "volume long syntax needs a type",
    yaml: "services:\n  web:\n    image: x\n    volumes:\n      - source: data\n        target: /data\n",
    path: "services.web.volumes[0]",
    fragment: 'missing required attribute "type"',
    line: 5,
  },
  {
    name: "volume type enum",
    yaml: "services:\n  web:\n    image: x\n    volumes:\n      - type: directory\n        source: data\n        target: /data\n",
    path: "services.web.volumes[0].type",
    fragment: '"bind", "volume", "tmpfs"',
    line: 5,
  },
  {
    name: "duplicate entries in a unique list",
    yaml: "services:\n  web:\n    image: x\n    cap_add:\n      - NET_ADMIN\n      - NET_ADMIN\n",
    path: "services.web.cap_add",
    fragment: '"NET_ADMIN" is listed more than once',
    line: 6,
  },
  {
    name: "oom_score_adj out of range (anyOf picks the integer branch)",
    yaml: "services:\n  web:\n    image: x\n    oom_score_adj: 2000\n",
    path: "services.web.oom_score_adj",
    fragment: "must be <= 1000",
    line: 4,
  },
  {
    name: "deploy resources typo",
    yaml: "services:\n  web:\n    image: x\n    deploy:\n      resources:\n        limit:\n          cpus: '0.5'\n",
    path: "services.web.deploy.resources",
    fragment: 'unknown attribute "limit" (did you mean "limits"?)',
    line: 6,
  },
  {
    name: "memory size",
    yaml: "services:\n  web:\n    image: x\n    mem_limit: lots\n",
    path: "services.web.mem_limit",
    fragment: "must be a byte size",
    line: 4,
  },
  {
    name: "hook needs a command",
    yaml: "services:\n  web:\n    image: x\n    post_start:\n      - user: root\n",
    path: "services.web.post_start[0]",
    fragment: 'missing required attribute "command"',
    line: 5,
  },
  {
    name: "include entry needs a path",
    yaml: "include:\n  - project_directory: ./sub\nservices: {}\n",
    path: "include[0]",
    fragment: 'missing required attribute "path"',
    line: 2,
  },
  {
    name: "top-level model needs a model reference",
    yaml: "models:\n  llm:\n    context_size: 4096\n",
    path: "models.llm",
    fragment: 'missing required attribute "model"',
    line: 2,
  },
  {
    name: "command of the wrong type",
    yaml: "services:\n  web:\n    image: x\n    command: {run: x}\n",
    path: "services.web.command",
    fragment: "must be a string, a list of strings or null",
    line: 4,
  },
  {
    name: "pull_policy",
    yaml: "services:\n  web:\n    image: x\n    pull_policy: sometimes\n",
    path: "services.web.pull_policy",
    fragment: "every_<duration>",
    line: 4,
  },
  {
    name: "pull_policy every_ with an unknown unit",
    yaml: "services:\n  web:\n    image: x\n    pull_policy: every_5x\n",
    path: "services.web.pull_policy",
    fragment: "every_<duration>",
    line: 4,
  },
  {
    name: "pull_refresh_after that is not a duration",
    yaml: "services:\n  web:\n    image: x\n    pull_policy: refresh\n    pull_refresh_after: soon\n",
    path: "services.web.pull_refresh_after",
    fragment: "must be a duration",
    line: 5,
  },
  {
    name: "unknown attribute without a close match gets a hint, not a guess",
    yaml: "services:\n  web:\n    image: x\n    zzqqxx: 1\n",
    path: "services.web",
    fragment: 'unknown attribute "zzqqxx"',
    line: 4,
  },
];

describe("validateDocument: invalid documents", () => {
  for (const c of invalid) {
    test(c.name, () => {
      const issues = check(c.yaml);
      const match = issues.find((i) => (i.path ?? "") === c.path && i.message.includes(c.fragment));
      assert.ok(match, `expected ${c.path}: …${c.fragment}… in:\n${show(issues)}`);
      assert.equal(match.code, "CONFIG_SCHEMA");
      assert.equal(match.location?.file, "compose.yaml");
      assert.equal(match.location?.line, c.line, show([match]));
      if (c.col !== undefined) assert.equal(match.location?.col, c.col, show([match]));
      // One message per place: no second issue for the same path restating the problem.
      assert.equal(issues.filter((i) => (i.path ?? "") === c.path).length, 1, show(issues));
    });
  }

  test("an unknown attribute without a suggestion says how to keep it", () => {
    const [issue] = check("services:\n  web:\n    image: x\n    zzqqxx: 1\n");
    assert.ok(issue);
    assert.doesNotMatch(issue.message, /did you mean/);
    assert.match(issue.hint ?? "", /"x-" prefix/);
  });

  test("a union of incompatible types reports one message, not one per branch", () => {
    const issues = check("networks:\n  front:\n    external: [yes]\n");
    assert.equal(issues.length, 1, show(issues));
    assert.equal(issues[0]?.path, "networks.front.external");
    assert.match(issues[0].message, /must be a boolean, or \(legacy\) a mapping/);
  });
});

describe("validateDocument: several problems", () => {
  test("every problem is reported, in document order, each with its own line", () => {
    const issues = check(`services:
  web:
    image: nginx
    ports: ["80:80", {published: 8080}]
    restart: sometimes
    enviroment:
      A: 1
  db:
    image: postgres
    healthcheck:
      retries: three
networks:
  front:
    drivr: bridge
`);
    assert.deepEqual(
      issues.map((i) => [i.path, i.location?.line]),
      [
        ["services.web.ports[1]", 4],
        ["services.web.restart", 5],
        ["services.web", 6],
        ["services.db.healthcheck.retries", 11],
        ["networks.front", 14],
      ],
      show(issues),
    );
    assert.ok(issues.every((i) => i.code === "CONFIG_SCHEMA"));
  });

  test("fixtures/invalid-schema: a realistic file with six mistakes, each at its key", () => {
    const file = fileURLToPath(new URL("../../../fixtures/invalid-schema/compose.yaml", import.meta.url));
    const issues = check(readFileSync(file, "utf8"), "fixtures/invalid-schema/compose.yaml");
    assert.deepEqual(
      issues.map((i) => `${i.location?.line}:${i.location?.col} ${i.path} ${i.message}`),
      [
        '11:5 services.web unknown attribute "comand" (did you mean "command"?)',
        '15:9 services.web.ports[1] unknown attribute "publish" (did you mean "published"?)',
        '18:7 services.web.healthcheck.interval must be a duration such as "10s", "1m30s" or "500ms" (got "5 seconds")',
        '24:9 services.worker.depends_on.web.condition must be one of "service_started", "service_healthy", "service_completed_successfully" (got "service_ready")',
        '26:7 services.worker.deploy.replicas must be an integer (got "two")',
        '30:5 networks.front.internal must be a boolean (true or false) (got "perhaps")',
      ],
      show(issues),
    );
  });

  test("issues are collected, never thrown, and throwIfAny raises them together", () => {
    const issues = new IssueCollector();
    validateDocument({ services: { a: { imag: "x" }, b: { image: 1 } } }, new Locations(), issues, { file: "inline.yaml" });
    assert.equal(issues.size, 2);
    assert.throws(
      () => issues.throwIfAny(),
      (e: unknown) => e instanceof Error && /2 problems/.test(e.message) && /services\.b\.image: must be a string/.test(e.message),
    );
  });

  test("without a recorded position the issue points at the file", () => {
    const issues = new IssueCollector();
    validateDocument({ services: { a: { image: 1 } } }, new Locations(), issues, { file: "other.yaml" });
    assert.deepEqual(issues.issues[0]?.location, { file: "other.yaml", line: 1, col: 1 });
  });

  test("locations built by hand are honoured (nearest ancestor)", () => {
    const locations = new Locations();
    locations.set(["services", "api"], { file: "base.yaml", line: 7, col: 3 });
    const issues = new IssueCollector();
    validateDocument({ services: { api: { image: "x", tty: "sure" } } }, locations, issues);
    assert.equal(issues.issues[0]?.path, "services.api.tty");
    assert.deepEqual(issues.issues[0]?.location, { file: "base.yaml", line: 7, col: 3 });
  });

  test("a document that is not a mapping", () => {
    const issues = new IssueCollector();
    validateDocument(["services"], new Locations(), issues);
    assert.equal(issues.size, 1);
    assert.match(issues.issues[0]!.message, /must be a mapping/);
  });
});

const valid: { name: string; yaml: string }[] = [
  {
    name: "short syntax of everything",
    yaml: `version: "3.9"
name: shop
services:
  web:
    image: nginx:1.27
    build: ./web
    command: nginx -g 'daemon off;'
    entrypoint: ["/docker-entrypoint.sh"]
    ports:
      - 80
      - "8080:80"
      - "127.0.0.1:8443:443/tcp"
      - "[::1]:9000:9000"
      - "3000-3005:3000-3005"
      - "127.0.0.1::5000"
      - "53:53/udp"
    expose: [3000, "4000-4005", "53/udp"]
    volumes:
      - ./html:/usr/share/nginx/html:ro
      - data:/data
      - /anonymous
      - ~/.cache:/cache:rw,z
    environment:
      - DEBUG=1
      - EMPTY
    env_file: .env
    labels: ["com.example.a=1"]
    networks: [front, back]
    depends_on: [db]
    secrets: [token]
    configs: [nginx_conf]
    extra_hosts: ["host.docker.internal:host-gateway", "db=10.0.0.2"]
    dns: 8.8.8.8
    dns_search: example.com
    tmpfs: /run
    devices: ["/dev/fuse:/dev/fuse:rwm"]
    extends: base
    restart: on-failure:3
    stop_grace_period: 1m30s
    ulimits:
      nproc: 65535
    healthcheck:
      test: curl -f http://localhost || exit 1
    logging:
      driver: json-file
    gpus: all
    profiles: [frontend]
    init: true
    tty: "true"
    stdin_open: yes
    scale: "2"
    cpus: 0.5
    mem_limit: 512m
    shm_size: "1gb"
    pull_policy: every_1d12h
    pull_refresh_after: 1w
  base:
    image: busybox
  db:
    image: postgres:16
networks:
  front:
  back: {}
volumes:
  data:
secrets:
  token:
    file: ./token.txt
configs:
  nginx_conf:
    file: ./nginx.conf
`,
  },
  {
    name: "long syntax of everything",
    yaml: `services:
  app:
    build:
      context: ./app
      dockerfile: Dockerfile.dev
      args: {NODE_ENV: development, RETRIES: 3}
      ssh: [default]
      labels: {a: b}
      cache_from: [app:cache]
      cache_to: ["type=local,dest=/tmp/cache"]
      no_cache: false
      no_cache_filter: [deps]
      additional_contexts: {assets: ../assets}
      network: host
      provenance: true
      sbom: "true"
      pull: true
      target: dev
      shm_size: 256m
      extra_hosts: {registry: 10.0.0.1}
      isolation: default
      privileged: false
      secrets: [npmrc]
      tags: ["app:dev"]
      ulimits: {nofile: {soft: 1024, hard: 2048}}
      platforms: [linux/amd64, linux/arm64]
      entitlements: [network.host]
      x-note: built locally
    ports:
      - name: http
        target: 80
        published: "8080"
        host_ip: 127.0.0.1
        protocol: tcp
        app_protocol: http
        mode: host
      - target: "9000"
        published: 9000-9010
    volumes:
      - type: bind
        source: ./src
        target: /src
        read_only: "true"
        bind: {propagation: rprivate, create_host_path: true, recursive: readonly, selinux: z}
      - type: volume
        source: data
        target: /data
        volume: {nocopy: true, subpath: sub, labels: {a: b}}
      - type: tmpfs
        target: /tmp
        tmpfs: {size: 64m, mode: 1777}
      - type: image
        source: alpine
        target: /img
        image: {subpath: etc}
    environment:
      A: 1
      B: "two"
      C: true
      D: null
      E:
    env_file:
      - path: ./default.env
        required: true
      - path: ./override.env
        required: "false"
        format: raw
      - ./more.env
    label_file: [./labels]
    labels: {com.example.x: "1"}
    annotations: {org.opencontainers.x: y}
    networks:
      front:
        aliases: [api]
        ipv4_address: 172.16.0.10
        ipv6_address: "2001:db8::10"
        interface_name: eth1
        link_local_ips: [169.254.0.10]
        mac_address: "02:42:ac:11:00:02"
        driver_opts: {com.docker.network.bridge.name: br0, mtu: 1500}
        priority: 100
        gw_priority: 1
      back:
      x-other: {}
    depends_on:
      db:
        condition: service_healthy
        restart: true
      migrate:
        condition: service_completed_successfully
        required: false
    secrets:
      - source: token
        target: /run/secrets/api_token
        uid: "1000"
        gid: "1000"
        mode: 0440
    configs:
      - source: cfg
        target: /etc/app.conf
        mode: "0444"
    extends:
      service: common
      file: ./common.yaml
    devices:
      - source: /dev/sda
        target: /dev/xvda
        permissions: rwm
    ulimits:
      nofile: {soft: "1024", hard: 2048}
      nproc: "512"
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O- localhost"]
      interval: 30s
      timeout: 500ms
      retries: "3"
      start_period: 1m
      start_interval: 5s
      disable: false
    logging:
      driver: json-file
      options: {max-size: 10m, max-file: 3, tag: null}
    blkio_config:
      weight: 300
      weight_device: [{path: /dev/sda, weight: 400}]
      device_read_bps: [{path: /dev/sda, rate: 12mb}]
      device_write_iops: [{path: /dev/sda, rate: 30}]
    credential_spec: {config: my-spec}
    extra_hosts:
      db: 10.0.0.2
      dual: ["10.0.0.3", "::1"]
    gpus:
      - driver: nvidia
        count: all
        capabilities: [gpu]
    deploy:
      mode: replicated
      endpoint_mode: vip
      replicas: "2"
      labels: [com.example=1]
      resources:
        limits: {cpus: "0.50", memory: 50M, pids: 100}
        reservations:
          cpus: 0.25
          memory: 20M
          devices:
            - capabilities: [gpu]
              driver: nvidia
              count: 1
              device_ids: ["0"]
              options: {virtualization: false}
          generic_resources:
            - discrete_resource_spec: {kind: gpu, value: 2}
      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 120s}
      update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 60s, max_failure_ratio: 0.3, order: start-first}
      rollback_config: {parallelism: 1, order: stop-first}
      placement:
        constraints: [node.role == manager]
        preferences: [{spread: node.labels.zone}]
        max_replicas_per_node: 1
      x-custom: 1
    develop:
      watch:
        - path: ./src
          action: sync
          target: /src
          ignore: [node_modules/]
          include: "*.js"
          initial_sync: true
        - path: package.json
          action: rebuild
        - path: ./conf
          action: restart
        - path: ./lib
          action: sync+exec
          target: /lib
          exec:
            command: ["kill", "-HUP", "1"]
            user: root
    post_start:
      - command: ./post.sh
        user: root
        privileged: true
        working_dir: /app
        environment: {A: b}
    pre_stop:
      - command: ["./drain.sh"]
    pre_start:
      - command: ["./init.sh"]
        image: busybox
        per_replica: true
    models:
      llm:
        endpoint_var: LLM_URL
        model_var: LLM_MODEL
      embed:
    provider:
      type: awesomecloud
      options: {type: mysql, size: 256, flags: [a, b], enabled: true}
    stop_signal: SIGINT
    stop_grace_period: 10s
    cgroup: private
    oom_score_adj: -500
    oom_kill_disable: "false"
    pid: null
    use_api_socket: true
    attach: false
    x-labels: &labels {a: 1}
  common:
    image: busybox
  db:
    image: postgres
  migrate:
    image: busybox
networks:
  front:
    driver: bridge
    driver_opts: {com.docker.network.bridge.enable_icc: "true"}
    ipam:
      driver: default
      config:
        - subnet: 172.16.0.0/24
          ip_range: 172.16.0.0/28
          gateway: 172.16.0.1
          aux_addresses: {host1: 172.16.0.5}
      options: {foo: bar}
    internal: false
    enable_ipv4: true
    enable_ipv6: "false"
    attachable: true
    labels: {com.example: net}
    x-note: 1
  back:
  shared:
    external: true
    name: company_shared
  legacy:
    external:
      name: old_net
volumes:
  data:
    driver: local
    driver_opts: {type: none, o: bind, device: /srv/data}
    labels: [a=b]
  ext:
    external: "true"
  empty:
secrets:
  token:
    file: ./token
  env_secret:
    environment: API_TOKEN
  npmrc:
    external: true
    name: npmrc_v2
configs:
  cfg:
    content: |
      key=value
  from_env:
    environment: CFG
    template_driver: golang
models:
  llm:
    model: ai/smollm2
    context_size: 4096
    runtime_flags: ["--threads", "4"]
  embed:
    model: ai/embed
include:
  - ./other/compose.yaml
  - path: [./a.yaml, ./b.yaml]
    env_file: ./a.env
    project_directory: ./a
x-defaults: &defaults
  restart: unless-stopped
`,
  },
  {
    name: "minimal and null-heavy documents",
    yaml: `services:
  a:
    image: busybox
    command:
    entrypoint: null
    networks:
      default:
    depends_on: {}
    deploy:
networks:
  default:
volumes:
  v1:
  v2: {}
`,
  },
  {
    name: "yaml anchors and merge keys from x- extensions",
    yaml: `x-common: &common
  restart: always
  environment:
    TZ: UTC
  logging:
    driver: local
services:
  one:
    <<: *common
    image: busybox
  two:
    <<: *common
    image: busybox
    environment: [TZ=UTC, A=1]
`,
  },
  {
    name: "empty document sections",
    yaml: "services: {}\n",
  },
];

describe("validateDocument: valid documents", () => {
  for (const v of valid) {
    test(v.name, () => {
      const issues = check(v.yaml);
      assert.deepEqual(issues, [], show(issues));
    });
  }

  test("values left uninterpolated (config --no-interpolate) are not format-checked", () => {
    const issues = check(`services:
  web:
    image: \${IMAGE}
    ports: ["127.0.0.1:\${WEB_PORT:-8080}:80"]
    restart: $RESTART
    init: \${INIT:-true}
    ulimits:
      nofile: \${NOFILE}
`);
    assert.deepEqual(issues, [], show(issues));
    // ...but a plain malformed value next to them still is.
    const bad = check('services:\n  web:\n    image: x\n    ports: ["\${P}:80", "eighty"]\n');
    assert.deepEqual(bad.map((i) => i.path), ["services.web.ports[1]"], show(bad));
  });

  test("an empty file (null document) has nothing to validate beyond its type", () => {
    const issues = new IssueCollector();
    validateDocument({}, new Locations(), issues);
    assert.equal(issues.size, 0);
  });
});

describe("did-you-mean", () => {
  test("closest attribute by edit distance", () => {
    assert.equal(closest("imagee", SERVICE_ATTRIBUTES), "image");
    assert.equal(closest("enviroment", SERVICE_ATTRIBUTES), "environment");
    assert.equal(closest("depends-on", SERVICE_ATTRIBUTES), "depends_on");
    assert.equal(closest("helthcheck", SERVICE_ATTRIBUTES), "healthcheck");
    assert.equal(closest("Image", SERVICE_ATTRIBUTES), "image");
    assert.equal(closest("comand", SERVICE_ATTRIBUTES), "command");
    assert.equal(closest("port", SERVICE_ATTRIBUTES), "ports");
    assert.equal(closest("sevrices", TOP_LEVEL_ELEMENTS), "services");
  });

  test("no suggestion when nothing is close", () => {
    assert.equal(closest("zzqqxx", SERVICE_ATTRIBUTES), undefined);
    assert.equal(closest("kubernetes", SERVICE_ATTRIBUTES), undefined);
  });

  test("suggestions come from the attributes allowed at that place", () => {
    const issues = check("services:\n  web:\n    image: x\n    healthcheck:\n      tst: [CMD, true]\n");
    assert.equal(issues.length, 1, show(issues));
    assert.match(issues[0]!.message, /did you mean "test"\?/);
    assert.equal(issues[0]!.path, "services.web.healthcheck");
  });
});

describe("schema and generated validator", () => {
  const schemaPath = fileURLToPath(new URL("../../../schemas/compose-spec.json", import.meta.url));
  const schemaText = readFileSync(schemaPath, "utf8");
  const schema = JSON.parse(schemaText) as {
    properties: Record<string, unknown>;
    patternProperties: Record<string, unknown>;
    additionalProperties: boolean;
    definitions: Record<string, { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown> }>;
  };

  test("the generated validator is up to date with schemas/compose-spec.json", () => {
    const sha = createHash("sha256").update(schemaText).digest("hex");
    assert.equal(compiledValidator().schemaSha256, sha, "run: node scripts/compile-schema.mjs");
  });

  test("every top-level element and x- extensions are allowed, nothing else", () => {
    assert.deepEqual(
      [...TOP_LEVEL_ELEMENTS].sort(),
      ["configs", "include", "models", "name", "networks", "secrets", "services", "version", "volumes"],
    );
    assert.equal(schema.additionalProperties, false);
    assert.ok("^x-" in schema.patternProperties);
  });

  test("SERVICE_ATTRIBUTES lists the service attributes of the schema", () => {
    assert.equal(SERVICE_ATTRIBUTES.length, 93);
    assert.deepEqual([...SERVICE_ATTRIBUTES], Object.keys(schema.definitions["service"]?.properties ?? {}));
    for (const a of ["image", "build", "develop", "deploy", "post_start", "pre_stop", "pre_start", "provider", "models", "use_api_socket", "label_file", "gpus"]) {
      assert.ok(SERVICE_ATTRIBUTES.includes(a), a);
    }
  });

  test("extension-capable objects accept x- keys", () => {
    for (const def of ["service", "build", "deploy", "network", "volume", "secret", "config", "healthcheck", "develop", "port", "service_volume"]) {
      assert.ok(schema.definitions[def]?.patternProperties?.["^x-"] !== undefined, def);
    }
    const issues = check(`services:
  web:
    image: x
    x-a: 1
    build: {context: ., x-b: 2}
    deploy: {x-c: 3}
    healthcheck: {x-d: 4}
networks: {n: {x-e: 5}}
volumes: {v: {x-f: 6}}
secrets: {s: {file: ./s, x-g: 7}}
configs: {c: {file: ./c, x-h: 8}}
x-top: 9
`);
    assert.deepEqual(issues, [], show(issues));
  });

  test("200 realistic services validate without issues", () => {
    const services: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      services[`svc${i}`] = {
        image: "busybox",
        ports: ["80", { target: 80, published: "8080" }],
        environment: { A: "1", B: null },
        volumes: ["./a:/b:ro", { type: "volume", source: "data", target: "/data" }],
        healthcheck: { test: ["CMD", "true"], interval: "10s" },
        depends_on: i > 0 ? { [`svc${i - 1}`]: { condition: "service_started" } } : [],
        deploy: { resources: { limits: { cpus: "0.5", memory: "512m" } } },
      };
    }
    const issues = new IssueCollector();
    validateDocument({ services }, new Locations(), issues);
    assert.equal(issues.size, 0, show(issues.issues));
  });
});
