/** `config SERVICE…` prints the named services and what they depend on, as Compose does. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadProject } from "../../src/spec/load.js";
import { renderConfig, selectServices } from "../../src/cli/commands/config.js";

const doc = {
  name: "sel",
  services: {
    db: { image: "db" },
    cache: { image: "cache" },
    api: { image: "api", depends_on: { db: { condition: "service_healthy" } }, links: ["cache"] },
    sidecar: { image: "side", network_mode: "service:api" },
    web: { image: "web", depends_on: ["api"] },
    lonely: { image: "lonely" },
  },
  volumes: { data: {} },
};

const load = () => loadProject({ cwd: "/tmp", env: {}, documents: [doc], checkFiles: false });

describe("config SERVICE…", () => {
  test("keeps the named services and their dependencies through depends_on, links and network_mode; nothing else", async () => {
    const p = await load();
    assert.deepEqual(Object.keys((await selectServices(p, ["web"])).model.services).sort(), ["api", "cache", "db", "web"]);
    assert.deepEqual(Object.keys((await selectServices(p, ["sidecar"])).model.services).sort(), ["api", "cache", "db", "sidecar"]);
    assert.deepEqual(Object.keys((await selectServices(p, ["db", "lonely"])).model.services).sort(), ["db", "lonely"]);
  });

  test("the printed model and --services list follow the selection; top-level resources stay", async () => {
    const p = await selectServices(await load(), ["api"]);
    const json = JSON.parse(await renderConfig(p, { kind: "model", format: "json" })) as { services: Record<string, unknown>; volumes: Record<string, unknown> };
    assert.deepEqual(Object.keys(json.services), ["api", "cache", "db"]);
    assert.deepEqual(Object.keys(json.volumes), ["data"]);
    assert.equal(await renderConfig(p, { kind: "services" }), "cache\ndb\napi\n");
  });
});
