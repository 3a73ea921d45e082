import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { capabilityTable, columns, modelKeyPaths, swarmColumn } from "../../src/cluster/capabilities/index.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const schema = JSON.parse(readFileSync(join(root, "schemas", "compose-spec.json"), "utf8")) as Parameters<typeof modelKeyPaths>[0];
const keys = modelKeyPaths(schema);

describe("capabilities table", () => {
  test("the schema gives the model's key paths", () => {
    assert.ok(keys.length > 300, `only ${keys.length} key paths`);
    assert.ok(keys.includes("services.privileged"));
    assert.ok(keys.includes("services.deploy.resources.reservations.generic_resources"));
  });

  test("every model key has a row in every column", () => {
    for (const [target, column] of Object.entries(columns)) {
      const missing = keys.filter((k) => column[k] === undefined);
      assert.deepEqual(missing, [], `${target}: key paths with no row: ${missing.join(", ")}`);
    }
  });

  test("no column has rows for keys the model does not have (typos, removed keys)", () => {
    const known = new Set(keys);
    for (const [target, column] of Object.entries(columns)) {
      const extra = Object.keys(column).filter((k) => !known.has(k));
      assert.deepEqual(extra, [], `${target}: rows for unknown key paths: ${extra.join(", ")}`);
    }
  });

  test("every warning and refusal says why", () => {
    for (const [path, cap] of Object.entries(swarmColumn)) {
      if (cap.status === "mapped") assert.ok(cap.to.length > 0, path);
      else assert.ok(cap.why.length > 10, path);
    }
  });

  test("the Swarm column follows stack deploy's facts", () => {
    const status = (k: string): string => swarmColumn[k]!.status;
    for (const k of ["services.privileged", "services.network_mode", "services.devices", "services.container_name", "services.cpu_shares", "services.links", "services.volumes_from", "services.security_opt"]) {
      assert.equal(status(k), "refused", k);
    }
    for (const k of ["services.deploy.replicas", "services.healthcheck.test", "services.secrets.mode", "services.restart", "services.depends_on", "networks.attachable", "configs.content"]) {
      assert.equal(status(k), "mapped", k);
    }
    for (const k of ["services.mem_limit", "services.build", "services.develop", "services.post_start"]) assert.equal(status(k), "warned", k);
    const table = capabilityTable(["services.image"]);
    assert.equal(table[0]!.row.swarm?.status, "mapped");
  });
});
