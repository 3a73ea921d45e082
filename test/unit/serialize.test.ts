import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { IssueCollector } from "../../src/errors.js";
import { Locations } from "../../src/spec/locations.js";
import { normalizeModel } from "../../src/spec/normalize.js";
import { modelToJson, modelToYaml } from "../../src/spec/serialize.js";
import type { ComposeModel } from "../../src/spec/model.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, "../../../fixtures/normalize-roundtrip");

function normalize(raw: Record<string, unknown>): ComposeModel {
  const issues = new IssueCollector();
  const model = normalizeModel(raw, {
    projectName: "roundtrip",
    workingDir: fixture,
    environment: { FROM_SHELL: "shell value" },
    locations: new Locations(),
    issues,
    readFile: (p) => readFileSync(p, "utf8"),
  });
  assert.deepEqual(issues.issues, []);
  return model;
}

const model = (): ComposeModel => normalize(parse(readFileSync(path.join(fixture, "compose.yaml"), "utf8")) as Record<string, unknown>);

describe("serialize", () => {
  test("top-level order: name, services (sorted), networks, volumes, secrets, then x-*; empty sections omitted", () => {
    const m = model();
    const out = JSON.parse(modelToJson(m)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ["name", "services", "networks", "volumes", "secrets", "x-top"]);
    assert.deepEqual(Object.keys(out["services"] as object), ["db", "web"]);
    assert.deepEqual(Object.keys(out["networks"] as object), ["back", "default"]);
    const y = modelToYaml(m);
    assert.deepEqual(
      y.split("\n").filter((l) => /^\S/.test(l)).map((l) => l.split(":")[0]),
      ["name", "services", "networks", "volumes", "secrets", "x-top"],
    );
    assert.doesNotMatch(y, /^configs:/m);
  });

  test("pre_start steps are printed, normalized (command list, environment map, per_replica bool), before post_start", () => {
    const m = normalize({
      services: {
        app: {
          image: "busybox",
          pre_start: [{ command: "sh -c 'echo hi'", environment: ["A=1"], per_replica: "true", image: "other" }],
          post_start: [{ command: ["echo", "up"] }],
        },
      },
    });
    const app = (JSON.parse(modelToJson(m)) as { services: Record<string, Record<string, unknown>> }).services["app"]!;
    assert.deepEqual(app["pre_start"], [{ command: ["sh", "-c", "echo hi"], image: "other", environment: { A: "1" }, per_replica: true }]);
    const keys = Object.keys(app);
    assert.ok(keys.indexOf("pre_start") < keys.indexOf("post_start"), keys.join(","));
  });

  test("byte sizes print as byte counts and durations as Go prints them, as docker compose config does", () => {
    const m = normalize({
      services: {
        app: {
          image: "busybox",
          shm_size: "1gb",
          mem_limit: "512m",
          memswap_limit: -1,
          stop_grace_period: "90s",
          healthcheck: { test: ["CMD", "true"], interval: "1m30s", timeout: "500ms", start_period: "1h" },
          build: { context: ".", shm_size: "2g" },
          deploy: { resources: { limits: { memory: "1.5g" } }, restart_policy: { delay: "5s", window: "120s" } },
          volumes: [{ type: "tmpfs", target: "/t", tmpfs: { size: "64m" } }],
        },
      },
    });
    const app = (JSON.parse(modelToJson(m)) as { services: Record<string, Record<string, unknown>> }).services["app"]!;
    assert.equal(app["shm_size"], "1073741824");
    assert.equal(app["mem_limit"], "536870912");
    assert.equal(app["memswap_limit"], "-1");
    assert.equal(app["stop_grace_period"], "1m30s");
    assert.deepEqual(app["healthcheck"], { test: ["CMD", "true"], timeout: "500ms", interval: "1m30s", start_period: "1h0m0s" });
    assert.equal((app["build"] as Record<string, unknown>)["shm_size"], "2147483648");
    const deploy = app["deploy"] as { resources: { limits: { memory: string } }; restart_policy: Record<string, string> };
    assert.equal(deploy.resources.limits.memory, "1610612736");
    assert.deepEqual(deploy.restart_policy, { delay: "5s", window: "2m0s" });
    assert.equal((app["volumes"] as { tmpfs: { size: string } }[])[0]!.tmpfs.size, "67108864");
  });

  test("service keys follow Compose's struct order; maps are sorted; extensions last", () => {
    const out = JSON.parse(modelToJson(model())) as { services: Record<string, Record<string, unknown>> };
    const web = out.services["web"]!;
    assert.deepEqual(Object.keys(web), [
      "command", "depends_on", "entrypoint", "environment", "extra_hosts", "healthcheck", "image", "init", "labels",
      "networks", "ports", "secrets", "ulimits", "volumes", "x-note",
    ]);
    assert.deepEqual(Object.keys(web["environment"] as object), ["ANSWER", "ENABLED", "FROM_SHELL", "GREETING"]);
    assert.equal(web["entrypoint"], null, "JSON prints command/entrypoint even when unset, as Compose does");
    assert.deepEqual(Object.keys((web["ports"] as object[])[0]!), ["mode", "host_ip", "target", "published", "protocol"]);
    assert.deepEqual(Object.keys((web["volumes"] as object[])[0]!), ["type", "source", "target", "read_only", "bind"]);
    assert.deepEqual(Object.keys((web["healthcheck"] as object)), ["test", "interval", "retries"]);
  });

  test("YAML quotes strings that look like numbers or booleans", () => {
    const y = modelToYaml(model());
    assert.match(y, /published: "8080"/);
    assert.match(y, /ANSWER: "42"/);
    assert.match(y, /ENABLED: "true"/);
    assert.match(y, /com\.example\.flag: "yes"/);
    assert.match(y, /default: null/);
  });

  test("round trip: normalize(parse(output)) gives the same model, for YAML and JSON", () => {
    const m = model();
    const fromYaml = normalize(parse(modelToYaml(m)) as Record<string, unknown>);
    assert.deepEqual(fromYaml, m);
    assert.equal(modelToYaml(fromYaml), modelToYaml(m));
    const fromJson = normalize(JSON.parse(modelToJson(m)) as Record<string, unknown>);
    assert.deepEqual(fromJson, m);
    assert.equal(modelToJson(fromJson), modelToJson(m));
  });
});

describe("serialize: file modes", () => {
  test("secret and config modes print as Compose prints them (an octal string, \"0400\") and load back to the same number", () => {
    const raw = {
      services: {
        app: {
          image: "x",
          secrets: [{ source: "s", mode: 0o400 }],
          configs: [{ source: "c", target: "/c", mode: 0o644 }],
        },
      },
      secrets: { s: { environment: "S" } },
      configs: { c: { content: "x" } },
    };
    const m = normalize(raw);
    const json = JSON.parse(modelToJson(m)) as { services: { app: { secrets: { mode: unknown }[]; configs: { mode: unknown }[] } } };
    assert.equal(json.services.app.secrets[0]!.mode, "0400");
    assert.equal(json.services.app.configs[0]!.mode, "0644");
    assert.match(modelToYaml(m), /mode: "0400"/);
    assert.deepEqual(normalize(JSON.parse(modelToJson(m)) as Record<string, unknown>), m);
    assert.deepEqual(normalize(parse(modelToYaml(m)) as Record<string, unknown>), m);
  });
});
