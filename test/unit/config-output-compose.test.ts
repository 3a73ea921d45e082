/**
 * `config` output as `docker compose config` prints it, and loading back to the same model:
 * - a literal `$` in a value is printed `$$` (unless `--no-interpolate`), so the output loads back
 *   with interpolation on;
 * - byte sizes (compose-go's UnitBytes) are a number of bytes in the model and print as a string of
 *   digits in JSON and YAML alike.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parse } from "yaml";
import { IssueCollector } from "../../src/errors.js";
import { loadProject } from "../../src/spec/load.js";
import { Locations } from "../../src/spec/locations.js";
import { normalizeModel } from "../../src/spec/normalize.js";
import { modelToJson, modelToYaml } from "../../src/spec/serialize.js";
import type { ComposeModel } from "../../src/spec/model.js";
import { root } from "../support/spec.js";

const cwd = root;
const load = async (doc: string | Record<string, unknown>, env: Record<string, string> = {}): Promise<ComposeModel> =>
  (await loadProject({ cwd, env, documents: [doc], checkFiles: false })).model;

/** Prints the model as JSON and YAML and loads each back (interpolation on): both give the model. */
async function assertRoundTrip(model: ComposeModel, env: Record<string, string> = {}): Promise<void> {
  assert.deepEqual(await load(JSON.parse(modelToJson(model)) as Record<string, unknown>, env), model, "JSON loads back");
  assert.deepEqual(await load(modelToYaml(model), env), model, "YAML loads back");
}

describe("config escapes a literal $ as $$ (docker compose config)", () => {
  const DOC = [
    "name: dollars",
    "services:",
    "  web:",
    "    image: busybox",
    '    command: ["sh", "-c", "echo $$HOME ${WHO}"]',
    "    environment:",
    '      PASSWORD: "pa$$word"',
    '      PLAIN: "no dollar"',
    "    labels:",
    '      price: "$$5"',
    '      "key$$": kept',
    "x-note:",
    '  text: "costs $$5"',
  ].join("\n");

  test("every value with a $ is printed with $$, in JSON and YAML; keys are printed as they are", async () => {
    const model = await load(DOC, { WHO: "me" });
    const web = model.services["web"]!;
    assert.deepEqual(web.command, ["sh", "-c", "echo $HOME me"]);
    assert.equal(web.environment?.["PASSWORD"], "pa$word");
    const json = JSON.parse(modelToJson(model)) as { services: { web: Record<string, any> }; "x-note": { text: string } };
    assert.deepEqual(json.services.web["command"], ["sh", "-c", "echo $$HOME me"]);
    assert.equal(json.services.web["environment"].PASSWORD, "pa$$word");
    assert.equal(json.services.web["environment"].PLAIN, "no dollar");
    assert.equal(json.services.web["labels"].price, "$$5");
    // Compose escapes its whole output text, keys too; keys are never interpolated, so that key
    // would not load back: only values are escaped here.
    assert.equal(json.services.web["labels"]["key$$"], "kept");
    assert.equal(json["x-note"].text, "costs $$5");
    const yaml = modelToYaml(model);
    assert.match(yaml, /PASSWORD: pa\$\$word/);
    assert.match(yaml, /echo \$\$HOME me/);
  });

  test("the output loads back to the same model with interpolation on, whatever the environment", async () => {
    const model = await load(DOC, { WHO: "me" });
    await assertRoundTrip(model);
    await assertRoundTrip(model, { HOME: "/elsewhere", word: "oops" });
  });

  test("escape: false (--no-interpolate) prints values as they are", async () => {
    const model = (await loadProject({ cwd, env: {}, documents: [DOC], interpolate: false })).model;
    const json = JSON.parse(modelToJson(model, { escape: false })) as { services: { web: Record<string, any> } };
    assert.deepEqual(json.services.web["command"], ["sh", "-c", "echo $$HOME ${WHO}"]);
    assert.equal(json.services.web["environment"].PASSWORD, "pa$$word");
  });

  test("the CLI: `config` escapes, `config --no-interpolate` prints the file's text as written", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, "bin/flotilla.js"), "-f", "-", "config", "--format", "json", ...args], {
        cwd: root,
        input: DOC,
        encoding: "utf8",
        env: { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-home", WHO: "me", FLOTILLA_NO_BUNDLE: "1" },
      });
    const on = run();
    assert.equal(on.status, 0, on.stderr);
    assert.deepEqual(JSON.parse(on.stdout).services.web.command, ["sh", "-c", "echo $$HOME me"]);
    const off = run("--no-interpolate");
    assert.equal(off.status, 0, off.stderr);
    assert.deepEqual(JSON.parse(off.stdout).services.web.command, ["sh", "-c", "echo $$HOME ${WHO}"]);
  });
});

