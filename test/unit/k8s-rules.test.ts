/**
 * rules.ts catches what kubernetes-models lets through and the API server rejects: each rule has a
 * negative case (an object the schema accepts and the rule refuses) next to the valid original.
 */
import { describe, test } from "node:test";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { checkObject, checkObjects } from "../../src/cluster/kubernetes/rules.js";
import { isLabelKey, isLabelValue, isPortName, toDnsLabel, NameTable } from "../../src/cluster/kubernetes/names.js";
import type { KubeObject } from "../../src/cluster/kubernetes/types.js";
import { schemaError } from "./k8s-support.js";

const deployment = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { "app.kubernetes.io/name": "web" } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { "app.kubernetes.io/name": "web" } },
    template: {
      metadata: { labels: { "app.kubernetes.io/name": "web" } },
      spec: { restartPolicy: "Always", containers: [{ name: "web", image: "nginx", ports: [{ containerPort: 80, name: "http" }] }] },
    },
  },
});
const service = (): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web" },
  spec: { selector: { "app.kubernetes.io/name": "web" }, ports: [{ name: "http", port: 80, targetPort: 80 }] },
});

/** The object passes the schema (so only the rule can catch it) and the rule reports it. */
function caught(obj: KubeObject, rule: string, all?: KubeObject[]): void {
  assert.equal(schemaError(obj), undefined, "the schema alone accepts it");
  const v = checkObject(obj, all ?? [obj, deployment()]);
  assert.ok(v.some((x) => x.rule === rule), `rule ${rule} not reported; got ${JSON.stringify(v)}`);
}

describe("k8s rules", () => {
  test("the field table is up to date with kubernetes-types (scripts/k8s-fields.mjs --check)", () => {
    const script = fileURLToPath(new URL("../../../scripts/k8s-fields.mjs", import.meta.url));
    const r = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });
  test("the valid originals pass", () => {
    assert.deepEqual(checkObjects([deployment(), service()]), []);
  });
  test("names: Web_1 is not DNS-1123; a Service name must start with a letter", () => {
    const d = deployment();
    d.metadata.name = "Web_1";
    caught(d, "name");
    const s = service();
    s.metadata.name = "1web";
    caught(s, "name");
  });
  test("selector must match the template labels", () => {
    const d = deployment();
    (d["spec"] as any).selector.matchLabels["app.kubernetes.io/name"] = "other";
    caught(d, "selector");
  });
  test("a Service selector that reaches no pod", () => {
    const s = service();
    (s["spec"] as any).selector = { "app.kubernetes.io/name": "nobody" };
    caught(s, "selector");
  });
  test("restartPolicy: OnFailure in a Deployment; Always in a Job", () => {
    const d = deployment();
    (d["spec"] as any).template.spec.restartPolicy = "OnFailure";
    caught(d, "restart-policy");
    const job: KubeObject = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: { template: { spec: { restartPolicy: "Always", containers: [{ name: "j", image: "x" }] } } } };
    caught(job, "restart-policy");
  });
  test("port names: longer than 15, duplicated, or missing when a Service has several", () => {
    const d = deployment();
    (d["spec"] as any).template.spec.containers[0].ports[0].name = "averyveryverylongportname";
    caught(d, "port-name");
    const s = service();
    (s["spec"] as any).ports.push({ name: "http", port: 81, targetPort: 81 });
    caught(s, "port-name");
    const s2 = service();
    (s2["spec"] as any).ports = [{ port: 80 }, { port: 81 }];
    caught(s2, "port-name");
  });
  test("label keys and values", () => {
    const d = deployment();
    d.metadata.labels = { "bad key!": "x" };
    caught(d, "label");
    const d2 = deployment();
    d2.metadata.labels = { ok: "Host(`a`)" };
    caught(d2, "label");
    assert.ok(isLabelKey("example.com/tier") && isLabelKey("com.example.description"));
    assert.ok(!isLabelKey("Example.com/tier") && !isLabelKey("/x") && !isLabelKey(`${"a".repeat(64)}`));
    assert.ok(isLabelValue("") && isLabelValue("v1.2_3") && !isLabelValue("-x") && !isLabelValue("a".repeat(64)));
  });
  test("unknown fields", () => {
    const d = deployment();
    (d["spec"] as any).template.spec.containers[0].restartPolicyy = "Always";
    caught(d, "unknown-field");
    const s = service();
    (s["spec"] as any).publish = true;
    caught(s, "unknown-field");
  });
  test("container and volume names; a mount of an undeclared volume", () => {
    const d = deployment();
    (d["spec"] as any).template.spec.containers.push({ name: "web", image: "x" });
    caught(d, "container-name");
    const d2 = deployment();
    (d2["spec"] as any).template.spec.containers[0].volumeMounts = [{ name: "data", mountPath: "/d" }];
    caught(d2, "volume");
  });
  test("ConfigMap data keys", () => {
    caught({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { "a/b": "x" } }, "data-key");
  });
  test("two objects of a kind with one name", () => {
    assert.ok(checkObjects([service(), service(), deployment()]).some((v) => v.rule === "name" && /two objects/.test(v.message)));
  });
  test("names: Compose names become DNS labels, deterministically and without collisions", () => {
    assert.equal(toDnsLabel("web_1"), "web-1");
    assert.equal(toDnsLabel("My.App"), "my-app");
    assert.equal(toDnsLabel("9lives"), "s-9lives");
    assert.ok(toDnsLabel("x".repeat(80)).length <= 63);
    const t = new NameTable(["a_b", "a-b"]);
    assert.notEqual(t.get("a_b"), t.get("a-b"));
    assert.ok(isPortName("tcp-8080") && !isPortName("tcp-80800000000000") && !isPortName("8080"));
  });
});
