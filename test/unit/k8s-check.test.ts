/**
 * Every refusal and warning of a conversion is reported at its file:line:col, through the Kubernetes
 * column of the capabilities table; --ignore turns a refusal into a warning.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ConfigError, formatLocation } from "../../src/errors.js";
import { convertToKubernetesObjects } from "../../src/api/convert.js";
import { isIgnored } from "../../src/cluster/kubernetes/check.js";
import { assertValid } from "./k8s-support.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/${name}/`, import.meta.url));

async function refusalsOf(dir: string, ignore: string[] = []): Promise<string[]> {
  try {
    await convertToKubernetesObjects({ cwd: dir, env: {} }, { ignore });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.issues.map((i) => `${formatLocation(i.location).replace(dir, "")} ${i.path}`);
  }
  return [];
}

describe("k8s checks: refusals at file:line:col", () => {
  const dir = fixture("k8s-check");
  test("every refused key of the fixture, at its position, all at once", async () => {
    assert.deepEqual(await refusalsOf(dir), [
      "compose.yaml:24:9 services.api.volumes[0].type",
      "compose.yaml:10:5 services.app.build",
      "compose.yaml:11:5 services.app.user",
      "compose.yaml:12:5 services.app.network_mode",
      "compose.yaml:6:9 services.web.volumes[0].type",
      "compose.yaml:7:5 services.web.ulimits",
      "compose.yaml:16:7 services.worker.deploy.mode",
      "compose.yaml:17:5 services.worker.security_opt",
    ]);
  });
  test("each refusal says what, where and what to do", async () => {
    await assert.rejects(convertToKubernetesObjects({ cwd: dir, env: {} }), (e: ConfigError) => {
      const ulimits = e.issues.find((i) => i.path === "services.web.ulimits")!;
      assert.match(ulimits.message, /refused for Kubernetes: ulimits are set per node/);
      assert.match(ulimits.hint ?? "", /--ignore ulimits drops it knowingly/);
      const bind = e.issues.find((i) => i.path === "services.web.volumes[0].type")!;
      assert.match(bind.hint ?? "", /--bind-as-hostpath/);
      assert.match(bind.hint ?? "", /--ignore services\.web\.volumes\[0\]\.type/);
      return true;
    });
  });
  test("--ignore (bare key, key path or model path) turns refusals into warnings; the rest still refuse", async () => {
    assert.deepEqual(await refusalsOf(dir, ["ulimits", "services.security_opt", "services.web.volumes[0]", "services.api.volumes", "build", "user", "network_mode", "deploy.mode"]), []);
    assert.deepEqual(await refusalsOf(dir, ["ulimits"]), [
      "compose.yaml:24:9 services.api.volumes[0].type",
      "compose.yaml:10:5 services.app.build",
      "compose.yaml:11:5 services.app.user",
      "compose.yaml:12:5 services.app.network_mode",
      "compose.yaml:6:9 services.web.volumes[0].type",
      "compose.yaml:16:7 services.worker.deploy.mode",
      "compose.yaml:17:5 services.worker.security_opt",
    ]);
    const r = await convertToKubernetesObjects({ cwd: dir, env: {} }, { ignore: ["ulimits", "security_opt", "volumes.type", "build", "user", "network_mode", "deploy.mode"] });
    assertValid(r.objects);
    const ignored = r.warnings.filter((w) => w.ignored).map((w) => `${formatLocation(w.location).replace(dir, "")} ${w.key}`);
    assert.equal(ignored.length, 8);
    assert.ok(ignored.includes("compose.yaml:7:5 services.ulimits"));
  });
  test("a warning from an override file points into that file", async () => {
    const r = await convertToKubernetesObjects({ cwd: dir, env: {} }, { ignore: ["ulimits", "security_opt", "volumes.type", "build", "user", "network_mode", "deploy.mode"] });
    const init = r.warnings.find((w) => w.key === "services.init")!;
    assert.equal(formatLocation(init.location).replace(dir, ""), "compose.override.yaml:3:5");
    const priv = r.warnings.find((w) => w.key === "services.privileged")!;
    assert.equal(formatLocation(priv.location).replace(dir, ""), "compose.yaml:4:5");
    assert.match(priv.message, /pod security admission/);
  });
  test("isIgnored matches key paths, bare keys and model path prefixes only", () => {
    const path = ["services", "web", "volumes", 0, "type"];
    assert.ok(isIgnored("services.volumes.type", path, ["volumes.type"]));
    assert.ok(isIgnored("services.volumes.type", path, ["services.web.volumes[0]"]));
    assert.ok(!isIgnored("services.volumes.type", path, ["services.web.volumes[1]"]));
    assert.ok(!isIgnored("services.volumes.type", path, ["volumes"]));
  });
});

describe("k8s checks: warnings at file:line:col", () => {
  const dir = fixture("k8s-warn");
  test("each warning of the fixture, at its position", async () => {
    const r = await convertToKubernetesObjects({ cwd: dir, env: {} }, { bindAsHostPath: true });
    assertValid(r.objects);
    const got = r.warnings.map((w) => `${formatLocation(w.location).replace(dir, "")} ${w.key}`).sort();
    assert.deepEqual(got, [
      "compose.yaml:11:7 services.depends_on.condition",
      "compose.yaml:16:5 services.healthcheck.test",
      "compose.yaml:18:5 services.logging",
      "compose.yaml:2:3 services.name",
      "compose.yaml:21:3 volumes.name",
      "compose.yaml:5:9 services.ports.host_ip",
      "compose.yaml:7:9 services.extra_hosts",
      "compose.yaml:9:9 services.volumes.type",
    ].sort());
    const rename = r.warnings.find((w) => w.key === "services.name")!;
    assert.match(rename.message, /named "web-1" in Kubernetes/);
    assert.match(r.warnings.find((w) => w.key === "services.volumes.type")!.message, /hostPath/);
  });
});
