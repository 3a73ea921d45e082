/** Issue 14 theme 3: checks compose-go makes that Flotilla did not. Each rule with several inputs. */
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { loadProject } from "../../src/spec/load.js";
import { loadError } from "../support/spec.js";
import { projectDir, removeProjectDirs } from "../support/project-dir.js";

after(removeProjectDirs);

const svc = (body: string, extra = ""): string => `services:\n  web:\n    image: busybox\n${body}${extra}`;

async function refused(text: string, path: string, message: RegExp, line?: number): Promise<void> {
  const e = await loadError({ cwd: projectDir({ "compose.yaml": text }), env: {} });
  const issue = e.issues.find((i) => i.path === path);
  assert.ok(issue, `no issue at ${path}: ${e.message}`);
  assert.match(issue.message, message);
  if (line !== undefined) assert.equal(issue.location?.line, line);
}
async function accepted(text: string): Promise<readonly string[]> {
  const p = await loadProject({ cwd: projectDir({ "compose.yaml": text }), env: {} });
  return p.warnings;
}

describe("rules", () => {
  test("tmpfs size must be 0 or more", async () => {
    await refused(svc("    volumes:\n      - type: tmpfs\n        target: /t\n        tmpfs:\n          size: -1\n"), "services.web.volumes[0].tmpfs.size", /0 or more/, 8);
    await refused(svc("    volumes:\n      - type: tmpfs\n        target: /t\n        tmpfs:\n          size: lots\n"), "services.web.volumes[0].tmpfs.size", /size/);
    await accepted(svc("    volumes:\n      - type: tmpfs\n        target: /t\n        tmpfs:\n          size: 64m\n"));
    await accepted(svc("    volumes:\n      - type: tmpfs\n        target: /t\n        tmpfs:\n          size: 0\n"));
  });
  test("a bind mount needs a source", async () => {
    await refused(svc("    volumes:\n      - type: bind\n        target: /data\n"), "services.web.volumes[0]", /no source/, 5);
    await refused(svc("    volumes:\n      - type: bind\n        target: /data\n        read_only: true\n"), "services.web.volumes[0]", /no source/);
  });
  test("count and device_ids are exclusive (deploy devices and gpus)", async () => {
    await refused(svc("    deploy:\n      resources:\n        reservations:\n          devices:\n            - capabilities: [gpu]\n              count: 1\n              device_ids: ['0']\n"), "services.web.deploy.resources.reservations.devices[0]", /"count" and "device_ids"/, 8);
    await refused(svc("    gpus:\n      - count: all\n        device_ids: ['0']\n"), "services.web.gpus[0]", /exclusive/);
    await accepted(svc("    deploy:\n      resources:\n        reservations:\n          devices:\n            - capabilities: [gpu]\n              count: 2\n"));
  });
  test("an external volume carries only a name", async () => {
    const vol = (attrs: string) => svc("    volumes: [v:/v]\n", `volumes:\n  v:\n    external: true\n${attrs}`);
    await refused(vol("    labels: {a: b}\n"), "volumes.v.labels", /conflicting parameters "external" and "labels"/, 8);
    await refused(vol("    driver: local\n"), "volumes.v.driver", /conflicting/);
    await refused(vol("    driver_opts: {type: nfs}\n"), "volumes.v.driver_opts", /conflicting/);
    await accepted(vol("    name: real-name\n    x-note: fine\n"));
  });
  test("an environment or build-arg list entry with a space before =", async () => {
    await refused(svc("    environment:\n      - KEY = value\n"), "services.web.environment[0]", /KEY is declared with a trailing space/, 5);
    await refused(svc("    environment:\n      - 'KEY '\n"), "services.web.environment[0]", /trailing space/);
    await refused("services:\n  web:\n    build:\n      context: .\n      args:\n        - 'V =1'\n", "services.web.build.args[0]", /build argument V/);
    const w = await accepted(svc("    environment:\n      - KEY=value with spaces\n      - OTHER= lead\n"));
    assert.deepEqual(w, []);
  });
  test("two mounts at one target (tmpfs with tmpfs, tmpfs with a volume)", async () => {
    await refused(svc("    tmpfs: [/run, '/run:size=1m']\n"), "services.web.tmpfs[1]", /already mounted by tmpfs\[0\]/);
    await refused(svc("    tmpfs: /data\n    volumes: ['./d:/data']\n"), "services.web.volumes[0]", /already mounted by tmpfs\[0\]/);
    await accepted(svc("    tmpfs: [/a, /b]\n    volumes: ['./d:/c']\n"));
  });
  test("secrets and configs declare one source of content", async () => {
    await refused(svc("", "secrets:\n  s:\n    file: ./s\n    environment: S\n"), "secrets.s.environment", /mutually exclusive/, 7);
    await refused(svc("", "configs:\n  c:\n    file: ./c\n    content: hi\n"), "configs.c.content", /mutually exclusive/);
    await accepted(svc("", "configs:\n  c:\n    content: hi\n"));
  });
  test("a long-syntax port's host_ip is an IP address", async () => {
    await refused(svc("    ports:\n      - target: 80\n        host_ip: localhost\n"), "services.web.ports[0].host_ip", /invalid ip address: localhost/);
    await accepted(svc("    ports:\n      - target: 80\n        host_ip: '::1'\n      - target: 81\n        host_ip: 127.0.0.1\n"));
  });
  test("mem_reservation and pids_limit agree with deploy.resources", async () => {
    await refused(svc("    mem_reservation: 64m\n    deploy:\n      resources:\n        reservations:\n          memory: 128m\n"), "services.web.mem_reservation", /disagree/);
    await refused(svc("    pids_limit: 10\n    deploy:\n      resources:\n        limits:\n          pids: 20\n"), "services.web.pids_limit", /disagree/);
    await accepted(svc("    mem_reservation: 64m\n    deploy:\n      resources:\n        reservations:\n          memory: 64M\n"));
  });
  test("a watch path cannot be blank", async () => {
    await refused(svc("    develop:\n      watch:\n        - path: ''\n          action: rebuild\n"), "services.web.develop.watch[0].path", /blank/);
  });
});
