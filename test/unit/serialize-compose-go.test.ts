/**
 * `config` prints what compose-go's types marshal to (types/*.go MarshalJSON / MarshalYAML and
 * their struct tags), and the output loads back to the same model.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { IssueCollector } from "../../src/errors.js";
import { Locations } from "../../src/spec/locations.js";
import { normalizeModel } from "../../src/spec/normalize.js";
import { modelToJson, modelToYaml } from "../../src/spec/serialize.js";
import type { ComposeModel } from "../../src/spec/model.js";

function normalize(raw: Record<string, unknown>): ComposeModel {
  const issues = new IssueCollector();
  const model = normalizeModel(raw, {
    projectName: "shape",
    workingDir: "/work/proj",
    environment: {},
    locations: new Locations(),
    issues,
    readFile: () => "",
  });
  assert.deepEqual(issues.issues, []);
  return model;
}

/**
 * The service `s` as `config --format json` prints it, after checking that the JSON and YAML
 * outputs load back to a model that prints the same (sizes and durations are kept as written in
 * the model and printed in Compose's canonical form, so the printed form is what must not move).
 */
function printed(svc: Record<string, unknown>, top: Record<string, unknown> = {}): Record<string, any> {
  const m = normalize({ services: { s: { image: "busybox", ...svc } }, ...top });
  const json = modelToJson(m);
  const yaml = modelToYaml(m);
  const fromJson = normalize(JSON.parse(json) as Record<string, unknown>);
  assert.equal(modelToJson(fromJson), json, "JSON round trip");
  assert.deepEqual(normalize(JSON.parse(modelToJson(fromJson)) as Record<string, unknown>), fromJson, "the printed model is a fixed point");
  assert.equal(modelToYaml(normalize(parse(yaml) as Record<string, unknown>)), yaml, "YAML round trip");
  return (JSON.parse(json) as { services: Record<string, Record<string, any>> }).services["s"]!;
}

describe("config shape: ulimits", () => {
  test("a single number prints as that number; soft/hard as a mapping (service and build)", () => {
    const s = printed({ ulimits: { nproc: 65535, nofile: { soft: 20000, hard: 40000 }, core: "0" }, build: { context: ".", ulimits: { nproc: 10 } } });
    assert.deepEqual(s["ulimits"], { core: 0, nofile: { soft: 20000, hard: 40000 }, nproc: 65535 });
    assert.deepEqual(s["build"]["ulimits"], { nproc: 10 });
  });

  test("YAML prints the number too", () => {
    const y = modelToYaml(normalize({ services: { s: { image: "x", ulimits: { nproc: 65535, nofile: { soft: 1, hard: 2 } } } } }));
    assert.match(y, /nproc: 65535\n/);
    assert.match(y, /nofile:\n\s+soft: 1\n\s+hard: 2\n/);
  });
});

describe("config shape: device requests", () => {
  test("gpus: all is one request for every device (count -1)", () => {
    assert.deepEqual(printed({ gpus: "all" })["gpus"], [{ count: -1 }]);
  });

  test("a request without count or device_ids counts all; count: all is -1; a string count is a number", () => {
    assert.deepEqual(
      printed({ gpus: [{ driver: "nvidia" }, { driver: "3dfx", device_ids: ["voodoo2"], capabilities: ["directX"] }, { count: "all" }, { count: "2" }] })["gpus"],
      [{ driver: "nvidia", count: -1 }, { capabilities: ["directX"], driver: "3dfx", device_ids: ["voodoo2"] }, { count: -1 }, { count: 2 }],
    );
  });

  test("reservation devices: the same rules, options as strings, compose-go's field order", () => {
    const s = printed({
      deploy: { resources: { reservations: { devices: [{ options: { virtualization: false, n: 1 }, capabilities: ["gpu"], count: "all", driver: "nvidia" }] } } },
    });
    const d = s["deploy"]["resources"]["reservations"]["devices"][0];
    assert.deepEqual(d, { capabilities: ["gpu"], driver: "nvidia", count: -1, options: { n: "1", virtualization: "false" } });
    assert.deepEqual(Object.keys(d), ["capabilities", "driver", "count", "options"]);
  });
});

