import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ContainerStatus } from "../../src/runtime/options.js";
import { psRequest, renderPs } from "../../src/cli/commands/ps.js";
import { renderStats } from "../../src/cli/commands/stats.js";
import { renderImages } from "../../src/cli/commands/images.js";
import { renderVolumes } from "../../src/cli/commands/volumes.js";
import { renderTop } from "../../src/cli/commands/top.js";
import { renderLs } from "../../src/cli/commands/ls.js";
import { formatPlatform, repositoryAndTag } from "../../src/runtime/image-reference.js";
import { LogPrinter } from "../../src/cli/attach.js";

const base = {
  ID: "0123456789abcdef0123", Name: "demo-web-1", Names: "demo-web-1", Image: "img:1", Command: "sh -c 'echo hello world and more'", Project: "demo", Service: "web",
  CreatedAt: "", RunningFor: "2 seconds ago", State: "running", Status: "Up 2 seconds", Health: "", ExitCode: 0,
  Publishers: [{ URL: "127.0.0.1", TargetPort: 80, PublishedPort: 8080, Protocol: "tcp" }], Ports: "", Labels: "a=1,com.example=x",
  LocalVolumes: "0", Mounts: "", Networks: "demo_default", Size: "0B", Number: 1,
} satisfies ContainerStatus;
const noPorts: ContainerStatus = { ...base, ID: "fedcba9876543210", Name: "demo-worker-1", Names: "demo-worker-1", Service: "worker", Publishers: [], Command: "sleep 1" };

describe("ps", () => {
  test("the default table: Compose's columns, padded as the Docker CLI's tabwriter pads them", async () => {
    const out = await renderPs([base, noPorts], psRequest([], {}));
    const lines = out.split("\n");
    assert.equal(lines[0], "NAME            IMAGE     COMMAND                  SERVICE   CREATED         STATUS         PORTS");
    assert.equal(lines[1], 'demo-web-1      img:1     "sh -c \'echo hello w…"   web       2 seconds ago   Up 2 seconds   127.0.0.1:8080->80/tcp');
    // A row without ports keeps the padding after STATUS: 7 columns for parsers splitting on 3+ spaces.
    assert.equal(lines[2], 'demo-worker-1   img:1     "sleep 1"                worker    2 seconds ago   Up 2 seconds   ');
    for (const l of lines.slice(0, 3)) assert.equal(l.split(/\s{3,}/).length, 7, l);
  });
  test("--no-trunc and templates with functions and methods", async () => {
    assert.match(await renderPs([base], psRequest([], {}), true), /"sh -c 'echo hello world and more'"/);
    assert.equal(await renderPs([base], psRequest([], { format: '{{.ID}} {{.Label "com.example"}} {{upper .Service}}' })), "0123456789ab x WEB\n");
    assert.equal(await renderPs([base], psRequest([], { format: "{{.ID}}" }), true), "0123456789abcdef0123\n");
    assert.equal((JSON.parse((await renderPs([base], psRequest([], { format: "json" }))).trim()) as ContainerStatus).Ports, "127.0.0.1:8080->80/tcp");
  });
  test("a bad template is refused before anything is asked of the engine", () => {
    assert.throws(() => psRequest([], { format: "{{if .Name}}" }), /missing \{\{end\}\}/);
  });
});

describe("stats", () => {
  const row = { id: "c0a5724855204dc3b6276840063358b5", container: "demo-web-1", stats: { cpuPercent: 1.234, memoryUsage: 1536 * 1024, memoryLimit: 2 * 1024 ** 3, networkRx: 736, networkTx: 0, blockRead: 4_260_000, blockWrite: 0, pids: 2 } };
  test("JSON through a quoted template, as the docker-compose package asks for it", () => {
    const out = renderStats([row], '"{{ json . }}"');
    assert.equal(out[0], '"');
    assert.deepEqual(JSON.parse(out.trim().slice(1, -1)), {
      Container: row.id, Name: "demo-web-1", ID: "c0a572485520", CPUPerc: "1.23%", MemUsage: "1.5MiB / 2GiB", MemPerc: "0.07%", NetIO: "736B / 0B", BlockIO: "4.26MB / 0B", PIDs: "2",
    });
  });
  test("table, json and table templates", () => {
    assert.match(renderStats([row], "table"), /^CONTAINER ID   NAME         CPU %     MEM USAGE \/ LIMIT   MEM %     NET I\/O     BLOCK I\/O     PIDS\n/);
    assert.equal((JSON.parse(renderStats([row], "json")) as { Name: string }).Name, "demo-web-1");
    assert.equal(renderStats([row], "table {{.Name}}\\t{{.CPUPerc}}"), "NAME         CPU %\ndemo-web-1   1.23%\n");
  });
});

