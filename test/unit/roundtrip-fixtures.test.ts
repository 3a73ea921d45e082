/**
 * Every fixture project that loads: its `config --format json` (and YAML) output, loaded back as a
 * compose file, prints the same again — the printed shapes are ones the loader reads back. (The
 * output holds values already interpolated, with a literal `$` written `$$`, so it is read back with
 * interpolation on, as Compose reads its own `config` output.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { loadProject } from "../../src/spec/load.js";
import { modelToJson, modelToYaml } from "../../src/spec/serialize.js";
import { fx } from "../support/spec.js";

const COMPOSE = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

test("config output of every loadable fixture loads back and prints the same (JSON and YAML)", async () => {
  const dirs = readdirSync(fx()).filter((d) => statSync(fx(d)).isDirectory() && COMPOSE.some((f) => statSync(join(fx(d), f), { throwIfNoEntry: false })?.isFile()));
  let checked = 0;
  for (const d of dirs) {
    const dir = fx(d);
    let json: string;
    let yaml: string;
    try {
      const p = await loadProject({ cwd: dir, env: {} });
      json = modelToJson(p.model);
      yaml = modelToYaml(p.model);
    } catch {
      continue; // fixtures of invalid projects
    }
    const again = await loadProject({ cwd: dir, env: {}, projectDirectory: dir, documents: [JSON.parse(json) as Record<string, unknown>] });
    assert.equal(modelToJson(again.model), json, `${d}: JSON`);
    const againYaml = await loadProject({ cwd: dir, env: {}, projectDirectory: dir, documents: [parse(yaml) as Record<string, unknown>] });
    assert.equal(modelToYaml(againYaml.model), yaml, `${d}: YAML`);
    checked++;
  }
  assert.ok(checked >= 20, `only ${checked} fixtures loaded`);
});
