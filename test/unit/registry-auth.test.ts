import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { DOCKER_HUB_KEY, dockerRegistryAuth, registryOf, type RunHelper } from "../../src/runtime/registry-auth.js";
import { splitTag } from "../../src/runtime/docker/index.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

function files(map: Record<string, unknown>): (p: string) => string | undefined {
  return (p) => (p in map ? (typeof map[p] === "string" ? (map[p]) : JSON.stringify(map[p])) : undefined);
}

describe("registry auth", () => {
  test("registryOf: Docker Hub unless the first component is a host", () => {
    assert.equal(registryOf("busybox"), "docker.io");
    assert.equal(registryOf("library/busybox:1"), "docker.io");
    assert.equal(registryOf("team/app"), "docker.io");
    assert.equal(registryOf("docker.io/team/app"), "docker.io");
    assert.equal(registryOf("index.docker.io/team/app"), "docker.io");
    assert.equal(registryOf("ghcr.io/org/app:1"), "ghcr.io");
    assert.equal(registryOf("127.0.0.1:5000/app"), "127.0.0.1:5000");
    assert.equal(registryOf("localhost/app"), "localhost");
  });

  test("splitTag keeps a registry port out of the tag", () => {
    assert.deepEqual(splitTag("127.0.0.1:5000/app:1"), { repository: "127.0.0.1:5000/app", tag: "1" });
    assert.deepEqual(splitTag("127.0.0.1:5000/app"), { repository: "127.0.0.1:5000/app", tag: "latest" });
    assert.deepEqual(splitTag("busybox"), { repository: "busybox", tag: "latest" });
    assert.deepEqual(splitTag("app@sha256:abc"), { repository: "app@sha256:abc", tag: "" });
  });

  test("auths entries: base64 user:password, identity tokens, keys with scheme and path; DOCKER_CONFIG wins over HOME", async () => {
    const config = {
      auths: {
        "https://index.docker.io/v1/": { auth: b64("hubuser:hubpass") },
        "ghcr.io": { identitytoken: "tok-123" },
        "http://127.0.0.1:5000/v2/": { auth: b64("me:pa:ss") },
      },
    };
    const auth = dockerRegistryAuth({ DOCKER_CONFIG: "/cfg" }, "/home/u", files({ "/cfg/config.json": config, "/home/u/.docker/config.json": { auths: {} } }));
    assert.deepEqual(await auth("team/app:1"), { username: "hubuser", password: "hubpass", serveraddress: DOCKER_HUB_KEY });
    assert.deepEqual(await auth("ghcr.io/org/app"), { identitytoken: "tok-123", serveraddress: "ghcr.io" });
    assert.deepEqual(await auth("127.0.0.1:5000/app"), { username: "me", password: "pa:ss", serveraddress: "127.0.0.1:5000" }, "only the first colon splits");
    assert.equal(await auth("quay.io/x/y"), undefined);
    const none = dockerRegistryAuth({}, "/home/nobody", files({}));
    assert.equal(await none("team/app"), undefined, "no config file: anonymous");
  });

  test("credential helpers: credHelpers per registry, else credsStore; <token> is an identity token; not found is anonymous", async () => {
    const asked: string[] = [];
    const runHelper: RunHelper = async (program, input) => {
      asked.push(`${program} ${input}`);
      if (program === "docker-credential-ecr") return JSON.stringify({ ServerURL: input, Username: "AWS", Secret: "ecr-secret" });
      if (program === "docker-credential-desktop" && input === DOCKER_HUB_KEY) return JSON.stringify({ ServerURL: input, Username: "<token>", Secret: "refresh" });
      throw new Error("credentials not found in native keychain");
    };
    const warnings: string[] = [] as string[];
    const config = { credsStore: "desktop", credHelpers: { "123.dkr.ecr.eu-west-1.amazonaws.com": "ecr" }, auths: { "ghcr.io": { auth: b64("ignored:because-store") } } };
    const auth = dockerRegistryAuth({}, "/h", files({ "/h/.docker/config.json": config }), { runHelper, warn: (m) => warnings.push(m) });
    assert.deepEqual(await auth("123.dkr.ecr.eu-west-1.amazonaws.com/app:1"), { username: "AWS", password: "ecr-secret", serveraddress: "123.dkr.ecr.eu-west-1.amazonaws.com" });
    assert.deepEqual(await auth("busybox"), { identitytoken: "refresh", serveraddress: DOCKER_HUB_KEY });
    assert.equal(await auth("ghcr.io/x/y"), undefined, "the store answers for every registry once it is set");
    assert.deepEqual(asked, ["docker-credential-ecr 123.dkr.ecr.eu-west-1.amazonaws.com", `docker-credential-desktop ${DOCKER_HUB_KEY}`, "docker-credential-desktop ghcr.io"]);
    assert.equal(warnings.length, 0, "'credentials not found' is not worth a warning");

    const broken = dockerRegistryAuth({}, "/h", files({ "/h/.docker/config.json": { credsStore: "gone" } }), {
      runHelper: async () => {
        throw new Error("spawn docker-credential-gone ENOENT");
      },
      warn: (m) => warnings.push(m),
    });
    assert.equal(await broken("busybox"), undefined);
    assert.match(warnings[0] ?? "", /docker-credential-gone failed for docker\.io: spawn docker-credential-gone ENOENT/);
  });
});
