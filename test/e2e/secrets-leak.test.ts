/**
 * Planted values must not leak: an environment value, an env_file value, a secret taken from the
 * environment and a build arg are grepped for in `docker inspect` of every project container,
 * network, volume and image, in `docker ps --no-trunc`, in the `docker events` stream of the whole
 * run (up, a recreate, down), in the `--dry-run` lines and in Flotilla's own events. The only
 * place a value may be is where the container needs it: Docker's own `Config.Env`.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Project } from "../../src/api/project.js";
import { renderPlan } from "../../src/runtime/plan.js";
import type { FlotillaEvent } from "../../src/events.js";

const name = `secrets-leak-${process.pid}`;
const plant = (what: string) => `${what}${randomBytes(6).toString("hex")}`;
const planted = { env: plant("PlantEnv"), envFile: plant("PlantFile"), secret: plant("PlantSecret"), arg: plant("PlantArg"), rotated: plant("PlantRotated") };
const dir = mkdtempSync(join(tmpdir(), "flotilla-secrets-"));

writeFileSync(join(dir, "Dockerfile"), "FROM flotilla-busybox:latest\nARG PLANTED_ARG\nLABEL io.flotilla.test=secrets-leak\n");
writeFileSync(join(dir, "app.env"), `API_KEY=${planted.envFile}\n`);
writeFileSync(
  join(dir, "compose.yaml"),
  `services:
  api:
    build:
      context: .
      args:
        PLANTED_ARG: \${PLANT_ARG}
    image: ${name}-api:latest
    init: true
    command: ["sleep", "600"]
    user: "1000:1000"
    environment:
      DB_PASSWORD: \${PLANT_ENV}
      GREETING: hello
    env_file: [app.env]
    secrets: [token]
    healthcheck:
      test: ["CMD", "test", "-f", "/run/secrets/token"]
      interval: 1s
    volumes: [data:/data]
secrets:
  token:
    environment: PLANT_SECRET
volumes:
  data: {}
`,
);

const docker = (...args: string[]): string => execFileSync("docker", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
const ids = (kind: "ps" | "network" | "volume"): string[] => {
  const filter = `label=com.docker.compose.project=${name}`;
  const out = kind === "ps" ? docker("ps", "-aq", "--no-trunc", "--filter", filter) : docker(kind, "ls", "-q", "--filter", filter);
  return out.split("\n").filter((l) => l.length > 0);
};
const values = Object.values(planted);
function hits(text: string): string[] {
  return values.filter((v) => text.includes(v));
}

describe("planted values never reach labels, events, inspect output or plans", () => {
  let project: Project | undefined;
  after(async () => {
    await project?.down({ volumes: true, removeOrphans: true, timeout: 0 }).catch(() => {});
    try {
      docker("rmi", "-f", `${name}-api:latest`);
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("up, recreate on a changed value (reason names the key), down: zero hits", { timeout: 600_000 }, async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const ours: FlotillaEvent[] = [];
    const onEvent = (e: FlotillaEvent): void => void ours.push(e);
    const env = { PATH: process.env.PATH ?? "", PLANT_ENV: planted.env, PLANT_SECRET: planted.secret, PLANT_ARG: planted.arg };
    project = await Project.load({ cwd: dir, projectName: name, env });
    await project.up({ build: true, wait: true, waitTimeout: 60, onEvent });

    // the values did reach the container (else the test would prove nothing)
    assert.equal((await project.exec("api", ["cat", "/run/secrets/token"])).stdout, planted.secret);
    assert.match((await project.exec("api", ["env"])).stdout, new RegExp(`DB_PASSWORD=${planted.env}`));
    // a secret from the environment cannot be written, replaced or made writable by the (non-root) container
    const write = await project.exec("api", ["sh", "-c", "echo x > /run/secrets/token || chmod 666 /run/secrets/token || rm -f /run/secrets/token; cat /run/secrets/token"]);
    assert.equal(write.stdout.trim(), planted.secret, write.stderr);

    // a changed value: recreated, the reason names the key, and neither value is in the plan
    const rotated = await Project.load({ cwd: dir, projectName: name, env: { ...env, PLANT_ENV: planted.rotated } });
    project = rotated;
    const plan = await rotated.plan();
    assert.deepEqual(plan.services["api"]!.map((a) => [a.kind, a.reason]), [["recreate", "config changed: environment.DB_PASSWORD"]]);
    assert.deepEqual(hits(renderPlan(plan).join("\n") + JSON.stringify(plan)), [], "--dry-run output and the plan");
    await rotated.up({ wait: true, waitTimeout: 60, onEvent });
    assert.ok(ours.some((e) => e.type === "resource" && e.status === "Recreate" && e.detail === "config changed: environment.DB_PASSWORD"));

    // docker inspect of everything the project has, and docker ps --no-trunc
    const containers = ids("ps");
    assert.equal(containers.length, 1);
    const inspected = JSON.parse(docker("inspect", ...containers)) as { Config: { Env: string[]; Labels: Record<string, string> }; Image: string }[];
    for (const c of inspected) {
      assert.ok(c.Config.Env.includes(`DB_PASSWORD=${planted.rotated}`) && c.Config.Env.includes(`API_KEY=${planted.envFile}`), "Config.Env is where the process gets them");
      const { Env: _env, ...rest } = c.Config;
      assert.deepEqual(hits(JSON.stringify({ ...c, Config: rest })), [], "container inspect outside Config.Env");
      assert.ok(c.Config.Labels["io.flotilla.config"], "the config label is there, keyed");
      assert.deepEqual(hits(docker("image", "inspect", c.Image)), [], "image inspect");
    }
    const networks = ids("network");
    const volumes = ids("volume");
    assert.ok(networks.length >= 1 && volumes.length >= 1);
    assert.deepEqual(hits(docker("network", "inspect", ...networks) + docker("volume", "inspect", ...volumes)), [], "network and volume inspect");
    assert.deepEqual(hits(docker("ps", "-a", "--no-trunc", "--filter", `label=com.docker.compose.project=${name}`, "--format", "{{json .}}")), [], "docker ps --no-trunc");

    await rotated.down({ volumes: true, timeout: 0, onEvent });
    project = undefined;
    const until = Math.floor(Date.now() / 1000) + 1;
    // every event of the window (not only the project's: image events carry no project label)
    const events = docker("events", "--since", String(since), "--until", String(until), "--format", "{{json .}}");
    assert.ok(events.includes(name), "the window holds the project's events");
    assert.ok(events.includes("io.flotilla.config"), "container events carry the labels as attributes");
    assert.deepEqual(hits(events), [], "docker events");
    assert.deepEqual(hits(JSON.stringify(ours)), [], "Flotilla's own events");
  });
});