describe("config shape: provider, build and deploy values", () => {
  test("provider options are lists of strings (compose-go's MultiOptions)", () => {
    const s = printed({ provider: { type: "foo", options: { bar: "zot", strings: ["foo", "bar"], numbers: [12, 34], booleans: [true, false] } } });
    assert.deepEqual(s["provider"], { type: "foo", options: { bar: ["zot"], booleans: ["true", "false"], numbers: ["12", "34"], strings: ["foo", "bar"] } });
  });

  test("no_cache_filter and entitlements are lists; provenance and sbom are strings", () => {
    const b = printed({ build: { context: ".", no_cache_filter: "foo", entitlements: "network.host", sbom: true, provenance: "mode=max" } })["build"];
    assert.deepEqual(b["no_cache_filter"], ["foo"]);
    assert.deepEqual(b["entitlements"], ["network.host"]);
    assert.equal(b["sbom"], "true");
    assert.equal(b["provenance"], "mode=max");
    assert.deepEqual(printed({ build: { context: ".", no_cache_filter: ["foo", "bar"] } })["build"]["no_cache_filter"], ["foo", "bar"]);
  });

  test("deploy: cpus a number, update_config cast and in field order with Go durations, placement in order", () => {
    const d = printed({
      deploy: {
        resources: { limits: { cpus: "0.5", pids: "10", memory: "1g" } },
        update_config: { order: "start-first", max_failure_ratio: "0.3", monitor: "90s", delay: "10s", parallelism: "2" },
        placement: { max_replicas_per_node: "2", constraints: ["node.role==worker"] },
      },
    })["deploy"];
    assert.deepEqual(d["resources"]["limits"], { cpus: 0.5, memory: "1073741824", pids: 10 });
    assert.deepEqual(Object.entries(d["update_config"]), [["parallelism", 2], ["delay", "10s"], ["monitor", "1m30s"], ["max_failure_ratio", 0.3], ["order", "start-first"]]);
    assert.deepEqual(Object.keys(d["placement"]), ["constraints", "max_replicas_per_node"]);
    assert.equal(d["placement"]["max_replicas_per_node"], 2);
  });

  test("driver options of service networks and IPAM options are strings", () => {
    const m = normalize({
      services: { s: { image: "x", networks: { n: { driver_opts: { mtu: 1500 } } } } },
      networks: { n: { ipam: { driver: "default", options: { flag: true } } } },
    });
    const out = JSON.parse(modelToJson(m));
    assert.deepEqual(out.services.s.networks.n.driver_opts, { mtu: "1500" });
    assert.deepEqual(out.networks.n.ipam.options, { flag: "true" });
  });

  test("mem_swappiness prints as compose-go's UnitBytes (a string of digits)", () => {
    assert.equal(printed({ mem_swappiness: 60 })["mem_swappiness"], "60");
  });
});

describe("config shape: opt-out booleans and hooks", () => {
  test("env_file.required and bind.create_host_path print only when false", () => {
    const s = printed({
      env_file: [{ path: "./a.env", required: false }, { path: "./b.env", required: false, format: "raw" }],
      volumes: ["./src:/src", { type: "bind", source: "./x", target: "/x", bind: { create_host_path: false } }],
    });
    assert.deepEqual(s["env_file"], [{ path: "/work/proj/a.env", required: false }, { path: "/work/proj/b.env", required: false, format: "raw" }]);
    assert.deepEqual(s["volumes"][0]["bind"], {});
    assert.deepEqual(s["volumes"][1]["bind"], { create_host_path: false });
    const m = normalize({ services: { s: { image: "x", env_file: [{ path: "./c.env", required: false }] } } });
    assert.doesNotMatch(modelToYaml(m).replace("required: false", ""), /required/);
  });

  test("every hook kind prints compose-go's ServiceHook fields in order (image after command)", () => {
    const s = printed({ post_start: [{ user: "root", command: "echo hi", privileged: true }], pre_start: [{ per_replica: true, command: ["true"] }] });
    assert.deepEqual(Object.keys(s["post_start"][0]), ["command", "user", "privileged"]);
    assert.deepEqual(Object.keys(s["pre_start"][0]), ["command", "image", "per_replica"]);
  });

  test("blkio_config in compose-go's order, throttle rates as byte counts", () => {
    const s = printed({ blkio_config: { device_read_bps: [{ rate: "1mb", path: "/dev/sda" }], weight: 300 } });
    assert.deepEqual(s["blkio_config"], { weight: 300, device_read_bps: [{ path: "/dev/sda", rate: "1048576" }] });
  });
});
