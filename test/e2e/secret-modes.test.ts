import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { Project } from "../../src/api/project.js";

const root = resolve(import.meta.dirname, "../../..");
const dir = resolve(root, "fixtures/secret-modes");
const name = `secret-modes-${process.pid}`;

describe("file modes of secrets and configs on the real engine", () => {
  let p: Project | undefined;
  after(async () => {
    await p?.down({ volumes: true, removeOrphans: true, timeout: 0 });
  });

  test("mode: 0400 is octal, as Compose reads it: the secret is r-------- (not decimal 400 = rw--w----)", async () => {
    p = await Project.load({ cwd: dir, projectName: name, env: { SECRET_MODES_TOKEN: "s3cr3t" } });
    assert.equal(p.config.model.services["app"]!.secrets![0]!.mode, 0o400);
    await p.up({ wait: true });
    const ls = async (file: string) => (await p!.exec("app", ["stat", "-c", "%A %a", file])).stdout.trim();
    assert.equal(await ls("/run/secrets/token"), "-r-------- 400");
    assert.equal(await ls("/run/secrets/shared"), "-r--r----- 440");
    assert.equal(await ls("/etc/settings.conf"), "-rw------- 600");
    assert.equal((await p.exec("app", ["cat", "/run/secrets/token"])).stdout, "s3cr3t");
  });

  test("a secret from environment: is not writable by a non-root user of the container", async () => {
    for (const file of ["/run/secrets/token", "/run/secrets/shared"]) {
      const w = await p!.exec("app", ["sh", "-c", `echo changed > ${file}`], { user: "1000" });
      assert.notEqual(w.exitCode, 0, `${file}: ${w.stdout}${w.stderr}`);
    }
    assert.equal((await p!.exec("app", ["cat", "/run/secrets/token"])).stdout, "s3cr3t");
  });

  test("a secret from environment: is not writable by root in the container either (a read-only mount)", async () => {
    for (const file of ["/run/secrets/token", "/run/secrets/shared", "/etc/settings.conf"]) {
      for (const cmd of [`echo changed > ${file}`, `chmod 666 ${file}`, `rm -f ${file}`]) {
        const w = await p!.exec("app", ["sh", "-c", cmd], { user: "0" });
        assert.notEqual(w.exitCode, 0, `${cmd}: ${w.stdout}${w.stderr}`);
        assert.match(w.stderr, /Read-only file system|Device or resource busy/, cmd);
      }
    }
    assert.equal((await p!.exec("app", ["cat", "/run/secrets/token"])).stdout, "s3cr3t");
    assert.equal((await p!.exec("app", ["cat", "/etc/settings.conf"])).stdout, "level=debug");
  });

  test("a recreate with a changed value serves it and leaves one secrets volume; uid/gid are honoured; down leaves none", async () => {
    const first = secretsVolumes();
    assert.equal(first.length, 1, "one secrets volume for the one container");
    p = await Project.load({ cwd: dir, projectName: name, env: { SECRET_MODES_TOKEN: "r0tat3d" } });
    await p.up({ wait: true, forceRecreate: true });
    assert.equal((await p.exec("app", ["cat", "/run/secrets/token"])).stdout, "r0tat3d");
    const second = secretsVolumes();
    assert.equal(second.length, 1, `one secrets volume after the recreate: ${second.join(", ")}`);
    assert.notEqual(second[0], first[0], "the old container's volume went with it");

    // a config change (the owner) recreates through the plan, with the same clean-up
    p = await Project.load({ cwd: dir, projectName: name, env: { SECRET_MODES_TOKEN: "r0tat3d" }, files: [resolve(dir, "compose.yaml"), resolve(dir, "owner.yaml")] });
    await p.up({ wait: true });
    assert.equal((await p.exec("app", ["stat", "-c", "%A %u %g", "/run/secrets/token"])).stdout.trim(), "-r-------- 1000 2000");
    assert.equal((await p.exec("app", ["sh", "-c", "echo x > /run/secrets/token"], { user: "1000" })).exitCode === 0, false, "not even its owner writes it");
    const third = secretsVolumes();
    assert.equal(third.length, 1, `one secrets volume after the second recreate: ${third.join(", ")}`);
    assert.notEqual(third[0], second[0]);
    for (const v of third) assert.ok(!v.includes("r0tat3d") && !v.includes("s3cr3t"), v);
    assert.deepEqual((await p.volumes()).map((v) => v.name), [], "not listed as a project volume");

    await p.down({ timeout: 0 });
    assert.deepEqual(secretsVolumes(), [], "down (without --volumes) removes it");
    assert.deepEqual(lines(docker(["ps", "-aq", "--filter", "label=io.flotilla.secrets-fill"])), [], "no fill helper is left");
  });
});

describe("secrets of a one-off container on the real engine", () => {
  const oneoff = `secret-oneoff-${process.pid}`;
  let q: Project | undefined;
  after(async () => {
    await q?.down({ volumes: true, removeOrphans: true, timeout: 0 });
  });

  test("run --rm of a read_only service: the secret is there (no write into its root needed) and its volume goes with it", async () => {
    q = await Project.load({
      cwd: dir,
      projectName: oneoff,
      env: { ONEOFF_TOKEN: "0ne-0ff" },
      documents: [{ services: { job: { image: "flotilla-busybox:latest", read_only: true, secrets: ["token"] } }, secrets: { token: { environment: "ONEOFF_TOKEN" } } }],
    });
    const out = { stdout: "", stderr: "" };
    const r = await q.run("job", { command: ["sh", "-c", "cat /run/secrets/token; echo x > /run/secrets/token || echo ' refused'"], remove: true, onOutput: (c) => void (out[c.stream] += c.data.toString()) });
    assert.equal(r.exitCode, 0, JSON.stringify(out));
    assert.equal(out.stdout, "0ne-0ff refused\n");
    assert.match(out.stderr, /Read-only file system/);
    assert.deepEqual(lines(docker(["volume", "ls", "-q", "--filter", `label=com.docker.compose.project=${oneoff}`])), [], "the one-off's secrets volume is gone with it");
  });
});

function docker(args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8" });
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** The project's volumes as the engine lists them (all of them are secrets volumes here). */
function secretsVolumes(): string[] {
  return lines(docker(["volume", "ls", "-q", "--filter", `label=com.docker.compose.project=${name}`]));
}
