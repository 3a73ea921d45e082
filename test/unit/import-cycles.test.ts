import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { findCycles, importGraph, importsOf, type ImportGraph } from "../support/import-graph.js";

const src = fileURLToPath(new URL("../../../src", import.meta.url));

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

describe("import graph", () => {
  test("reads static, type-only, re-export, side-effect and dynamic imports", () => {
    const refs = importsOf(
      [
        `import { a } from "./a.js";`,
        `import type { B } from "./b.js";`,
        `import {\n  c,\n  type C,\n} from "./c.js";`,
        `export { d } from "./d.js";`,
        `export * from "./e.js";`,
        `import "./f.js";`,
        `const g = await import("./g.js");`,
        `const { h } = await import(\n  "./h.js"\n);`,
      ].join("\n"),
    );
    assert.deepEqual(
      refs.map((r) => [r.specifier, r.typeOnly, r.dynamic]),
      [
        ["./a.js", false, false],
        ["./b.js", true, false],
        ["./c.js", false, false],
        ["./d.js", false, false],
        ["./e.js", false, false],
        ["./f.js", false, false],
        ["./g.js", false, true],
        ["./h.js", false, true],
      ],
    );
  });

  test("finds a cycle and names its path", () => {
    const cycles = findCycles(graphOf({ "a.ts": ["b.ts"], "b.ts": ["c.ts"], "c.ts": ["a.ts", "d.ts"], "d.ts": [] }));
    assert.deepEqual(cycles, [["a.ts", "b.ts", "c.ts", "a.ts"]]);
    assert.deepEqual(findCycles(graphOf({ "a.ts": ["a.ts"] })), [["a.ts", "a.ts"]]);
    assert.deepEqual(findCycles(graphOf({ "a.ts": ["b.ts"], "b.ts": [] })), []);
  });

  test("src/ has no import cycle (dynamic and type-only imports included)", () => {
    const graph = importGraph(src);
    assert.ok(graph.size > 50, `read ${graph.size} files under ${src}`);
    assert.ok(graph.get("cli/api.ts")?.size, "the graph has edges");
    const cycles = findCycles(graph);
    assert.deepEqual(cycles.map((c) => c.join(" → ")), []);
  });
});
