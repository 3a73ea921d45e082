/**
 * `kubectl kustomize` renders Flotilla's kustomization offline, and each overlay renders exactly the
 * objects of its variant (base + override file, base + profile). Needs kubectl on PATH (CI installs
 * Debian's kubernetes-client in scripts/engine.sh); fails, not skips, without it.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { renderConversion, convertToKubernetesObjects } from "../../src/api/convert.js";
import type { KubeObject } from "../../src/cluster/kubernetes/types.js";

const fixture = fileURLToPath(new URL("../../../fixtures/k8s-kustomize/", import.meta.url));

function kubectl(args: string[]): string {
  try {
    return execFileSync("kubectl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOENT") throw new Error("kubectl is not installed: install Debian's kubernetes-client (scripts/engine.sh does it in CI)");
    throw new Error(`kubectl ${args.join(" ")} failed: ${err.stderr ?? err.message}`);
  }
}

const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
const ids = (objs: KubeObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const parse = (text: string): KubeObject[] => parseAllDocuments(text).map((d) => d.toJS() as KubeObject).filter((o) => o && o.kind);

describe("k8s kustomize: kubectl renders the output offline", () => {
  let dir = "";
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), `flotilla-kz-${process.pid}-`));
    const r = await renderConversion({ cwd: fixture, env: {} }, { target: "kustomize", namespace: "shop" });
    for (const [rel, text] of Object.entries(r.files)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("kubectl is there", () => {
    assert.match(kubectl(["version", "--client"]), /Client Version/);
  });
  test("the base renders the base file's objects, in the namespace", async () => {
    const got = parse(kubectl(["kustomize", join(dir, "base")]));
    const want = await convertToKubernetesObjects({ cwd: fixture, env: {}, files: [join(fixture, "compose.yaml")] }, { namespace: "shop" });
    assert.deepEqual(ids(got), ids(want.objects));
    for (const o of want.objects) assert.equal(canon(got.find((g) => g.kind === o.kind && g.metadata.name === o.metadata.name)), canon(o), `${o.kind}/${o.metadata.name}`);
  });
  test("the override overlay renders base + compose.override.yaml", async () => {
    const got = parse(kubectl(["kustomize", join(dir, "overlays", "override")]));
    const want = await convertToKubernetesObjects({ cwd: fixture, env: {} }, { namespace: "shop" });
    assert.deepEqual(ids(got), ids(want.objects));
    for (const o of want.objects) assert.equal(canon(got.find((g) => g.kind === o.kind && g.metadata.name === o.metadata.name)), canon(o), `${o.kind}/${o.metadata.name}`);
    const api = got.find((g) => g.kind === "Deployment" && g.metadata.name === "api") as any;
    assert.equal(api.spec.replicas, 1);
  });
  test("the profile overlay adds the profile's services", async () => {
    const got = parse(kubectl(["kustomize", join(dir, "overlays", "profile-debug")]));
    const want = await convertToKubernetesObjects({ cwd: fixture, env: {}, files: [join(fixture, "compose.yaml")], profiles: ["debug"] }, { namespace: "shop" });
    assert.deepEqual(ids(got), ids(want.objects));
    assert.ok(ids(got).includes("Deployment/debug"));
    for (const o of want.objects) assert.equal(canon(got.find((g) => g.kind === o.kind && g.metadata.name === o.metadata.name)), canon(o), `${o.kind}/${o.metadata.name}`);
  });
});
