import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { Project } from "../../src/api/project.js";
import { ServiceError } from "../../src/errors.js";

const root = resolve(import.meta.dirname, "../../..");
const deps = resolve(root, "fixtures/rt-deps");

describe("depends_on conditions on the real engine", () => {
  const projects: Project[] = [];
  after(async () => {
    for (const p of projects) await p.down({ volumes: true, removeOrphans: true });
  });

  test("healthcheck + one-shot job ordering", async () => {
    const p = await Project.load({ cwd: deps, projectName: `rt-dp-${process.pid}`, env: {} });
    projects.push(p);
    await p.up();
    const engine = await p.engine();
    const db = (await engine.inspectContainer(await p.containerId("db")))!;
    const migrate = (await engine.inspectContainer(await p.containerId("migrate")))!;
    const api = (await engine.inspectContainer(await p.containerId("api")))!;
    assert.equal(db.state.health?.status, "healthy");
    // db creates /tmp/ready 0.5 s after it starts: it cannot be healthy earlier, so neither may migrate start.
    // (The engine keeps only the last 5 health results, so the first success is not always in the log.)
    assert.ok(Date.parse(migrate.state.startedAt!) >= Date.parse(db.state.startedAt!) + 500, "migrate started after db was healthy");
    assert.equal(migrate.state.status, "exited");
    assert.equal(migrate.state.exitCode, 0);
    assert.ok(Date.parse(api.state.startedAt!) >= Date.parse(migrate.state.finishedAt!), "api started after migrate finished");
    assert.equal(api.state.running, true);
  });

  test("a failing one-shot dependency stops the up with its exit code and output", async () => {
    const yaml = `services:
  job:
    image: flotilla-busybox:latest
    init: true
    command: ["sh", "-c", "echo boom >&2; exit 3"]
  api:
    image: flotilla-busybox:latest
    init: true
    command: ["sleep", "3600"]
    depends_on:
      job:
        condition: service_completed_successfully
`;
    const p = await Project.load({ cwd: deps, projectName: `rt-df-${process.pid}`, env: {}, documents: [yaml] });
    projects.push(p);
    await assert.rejects(p.up(), (e: unknown) => {
      assert.ok(e instanceof ServiceError);
      assert.equal(e.code, "DEPENDENCY_FAILED");
      assert.equal(e.service, "job");
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /exited with code 3/);
      assert.deepEqual(e.logs, ["boom"]);
      return true;
    });
    const rows = await p.ps({ all: true });
    assert.deepEqual(rows.map((r) => [r.Service, r.State]), [["api", "created"], ["job", "exited"]]);
  });
});
