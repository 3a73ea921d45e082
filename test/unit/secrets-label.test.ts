import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CONFIG_LABEL, CONFIG_LABEL_MAX, changedKeys, configLabelValue, keyHash, parseConfigLabel, storedMountsConfig } from "../../src/runtime/config-label.js";
import { configReason, planUp, renderPlan } from "../../src/runtime/plan.js";
import { applyUp } from "../../src/runtime/apply.js";
import { observeProject } from "../../src/runtime/observe.js";
import { FakeEngine } from "../support/fake-engine.js";
import { serviceConfigHash } from "../../src/spec/hash.js";
import type { FlotillaEvent } from "../../src/events.js";
import type { ServiceConfig } from "../../src/spec/model.js";
import { loadedProject } from "../support/loaded-project.js";

const IMAGE = "flotilla-busybox:latest";
/** Distinctive values planted in every attribute that can carry one. */
const PLANTED = ["Sup3rS3cretEnv", "CmdPassw0rdX", "EntryT0kenY", "HealthPwZ9", "LabelValQ7", "HookSecretW4", "ExtraHostV5", "Sysctl77K", "BuildArgU8"];

const rich: ServiceConfig = {
  image: IMAGE,
  environment: { DB_PASSWORD: "Sup3rS3cretEnv", GREETING: "hello" },
  command: ["sh", "-c", "run --password CmdPassw0rdX"],
  entrypoint: ["/bin/sh", "-c", "EntryT0kenY"],
  healthcheck: { test: ["CMD-SHELL", "check -p HealthPwZ9"] },
  labels: { "com.example.token": "LabelValQ7" },
  pre_stop: [{ command: ["sh", "-c", "echo HookSecretW4"], environment: { K: "HookSecretW4" } }],
  extra_hosts: ["ExtraHostV5:10.0.0.1"],
  sysctls: { "net.core.somaxconn": "Sysctl77K" },
  build: { context: "/tmp/ctx", args: { TOKEN: "BuildArgU8" } },
  volumes: [{ type: "volume", target: "/data" }],
  tmpfs: ["/scratch:size=1m"],
  networks: { default: null },
};

const project = loadedProject;

function assertNoPlanted(text: string, what: string, except: readonly string[] = []): void {
  for (const v of PLANTED.filter((x) => !except.includes(x))) assert.ok(!text.includes(v), `${what} contains the planted value ${v}: ${text.slice(0, 400)}`);
}

