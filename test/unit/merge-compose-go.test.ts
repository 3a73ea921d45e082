/**
 * Merging as compose-go does (override/merge.go, override/uncity.go, loader/extends.go): each rule
 * with several inputs, checked on the raw merge and, where normalization is involved, on the model.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeDocuments } from "../../src/spec/merge.js";
import { loadProject } from "../../src/spec/load.js";
import { parseComposeYaml } from "../../src/spec/yaml.js";
import { IssueCollector } from "../../src/errors.js";
import type { RawMap } from "../../src/spec/tags.js";
import type { ServiceConfig } from "../../src/spec/model.js";
import { loadError } from "../support/spec.js";

function y(text: string): RawMap {
  const issues = new IssueCollector();
  const r = parseComposeYaml(text, "t.yaml", issues);
  assert.deepEqual(issues.issues, []);
  return r.value!;
}

/** The model of service `s` after loading the documents in order (as -f files). */
async function service(...docs: string[]): Promise<ServiceConfig> {
  const p = await loadProject({ cwd: "/work/proj", env: {}, projectName: "t", checkFiles: false, documents: docs });
  return p.model.services["s"]!;
}
const s = (body: string) => `services:\n  s:\n    image: busybox\n${body.replace(/^/gm, "    ")}\n`;

describe("merge: extra_hosts are entries, not one address per host", () => {
  const merged = (a: string, b: string) => (mergeDocuments(y(s(a)), y(s(b))) as any).services.s.extra_hosts;

  test("sequence over sequence: the later file's new entries are appended, the same entry is not repeated", () => {
    assert.deepEqual(merged(`extra_hosts: [example.com=1.2.3.4]`, `extra_hosts: [localhost=127.0.0.1, example.com=1.2.3.4, example.com=4.3.2.1]`), [
      "example.com=1.2.3.4", "localhost=127.0.0.1", "example.com=4.3.2.1",
    ]);
  });

  test("mapping over mapping (a host with a list of addresses), and the mixed forms", () => {
    assert.deepEqual(merged(`extra_hosts: {example.com: 1.2.3.4}`, `extra_hosts: {localhost: 127.0.0.1, example.com: [1.2.3.4, 4.3.2.1]}`), [
      "example.com=1.2.3.4", "example.com=4.3.2.1", "localhost=127.0.0.1",
    ]);
    assert.deepEqual(merged(`extra_hosts: {example.com: 1.2.3.4}`, `extra_hosts: ["localhost:127.0.0.1", "example.com:4.3.2.1"]`), [
      "example.com=1.2.3.4", "localhost=127.0.0.1", "example.com=4.3.2.1",
    ]);
  });

  test("the model keeps both addresses of a host redefined by an override (service and build)", async () => {
    const svc = await service(s(`extra_hosts: [myhost=10.0.0.1]\nbuild: {context: ., extra_hosts: [b=1.1.1.1]}`), `services:\n  s:\n    extra_hosts: [myhost=10.0.0.2]\n    build: {extra_hosts: {b: 2.2.2.2}}\n`);
    assert.deepEqual(svc.extra_hosts, ["myhost=10.0.0.1", "myhost=10.0.0.2"]);
    assert.deepEqual(svc.build?.extra_hosts, ["b=1.1.1.1", "b=2.2.2.2"]);
  });

  test('"host=ip1,ip2" is one entry per address, in every form', async () => {
    assert.deepEqual((await service(s(`extra_hosts: ["myhost=0.0.0.1,0.0.0.2"]`))).extra_hosts, ["myhost=0.0.0.1", "myhost=0.0.0.2"]);
    assert.deepEqual((await service(s(`extra_hosts: ["myhost:0.0.0.1,[::1]"]`))).extra_hosts, ["myhost=0.0.0.1", "myhost=::1"]);
    assert.deepEqual((await service(s(`extra_hosts: {myhost: [0.0.0.1, 0.0.0.2], other: "10.0.0.1,10.0.0.2"}`))).extra_hosts, [
      "myhost=0.0.0.1", "myhost=0.0.0.2", "other=10.0.0.1", "other=10.0.0.2",
    ]);
  });
});

