/**
 * The corpus (fixtures/k8s-corpus: a few dozen files modelled on public real-world samples): every file
 * the spec layer accepts converts into objects that pass kubernetes-models and rules.ts, and every
 * service is reachable by its name (a Service of that name selects the service's pods). Refusals are
 * counted, not fatal, so that what can be converted still is checked.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { analyzeConversion } from "../../src/api/convert.js";
import { assertValid } from "./k8s-support.js";
import type { KubeObject } from "../../src/cluster/kubernetes/types.js";

const root = fileURLToPath(new URL("../../../fixtures/k8s-corpus/", import.meta.url));
const projects = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

function reachable(objects: readonly KubeObject[], name: string): boolean {
  const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === name) as any;
  if (!svc) return false;
  const sel = svc.spec.selector as Record<string, string>;
  return objects.some((o: any) => o.kind !== "Service" && o.spec?.template?.metadata?.labels && Object.entries(sel).every(([k, v]) => o.spec.template.metadata.labels[k] === v));
}

describe("k8s corpus", () => {
  test("has a few dozen projects", () => assert.ok(projects.length >= 30, String(projects.length)));
  for (const p of projects) {
    test(p, async () => {
      const r = await analyzeConversion({ cwd: `${root}${p}`, env: {} }, { ignore: [] });
      assertValid(r.objects);
      for (const [svc, out] of Object.entries(r.services)) assert.ok(reachable(r.objects, out.name), `${svc} is not reachable as ${out.name}`);
      assert.equal(Object.keys(r.services).length, Object.keys(r.project.model.services).length);
    });
  }
  test("the voting app: networks, rollout, placement as the table says", async () => {
    const r = await analyzeConversion({ cwd: `${root}voting-app`, env: {} });
    const ids = r.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    for (const id of ["NetworkPolicy/network-frontend", "NetworkPolicy/network-backend", "StatefulSet/db", "Deployment/vote", "Service/vote", "Service/worker"]) assert.ok(ids.includes(id), id);
    assert.deepEqual(r.refusals, []);
  });
  test("refusals are found where the samples use host features", async () => {
    const portainer = await analyzeConversion({ cwd: `${root}portainer`, env: {} });
    assert.deepEqual(portainer.refusals.map((i) => i.key), ["services.volumes.type"]);
    const elk = await analyzeConversion({ cwd: `${root}elk`, env: {} });
    assert.deepEqual(elk.refusals.map((i) => i.key), ["services.ulimits"]);
  });
});
