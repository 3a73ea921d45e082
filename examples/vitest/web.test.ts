// Run with: npx vitest run --root examples/vitest
import { expect, test } from "vitest";
import { compose, wait } from "flotilla";

test("web serves the greeting from env", async () => {
  // `await using` removes the stack (containers, networks, volumes) when the test ends, pass or fail.
  await using stack = await compose({ cwd: import.meta.dirname, files: ["../compose.yaml"], env: { GREETING: "hello from vitest" } })
    .waitFor("web", wait.http({ port: 8080, path: "/health", body: "ok" }))
    .up();

  const res = await fetch(stack.service("web").url(8080, "/"));
  expect(res.status).toBe(200);
  expect((await res.text()).trim()).toBe("hello from vitest");
  // seed is a one-shot: by the time web started (depends_on: service_completed_successfully) it had exited 0
  expect((await stack.service("seed").inspect()).state.exitCode).toBe(0);
  expect((await (await fetch(stack.service("web").url(8080, "/seeded.txt"))).text()).trim()).toBe("seeded");
});
