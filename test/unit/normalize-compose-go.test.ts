/**
 * Normalization Compose does that Flotilla lacked (compose-go loader/normalize.go, paths/,
 * types.WithServicesLabelsResolved): label_file, pre_start images, ssh paths, build args,
 * depends_on extensions. Each rule with several inputs.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { IssueCollector, type ConfigIssue as Issue } from "../../src/errors.js";
import { Locations } from "../../src/spec/locations.js";
import { normalizeModel } from "../../src/spec/normalize.js";
import { modelToJson, modelToYaml } from "../../src/spec/serialize.js";
import type { ComposeModel, ServiceConfig } from "../../src/spec/model.js";

const FILES: Record<string, string> = {
  "/work/proj/example1.label": "# passed through\nFOO=foo_from_label_file\nLABEL.WITH.DOT=ok\n\n# overridden in example2.label\nBAR=bar_from_label_file\n\nBAZ=baz_from_label_file\n",
  "/work/proj/example2.label": "BAR=bar_from_label_file_2\nQUX=quz_from_${FOO}\n",
  "/work/proj/sub/uses-env.label": "SHELL_VAR=${FROM_SHELL:-unset}\n",
};

function load(raw: Record<string, unknown>, environment: Record<string, string> = {}): { model: ComposeModel; issues: Issue[] } {
  const issues = new IssueCollector();
  const model = normalizeModel(raw, {
    projectName: "t",
    workingDir: "/work/proj",
    environment,
    locations: new Locations(),
    issues,
    readFile: (p) => {
      const text = FILES[p];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });
      return text;
    },
    homeDir: "/home/me",
  });
  return { model, issues: issues.issues };
}
const svc = (s: Record<string, unknown>, env: Record<string, string> = {}): ServiceConfig => {
  const r = load({ services: { s } }, env);
  assert.deepEqual(r.issues, []);
  return r.model.services["s"]!;
};

describe("label_file", () => {
  test("a file's labels are the service's labels; its path is absolute", () => {
    const s = svc({ image: "x", label_file: "./example1.label" });
    assert.deepEqual(s.labels, { BAR: "bar_from_label_file", BAZ: "baz_from_label_file", FOO: "foo_from_label_file", "LABEL.WITH.DOT": "ok" });
    assert.deepEqual(s.label_file, ["/work/proj/example1.label"]);
  });

  test("a later file overrides an earlier one, and sees its labels in ${VAR}; labels: wins over both", () => {
    const s = svc({ image: "x", label_file: ["./example1.label", "./example2.label"], labels: { BAZ: "from_labels", OWN: "1" } });
    assert.deepEqual(s.labels, {
      BAR: "bar_from_label_file_2", BAZ: "from_labels", FOO: "foo_from_label_file", "LABEL.WITH.DOT": "ok", OWN: "1", QUX: "quz_from_foo_from_label_file",
    });
  });

  test("${VAR} in a label file does not read the shell environment (only earlier labels)", () => {
    assert.deepEqual(svc({ image: "x", label_file: ["./sub/uses-env.label"] }, { FROM_SHELL: "shell" }).labels, { SHELL_VAR: "unset" });
  });

  test("a missing label file is an issue at its entry", () => {
    const r = load({ services: { s: { image: "x", label_file: ["./example1.label", "./nope.label"] } } });
    assert.deepEqual(r.issues.map((i) => [i.path, i.message]), [["services.s.label_file[1]", "label file /work/proj/nope.label does not exist"]]);
  });

  test("config output loads back to the same labels (the file is read again, labels still win)", () => {
    const { model } = load({ services: { s: { image: "x", label_file: ["./example1.label"], labels: { FOO: "mine" } } } });
    const again = load(JSON.parse(modelToJson(model)) as Record<string, unknown>).model;
    assert.deepEqual(again, model);
    assert.deepEqual(load(parse(modelToYaml(model)) as Record<string, unknown>).model, model);
  });
});

describe("pre_start", () => {
  test("a step without image runs the service's image; a step's own image is kept", () => {
    const s = svc({ image: "app:1", pre_start: [{ command: "migrate" }, { command: ["seed"], image: "tools" }] });
    assert.deepEqual(s["pre_start"], [{ command: ["migrate"], image: "app:1" }, { command: ["seed"], image: "tools" }]);
  });

  test("a service without an image (built) leaves the step's image unset; other hooks get none", () => {
    const s = svc({ build: ".", pre_start: [{ command: "migrate" }], post_start: [{ command: "hi" }] });
    assert.deepEqual(s["pre_start"], [{ command: ["migrate"] }]);
    assert.deepEqual(svc({ image: "a", post_start: [{ command: "hi" }] })["post_start"], [{ command: ["hi"] }]);
  });
});

describe("build", () => {
  test("ssh key paths become absolute (relative to the project, ~ to the home directory); default stays bare", () => {
    assert.deepEqual(svc({ build: { context: ".", ssh: ["default", "key=./id_rsa", "other=/abs/key", "home=~/.ssh/id"] } }).build?.ssh, [
      "default", "key=/work/proj/id_rsa", "other=/abs/key", "home=/home/me/.ssh/id",
    ]);
    assert.deepEqual(svc({ build: { context: ".", ssh: { default: null, key: "keys/a" } } }).build?.ssh, ["default", "key=/work/proj/keys/a"]);
  });

  test("an ARG without a value takes the environment's; one the environment does not set is dropped", () => {
    const env = { SET: "from-env", EMPTY: "" };
    assert.deepEqual(svc({ build: { context: ".", args: ["SET", "UNSET", "EXPLICIT=1", "BLANK=", "EMPTY"] } }, env).build?.args, {
      SET: "from-env", EXPLICIT: "1", BLANK: "", EMPTY: "",
    });
    assert.deepEqual(svc({ build: { context: ".", args: { SET: null, UNSET: null, N: 2 } } }, env).build?.args, { SET: "from-env", N: "2" });
  });
});

describe("depends_on", () => {
  test("x-* keys of an entry are kept, and printed after the entry's fields", () => {
    const { model } = load({
      services: { a: { image: "x", depends_on: { b: { condition: "service_healthy", "x-why": "db first", "x-n": { k: 1 } } } }, b: { image: "y" } },
    });
    assert.deepEqual(model.services["a"]!.depends_on, { b: { condition: "service_healthy", required: true, "x-why": "db first", "x-n": { k: 1 } } });
    const printed = (JSON.parse(modelToJson(model))).services.a.depends_on.b;
    assert.deepEqual(Object.keys(printed), ["condition", "required", "x-n", "x-why"]);
    assert.deepEqual(load(JSON.parse(modelToJson(model)) as Record<string, unknown>).model, model);
  });
});
