import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseComposeYaml } from "../../src/spec/yaml.js";
import { IssueCollector } from "../../src/errors.js";
import { OverrideTag, ResetTag } from "../../src/spec/tags.js";

function parse(text: string, file = "compose.yaml") {
  const issues = new IssueCollector();
  const r = parseComposeYaml(text, file, issues);
  return { ...r, issues: issues.issues };
}

describe("parseComposeYaml: values", () => {
  test("plain JS values with YAML 1.2 core semantics (yes/no stay strings)", () => {
    const r = parse(`services:
  web:
    image: nginx
    init: true
    scale: 2
    cpus: 0.5
    tty: yes
    user: null
    command: ["a", "b"]
`);
    assert.deepEqual(r.issues, []);
    assert.deepEqual(r.value, {
      services: { web: { image: "nginx", init: true, scale: 2, cpus: 0.5, tty: "yes", user: null, command: ["a", "b"] } },
    });
  });

  test("non-string keys are converted to strings", () => {
    const r = parse(`labels:\n  1: one\n  true: yes\n`);
    assert.deepEqual(r.value, { labels: { "1": "one", true: "yes" } });
  });

  test("empty file gives null and no issue", () => {
    const r = parse("");
    assert.equal(r.value, null);
    assert.deepEqual(r.documents, []);
    assert.deepEqual(r.issues, []);
    const c = parse("# only a comment\n");
    assert.equal(c.value, null);
    assert.deepEqual(c.issues, []);
  });

  test("top level that is not a mapping is an issue", () => {
    const r = parse(`- a\n- b\n`, "list.yaml");
    assert.equal(r.value, null);
    assert.equal(r.issues.length, 1);
    assert.equal(r.issues[0]!.code, "CONFIG_YAML");
    assert.match(r.issues[0]!.message, /top-level element must be a mapping/);
    assert.deepEqual(r.issues[0]!.location, { file: "list.yaml", line: 1, col: 1 });
  });

  test("multi-document file: documents in order, value is the first", () => {
    const r = parse(`services:\n  a: {image: x}\n---\nservices:\n  b: {image: y}\n`);
    assert.deepEqual(r.issues, []);
    assert.equal(r.documents.length, 2);
    assert.deepEqual(r.value, { services: { a: { image: "x" } } });
    assert.deepEqual(r.documents[1], { services: { b: { image: "y" } } });
    assert.deepEqual(r.locations.get(["services", "b", "image"]), { file: "compose.yaml", line: 5, col: 7 });
  });
});