describe("merge: IPAM pools", () => {
  const net = (pools: string) => `networks:\n  n:\n    ipam:\n      config:\n${pools.replace(/^/gm, "        ")}\n`;
  const config = (a: string, b: string) => (mergeDocuments(y(net(a)), y(net(b))) as any).networks.n.ipam.config;

  test("a pool with the same subnet merges into the earlier one, aux_addresses merged by name", () => {
    assert.deepEqual(
      config(`- subnet: 10.0.0.0/24\n  aux_addresses: {a: 10.0.0.5, b: 10.0.0.6}`, `- subnet: 10.0.0.0/24\n  gateway: 10.0.0.1\n  aux_addresses: {b: 10.0.0.7, c: 10.0.0.8}`),
      [{ subnet: "10.0.0.0/24", gateway: "10.0.0.1", aux_addresses: { a: "10.0.0.5", b: "10.0.0.7", c: "10.0.0.8" } }],
    );
  });

  test("other subnets are appended; several pools keep their order", () => {
    assert.deepEqual(
      config(`- subnet: 10.0.0.0/24\n  aux_addresses: {a: 10.0.0.5}\n- subnet: 10.1.0.0/24`, `- subnet: 10.2.0.0/24\n- subnet: 10.1.0.0/24\n  aux_addresses: {z: 10.1.0.9}`),
      [{ subnet: "10.0.0.0/24", aux_addresses: { a: "10.0.0.5" } }, { subnet: "10.1.0.0/24", aux_addresses: { z: "10.1.0.9" } }, { subnet: "10.2.0.0/24" }],
    );
  });

  test("the merged pools reach the model", async () => {
    const p = await loadProject({
      cwd: "/work/proj", env: {}, projectName: "t", checkFiles: false,
      documents: [s("") + net(`- subnet: 10.0.0.0/24\n  aux_addresses: {a: 10.0.0.5}`), net(`- subnet: 10.0.0.0/24\n  aux_addresses: {b: 10.0.0.6}`)],
    });
    assert.deepEqual(p.model.networks["n"]!.ipam?.config, [{ subnet: "10.0.0.0/24", aux_addresses: { a: "10.0.0.5", b: "10.0.0.6" } }]);
  });
});

describe("merge: x-* extensions merge like any value", () => {
  test("top-level mappings deep-merge, lists append, scalars are replaced", () => {
    const out = mergeDocuments(y(`x-a: {k: 1, j: {m: 1}}\nx-l: [1]\nx-s: one\n`), y(`x-a: {k: 2, j: {n: 2}}\nx-l: [2]\nx-s: two\nx-new: {z: 1}\n`));
    assert.deepEqual(out, { "x-a": { k: 2, j: { m: 1, n: 2 } }, "x-l": [1, 2], "x-s": "two", "x-new": { z: 1 } });
  });

  test("inside a service, a network and the model alike", async () => {
    const p = await loadProject({
      cwd: "/work/proj", env: {}, projectName: "t", checkFiles: false,
      documents: [`x-top: {a: 1}\n` + s(`x-svc: {a: 1}`), `x-top: {b: 2}\nservices:\n  s:\n    x-svc: {b: 2}\n`],
    });
    assert.deepEqual(p.model["x-top"], { a: 1, b: 2 });
    assert.deepEqual(p.model.services["s"]!["x-svc"], { a: 1, b: 2 });
  });
});

