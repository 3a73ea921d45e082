import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  dockerImageId,
  dockerTopColumns,
  familiarImageName,
  familiarRepoTags,
  hasNetworkNames,
  healthcheckOverdue,
  isInterfaceRaceMessage,
  isNetworkInUseMessage,
  isPodmanConflictMessage,
  isPodmanNotFoundMessage,
  libpodApiVersion,
  matchesLabels,
  platformMismatch,
  podmanApiVersion,
  untilMs,
  withDockerStopTimeout,
  withNetworkIds,
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

  test("Podman's 500 answers that Docker gives as 409 are recognised as conflicts", () => {
    assert.equal(isPodmanConflictMessage("can only kill running containers. 0f89 is in state exited: container state improper"), true);
    assert.equal(
      isPodmanConflictMessage('container create: creating container storage: the container name "demo-web-1" is already in use by 0f89. You have to remove that container to be able to reuse that name: that name is already in use'),
      true,
    );
    assert.equal(isPodmanConflictMessage("network name demo_default already used: network already exists"), true);
    assert.equal(isPodmanConflictMessage("no container with name or ID \"x\" found: no such container"), false);
    assert.equal(isPodmanConflictMessage("OCI runtime error: runc: exec failed"), false);
  });

  test("a network create that lost a race with a vanishing host interface is told from a refusal", () => {
    assert.equal(isInterfaceRaceMessage("route ip+net: no such network interface"), true);
    assert.equal(isInterfaceRaceMessage("network name demo_default already used: network already exists"), false);
    assert.equal(isInterfaceRaceMessage("subnet 10.89.0.0/24 is already used on the host or by another config"), false);
  });

  test("dockerImageId prefixes a bare hex id as Docker does and leaves the rest", () => {
    const hex = "cec0d0a2de5a63899ec842f772bb54dcfaf1df1f26ff665649a5e22a06c8843f";
    assert.equal(dockerImageId(hex), `sha256:${hex}`);
    assert.equal(dockerImageId(`sha256:${hex}`), `sha256:${hex}`);
    assert.equal(dockerImageId("cec0d0a2de5a"), "cec0d0a2de5a");
    assert.equal(dockerImageId(""), "");
  });

  test("withNetworkIds puts the network id where Podman 4.3 puts the name; Docker's ids stay", () => {
    const id = "f6aa3d26e89133cac578ba7edc0f14da89cf1e3d490d313769f54e082ca59a6c";
    const other = "0b1da18da8380b1da18da8380b1da18da8380b1da18da8380b1da18da8380b1d";
    const podman = { demo_default: { NetworkID: "demo_default", IPAddress: "10.89.0.2" }, demo_back: { NetworkID: "demo_back" } };
    assert.equal(hasNetworkNames(podman), true);
    withNetworkIds(podman, new Map([["demo_default", id]]));
    assert.deepEqual(podman, { demo_default: { NetworkID: id, IPAddress: "10.89.0.2" }, demo_back: { NetworkID: "demo_back" } }, "an unknown name is left as it was");
    const docker = { demo_default: { NetworkID: other } };
    assert.equal(hasNetworkNames(docker), false);
    withNetworkIds(docker, new Map([["demo_default", id]]));
    assert.deepEqual(docker, { demo_default: { NetworkID: other } }, "an id is never replaced (a replaced network must still show)");
    assert.equal(hasNetworkNames(undefined), false);
    assert.equal(hasNetworkNames({ x: null, y: {} }), false);
  });

  test("platformMismatch says what Docker says when a local image is of another platform", () => {
    const amd64 = { Os: "linux", Architecture: "amd64" };
    assert.equal(platformMismatch("app:1", "linux/amd64", amd64), undefined);
    assert.equal(platformMismatch("app:1", "linux", amd64), undefined);
    assert.equal(platformMismatch("app:1", "linux/x86_64", amd64), undefined);
    assert.equal(
      platformMismatch("app:1", "linux/s390x", amd64),
      "image with reference app:1 was found but does not match the specified platform: wanted linux/s390x, actual: linux/amd64",
    );
    assert.match(platformMismatch("app:1", "linux/arm/v6", { Os: "linux", Architecture: "arm", Variant: "v7" }) ?? "", /wanted linux\/arm\/v6, actual: linux\/arm\/v7$/);
    assert.equal(platformMismatch("app:1", "linux/arm/v7", { Os: "linux", Architecture: "arm" }), undefined, "no variant on the image: not compared");
    assert.equal(platformMismatch("app:1", "linux/s390x", {}), undefined, "unknown platform: the engine decides");
  });

  test("dockerTopColumns shows Podman's process table under Docker's ps -ef titles", () => {
    const t = dockerTopColumns(
      ["USER", "PID", "PPID", "%CPU", "STIME", "TTY", "TIME", "COMMAND"],
      [["0", "1", "0", "12.500", "2026-12-01 21:29:35 +0000 UTC", "?", "0s", "/run/podman-init -- sleep 300"]],
    );
    assert.deepEqual(t.titles, ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]);
    assert.deepEqual(t.processes, [["0", "1", "0", "12", "21:29", "?", "0s", "/run/podman-init -- sleep 300"]]);
    assert.deepEqual(dockerTopColumns(["PID", "COMMAND"], [["7", "sh"]]), { titles: ["PID", "CMD"], processes: [["7", "sh"]] });
  });

  test("untilMs reads an events `until` as unix seconds or RFC 3339", () => {
    assert.equal(untilMs(1_796_158_796), 1_796_158_796_000);
    assert.equal(untilMs("1796158796.5"), 1_796_158_796_500);
    assert.equal(untilMs("2026-12-01T21:29:35Z"), Date.parse("2026-12-01T21:29:35Z"));
    assert.equal(untilMs("soon"), undefined);
  });

  test("Podman's 500 for a container removed while it looked it up reads as not found", () => {
    assert.equal(isPodmanNotFoundMessage("container 04db6b04d565 does not exist in database: no such container"), true);
    assert.equal(isPodmanNotFoundMessage("unable to find network with name or ID demo_default: network not found"), false);
    assert.equal(isPodmanNotFoundMessage("can only kill running containers: container state improper"), false);
  });

  test("libpodApiVersion reads Podman's /_ping header (Docker sends none)", () => {
    assert.equal(libpodApiVersion({ "api-version": "1.41", "libpod-api-version": "4.3.1", server: "Libpod/4.3.1 (linux)" }), "4.3.1");
    assert.equal(libpodApiVersion({ "api-version": "1.41", server: "Docker/20.10.24+dfsg1 (linux)" }), undefined);
    assert.equal(libpodApiVersion({ "libpod-api-version": ["5.0.0"] }), "5.0.0");
    assert.equal(libpodApiVersion({ "libpod-api-version": " " }), undefined);
  });
});