describe("parseComposeYaml: anchors, aliases and merge keys", () => {
  test("<< merges shallowly; explicit keys win wherever they appear", () => {
    const r = parse(`x-base: &base
  image: base
  environment:
    A: "1"
  restart: always
x-more: &more
  restart: "no"
  user: root
services:
  web:
    image: web
    <<: [*base, *more]
    environment:
      B: "2"
`);
    assert.deepEqual(r.issues, []);
    const web = (r.value!.services as Record<string, unknown>).web;
    // explicit image before << wins, explicit environment after << replaces (shallow), earlier source wins for restart
    assert.deepEqual(web, { image: "web", environment: { B: "2" }, restart: "always", user: "root" });
  });

  test("aliases are copies, not shared objects", () => {
    const r = parse(`a: &x {k: [1]}\nb: *x\n`);
    const v = r.value as { a: { k: number[] }; b: { k: number[] } };
    assert.deepEqual(v.b, { k: [1] });
    assert.notEqual(v.a, v.b);
    assert.notEqual(v.a.k, v.b.k);
  });

  test("an unknown alias is an issue with its position", () => {
    const r = parse(`services:\n  web:\n    image: *nope\n`);
    assert.equal(r.issues.length, 1);
    assert.match(r.issues[0]!.message, /unknown alias \*nope/);
    assert.equal(r.issues[0]!.location!.line, 3);
  });

  test("billion laughs is refused with a CONFIG_YAML issue", () => {
    let doc = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n`;
    const names = "abcdefghi";
    for (let i = 1; i < names.length; i++) {
      const p = names[i - 1];
      doc += `${names[i]}: &${names[i]} [${Array(9).fill(`*${p}`).join(",")}]\n`;
    }
    const r = parse(doc, "bomb.yaml");
    assert.equal(r.value, null);
    assert.equal(r.issues.length, 1);
    assert.equal(r.issues[0]!.code, "CONFIG_YAML");
    assert.match(r.issues[0]!.message, /excessive aliasing/);
    assert.equal(r.issues[0]!.location!.file, "bomb.yaml");
  });

  test("one anchor merged into 300 services is not mistaken for a bomb", () => {
    let doc = "x-d: &d\n  image: busybox\n  init: true\nservices:\n";
    for (let i = 0; i < 300; i++) doc += `  s${i}:\n    <<: *d\n    command: ["echo", "${i}"]\n`;
    const r = parse(doc);
    assert.deepEqual(r.issues, []);
    const services = r.value!.services as Record<string, { image: string }>;
    assert.equal(Object.keys(services).length, 300);
    assert.equal(services.s299!.image, "busybox");
  });
});

describe("parseComposeYaml: errors", () => {
  test("duplicate keys are issues with the line of the second key", () => {
    const r = parse(`services:
  web:
    image: a
    ports: ["80"]
    image: b
  web:
    image: c
`, "dup.yaml");
    const dups = r.issues.filter((i) => /duplicate key/.test(i.message));
    assert.equal(dups.length, 2);
    assert.match(dups[0]!.message, /"image"/);
    assert.deepEqual(dups[0]!.location, { file: "dup.yaml", line: 5, col: 5 });
    assert.match(dups[1]!.message, /"web"/);
    assert.deepEqual(dups[1]!.location, { file: "dup.yaml", line: 6, col: 3 });
  });

  test("syntax errors carry file:line:col", () => {
    const r = parse(`services:\n  web:\n    image: "unterminated\n`, "bad.yaml");
    assert.ok(r.issues.length >= 1);
    for (const i of r.issues) {
      assert.equal(i.code, "CONFIG_YAML");
      assert.equal(i.location!.file, "bad.yaml");
      assert.ok(i.location!.line >= 1 && i.location!.col >= 1);
    }
  });

  test("bad indentation is reported on its line", () => {
    const r = parse(`services:\n  web:\n    image: a\n   ports: []\n`, "indent.yaml");
    assert.ok(r.issues.length >= 1);
    assert.equal(r.issues[0]!.location!.line, 4);
  });
});

describe("parseComposeYaml: tags", () => {
  test("!reset and !override on scalars, maps and sequences", () => {
    const r = parse(`services:
  web:
    image: !override nginx
    ports: !reset []
    environment: !override
      A: "1"
    command: !reset
    labels: !override [a=b]
`);
    assert.deepEqual(r.issues, []);
    const web = (r.value!.services as Record<string, Record<string, unknown>>).web!;
    assert.ok(web.image instanceof OverrideTag);
    assert.equal((web.image).value, "nginx");
    assert.ok(web.ports instanceof ResetTag);
    assert.ok(web.environment instanceof OverrideTag);
    assert.deepEqual((web.environment).value, { A: "1" });
    assert.ok(web.command instanceof ResetTag);
    assert.deepEqual((web.labels as OverrideTag).value, ["a=b"]);
  });

  test("unknown custom tags are issues", () => {
    const r = parse(`services:\n  web:\n    image: !bogus nginx\n`, "t.yaml");
    assert.equal(r.issues.length, 1);
    assert.match(r.issues[0]!.message, /unknown YAML tag !bogus/);
    assert.deepEqual(r.issues[0]!.location, { file: "t.yaml", line: 3, col: 12 });
  });
});

