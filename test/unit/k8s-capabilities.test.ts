import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { modelKeyPaths } from "../../src/cluster/capabilities/keys.js";
import { kubernetesColumn } from "../../src/cluster/capabilities/kubernetes.js";

const schemaPath = fileURLToPath(new URL("../../../schemas/compose-spec.json", import.meta.url));
const keys = modelKeyPaths(JSON.parse(readFileSync(schemaPath, "utf8")) as Parameters<typeof modelKeyPaths>[0]);

describe("capabilities: the Kubernetes column", () => {
  test("every model key path has a row", () => {
    const missing = keys.filter((k) => kubernetesColumn[k] === undefined);
    assert.deepEqual(missing, [], `key paths with no Kubernetes row: ${missing.join(", ")}`);
  });
  test("no row names a key the model does not have", () => {
    const known = new Set(keys);
    const stale = Object.keys(kubernetesColumn).filter((k) => !known.has(k));
    assert.deepEqual(stale, []);
  });
  test("every warned or refused row says why; every mapped row says what it becomes", () => {
    for (const [key, cap] of Object.entries(kubernetesColumn)) {
      if (cap.status === "mapped") assert.ok(cap.to.length > 0, key);
      else assert.ok(cap.why.length > 0, key);
    }
  });
  test("the column covers the table's decisions (spot checks)", () => {
    assert.equal(kubernetesColumn["services.healthcheck"]?.status, "mapped");
    assert.equal(kubernetesColumn["services.depends_on"]?.status, "mapped");
    assert.equal(kubernetesColumn["services.privileged"]?.status, "warned");
    assert.equal(kubernetesColumn["services.ulimits"]?.status, "refused");
    assert.equal(kubernetesColumn["services.devices"]?.status, "refused");
  });
});
