/**
 * The table of service attributes: it lists every key the schema knows, once; normalize, merge,
 * serialize and convert read it; and `use_api_socket`, the worked example of adding a row.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import { SERVICE_ATTRIBUTES, STAGES, type ConvertGroup, type ServiceAttribute } from "../../src/spec/attributes/index.js";
import { loadProjectSync } from "../../src/spec/load.js";
import { mergeService } from "../../src/spec/merge.js";
import { modelToJson, modelToYaml } from "../../src/spec/serialize.js";
import type { LoadedProject, ServiceConfig } from "../../src/spec/model.js";
import { containerSpec, GROUP_CONVERTERS, STAGE_PLAN, type ConvertContext } from "../../src/runtime/convert.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const rows = SERVICE_ATTRIBUTES as readonly ServiceAttribute[];

function load(yaml: string, env: Record<string, string> = {}): LoadedProject {
  return loadProjectSync({ cwd: "/srv/demo", env, documents: [yaml], projectName: "demo" });
}

function convert(svc: ServiceConfig, ctx: Partial<ConvertContext> = {}) {
  const project: LoadedProject = {
    model: { name: "demo", services: { web: svc }, networks: { default: { name: "demo_default" } }, volumes: {}, secrets: {}, configs: {} },
    workingDir: "/srv/demo",
    configFiles: ["/srv/demo/compose.yaml"],
    envFiles: [],
    environment: {},
    profiles: [],
    disabledServices: {},
    warnings: [],
  };
  return containerSpec(svc, "web", { project: "demo", service: "web", number: 1, name: "demo-web-1" }, { project, configHash: "h", ...ctx });
}

describe("the table", () => {
  test("lists every service key of the vendored Compose schema exactly once (plus the experimental x-develop)", () => {
    const schema = JSON.parse(readFileSync(path.join(repo, "schemas/compose-spec.json"), "utf8")) as { definitions: { service: { properties: Record<string, unknown> } } };
    const keys = rows.map((r) => r.key);
    assert.equal(new Set(keys).size, keys.length, "no key twice");
    assert.deepEqual([...keys].sort(), [...Object.keys(schema.definitions.service.properties), "x-develop"].sort());
  });

  test("every container rule is well formed: a stage the converter runs, a group it has, a non-empty reason", () => {
    const groups = new Set<ConvertGroup>();
    for (const r of rows) {
      const c = r.container;
      if ("elsewhere" in c) assert.ok(c.elsewhere.length > 10, `${r.key}: say why it is not a container setting`);
      else {
        assert.ok((STAGES as readonly string[]).includes(c.stage), `${r.key}: stage ${c.stage}`);
        if ("group" in c) groups.add(c.group);
        if ("unsupported" in c) assert.match(c.unsupported, /ignored|not supported/);
      }
    }
    // each group converter is reached through at least one row (else it would never run)
    assert.deepEqual([...groups].sort(), Object.keys(GROUP_CONVERTERS).sort());
    for (const stage of STAGES) assert.ok(STAGE_PLAN.get(stage), stage);
  });

  test("config prints a service's keys in the table's order (Compose's field order)", () => {
    const p = load(`services:\n  web:\n    user: "1"\n    tty: true\n    image: x\n    cap_add: [A]\n    pull_refresh_after: 1h\n    x-z: 1\n`);
    const json = JSON.parse(modelToJson(p.model)) as { services: { web: Record<string, unknown> } };
    // command/entrypoint print as null in JSON; pull_refresh_after (not in compose-go's struct) after the known keys; x-* last
    assert.deepEqual(Object.keys(json.services.web), ["cap_add", "command", "entrypoint", "image", "networks", "tty", "user", "pull_refresh_after", "x-z"]);
  });

  test("merge rules come from the table: command is replaced, cap_add appends without duplicates, environment merges by key", () => {
    const merged = mergeService({ command: ["a", "b"], cap_add: ["X"], environment: ["A=1", "B=2"] }, { command: ["c"], cap_add: ["X", "Y"], environment: { B: "3" } });
    assert.deepEqual(merged, { command: ["c"], cap_add: ["X", "Y"], environment: { A: "1", B: "3" } });
  });

  test("a row's container function writes the create body: stop_signal → StopSignal, only when set", () => {
    assert.equal(convert({ image: "x", stop_signal: "SIGINT" }).spec.StopSignal, "SIGINT");
    assert.equal("StopSignal" in convert({ image: "x" }).spec, false);
  });
});

describe("use_api_socket (the worked example: one row)", () => {
  test("normalizes as a plain boolean: true is kept, false is left out, a YAML 1.1 spelling warns", () => {
    assert.equal(load("services:\n  web:\n    image: x\n    use_api_socket: true\n").model.services["web"]!.use_api_socket, true);
    assert.equal("use_api_socket" in load("services:\n  web:\n    image: x\n    use_api_socket: false\n").model.services["web"]!, false);
    const p = load('services:\n  web:\n    image: x\n    use_api_socket: "${ON}"\n', { ON: "yes" });
    assert.equal(p.model.services["web"]!.use_api_socket, true);
    assert.ok(p.warnings.some((w) => w.includes("use_api_socket") && w.includes("YAML 1.1")));
  });

  test("config prints it between ulimits and user, as Compose does", () => {
    const p = load("services:\n  web:\n    image: x\n    user: app\n    use_api_socket: true\n    ulimits: {nproc: 5}\n");
    const yaml = modelToYaml(p.model);
    assert.match(yaml, /ulimits:\n(?:.*\n)*?\s+use_api_socket: true\n\s+user: app\n/);
  });

  test("a later file can turn it off", () => {
    assert.deepEqual(mergeService({ use_api_socket: true }, { use_api_socket: false }), { use_api_socket: false });
  });

  test("mounts the engine's socket after the service's own mounts, with no warning", () => {
    const out = convert({ image: "x", use_api_socket: true, volumes: [{ type: "volume", source: "data", target: "/data" }] });
    assert.deepEqual(out.warnings, []);
    const mounts = out.spec.HostConfig?.["Mounts"] as Record<string, unknown>[];
    assert.equal(mounts.length, 2);
    assert.deepEqual(mounts[1], { Type: "bind", Source: "/var/run/docker.sock", Target: "/var/run/docker.sock" });
    assert.deepEqual(out.filesToInject, [], "no credentials handed over: only the socket");
    assert.equal(convert({ image: "x" }).spec.HostConfig?.["Mounts"], undefined);
    assert.equal(convert({ image: "x", use_api_socket: false }).spec.HostConfig?.["Mounts"], undefined);
  });

  test("hands the caller's registry credentials to the container's Docker CLI through DOCKER_CONFIG", () => {
    const auths = { "registry.example:5000": { auth: "dXNlcjpwYXNz" } };
    const out = convert({ image: "x", use_api_socket: true, environment: { A: "1" } }, { registryCredentials: auths });
    assert.deepEqual(out.spec.Env, ["A=1", "DOCKER_CONFIG=/run/secrets/docker"]);
    assert.equal(out.filesToInject.length, 1);
    const file = out.filesToInject[0]!;
    assert.equal(file.containerPath, "/run/secrets/docker/config.json");
    assert.equal(file.mode, 0o600);
    assert.deepEqual(JSON.parse(file.content), { auths });
    // nothing leaks into the labels
    assert.ok(!JSON.stringify(out.spec.Labels).includes("dXNlcjpwYXNz"));
  });

  test("leaves a DOCKER_CONFIG the service sets alone, and writes no credentials then", () => {
    const out = convert({ image: "x", use_api_socket: true, environment: { DOCKER_CONFIG: "/cfg" } }, { registryCredentials: { r: { auth: "x" } } });
    assert.deepEqual(out.spec.Env, ["DOCKER_CONFIG=/cfg"]);
    assert.deepEqual(out.filesToInject, []);
  });
});
