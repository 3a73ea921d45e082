import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  familiarImageName,
  familiarRepoTags,
  healthcheckOverdue,
  isNetworkInUseMessage,
  matchesLabels,
  podmanApiVersion,
  podmanApiVersionFromHeaders,
  withDockerStopTimeout,
} from "../../src/runtime/docker/index.js";
import type { ContainerCreateSpec } from "../../src/runtime/engine.js";

describe("Podman compatibility helpers of the Docker adapter", () => {
  test("matchesLabels ANDs every key: exact values and presence", () => {
    const labels = { "com.docker.compose.project": "demo", "com.docker.compose.volume": "data" };
    assert.equal(matchesLabels(labels, { "com.docker.compose.project": "demo" }), true);
    assert.equal(matchesLabels(labels, { "com.docker.compose.project": "demo", "com.docker.compose.volume": undefined }), true);
    assert.equal(matchesLabels(labels, { "com.docker.compose.project": "demo", nope: undefined }), false);
    assert.equal(matchesLabels(labels, { "com.docker.compose.project": "other" }), false);
    assert.equal(matchesLabels({ k: "" }, { k: undefined }), true);
    assert.equal(matchesLabels(null, { k: undefined }), false);
    assert.equal(matchesLabels(null, undefined), true);
  });

  test("familiarRepoTags adds Docker's short forms of Podman's qualified names", () => {
    assert.deepEqual(familiarRepoTags(["localhost/flotilla-busybox:latest"], "flotilla-busybox:latest"), [
      "localhost/flotilla-busybox:latest",
      "flotilla-busybox:latest",
    ]);
    assert.deepEqual(familiarRepoTags(["localhost/app:latest"], "app"), ["localhost/app:latest", "app:latest"]);
    assert.deepEqual(familiarRepoTags(["docker.io/library/redis:7", "docker.io/bitnami/redis:7"], "redis:7").sort(), [
      "bitnami/redis:7",
      "docker.io/bitnami/redis:7",
      "docker.io/library/redis:7",
      "redis:7",
    ]);
    // Docker's own tags pass through; a localhost/ tag is not shortened unless it is what was asked for.
    assert.deepEqual(familiarRepoTags(["app:1", "localhost/other:1"], "app:1"), ["app:1", "localhost/other:1"]);
    assert.deepEqual(familiarRepoTags(["localhost:5000/app:1"], "localhost:5000/app:1"), ["localhost:5000/app:1"]);
    assert.deepEqual(familiarRepoTags([], "sha256:abc"), []);
  });

  test("familiarImageName strips Podman's registry prefixes only", () => {
    assert.equal(familiarImageName("localhost/flotilla-busybox:latest"), "flotilla-busybox:latest");
    assert.equal(familiarImageName("docker.io/library/redis:7"), "redis:7");
    assert.equal(familiarImageName("docker.io/bitnami/redis:7"), "bitnami/redis:7");
    assert.equal(familiarImageName("localhost:5000/app:1"), "localhost:5000/app:1");
    assert.equal(familiarImageName("sha256:512a55dd9d27"), "sha256:512a55dd9d27");
  });

  test("a network still in use is recognised in Docker's and Podman's words", () => {
    assert.equal(isNetworkInUseMessage("error while removing network: network demo_default id 12ab has active endpoints"), true);
    assert.equal(
      isNetworkInUseMessage('"demo_default" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used'),
      true,
    );
    assert.equal(isNetworkInUseMessage("network demo_default not found"), false);
  });

  test("podmanApiVersion tells Podman from Docker by the /version components", () => {
    assert.equal(
      podmanApiVersion({ Components: [{ Name: "Podman Engine", Version: "4.3.1", Details: { APIVersion: "4.3.1" } }], ApiVersion: "1.41" }),
      "4.3.1",
    );
    assert.equal(podmanApiVersion({ Components: [{ Name: "Engine", Version: "20.10.24" }, { Name: "containerd" }], ApiVersion: "1.41" }), undefined);
    assert.equal(podmanApiVersion({ Platform: { Name: "Podman Engine" } }), "4.0.0");
    assert.equal(podmanApiVersion({}), undefined);
  });

  test("podmanApiVersionFromHeaders tells Podman from Docker by a reply's headers (as Podman 4.3.1 and Docker 20.10 send them on /_ping)", () => {
    const podman = { "api-version": "1.41", "libpod-api-version": "4.3.1", "libpod-buildah-version": "1.28.2", server: "Libpod/4.3.1 (linux)" };
    assert.equal(podmanApiVersionFromHeaders(podman), "4.3.1");
    assert.equal(podmanApiVersionFromHeaders({ server: "Libpod/4.1.0 (linux)" }), "4.0.0");
    assert.equal(podmanApiVersionFromHeaders({ "api-version": "1.41", "docker-experimental": "false", ostype: "linux", server: "Docker/20.10.24+dfsg1 (linux)" }), undefined);
    assert.equal(podmanApiVersionFromHeaders({}), undefined);
  });

  test("withDockerStopTimeout gives Podman creates Docker's 10 s default and keeps an explicit value", () => {
    const spec: ContainerCreateSpec = { name: "demo-web-1", Image: "x", HostConfig: {} };
    assert.deepEqual(withDockerStopTimeout(spec), { name: "demo-web-1", Image: "x", HostConfig: {}, StopTimeout: 10 });
    assert.equal(spec.StopTimeout, undefined, "the input is not modified");
    assert.deepEqual(withDockerStopTimeout({ ...spec, StopTimeout: 3 }), { name: "demo-web-1", Image: "x", HostConfig: {}, StopTimeout: 3 });
    assert.deepEqual(withDockerStopTimeout({ ...spec, StopTimeout: 0 }), { name: "demo-web-1", Image: "x", HostConfig: {}, StopTimeout: 0 });
  });

  test("healthcheckOverdue: running, with a healthcheck, last result older than the interval", () => {
    const started = "2026-01-01T00:00:00.123456789Z";
    const t0 = Date.parse(started);
    const c = (health: object | undefined, hc: object | undefined, running = true) => ({
      State: { Running: running, StartedAt: started, ...(health ? { Health: health } : {}) },
      Config: hc ? { Healthcheck: hc } : {},
    });
    const hc = { Test: ["CMD", "true"], Interval: 1_000_000_000 };
    // no result yet: measured from the start
    assert.equal(healthcheckOverdue(c({ Status: "starting", Log: null }, hc), t0 + 500), false);
    assert.equal(healthcheckOverdue(c({ Status: "starting", Log: null }, hc), t0 + 1000), true);
    // measured from the last result's end
    const log = [{ End: "2026-01-01T00:00:05.000Z", ExitCode: 0 }];
    assert.equal(healthcheckOverdue(c({ Status: "healthy", Log: log }, hc), t0 + 5500), false);
    assert.equal(healthcheckOverdue(c({ Status: "healthy", Log: log }, hc), t0 + 6200), true);
    // default interval 30 s
    assert.equal(healthcheckOverdue(c({ Status: "starting" }, { Test: ["CMD", "true"] }), t0 + 29_000), false);
    assert.equal(healthcheckOverdue(c({ Status: "starting" }, { Test: ["CMD", "true"] }), t0 + 30_000), true);
    // not running, no healthcheck, or disabled
    assert.equal(healthcheckOverdue(c({ Status: "starting" }, hc, false), t0 + 60_000), false);
    assert.equal(healthcheckOverdue(c(undefined, undefined), t0 + 60_000), false);
    assert.equal(healthcheckOverdue(c({ Status: "starting" }, { Test: ["NONE"] }), t0 + 60_000), false);
  });
});
