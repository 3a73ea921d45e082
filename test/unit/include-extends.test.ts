import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { loadProject } from "../../src/spec/load.js";
import { applyExtends } from "../../src/spec/extends.js";
import { resolveRelativePaths } from "../../src/spec/include.js";
import { Locations } from "../../src/spec/locations.js";
import { IssueCollector } from "../../src/errors.js";
import { fx, loadError } from "../support/spec.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("include", () => {
  test("remote includes (oci://, git) are refused with the entry's position, not looked up as paths", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-remote-include-"));
    try {
      writeFileSync(join(dir, "compose.yaml"), "include:\n  - oci://docker.io/acme/app:1\n  - path: [git@github.com:acme/app.git]\nservices:\n  a:\n    image: busybox\n");
      const e = await loadError({ cwd: dir, env: {} });
      assert.deepEqual(
        e.issues.map((i) => [i.code, i.message, i.location?.line]),
        [
          ["CONFIG_INCLUDE", 'remote include "oci://docker.io/acme/app:1" is not supported', 2],
          ["CONFIG_INCLUDE", 'remote include "git@github.com:acme/app.git" is not supported', 3],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });


  test("included services keep paths relative to the included file's directory and use its .env", async () => {
    const p = await loadProject({ cwd: fx("include-basic"), env: {} });
    assert.deepEqual(Object.keys(p.model.services).sort(), ["api", "web"]);
    const api = p.model.services["api"]!;
    assert.equal(api.build?.context, fx("include-basic", "backend", "app"));
    assert.equal(api.image, "include-api:from-backend-env");
    assert.equal(api.environment?.["API_MODE"], "included");
    assert.equal(api.env_file?.[0]?.path, fx("include-basic", "backend", "api.env"));
    const bind = api.volumes?.find((v) => v.target === "/data");
    assert.equal(bind?.type, "bind");
    assert.equal(bind?.source, fx("include-basic", "backend", "data"));
    assert.equal(api.volumes?.find((v) => v.target === "/cache")?.source, "cache");
    assert.ok(p.model.volumes["cache"], "the included top-level volume is imported");
    // the including file's own relative paths still resolve against its project directory
    assert.equal(p.model.services["web"]!.volumes?.[0]?.source, fx("include-basic", "site"));
    assert.deepEqual(Object.keys(p.model.services["web"]!.depends_on ?? {}), ["api"]);
  });

  test("the parent environment wins over the included project's .env", async () => {
    const p = await loadProject({ cwd: fx("include-basic"), env: { API_TAG: "from-os" } });
    assert.equal(p.model.services["api"]!.image, "include-api:from-os");
  });

  test("a service defined both in the file and in an include is merged, the including file winning (compose-go)", async () => {
    const p = await loadProject({ cwd: fx("include-conflict"), env: {} });
    const db = p.model.services["db"]!;
    assert.equal(db.image, "flotilla-busybox:latest");
    assert.deepEqual(db.command, ["sleep", "10"]);
  });

  test("the same file included twice loads once", async () => {
    const p = await loadProject({
      cwd: fx("include-basic"),
      env: {},
      documents: [
        "include:\n  - " + fx("include-conflict", "sub", "compose.yaml") + "\n  - " + fx("include-conflict", "sub", "compose.yaml") + "\nservices: {}\n",
      ],
    });
    assert.deepEqual(Object.keys(p.model.services), ["db"]);
  });

  test("an include entry overriding an earlier include's service merges over it", async () => {
    const p = await loadProject({
      cwd: fx("include-basic"),
      env: {},
      documents: [
        "include:\n  - " + fx("include-conflict", "sub", "compose.yaml") + "\nservices:\n  db:\n    environment: [A=1]\n",
      ],
    });
    const db = p.model.services["db"]!;
    assert.equal(db.environment?.["A"], "1");
    assert.ok(db.image !== undefined && db.image !== "");
  });

  test("an include cycle is reported with its path", async () => {
    const e = await loadError({ cwd: fx("include-cycle"), env: {}, files: ["a.yaml"] });
    const issue = e.issues.find((i) => i.code === "CONFIG_INCLUDE");
    assert.ok(issue, e.message);
    const a = fx("include-cycle", "a.yaml");
    const b = fx("include-cycle", "b.yaml");
    assert.equal(issue.message, `include cycle detected: ${a} -> ${b} -> ${a}`);
    assert.equal(issue.location?.file, b);
    assert.equal(issue.location?.line, 2);
  });

  test("a missing included file is reported at its include entry", async () => {
    const e = await loadError({ cwd: fx("include-basic"), env: {}, documents: ["services: {}\ninclude:\n  - path: nope/compose.yaml\n"] });
    const issue = e.issues.find((i) => i.code === "CONFIG_INCLUDE");
    assert.ok(issue, e.message);
    assert.ok(issue.message.includes(fx("include-basic", "nope", "compose.yaml")), issue.message);
    assert.deepEqual([issue.location?.file, issue.location?.line], ["<inline-0>", 3]);
  });

  test("resolveRelativePaths rebases every kind of path and leaves absolute ones and URLs alone", () => {
    const out = resolveRelativePaths(
      {
        services: {
          s: {
            build: { context: "./ctx", additional_contexts: { extra: "../x", img: "docker-image://alpine" } },
            env_file: ["a.env", { path: "/abs/b.env", required: false }],
            volumes: ["./data:/data:ro", "named:/n", { type: "bind", source: "rel", target: "/r" }, "/abs:/abs"],
            develop: { watch: [{ path: "./src", action: "sync", target: "/app" }] },
            extends: { file: "../base.yaml", service: "b" },
          },
          t: { build: "https://github.com/x/y.git" },
        },
        secrets: { s1: { file: "./s.txt" } },
        configs: { c1: { file: "/etc/c" } },
        volumes: { v: { driver_opts: { type: "none", o: "bind", device: "./dev" } } },
      },
      "/base",
    );
    const s = (out["services"] as Record<string, Record<string, unknown>>)["s"]!;
    assert.deepEqual(s["build"], { context: "/base/ctx", additional_contexts: { extra: "/x", img: "docker-image://alpine" } });
    assert.deepEqual(s["env_file"], ["/base/a.env", { path: "/abs/b.env", required: false }]);
    assert.deepEqual(s["volumes"], ["/base/data:/data:ro", "named:/n", { type: "bind", source: "/base/rel", target: "/r" }, "/abs:/abs"]);
    assert.deepEqual(s["develop"], { watch: [{ path: "/base/src", action: "sync", target: "/app" }] });
    assert.deepEqual(s["extends"], { file: "/base.yaml", service: "b" });
    assert.equal((out["services"] as Record<string, Record<string, unknown>>)["t"]!["build"], "https://github.com/x/y.git");
    assert.deepEqual(out["secrets"], { s1: { file: "/base/s.txt" } });
    assert.deepEqual(out["configs"], { c1: { file: "/etc/c" } });
    assert.deepEqual(out["volumes"], { v: { driver_opts: { type: "none", o: "bind", device: "/base/dev" } } });
  });
});

