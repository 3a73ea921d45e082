import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { formatPlainEvent, plainReporter } from "../../src/cli/render/plain.js";
import { jsonReporter } from "../../src/cli/render/json.js";
import { renderTable } from "../../src/cli/render/table.js";
import { ColorRotation, stripAnsi } from "../../src/cli/render/colors.js";
import { LogPrinter } from "../../src/cli/attach.js";
import { BufferStream } from "../../src/cli/io.js";
import { renderPs, psRequest } from "../../src/cli/commands/ps.js";
import type { ContainerStatus } from "../../src/runtime/options.js";

describe("plain renderer", () => {
  test("resource events become Compose-like lines, in order", () => {
    const out = new BufferStream();
    const r = plainReporter(out);
    r.onEvent({ type: "resource", kind: "network", name: "demo_default", status: "Creating" });
    r.onEvent({ type: "resource", kind: "network", name: "demo_default", status: "Created" });
    r.onEvent({ type: "resource", kind: "container", name: "demo-web-1", status: "Started", service: "web" });
    r.onEvent({ type: "resource", kind: "container", name: "demo-db-1", status: "Healthy", detail: "after 2s" });
    r.onEvent({ type: "warning", message: "orphans found" });
    assert.equal(
      out.text,
      [
        " Network demo_default  Creating",
        " Network demo_default  Created",
        " Container demo-web-1  Started",
        " Container demo-db-1  Healthy after 2s",
        "WARN orphans found",
        "",
      ].join("\n"),
    );
  });

  test("colour only when asked", () => {
    const e = { type: "resource", kind: "container", name: "x", status: "Error" } as const;
    assert.equal(formatPlainEvent(e, false), " Container x  Error");
    const coloured = formatPlainEvent(e, true)!;
    assert.notEqual(coloured, " Container x  Error");
    assert.equal(stripAnsi(coloured), " Container x  Error");
  });

  test("json renderer: one object per line", () => {
    const out = new BufferStream();
    const r = jsonReporter(out, () => new Date(0));
    r.onEvent({ type: "resource", kind: "volume", name: "demo_data", status: "Created" });
    r.onEvent({ type: "info", message: "hi" });
    const lines = out.text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0], { time: "1970-01-01T00:00:00.000Z", type: "resource", kind: "volume", name: "demo_data", status: "Created" });
    assert.equal(lines[1]!["message"], "hi");
  });
});

describe("log prefixes", () => {
  test("padded to the widest name, no colour", () => {
    const p = new LogPrinter(() => {}, { color: false, prefix: true, timestamps: false }, ["web-1", "worker-1"]);
    assert.equal(p.format({ service: "web", number: 1, line: "hello" }), "web-1    | hello");
    assert.equal(p.format({ service: "worker", number: 1, line: "x" }), "worker-1 | x");
  });

  test("--no-log-prefix and timestamps", () => {
    const p = new LogPrinter(() => {}, { color: false, prefix: false, timestamps: true });
    assert.equal(p.format({ service: "web", number: 1, line: "hello", timestamp: "2024-01-01T00:00:00Z" }), "2024-01-01T00:00:00Z hello");
  });

  test("colours rotate cyan, yellow, green, magenta, blue, then bright", () => {
    const rot = new ColorRotation(true);
    const codes = ["a", "b", "c", "d", "e", "f", "a"].map((k) => /\[(\d+)m/.exec(rot.for(k)("x"))![1]);
    assert.deepEqual(codes, ["36", "33", "32", "35", "34", "96", "36"]);
    assert.equal(new ColorRotation(false).for("a")("x"), "x");
  });
});

describe("tables", () => {
  test("columns are aligned", () => {
    const t = renderTable(["NAME", "STATUS"], [["demo-web-1", "Up 2 seconds"], ["x", "Exited (0)"]]);
    assert.equal(t, "NAME         STATUS\ndemo-web-1   Up 2 seconds\nx            Exited (0)\n");
  });

  const row = {
    ID: "abc", Name: "demo-web-1", Names: "demo-web-1", Image: "img", Command: "sh", Project: "demo", Service: "web",
    CreatedAt: "", RunningFor: "1 second ago", State: "running", Status: "Up 1 second", Health: "", ExitCode: 0,
    Publishers: [{ URL: "127.0.0.1", TargetPort: 80, PublishedPort: 8080, Protocol: "tcp" }], Ports: "", Labels: "",
    LocalVolumes: "0", Mounts: "", Networks: "demo_default", Size: "0B", Number: 1,
  } satisfies ContainerStatus;

  test("ps --format json is JSON Lines; -q prints IDs", async () => {
    const json = await renderPs([row, { ...row, ID: "def", Name: "demo-web-2", Number: 2 }], psRequest([], { format: "json" }));
    const lines = json.trimEnd().split("\n");
    assert.equal(lines.length, 2);
    assert.equal((JSON.parse(lines[1]!) as ContainerStatus).Name, "demo-web-2");
    assert.equal(await renderPs([row], psRequest([], { quiet: true })), "abc\n");
    const table = await renderPs([row], psRequest([], {}));
    assert.match(table, /127\.0\.0\.1:8080->80\/tcp/);
  });

  test("ps --format with a Go template: fields, json, a table with headers, \\t; unsupported parts refused", async () => {
    assert.equal(await renderPs([row], psRequest([], { format: "{{.Name}}: {{.State}} {{json .ExitCode}}" })), "demo-web-1: running 0\n");
    assert.equal(
      await renderPs([row], psRequest([], { format: "table {{.ID}}\\t{{.Name}}\\t{{.RunningFor}}" })),
      "CONTAINER ID   NAME         CREATED\nabc            demo-web-1   1 second ago\n", // Docker's tabwriter: widest + 3, at least 10
    );
    assert.equal(await renderPs([row], psRequest([], { format: "{{json .Publishers}}" })), '[{"URL":"127.0.0.1","TargetPort":80,"PublishedPort":8080,"Protocol":"tcp"}]\n');
    assert.equal(await renderPs([row], psRequest([], { format: "{{range .Publishers}}{{.PublishedPort}}{{end}}" })), "8080\n");
    assert.throws(() => psRequest([], { format: "{{range .Publishers}}x" }), /missing \{\{end\}\}/);
    await assert.rejects(renderPs([row], psRequest([], { format: "{{.Nope}}" })), /can't evaluate field Nope/);
  });
});