describe("unicity: duplicate entries are one, in a file and across files", () => {
  test("ports: the same published port written several ways is one entry; protocols and addresses differ", async () => {
    const svc = await service(s(`ports: ["80:80", "80:80", "0.0.0.0:80:80", {target: 80, published: "80"}, "80:80/udp", "127.0.0.1:80:80", 9000, "9000"]`));
    assert.deepEqual(svc.ports, [
      { mode: "ingress", target: 80, published: "80", protocol: "tcp" },
      { mode: "ingress", target: 80, published: "80", protocol: "udp" },
      { mode: "ingress", host_ip: "127.0.0.1", target: 80, published: "80", protocol: "tcp" },
      { mode: "ingress", target: 9000, protocol: "tcp" },
    ]);
  });

  test("ports: a range that overlaps an override's port counts once (checked again in long form)", async () => {
    const svc = await service(s(`ports: ["8000-8001:80-81"]`), `services:\n  s:\n    ports: ["8001:81", "8002:82"]\n`);
    assert.deepEqual(svc.ports?.map((p) => `${p.published}:${p.target}`), ["8000:80", "8001:81", "8002:82"]);
  });

  test("lists Compose keeps unique lose their duplicates inside one file (the schema refuses duplicates in cap_add, profiles…)", async () => {
    const body = s(
      `dns: [1.1.1.1, 8.8.8.8, 1.1.1.1]\ndns_search: [a.example, a.example]\nexpose: [80, "80"]\ntmpfs: [/run, /run]\nprofiles: [a]\n` +
        `volumes: ["./a:/data", "./b:/data"]\nsecrets: [x, {source: x}]\nenv_file: [{path: ./e, required: false}, {path: ./e, required: false}]`,
    );
    const p = await loadProject({ cwd: "/work/proj", env: {}, projectName: "t", checkFiles: false, profiles: ["a"], documents: [body + `secrets:\n  x: {file: ./x}\n`] });
    const got = p.model.services["s"]!;
    assert.deepEqual(got.dns, ["1.1.1.1", "8.8.8.8"]);
    assert.deepEqual(got.dns_search, ["a.example"]);
    assert.equal(got.env_file?.length, 1);
    assert.deepEqual(got.expose, ["80"]);
    assert.deepEqual(got.tmpfs, ["/run"]);
    assert.deepEqual(got.volumes?.map((v) => v.source), ["/work/proj/b"], "the later mount at a target wins");
    assert.equal(got.secrets?.length, 1);
  });

  test("two mounts at /data and /data/ stay two entries, so the consistency check reports them", async () => {
    const e = await loadError({ cwd: "/work/proj", env: {}, projectName: "t", checkFiles: false, documents: [s(`volumes: ["./a:/data", "./b:/data/"]`)] });
    assert.ok(e.issues.some((i) => i.path === "services.s.volumes[1]"), e.message);
  });
});

describe("extends from another directory", () => {
  test("a base without a build context builds in the project directory; one with a context keeps its own directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-extends-dir-"));
    try {
      for (const d of ["sub/ctx", "sub/short", "local"]) mkdirSync(join(dir, d), { recursive: true });
      for (const d of ["", "sub/ctx", "sub/short", "local"]) writeFileSync(join(dir, d, "Dockerfile"), "FROM scratch\n");
      writeFileSync(join(dir, "sub", "base.yaml"), "services:\n  nocontext:\n    build:\n      target: dev\n  withcontext:\n    build:\n      context: ctx\n  short:\n    build: ./short\n");
      writeFileSync(
        join(dir, "compose.yaml"),
        "services:\n  a:\n    extends: {file: sub/base.yaml, service: nocontext}\n  b:\n    extends: {file: sub/base.yaml, service: withcontext}\n  c:\n    extends: {file: sub/base.yaml, service: short}\n  d:\n    extends: {file: sub/base.yaml, service: nocontext}\n    build: {context: local}\n",
      );
      const p = await loadProject({ cwd: dir, env: {} });
      assert.equal(p.model.services["a"]!.build?.context, dir);
      assert.equal(p.model.services["a"]!.build?.target, "dev");
      assert.equal(p.model.services["b"]!.build?.context, join(dir, "sub", "ctx"));
      assert.equal(p.model.services["c"]!.build?.context, join(dir, "sub", "short"));
      assert.equal(p.model.services["d"]!.build?.context, join(dir, "local"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