describe("extends", () => {
  test("same file, recursively: the base is merged under the local definition", async () => {
    const p = await loadProject({ cwd: fx("extends-basic"), env: {} });
    const child = p.model.services["child"]!;
    assert.equal(child.image, "flotilla-busybox:latest");
    assert.equal(child.environment?.["LEVEL"], "child");
    assert.equal(child.environment?.["KEEP"], "yes");
    assert.equal(child.labels?.["tier"], "base");
    assert.equal("extends" in child, false);
    const grandchild = p.model.services["grandchild"]!;
    assert.equal(grandchild.environment?.["LEVEL"], "child");
    assert.deepEqual(grandchild.command, ["sleep", "5"]);
    // the base itself is untouched
    assert.equal(p.model.services["base"]!.environment?.["LEVEL"], "base");
  });

  test("a base from another file has its relative paths rebased onto that file's directory", async () => {
    const p = await loadProject({ cwd: fx("extends-basic"), env: {} });
    const remote = p.model.services["remote"]!;
    assert.equal(remote.build?.context, fx("extends-basic", "common", "ctx"));
    assert.equal(remote.volumes?.[0]?.source, fx("extends-basic", "common", "data"));
    assert.equal(remote.env_file?.[0]?.path, fx("extends-basic", "common", "common.env"));
    assert.equal(remote.environment?.["COMMON"], "1");
    assert.equal(remote.environment?.["FROM_BASE"], "true");
    assert.equal(remote.environment?.["LOCAL"], "1");
  });

  test("a cycle is a CONFIG_EXTENDS error printing the chain", async () => {
    const e = await loadError({ cwd: fx("extends-cycle"), env: {} });
    const issue = e.issues.find((i) => i.code === "CONFIG_EXTENDS");
    assert.ok(issue, e.message);
    assert.match(issue.message, /extends cycle detected: (alpha -> beta -> gamma -> alpha|beta -> gamma -> alpha -> beta|gamma -> alpha -> beta -> gamma)/);
    assert.equal(issue.location?.file, fx("extends-cycle", "compose.yaml"));
  });

  test("an unknown base service is reported at the extends, with a suggestion", async () => {
    const e = await loadError({ cwd: fx("extends-missing"), env: {} });
    const issue = e.issues.find((i) => i.code === "CONFIG_EXTENDS");
    assert.ok(issue, e.message);
    assert.match(issue.message, /extends undefined service "bsae"/);
    assert.equal(issue.location?.line, 3);
    assert.match(issue.hint ?? "", /did you mean "base"/);
  });

  test("applyExtends copies the base's locations for inherited keys only", () => {
    const locations = new Locations();
    const at = (line: number) => ({ file: "f.yaml", line, col: 5 });
    locations.set(["services", "base", "image"], at(3));
    locations.set(["services", "base", "user"], at(4));
    locations.set(["services", "child", "user"], at(7));
    const issues = new IssueCollector();
    const doc = applyExtends(
      {
        file: "/p/f.yaml",
        dir: "/p",
        doc: { services: { base: { image: "img", user: "a" }, child: { extends: "base", user: "b" } } },
        locations,
      },
      { issues, loadFile: () => undefined },
    );
    assert.equal(issues.size, 0);
    assert.deepEqual((doc["services"] as Record<string, unknown>)["child"], { image: "img", user: "b" });
    assert.deepEqual(locations.get(["services", "child", "image"]), at(3));
    assert.deepEqual(locations.get(["services", "child", "user"]), at(7));
  });
});
