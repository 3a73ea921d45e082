/**
 * Rendering: YAML documents or a JSON List, one file per object, stable bytes; a Helm chart whose
 * templates, filled with its own values.yaml, give back the converted objects.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parse, parseAllDocuments, stringify } from "yaml";
import { convertYaml, assertValid } from "./k8s-support.js";
import { renderManifest, manifestFiles, helmFiles, splitImage, kustomizeFiles } from "../../src/cluster/kubernetes/render.js";
import type { KubeObject } from "../../src/cluster/kubernetes/types.js";

const YAML_IN = `
name: shop
services:
  web:
    image: registry.example.com:5000/shop/web:2.1
    ports: ["80:8080"]
    command: ["sh", "-c", "echo '{{ not a template }}'"]
    deploy: {replicas: 3, resources: {limits: {memory: 128M}}}
  db:
    image: postgres@sha256:${"a".repeat(64)}
    volumes: ["pg:/var/lib/postgresql/data"]
  agent:
    image: agent
    deploy: {mode: global}
volumes: {pg: {}}
`;

/** The few Go-template forms the chart uses, evaluated against values (what `helm template` would do). */
function helmTemplate(text: string, values: any): string {
  return text.replace(/\{\{(-?) ?(.*?) ?\}\}/g, (_m, _dash: string, expr: string) => {
    if (expr === '"{{"') return "{{";
    const ref = /^\(index \.Values\.services "([^"]+)"\)\.(.+)$/;
    const get = (e: string): any => {
      const m = ref.exec(e)!;
      return m[2]!.split(".").reduce((o: any, k) => o?.[k], values.services[m[1]!]);
    };
    const toYaml = /^toYaml (.+) \| nindent (\d+)$/.exec(expr);
    if (toYaml) {
      const v = get(toYaml[1]!);
      const body = stringify(v).trimEnd();
      return `\n${body.split("\n").map((l) => " ".repeat(Number(toYaml[2])) + l).join("\n")}`;
    }
    const w = /^with (.+)$/.exec(expr);
    if (w) return `\u0000WITH${get(w[1]!) ?? ""}\u0000`;
    if (expr === ".") return "\u0000DOT\u0000";
    if (expr === "end") return "\u0000END\u0000";
    return String(get(expr));
  }).replace(/\u0000WITH(.*?)\u0000(.*?)\u0000DOT\u0000\u0000END\u0000/g, (_m, v: string, pre: string) => (v === "" ? "" : `${pre}${v}`));
}

describe("k8s render", () => {
  const { conversion } = convertYaml(YAML_IN);
  assertValid(conversion.objects);
  test("YAML documents in the objects' order; the same bytes every time", () => {
    const text = renderManifest(conversion.objects);
    assert.equal(text, renderManifest(convertYaml(YAML_IN).conversion.objects));
    const docs = parseAllDocuments(text).map((d) => d.toJS() as KubeObject);
    assert.deepEqual(docs, JSON.parse(JSON.stringify(conversion.objects)));
    assert.doesNotMatch(text, /creationTimestamp|\d{4}-\d\d-\d\dT/);
  });
  test("--format json is a v1 List", () => {
    const list = JSON.parse(renderManifest(conversion.objects, "json"));
    assert.equal(list.kind, "List");
    assert.equal(list.items.length, conversion.objects.length);
  });
  test("one file per object, named kind-name", () => {
    const files = manifestFiles(conversion.objects);
    assert.ok("deployment-web.yaml" in files && "statefulset-db.yaml" in files && "daemonset-agent.yaml" in files && "persistentvolumeclaim-pg.yaml" in files);
    assert.equal(Object.keys(files).length, conversion.objects.length);
  });
  test("image references split into repository and tag (ports and digests kept)", () => {
    assert.deepEqual(splitImage("registry.example.com:5000/shop/web:2.1"), { repository: "registry.example.com:5000/shop/web", tag: "2.1" });
    assert.deepEqual(splitImage("registry.example.com:5000/web"), { repository: "registry.example.com:5000/web", tag: "" });
    assert.equal(splitImage("pg@sha256:abc").tag, "");
  });
  test("helm: values.yaml exposes image, replicas and resources; templates filled with them give back the objects", () => {
    const files = helmFiles(conversion, "shop");
    const chart = parse(files["Chart.yaml"]!);
    assert.deepEqual([chart.apiVersion, chart.name, chart.version], ["v2", "shop", "0.1.0"]);
    const values = parse(files["values.yaml"]!);
    assert.deepEqual(values.services.web, { image: { repository: "registry.example.com:5000/shop/web", tag: "2.1" }, replicas: 3, resources: { limits: { memory: "128Mi" } } });
    assert.equal(values.services.agent.replicas, undefined);
    assert.equal(values.services.db.image.tag, "");
    assert.match(files["templates/deployment-web.yaml"]!, /replicas: \{\{ \(index \.Values\.services "web"\)\.replicas \}\}/);
    // the literal {{ in the command is escaped, and comes back as written
    assert.match(files["templates/deployment-web.yaml"]!, /\{\{ "\{\{" \}\} not a template/);
    for (const o of conversion.objects) {
      const rendered = parse(helmTemplate(files[`templates/${o.kind.toLowerCase()}-${o.metadata.name}.yaml`]!, values));
      // a service without resources renders `resources: {}`, which Kubernetes reads as none
      const ctr = rendered?.spec?.template?.spec?.containers?.[0];
      if (ctr && JSON.stringify(ctr.resources) === "{}") delete ctr.resources;
      assert.deepEqual(rendered, JSON.parse(JSON.stringify(o)), `${o.kind}/${o.metadata.name}`);
    }
    // a changed value changes the object
    values.services.web.image.tag = "2.2";
    values.services.web.replicas = 5;
    const web = parse(helmTemplate(files["templates/deployment-web.yaml"]!, values));
    assert.equal(web.spec.template.spec.containers[0].image, "registry.example.com:5000/shop/web:2.2");
    assert.equal(web.spec.replicas, 5);
  });
  test("kustomize: base and overlays; an object a variant drops is deleted by a patch", () => {
    const base = conversion.objects;
    const variant = base.filter((o) => o.metadata.name !== "agent");
    const files = kustomizeFiles(base, [{ name: "lite", objects: variant }]);
    const k = parse(files["overlays/lite/kustomization.yaml"]!);
    assert.deepEqual(k.bases, ["../../base"]);
    assert.deepEqual(k.patchesStrategicMerge, ["delete-service-agent.yaml", "delete-daemonset-agent.yaml"]);
    assert.deepEqual(parse(files["overlays/lite/delete-daemonset-agent.yaml"]!), { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent" }, $patch: "delete" });
    assert.equal(parse(files["base/kustomization.yaml"]!).resources.length, base.length);
  });
});
