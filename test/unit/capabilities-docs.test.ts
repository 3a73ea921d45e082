import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { modelKeyPaths, swarmColumn } from "../../src/cluster/capabilities/index.js";
import { columnMarkdown } from "../../src/cluster/capabilities/markdown.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const START = "<!-- capabilities:swarm:start -->";
const END = "<!-- capabilities:swarm:end -->";

test("docs/swarm.md shows the Swarm column as it is (FLOTILLA_UPDATE_DOCS=1 rewrites it)", () => {
  const schema = JSON.parse(readFileSync(join(root, "schemas", "compose-spec.json"), "utf8")) as Parameters<typeof modelKeyPaths>[0];
  const table = columnMarkdown(swarmColumn, modelKeyPaths(schema)).join("\n");
  const path = join(root, "docs", "swarm.md");
  const doc = readFileSync(path, "utf8");
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  assert.ok(a >= 0 && b > a, "docs/swarm.md lacks the capabilities markers");
  const current = doc.slice(a + START.length, b).trim();
  if (current !== table && process.env["FLOTILLA_UPDATE_DOCS"] === "1") {
    writeFileSync(path, `${doc.slice(0, a + START.length)}\n${table}\n${doc.slice(b)}`);
    return;
  }
  assert.equal(current, table, "docs/swarm.md is out of date: run FLOTILLA_UPDATE_DOCS=1 node --test dist/test/unit/capabilities-docs.test.js");
});
