import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, FlotillaError } from "../../src/errors.js";
import { loadProject } from "../../src/spec/load.js";
import { planWatch } from "../../src/runtime/watch/watch.js";

async function load(yaml: string) {
  return loadProject({ cwd: "/proj", env: {}, projectName: "watchplan", documents: [yaml] });
}

describe("watch plan (checks before anything starts)", () => {
  test("watched and unwatched services; paths are absolute", async () => {
    const p = await load(`
services:
  web:
    image: flotilla-busybox:latest
    develop:
      watch:
        - path: ./site
          action: sync
          target: /www
  db:
    image: flotilla-busybox:latest
`);
    const plan = planWatch(p);
    assert.deepEqual(plan.services.map((s) => s.name), ["web"]);
    assert.equal(plan.services[0]!.rules[0]!.path, "/proj/site");
    assert.deepEqual(plan.unwatched, ["db"]);
  });

  test("sync without target is rejected by the loader", async () => {
    await assert.rejects(
      load(`
services:
  web:
    image: flotilla-busybox:latest
    develop:
      watch:
        - path: ./site
          action: sync
`),
      (e: unknown) => e instanceof ConfigError && /target/.test(e.message) && /watch\[0\]/.test(e.message),
    );
  });

  test("invalid rules are all reported with their model path", async () => {
    const p = await load(`
services:
  web:
    image: flotilla-busybox:latest
    develop:
      watch:
        - path: ./src
          action: rebuild
        - path: ./site
          action: sync+exec
          target: /www
        - path: ./rel
          action: sync
          target: relative/dir
`);
    try {
      planWatch(p);
      assert.fail("expected a ConfigError");
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.issues.length, 3);
      assert.match(e.issues[0]!.message, /no build section/);
      assert.equal(e.issues[0]!.path, "services.web.develop.watch[0]");
      assert.match(e.issues[1]!.message, /exec\.command/);
      assert.match(e.issues[2]!.message, /absolute/);
    }
  });

  test("nothing to watch is WATCH_FAILED; unknown service is NO_SUCH_SERVICE", async () => {
    const p = await load(`
services:
  db:
    image: flotilla-busybox:latest
`);
    assert.throws(() => planWatch(p), (e: unknown) => e instanceof FlotillaError && e.code === "WATCH_FAILED");
    assert.throws(() => planWatch(p, ["nope"]), (e: unknown) => e instanceof FlotillaError && e.code === "NO_SUCH_SERVICE");
  });

  test("a sync rule under a bind mount is skipped with a warning", async () => {
    const p = await load(`
services:
  web:
    image: flotilla-busybox:latest
    volumes:
      - ./site:/www
    develop:
      watch:
        - path: ./site/pages
          action: sync
          target: /www/pages
        - path: ./conf
          action: restart
`);
    const plan = planWatch(p);
    assert.equal(plan.services[0]!.rules.length, 1);
    assert.equal(plan.services[0]!.rules[0]!.action, "restart");
    assert.match(plan.warnings[0]!, /bind-mounted/);
  });
});
