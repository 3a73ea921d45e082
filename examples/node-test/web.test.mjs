// Run with: node --test examples/node-test/
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { compose, wait } from "flotilla";

let stack;

before(async () => {
  stack = await compose({ cwd: import.meta.dirname, files: ["../compose.yaml"], env: { GREETING: "hello from node:test" } })
    .waitFor("seed", wait.completed())
    .waitFor("web", wait.http({ port: 8080, path: "/health", body: "ok" }))
    .up();
});

// Removes containers, networks and volumes. If this process dies first, a watchdog does it.
after(() => stack?.down());

test("web serves the greeting from env", async () => {
  const res = await fetch(stack.service("web").url(8080, "/"));
  assert.equal(res.status, 200);
  assert.equal((await res.text()).trim(), "hello from node:test");
});

test("seed ran to completion before web started", async () => {
  const res = await fetch(stack.service("web").url(8080, "/seeded.txt"));
  assert.equal((await res.text()).trim(), "seeded");
  const { exitCode, stdout } = await stack.service("web").exec(["cat", "/www/seeded.txt"]);
  assert.deepEqual([exitCode, stdout], [0, "seeded\n"]);
});
