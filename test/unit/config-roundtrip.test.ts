/**
 * Every fixture that loads: through the library and through the CLI (`config --format json`), the
 * JSON printed loads back to the same model (issue 14: round trip).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { loadProject } from "../../src/spec/load.js";
import { ConfigError } from "../../src/errors.js";
import { root, fx } from "../support/spec.js";

const env = { HOME: "/nonexistent-home" };

const fixtures = readdirSync(join(root, "fixtures")).filter((d) => statSync(fx(d)).isDirectory());

describe("config --format json round trip over fixtures/", () => {
  test("the fixture list is not empty", () => assert.ok(fixtures.length > 10));
  for (const name of fixtures) {
    test(name, async (t) => {
      let lib;
      try {
        lib = await loadProject({ cwd: fx(name), env });
      } catch (e) {
        if (e instanceof ConfigError) {
          t.diagnostic(`does not load (an invalid-input fixture): ${e.issues[0]?.message}`);
          return;
        }
        throw e;
      }
      const cli = spawnSync(process.execPath, [join(root, "bin/flotilla.js"), "config", "--format", "json"], {
        cwd: fx(name),
        encoding: "utf8",
        env: { ...env, PATH: process.env["PATH"] ?? "", FLOTILLA_NO_BUNDLE: "1" },
      });
      assert.equal(cli.status, 0, cli.stderr);
      const printed = JSON.parse(cli.stdout) as Record<string, unknown>;
      // The printed model is interpolated, with a literal $ written $$ (as Compose prints it): loaded
      // back with interpolation on, it gives the same model.
      const back = await loadProject({ cwd: fx(name), env, documents: [printed] });
      assert.deepEqual(back.model, lib.model);
    });
  }
});

describe("fixtures/spec-compose-go: a project that loads only as compose-go loads it", () => {
  test("each compose-go rule it exercises", async () => {
    const p = await loadProject({ cwd: fx("spec-compose-go"), env });
    const web = p.model.services["web"]!;
    assert.equal(web.container_name, "spec-compose-go-web");
    assert.deepEqual(web.environment, { LEVEL: "info", MODE: '{"json":1}' });
    assert.deepEqual(web.dns ?? [], []);
    assert.equal(web.labels?.["quote"], "Let's go!");
    assert.equal((web.deploy as { update_config?: { parallelism?: unknown } }).update_config?.parallelism, 2);
    assert.deepEqual(web.depends_on?.["db"], { condition: "service_started", required: false });
    assert.equal(web.secrets?.[0]?.mode, 0o400);
    assert.deepEqual(Object.keys(p.model.services).sort(), ["db", "web"]);
  });
});