describe("images", () => {
  const rows = [
    { container: "demo-web-1", repository: "registry:5000/team/app", tag: "1.2", imageId: "sha256:e9055de37d53a7b6f2eb805f7a8e3e3467ca0d84", size: 1_985_472, platform: "linux/amd64", created: "2026-01-01T00:00:00Z", lastTagTime: "0001-01-01T00:00:00Z" },
    { container: "demo-api-1", repository: "", tag: "", imageId: "sha256:aa", size: 10, platform: "linux/arm64/v8", lastTagTime: "2026-02-01T00:00:00Z" },
  ];
  test("table: Compose's columns (width 20), sorted by container, <none> for an image ID", () => {
    const out = renderImages(rows, "table", (s) => `${Math.round(s / 86400)} days`, Date.parse("2026-02-11T00:00:00Z"));
    const lines = out.split("\n");
    assert.equal(lines[0], "CONTAINER           REPOSITORY               TAG                 PLATFORM            IMAGE ID            SIZE                CREATED");
    assert.match(lines[1]!, /^demo-api-1 +<none> +<none> +linux\/arm64\/v8 +aa +10B +10 days ago$/);
    assert.match(lines[2]!, /^demo-web-1 +registry:5000\/team\/app +1\.2 +linux\/amd64 +e9055de37d53 +1\.99MB +41 days ago$/);
  });
  test("json: Compose's fields; a zero LastTagTime reads as the creation time", () => {
    const json = JSON.parse(renderImages(rows, "json")) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(json[0] ?? {}), ["ID", "ContainerName", "Repository", "Tag", "Platform", "Size", "LastTagTime"]);
    assert.equal(json[0]!["LastTagTime"], "2026-01-01T00:00:00Z");
    assert.equal(json[1]!["Platform"], "linux/arm64/v8");
  });
  test("repository and tag from the container's own reference", () => {
    assert.deepEqual(repositoryAndTag("busybox"), { repository: "busybox", tag: "latest" });
    assert.deepEqual(repositoryAndTag("docker.io/library/redis:7"), { repository: "redis", tag: "7" });
    assert.deepEqual(repositoryAndTag("docker.io/bitnami/redis:7"), { repository: "bitnami/redis", tag: "7" });
    assert.deepEqual(repositoryAndTag("localhost:5000/app"), { repository: "localhost:5000/app", tag: "latest" });
    assert.deepEqual(repositoryAndTag("ghcr.io/o/app:v1@sha256:" + "a".repeat(64)), { repository: "ghcr.io/o/app", tag: "" });
    assert.deepEqual(repositoryAndTag("sha256:" + "b".repeat(64)), { repository: "", tag: "" });
    assert.deepEqual(repositoryAndTag("Upper:1"), { repository: "", tag: "" });
    assert.equal(formatPlatform({ os: "linux", architecture: "arm64", variant: "v8" }), "linux/arm64/v8");
    assert.equal(formatPlatform(undefined), "unknown");
  });
});

describe("volumes, top, ls, logs", () => {
  const vol = { name: "demo_data", driver: "local", options: {}, mountpoint: "/var/lib/docker/volumes/demo_data/_data", labels: { "com.docker.compose.volume": "data" } };
  test("volumes: the Docker CLI's table, json, templates", () => {
    assert.equal(renderVolumes([vol], "table"), "DRIVER    VOLUME NAME\nlocal     demo_data\n");
    assert.equal((JSON.parse(renderVolumes([vol], "json")) as { Labels: string }).Labels, "com.docker.compose.volume=data");
    assert.equal(renderVolumes([vol], '{{.Name}} {{.Label "com.docker.compose.volume"}}'), "demo_data data\n");
    assert.equal(renderVolumes([vol], "table", true), "demo_data\n");
  });
  test("top: one table, SERVICE and # first, CMD last, '-' for a missing column", () => {
    const out = renderTop([
      { container: "demo-web-1", service: "web", replica: "1", processes: { titles: ["UID", "PID", "CMD"], processes: [["root", "10", "httpd -f"]] } },
      { container: "demo-db-1", service: "db", replica: "1", processes: { titles: ["UID", "PID", "CMD", "TIME"], processes: [["999", "11", "postgres", "00:01"]] } },
    ]);
    assert.equal(out, "SERVICE  #   UID   PID  TIME   CMD\nweb      1   root  10   -      httpd -f\ndb       1   999   11   00:01  postgres\n");
    assert.equal(renderTop([]), "");
  });
  test("ls: Compose's pretty table (minimum width 20)", async () => {
    assert.equal(await renderLs([{ Name: "demo", Status: "running(2)", ConfigFiles: "/x/compose.yaml" }], "table"), "NAME                STATUS              CONFIG FILES\ndemo                running(2)          /x/compose.yaml\n");
  });
  test("log labels: container name without the project; container_name kept", () => {
    assert.equal(LogPrinter.label("web", 2, "demo-web-2"), "web-2");
    assert.equal(LogPrinter.label("web", 1, "my-web"), "my-web");
    const p = new LogPrinter(() => {}, { color: false, prefix: true, timestamps: false }, ["web-1", "my-long-name"]);
    assert.equal(p.format({ service: "web", number: 1, line: "x", container: "demo-web-1" }), "web-1        | x");
  });
});