describe("parseComposeYaml: locations", () => {
  test("every key and sequence item has a 1-based position", () => {
    const r = parse(`name: demo
services:
  web:
    image: nginx
    ports:
      - "8080:80"
      - target: 443
`);
    const at = (p: (string | number)[]) => {
      const l = r.locations.get(p);
      return l ? [l.line, l.col] : undefined;
    };
    assert.deepEqual(at(["name"]), [1, 1]);
    assert.deepEqual(at(["services", "web"]), [3, 3]);
    assert.deepEqual(at(["services", "web", "image"]), [4, 5]);
    assert.deepEqual(at(["services", "web", "ports", 0]), [6, 9]);
    assert.deepEqual(at(["services", "web", "ports", 1]), [7, 9]);
    assert.deepEqual(at(["services", "web", "ports", 1, "target"]), [7, 9]);
    assert.equal(r.locations.get(["services", "web", "ports", 2]), undefined);
  });

  test("values merged through << are located at the anchor", () => {
    const r = parse(`x-d: &d\n  restart: always\nservices:\n  a:\n    <<: *d\n`);
    assert.deepEqual(r.locations.get(["services", "a", "restart"]), { file: "compose.yaml", line: 2, col: 3 });
  });
});

describe("parseComposeYaml: large files", () => {
  // Speed is measured by bench/config.mjs, not asserted here.
  test("a 200-service file parses completely with every service located", () => {
    let doc = "services:\n";
    for (let i = 0; i < 200; i++) {
      doc += `  svc${i}:\n    image: busybox\n    init: true\n    command: ["sleep", "3600"]\n    environment:\n      INDEX: "${i}"\n    labels:\n      bench.index: "${i}"\n`;
      if (i > 0) doc += `    depends_on:\n      - svc${i - 1}\n`;
    }
    const r = parse(doc);
    // svc0 takes lines 2-9 (no depends_on); every later service takes 10 lines, so svc199 starts at line 1990.
    assert.equal(r.issues.length, 0);
    assert.equal(Object.keys(r.value!.services as object).length, 200);
    assert.deepEqual(r.locations.get(["services", "svc199", "image"]), { file: "compose.yaml", line: 199 * 10 + 1, col: 5 });
  });
});

describe("parseComposeYaml: leading-zero integers are octal, as Compose reads them", () => {
  test("mode: 0400 is 256 (r--------), not decimal 400; 0o400 too; 400 and \"0400\" stay as written", () => {
    const r = parse(`secrets:
  - source: a
    mode: 0400
  - source: b
    mode: 0o440
  - source: c
    mode: 400
  - source: d
    mode: "0400"
  - source: e
    mode: 0
  - source: f
    mode: 0777
`);
    assert.deepEqual(r.issues, []);
    const modes = (r.value!.secrets as { mode: unknown }[]).map((s) => s.mode);
    assert.deepEqual(modes, [0o400, 0o440, 400, "0400", 0, 0o777]);
    assert.deepEqual(r.warnings, [], "a mode written in octal is what the author meant: no warning");
  });

  test("digits 8 and 9 are not octal: 08 and 0.5 stay decimal; -0400 keeps its sign", () => {
    const r = parse(`a: 08\nb: 0.5\nc: -0400\nd: +010\n`);
    assert.deepEqual(r.value, { a: 8, b: 0.5, c: -0o400, d: 0o10 });
  });

  test("outside a mode, a leading-zero number is read as octal too (as Compose does) with a warning at its position", () => {
    const r = parse(`services:\n  web:\n    environment:\n      PIN: 0123\n      CODE: "0123"\n`);
    const env = ((r.value!.services as Record<string, Record<string, unknown>>).web!.environment as Record<string, unknown>);
    assert.deepEqual(env, { PIN: 0o123, CODE: "0123" });
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /^compose\.yaml:4:12: services\.web\.environment\.PIN: 0123 is read as octal, i\.e\. 83 .*quote it \("0123"\)/);
  });

  test("an anchored value is warned about once, where it is written", () => {
    const r = parse(`x-pin: &pin 0123\na: *pin\nb: *pin\n`);
    assert.deepEqual(r.value, { "x-pin": 83, a: 83, b: 83 });
    assert.equal(r.warnings.length, 1);
  });
});
