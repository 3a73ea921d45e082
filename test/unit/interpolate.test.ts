import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { envLookup, interpolateString, interpolateTree } from "../../src/spec/interpolate.js";
import { ConfigError, IssueCollector } from "../../src/errors.js";
import { Locations } from "../../src/spec/locations.js";
import { OverrideTag, ResetTag } from "../../src/spec/tags.js";
import { parseComposeYaml } from "../../src/spec/yaml.js";

const env = envLookup({ FOO: "first", BAR: "", NUM: "42" });
const s = (t: string) => interpolateString(t, env).value;

function throwsWith(t: string, re: RegExp) {
  assert.throws(
    () => interpolateString(t, env),
    (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_INTERPOLATION" && re.test(e.issues[0]!.message),
  );
}

describe("interpolateString: forms", () => {
  test("$VAR and ${VAR}", () => {
    assert.equal(s("a $FOO b"), "a first b");
    assert.equal(s("a ${FOO} b"), "a first b");
    assert.equal(s("$FOO-bar"), "first-bar");
    assert.equal(s("${NUM}${FOO}"), "42first");
  });

  test(":- and - defaults", () => {
    assert.equal(s("${MISSING:-def}"), "def");
    assert.equal(s("${MISSING-def}"), "def");
    assert.equal(s("${BAR:-def}"), "def");
    assert.equal(s("${BAR-def}"), "");
    assert.equal(s("${FOO:-def}"), "first");
    assert.equal(s("${BAR:-/non:-alphanumeric}"), "/non:-alphanumeric");
  });

  test(":+ and + replacements", () => {
    assert.equal(s("${FOO:+yes}"), "yes");
    assert.equal(s("${BAR:+yes}"), "");
    assert.equal(s("${BAR+yes}"), "yes");
    assert.equal(s("${MISSING+yes}"), "");
  });

  test(":? and ? required", () => {
    assert.equal(s("${FOO:?err}"), "first");
    assert.equal(s("${BAR?err}"), "");
    throwsWith("${BAR:?must be set}", /^required variable BAR is missing a value: must be set$/);
    throwsWith("${MISSING?oops}", /^required variable MISSING is missing a value: oops$/);
    throwsWith("${MISSING:?}", /^required variable MISSING is missing a value$/);
  });

  test("nesting inside defaults, replacements and messages", () => {
    assert.equal(s("${A:-${B:-c}}"), "c");
    assert.equal(s("${MISSING-${FOO} ${FOO}}"), "first first");
    assert.equal(s("${BAR+$FOO ${FOO:+second}}x"), "first secondx");
    assert.equal(s("+ok ${UNSET:-${BAR-defaultValue}}"), "+ok ");
    throwsWith("${MISSING:?need ${FOO}}", /missing a value: need first$/);
  });

  test("$$ is a literal $, a lone $ stays", () => {
    assert.equal(s("$${FOO}"), "${FOO}");
    assert.equal(s("cost: $$5"), "cost: $5");
    assert.equal(s("a $ string"), "a $ string");
    assert.equal(s("^REGEX$"), "^REGEX$");
    assert.equal(s("$}"), "$}");
    assert.equal(s("$1"), "$1");
  });

  test("invalid templates", () => {
    for (const t of ["${", "${}", "${ }", "${ foo}", "${foo }", "${foo!}", "${FOO:x}", "x ${FOO"]) {
      throwsWith(t, /^Invalid template: /);
    }
  });

  test("unset lists variables used without a default, once each", () => {
    const r = interpolateString("$X ${X} ${Y:-d} ${Z} ${FOO}", env);
    assert.deepEqual(r.unset, ["X", "Z"]);
    assert.equal(r.value, "  d  first");
  });
});

describe("envLookup", () => {
  test("first source that defines the name wins", () => {
    const l = envLookup({ A: "os", B: undefined }, { A: "dotenv", B: "dotenv", C: "" });
    assert.equal(l("A"), "os");
    assert.equal(l("B"), "dotenv");
    assert.equal(l("C"), "");
    assert.equal(l("D"), undefined);
    assert.equal(l("toString"), undefined);
  });
});

describe("interpolateTree", () => {
  function setup(yaml: string) {
    const issues = new IssueCollector();
    const parsed = parseComposeYaml(yaml, "compose.yaml", issues);
    assert.deepEqual(issues.issues, []);
    return { value: parsed.value, locations: parsed.locations };
  }

  test("values are interpolated, keys never; tags are kept", () => {
    const { value, locations } = setup(`services:
  $FOO:
    image: "img:\${FOO}"
    ports: ["\${NUM}:80", 8080]
    environment:
      \${FOO}: "$$FOO"
    command: !override "echo \${FOO}"
    labels: !reset
`);
    const issues = new IssueCollector();
    const warnings = new Set<string>();
    const out = interpolateTree(value, env, { locations, path: [], issues, warnings }) as Record<string, any>;
    assert.deepEqual(issues.issues, []);
    const svc = out.services.$FOO;
    assert.equal(svc.image, "img:first");
    assert.deepEqual(svc.ports, ["42:80", 8080]);
    assert.deepEqual(svc.environment, { "${FOO}": "$FOO" });
    assert.ok(svc.command instanceof OverrideTag);
    assert.equal(svc.command.value, "echo first");
    assert.ok(svc.labels instanceof ResetTag);
    // input untouched
    assert.equal((value as any).services.$FOO.image, "img:${FOO}");
  });

  test("all errors are collected with the location of the value", () => {
    const { value, locations } = setup(`services:
  web:
    image: \${IMAGE:?set IMAGE to the image to run}
    ports:
      - "\${BAD"
  db:
    image: ok
`);
    const issues = new IssueCollector();
    const out = interpolateTree(value, env, { locations, path: [], issues, warnings: new Set() }) as Record<string, any>;
    assert.equal(issues.size, 2);
    const [req, bad] = issues.issues;
    assert.equal(req!.code, "CONFIG_INTERPOLATION");
    assert.equal(req!.message, "required variable IMAGE is missing a value: set IMAGE to the image to run");
    assert.equal(req!.path, "services.web.image");
    assert.deepEqual(req!.location, { file: "compose.yaml", line: 3, col: 5 });
    assert.match(bad!.message, /^Invalid template/);
    assert.equal(bad!.path, "services.web.ports[0]");
    assert.equal(bad!.location!.line, 5);
    assert.equal(out.services.db.image, "ok");
  });

  test("unset-variable warnings are deduplicated", () => {
    const warnings = new Set<string>();
    interpolateTree({ a: "$NOPE", b: ["${NOPE}", "${OTHER}"] }, env, {
      locations: new Locations(),
      path: [],
      issues: new IssueCollector(),
      warnings,
    });
    assert.deepEqual([...warnings], [
      'The "NOPE" variable is not set. Defaulting to a blank string.',
      'The "OTHER" variable is not set. Defaulting to a blank string.',
    ]);
  });

  test("the starting path prefixes issue paths", () => {
    const issues = new IssueCollector();
    interpolateTree({ image: "${X?}" }, env, { locations: new Locations(), path: ["services", "api"], issues, warnings: new Set() });
    assert.equal(issues.issues[0]!.path, "services.api.image");
  });
});