describe("io.flotilla.config label: keys, never values", () => {
  test("holds no value of the service (environment, command, entrypoint, healthcheck, labels, hooks, hosts, sysctls, build args)", () => {
    const raw = configLabelValue(rich);
    assertNoPlanted(raw, "the label");
    assert.ok(!raw.includes("hello"), "not even a harmless-looking value");
    const parsed = parseConfigLabel(raw);
    assert.equal(parsed?.format, "keyed");
    if (parsed?.format !== "keyed") return;
    assert.match(parsed.salt, /^[0-9a-f]{32}$/);
    assert.deepEqual(parsed.mounts, ["/data", "/scratch"]);
    // the keys are named (so reasons can name them), build is not part of the container's config
    assert.ok(parsed.keys && "environment.DB_PASSWORD" in parsed.keys && "healthcheck.test" in parsed.keys && "command" in parsed.keys);
    assert.ok(!Object.keys(parsed.keys).some((k) => k.startsWith("build")), "build (and its args) is not in the label at all");
    for (const h of Object.values(parsed.keys)) assert.match(h, /^[0-9a-f]{8}$/);
  });

  test("a salt per container: the same value hashes differently in two containers, and differently from an unsalted hash", () => {
    const a = parseConfigLabel(configLabelValue(rich));
    const b = parseConfigLabel(configLabelValue(rich));
    assert.ok(a?.format === "keyed" && b?.format === "keyed");
    if (a?.format !== "keyed" || b?.format !== "keyed") return;
    assert.notEqual(a.salt, b.salt);
    assert.notEqual(a.keys!["environment.DB_PASSWORD"], b.keys!["environment.DB_PASSWORD"]);
    // deterministic for one salt (that is what makes comparison possible)
    assert.equal(keyHash(a.salt, "environment.DB_PASSWORD", JSON.stringify("Sup3rS3cretEnv")), a.keys!["environment.DB_PASSWORD"]);
    assert.notEqual(keyHash("", "environment.DB_PASSWORD", JSON.stringify("Sup3rS3cretEnv")), a.keys!["environment.DB_PASSWORD"]);
  });

  test("changed keys: a changed, an added and a removed variable are named; nothing else", () => {
    const stored = parseConfigLabel(configLabelValue(rich))!;
    assert.deepEqual(changedKeys(stored, rich), []);
    const next = { ...rich, environment: { DB_PASSWORD: "another-secret", NEW: "x" } };
    assert.deepEqual(changedKeys(stored, next), ["environment.GREETING", "environment.DB_PASSWORD", "environment.NEW"].sort());
    assert.deepEqual(changedKeys(stored, { ...rich, healthcheck: { test: ["CMD", "true"] } }), ["healthcheck.test"]);
    // build args do not recreate the container (the image does), so they are not a key
    assert.deepEqual(changedKeys(stored, { ...rich, build: { context: "/tmp/ctx", args: { TOKEN: "other" } } }), []);
  });

  test("the plan's reason names the key, not the value; --dry-run lines and events carry no value", async () => {
    const { build: _build, ...noBuild } = rich;
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const events: FlotillaEvent[] = [];
    const p1 = project("sl", { api: noBuild });
    await applyUp(p1, planUp(p1, await observeProject(engine, "sl", { model: p1.model })), engine, { onEvent: (e) => events.push(e) });
    const created = engine.callsOf("createContainer").map((c) => JSON.stringify((c.args[0] as { Labels: unknown }).Labels)).join("\n");
    // the service's own labels are labels on purpose (the user put them there); nothing else is
    assertNoPlanted(created, "the created container's labels", ["LabelValQ7"]);
    const p2 = project("sl", { api: { ...noBuild, environment: { DB_PASSWORD: "Rotated9Secret", GREETING: "hello" } } });
    const plan = planUp(p2, await observeProject(engine, "sl", { model: p2.model }));
    assert.equal(plan.services.api![0]!.kind, "recreate");
    assert.equal(plan.services.api![0]!.reason, "config changed: environment.DB_PASSWORD");
    const lines = renderPlan(plan).join("\n");
    assertNoPlanted(lines, "--dry-run");
    assert.ok(!lines.includes("Rotated9Secret"));
    await applyUp(p2, plan, engine, { onEvent: (e) => events.push(e) });
    assertNoPlanted(JSON.stringify(events), "the events");
    assert.ok(!JSON.stringify(events).includes("Rotated9Secret"));
  });

  test("an old-format label (values in clear) is recreated once, saying why; then it is up to date", async () => {
    const svc: ServiceConfig = { image: IMAGE, command: ["sleep", "3600"], environment: { GREETING: "hello", DB_PASSWORD: "Sup3rS3cretEnv" }, networks: { default: null } };
    const legacy = { configHash: serviceConfigHash(svc), stored: { format: "legacy" as const, config: svc } };
    assert.equal(configReason(legacy, svc, serviceConfigHash(svc)), "config label format changed (the old one stored values in clear)");
    const svc2 = { ...svc, environment: { GREETING: "bonjour", DB_PASSWORD: "Sup3rS3cretEnv" } };
    assert.equal(configReason(legacy, svc2, serviceConfigHash(svc2)), "config label format changed (the old one stored values in clear); config changed: environment.GREETING");

    // end to end on the fake engine: an old container gets the new label, and the next up is a no-op
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("lg", { web: svc });
    const events: FlotillaEvent[] = [];
    const run = async () => applyUp(p, planUp(p, await observeProject(engine, "lg", { model: p.model })), engine, { onEvent: (e) => events.push(e) });
    await run();
    const c = [...engine.containers.values()][0];
    c!.spec.Labels![CONFIG_LABEL] = JSON.stringify(svc); // what an older Flotilla wrote
    const second = await run();
    assert.deepEqual(second.containers.map((x) => x.action), ["recreate"]);
    assert.ok(events.some((e) => e.type === "resource" && e.status === "Recreate" && e.detail === "config label format changed (the old one stored values in clear)"));
    const now = [...engine.containers.values()][0];
    assert.equal(parseConfigLabel(now!.spec.Labels![CONFIG_LABEL])?.format, "keyed");
    assertNoPlanted(JSON.stringify(now!.spec.Labels), "the new container's labels");
    const third = await run();
    assert.deepEqual(third.containers.map((x) => x.action), ["noop"]);
    // events of the whole run carry no value
    assertNoPlanted(JSON.stringify(events), "the events");
  });

  test("a config too large for the label keeps salt and mounts only; the reason falls back to the hash", () => {
    const env: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) env[`VARIABLE_NUMBER_${i}`] = `v${i}`;
    const big = { ...rich, environment: env };
    const raw = configLabelValue(big);
    assert.ok(raw.length <= CONFIG_LABEL_MAX);
    const stored = parseConfigLabel(raw)!;
    assert.equal(changedKeys(stored, rich), undefined);
    assert.equal(configReason({ configHash: serviceConfigHash(big), stored }, rich, serviceConfigHash(rich)), "config hash changed");
    assert.deepEqual(storedMountsConfig(stored)?.volumes?.map((v) => v.target), ["/data", "/scratch"]);
  });

  test("unreadable labels are ignored, not trusted", () => {
    assert.equal(parseConfigLabel("{not json"), undefined);
    assert.equal(parseConfigLabel(JSON.stringify({ v: 3, salt: "00" })), undefined);
    assert.equal(parseConfigLabel(JSON.stringify({ v: 2, salt: "not hex" })), undefined);
    assert.equal(parseConfigLabel("[]"), undefined);
  });
});

describe("errors carry no value", () => {
  test("a malformed template in a .env value (a password with a $) is located, not quoted", async () => {
    const { parseDotenv } = await import("../../src/spec/dotenv.js");
    const { ConfigError } = await import("../../src/errors.js");
    let err: unknown;
    try {
      parseDotenv("OK=1\nDB_PASSWORD=Pa${ssw0rdZ\n", "/p/.env", () => undefined);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ConfigError);
    const text = `${err.message} ${JSON.stringify(err.issues)}`;
    assert.ok(!text.includes("ssw0rdZ") && !text.includes("Pa$"), text);
    assert.match(err.issues[0]!.message, /^Invalid template: malformed "\$\{" at character 3 of a 11-character value/);
    assert.deepEqual(err.issues[0]!.location, { file: "/p/.env", line: 2, col: 13 });
  });
});

describe("env file errors name the variable, not its value", () => {
  test("a name with a space: the name is quoted, the value is not", async () => {
    const { parseDotenv } = await import("../../src/spec/dotenv.js");
    assert.throws(
      () => parseDotenv("DB PASSWORD=Hunter2Secret\n", "/p/.env", () => undefined),
      (e: Error & { issues?: { message: string }[] }) => {
        const text = `${e.message} ${JSON.stringify(e.issues)}`;
        assert.ok(!text.includes("Hunter2Secret"), text);
        assert.match(text, /invalid variable name "DB PASSWORD": a name cannot contain spaces/);
        return true;
      },
    );
  });
});
