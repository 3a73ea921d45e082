import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
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
});
