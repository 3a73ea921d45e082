/**
 * `flotilla convert` from the command line (the built CLI): the bundled example, each target, JSON,
 * files written with -o, refusals at file:line:col with exit 1, and usage errors.
 */
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import { assertValid } from "./k8s-support.js";
import type { KubeObject } from "../../src/cluster/kubernetes/types.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(root, "bin/flotilla.js");
const run = (args: string[], cwd = root) => spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8" });
const out = mkdtempSync(join(tmpdir(), `flotilla-k8s-cli-${process.pid}-`));
after(() => rmSync(out, { recursive: true, force: true }));

describe("flotilla convert (CLI)", () => {
  test("--to kubernetes on the bundled example: valid YAML documents on stdout, warnings on stderr", () => {
    const r = run(["-f", "examples/compose.yaml", "convert", "--to", "kubernetes"]);
    assert.equal(r.status, 0, r.stderr);
    const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject);
    assertValid(objects);
    assert.ok(objects.some((o) => o.kind === "Job" && o.metadata.name === "seed"));
    assert.match(r.stderr, /examples\/compose\.yaml:10:5: services\.web\.init: /);
  });
  test("--format json gives a List; the same bytes twice", () => {
    const a = run(["-f", "examples/compose.yaml", "convert", "--to", "kubernetes", "--format", "json", "--expose", "nodeport"]);
    const b = run(["-f", "examples/compose.yaml", "convert", "--to", "kubernetes", "--format", "json", "--expose", "nodeport"]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    const list = JSON.parse(a.stdout);
    assert.equal(list.kind, "List");
    assert.equal(list.items.find((o: KubeObject) => o.kind === "Service" && o.metadata.name === "web").spec.type, "NodePort");
  });
  test("--to helm -o DIR writes a chart; --to kustomize -o DIR a base and overlays", () => {
    const helm = run(["-f", "examples/compose.yaml", "convert", "--to", "helm", "-o", join(out, "chart")]);
    assert.equal(helm.status, 0, helm.stderr);
    assert.equal(parse(readFileSync(join(out, "chart/Chart.yaml"), "utf8")).apiVersion, "v2");
    assert.ok(parse(readFileSync(join(out, "chart/values.yaml"), "utf8")).services.web.image.repository);
    const kz = run(["--project-directory", "fixtures/k8s-kustomize", "convert", "--to", "kustomize", "-o", join(out, "kz"), "--namespace", "shop"]);
    assert.equal(kz.status, 0, kz.stderr);
    assert.ok(existsSync(join(out, "kz/base/kustomization.yaml")));
    assert.ok(existsSync(join(out, "kz/overlays/override/kustomization.yaml")));
    assert.ok(existsSync(join(out, "kz/overlays/profile-debug/kustomization.yaml")));
  });
  test("refusals: exit 1, every one at its file:line:col, nothing on stdout; --ignore lets it through", () => {
    const r = run(["--project-directory", "fixtures/k8s-check", "convert", "--to", "kubernetes"]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /8 problems/);
    assert.match(r.stderr, /k8s-check\/compose\.yaml:7:5: services\.web\.ulimits: refused for Kubernetes/);
    const ok = run(["--project-directory", "fixtures/k8s-check", "convert", "--to", "kubernetes", "--ignore", "ulimits", "--ignore", "security_opt", "--ignore", "volumes.type", "--ignore", "build", "--ignore", "user", "--ignore", "network_mode", "--ignore", "deploy.mode"]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /services\.web\.ulimits: refused for Kubernetes: .* \(ignored\)/);
  });
  test("usage errors", () => {
    assert.notEqual(run(["-f", "examples/compose.yaml", "convert"]).status, 0);
    const bad = run(["-f", "examples/compose.yaml", "convert", "--to", "nomad"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /expected kubernetes, kustomize or helm/);
    assert.match(run(["-f", "examples/compose.yaml", "convert", "--to", "helm", "--format", "json"]).stderr, /--format json applies to --to kubernetes only/);
  });
  test("--to swarm prints what stack config prints (stdout or DIR/stack.json); Kubernetes-only flags are usage errors", () => {
    const conv = run(["-f", "examples/compose.yaml", "convert", "--to", "swarm"]);
    const config = run(["-f", "examples/compose.yaml", "stack", "config"]);
    assert.equal(conv.status, 0, conv.stderr);
    assert.equal(config.status, 0, config.stderr);
    assert.equal(conv.stdout, config.stdout);
    assert.ok((JSON.parse(conv.stdout).services as { Name: string }[]).some((s) => s.Name.endsWith("_web")));
    const toDir = run(["-f", "examples/compose.yaml", "convert", "--to", "swarm", "-o", join(out, "swarm")]);
    assert.equal(toDir.status, 0, toDir.stderr);
    assert.equal(readFileSync(join(out, "swarm/stack.json"), "utf8"), config.stdout);
    const bad = run(["-f", "examples/compose.yaml", "convert", "--to", "swarm", "--expose", "nodeport"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--expose applies to Kubernetes targets/);
  });
});
