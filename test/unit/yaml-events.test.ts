import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { IssueCollector } from "../../src/errors.js";
import { loadProjectSync } from "../../src/spec/load.js";
import { readComposeYamlEvents, readerCounts } from "../../src/spec/yaml-events.js";
import { LARGE_FILE, parseComposeYaml, readComposeYamlFull, type ParsedComposeYaml } from "../../src/spec/yaml.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** Everything a reader gives, in a comparable form (locations sorted by path). */
function shape(r: ParsedComposeYaml): string {
  const locations = r.locations.entries().map(([path, loc]) => [JSON.stringify(path), loc] as const);
  locations.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify([r.documents, r.warnings, r.tagged, locations], (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

const SAMPLES: Record<string, string> = {
  anchors: "a: &x {b: 1, c: [1, 2]}\nd: *x\ne:\n  <<: [*x, {f: 2}]\n  b: 9\nl:\n  - &i\n    k: v\n  - *i\n",
  scalars: "s:\n  - 'q''x'\n  - \"esc\\t\\u00e9\"\n  - |+\n    keep\n\n  - >-\n    fold\n    ed\n  - plain\n    multi\n",
  numbers: "n: [0x1F, 0o17, 1e3, .5, -.inf, .NaN, +12, 1_000, 08, 'x', ~, Null, TRUE, yes, '']\n",
  octal: "configs:\n  c:\n    mode: 0400\nother: 0755\n",
  tags: "k: !reset\nl: !override [1]\nm: !reset {}\nn: !override x\n",
  documents: "---\na: 1\n---\nb: 2\n...\n",
  crlf: "a:\r\n  b: 1\r\n  c: |\r\n    x\r\n",
  flow: "x: [a: 1, b]\ny: {a, b: }\n\"quoted key\": 1\n'single': 2\n",
  comments: "a: 1 # c\nb: 'x' # d\n# e\nc:   # f\n  - 1\n  - | # block\n    text\n",
  unicode: "é: ü\n😀: 1\n",
  proto: "__proto__: 1\nconstructor: 2\n",
  empty: "# nothing\n",
};

describe("the event reader", () => {
  test("reads every fixture and sample as the full reader does (values, warnings, tags, positions)", () => {
    const cases = [
      ...yamlFiles(join(root, "fixtures")).map((f) => [f, readFileSync(f, "utf8")] as const),
      ...Object.entries(SAMPLES),
    ];
    let read = 0;
    for (const [name, text] of cases) {
      const fast = readComposeYamlEvents(text, "compose.yaml");
      if (fast === undefined) continue;
      read++;
      const issues = new IssueCollector();
      const full = readComposeYamlFull(text, "compose.yaml", issues);
      assert.deepEqual(issues.issues, [], `${name}: the full reader finds a problem the event reader missed`);
      assert.equal(shape(fast), shape(full), name);
    }
    // every sample is well formed: the event reader must take them all, and the fixtures too
    assert.equal(read, cases.length);
  });

  test("leaves to the full reader what it does not read itself", () => {
    for (const text of [
      "a: 1\na: 2\n", // duplicate key
      "a: b: c\n", // syntax error
      "a: !!str 1\n", // another tag
      "a: !custom x\n",
      "%YAML 1.1\n---\na: yes\n", // a directive changes the schema
      "? [a]\n: 1\n", // a collection as a key
      "a: &a x\n*a : 1\n", // an alias as a key
      "a: *nowhere\n", // unknown alias
      "- 1\n", // not a mapping
      "a: &a [*a]\n", // an alias inside its own anchor
      "<<: 1\n", // merge of a scalar
    ]) {
      assert.equal(readComposeYamlEvents(text, "compose.yaml"), undefined, JSON.stringify(text));
    }
  });

  test("a generated many-service file is loaded without the full reader", () => {
    const lines = ["services:"];
    for (let i = 0; i < 2000; i++) lines.push(`  s${i}:\n    image: busybox\n    environment:\n      N: "${i}"\n    labels: [a=b]`);
    const before = readerCounts.full;
    const p = loadProjectSync({ cwd: "/", projectName: "many", env: {}, documents: [lines.join("\n") + "\n"] });
    assert.equal(Object.keys(p.model.services).length, 2000);
    assert.equal(readerCounts.full, before, "the full reader (ten times slower) read a well-formed file");
    assert.deepEqual(p.locations.get(["services", "s1999", "environment", "N"]), { file: "<inline-0>", line: 10000, col: 7 });
  });

  test("a syntax error or a duplicate key in a large file is placed without the full reader; in a small file the full reader reports it", () => {
    const body: string[] = ["services:"];
    for (let n = 0, length = 0; length < LARGE_FILE; n++) length += body[body.push(`  s${n}:\n    image: busybox\n    environment:\n      V: "${"x".repeat(200)}"`) - 1]!.length;
    const large = body.join("\n") + "\n";
    const lines = large.split("\n").length - 1;
    const cases = [
      { tail: "  bad:\n    image: x\n     oops: 1\n", line: lines + 3, message: /^YAML error: /, hint: /YAML syntax/ },
      { tail: "  s0:\n    image: again\n", line: lines + 1, message: /^YAML error: duplicate key "s0": mapping keys must be unique$/, hint: /remove or rename/ },
    ];
    for (const c of cases) {
      for (const size of ["large", "small"] as const) {
        const text = (size === "large" ? large : "services:\n  s0:\n    image: busybox\n") + c.tail;
        const issues = new IssueCollector();
        const full = readerCounts.full;
        parseComposeYaml(text, "compose.yaml", issues);
        assert.equal(readerCounts.full - full, size === "large" ? 0 : 1, `${size}: ${c.tail}`);
        const found = issues.issues.find((i) => c.message.test(i.message));
        assert.ok(found, `${size}: ${JSON.stringify(issues.issues)}`);
        assert.match(found.hint ?? "", c.hint);
        if (size === "large") {
          assert.equal(issues.size, 1);
          assert.equal(found.location?.line, c.line);
        }
      }
    }
  });
});