describe("byte sizes: bytes in the model, a string of digits in config output (compose-go UnitBytes)", () => {
  const DOC = {
    name: "bytes",
    services: {
      app: {
        image: "busybox",
        shm_size: "64m",
        mem_limit: "1g",
        mem_reservation: "512M",
        memswap_limit: -1,
        mem_swappiness: 60,
        build: { context: ".", shm_size: "2gb" },
        deploy: { resources: { limits: { memory: "1024M" }, reservations: { memory: "524288k" } } },
        volumes: [{ type: "tmpfs", target: "/cache", tmpfs: { size: "1.5k" } }],
        blkio_config: { device_read_bps: [{ path: "/dev/sda", rate: "12mb" }], device_write_iops: [{ path: "/dev/sda", rate: 30 }] },
      },
    },
  };
  const M = 1024 * 1024;

  test("each size is a number of bytes in the model", async () => {
    const app = (await load(DOC)).services["app"]!;
    assert.equal(app.shm_size, 64 * M);
    assert.equal(app.mem_limit, 1024 * M);
    assert.equal(app.mem_reservation, 512 * M);
    assert.equal(app.memswap_limit, -1);
    assert.equal(app.build?.shm_size, 2048 * M);
    assert.equal(app.deploy?.resources?.limits?.memory, 1024 * M);
    assert.equal(app.deploy?.resources?.reservations?.memory, 512 * M);
    assert.equal(app.volumes?.[0]?.tmpfs?.size, 1536);
    const blkio = app.blkio_config as { device_read_bps: { rate: unknown }[]; device_write_iops: { rate: unknown }[] };
    assert.equal(blkio.device_read_bps[0]!.rate, 12 * M);
    assert.equal(blkio.device_write_iops[0]!.rate, 30);
  });

  test("printed as Compose prints them: strings of digits, in JSON and in YAML", async () => {
    const model = await load(DOC);
    const app = (JSON.parse(modelToJson(model)) as { services: { app: Record<string, any> } }).services.app;
    assert.equal(app["shm_size"], "67108864");
    assert.equal(app["mem_limit"], "1073741824");
    assert.equal(app["mem_reservation"], "536870912");
    assert.equal(app["memswap_limit"], "-1");
    assert.equal(app["mem_swappiness"], "60");
    assert.equal(app["build"].shm_size, "2147483648");
    assert.equal(app["deploy"].resources.limits.memory, "1073741824");
    assert.equal(app["deploy"].resources.reservations.memory, "536870912");
    assert.equal(app["volumes"][0].tmpfs.size, "1536");
    assert.equal(app["blkio_config"].device_read_bps[0].rate, "12582912");
    assert.equal(app["blkio_config"].device_write_iops[0].rate, "30");
    const yaml = modelToYaml(model);
    assert.match(yaml, /shm_size: "67108864"/);
    assert.match(yaml, /memory: "1073741824"/);
    assert.equal((parse(yaml) as { services: { app: { mem_limit: unknown } } }).services.app.mem_limit, "1073741824");
  });

  test("the printed output loads back to the same model (JSON and YAML)", async () => {
    await assertRoundTrip(await load(DOC));
  });

  test("the same size written two ways gives the same model (so the same config hash)", async () => {
    const a = await load({ services: { s: { image: "x", shm_size: "64m", mem_limit: "1g" } } });
    const b = await load({ services: { s: { image: "x", shm_size: 67108864, mem_limit: "1024MiB" } } });
    assert.deepEqual(a.services["s"], b.services["s"]);
  });

  test("not interpolated (--no-interpolate), a ${VAR} size is kept and printed as written", async () => {
    const doc = { services: { s: { image: "x", shm_size: "${SHM:-64m}", volumes: [{ type: "tmpfs", target: "/t", tmpfs: { size: "$T" } }] } } };
    const model = (await loadProject({ cwd, env: {}, documents: [doc], interpolate: false })).model;
    assert.equal(model.services["s"]!.shm_size, "${SHM:-64m}");
    const printed = JSON.parse(modelToJson(model, { escape: false })) as { services: { s: Record<string, any> } };
    assert.equal(printed.services.s["shm_size"], "${SHM:-64m}");
    assert.equal(printed.services.s["volumes"][0].tmpfs.size, "$T");
  });

  test("an invalid size reaching the normalizer is an issue at its path, not a silent value", () => {
    const issues = new IssueCollector();
    const model = normalizeModel({ services: { s: { image: "x", shm_size: "64q" } } }, {
      projectName: "p",
      workingDir: "/tmp",
      environment: {},
      locations: new Locations(),
      issues,
      readFile: () => "",
    });
    assert.equal(model.services["s"]?.shm_size, undefined);
    assert.equal(issues.issues.length, 1);
    assert.equal(issues.issues[0]!.path, "services.s.shm_size");
    assert.match(issues.issues[0]!.message, /invalid byte size "64q"/);
  });
});
