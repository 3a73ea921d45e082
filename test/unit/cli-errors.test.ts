import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, EngineError, FlotillaError, ServiceError, UsageError } from "../../src/errors.js";
import { exitCodeFor, renderError } from "../../src/cli/render/errors.js";
import { main } from "../../src/cli/main.js";
import { BufferStream } from "../../src/cli/io.js";

describe("error rendering", () => {
  test("a ConfigError with two issues prints both with file:line:col", () => {
    const e = new ConfigError([
      { code: "CONFIG_SCHEMA", message: 'unknown attribute "imagee"', path: "services.web", location: { file: "/p/compose.yaml", line: 3, col: 5 }, hint: 'did you mean "image"?' },
      { code: "CONFIG_INTERPOLATION", message: "required variable PORT is missing a value", path: "services.api.environment.PORT", location: { file: "/p/compose.yaml", line: 10, col: 7 } },
    ]);
    const text = renderError(e);
    assert.match(text, /^flotilla: 2 problems in the configuration:\n/);
    assert.match(text, /\/p\/compose\.yaml:3:5: services\.web: unknown attribute "imagee"\n {4}hint: did you mean "image"\?/);
    assert.match(text, /\/p\/compose\.yaml:10:7: services\.api\.environment\.PORT: required variable PORT/);
    assert.doesNotMatch(text, /at .*\.js:\d+/);
    assert.equal(exitCodeFor(e), 1);
  });

  test("runtime errors name the service and show its last output", () => {
    const e = new ServiceError("DEPENDENCY_FAILED", "db", "container demo-db-1 exited with code 3", { logs: ["boom"], hint: "check the logs" });
    const text = renderError(e);
    assert.match(text, /^flotilla: service "db": container demo-db-1 exited with code 3\n/);
    assert.match(text, /last output of db:\n {4}boom/);
    assert.match(text, /hint: check the logs/);
  });

  test("ENGINE_UNREACHABLE is one line (plus hint)", () => {
    const text = renderError(new EngineError("ENGINE_UNREACHABLE", "connect ENOENT /var/run/docker.sock", { hint: "is dockerd running?" }));
    assert.equal(text, "flotilla: cannot reach the container engine: connect ENOENT /var/run/docker.sock\n  hint: is dockerd running?\n");
  });

  test("unknown errors: message only, stack with FLOTILLA_DEBUG", () => {
    const e = new TypeError("x is not a function");
    assert.equal(renderError(e), "flotilla: x is not a function\n");
    assert.match(renderError(e, { debug: true }), /TypeError: x is not a function\n\s+at /);
  });

  test("exit codes: usage 2, aborted 130, others 1", () => {
    assert.equal(exitCodeFor(new UsageError("bad")), 2);
    assert.equal(exitCodeFor(new FlotillaError("ABORTED", "stopped")), 130);
    assert.equal(exitCodeFor(new Error("x")), 1);
  });

  test("main maps a thrown ConfigError to exit 1 and stderr text", async () => {
    const stdout = new BufferStream();
    const stderr = new BufferStream();
    const code = await main(["config"], { stdout, stderr, env: {}, cwd: "/", readStdin: async () => "", onSignal: () => () => {} }, {
      loadConfig: async () => {
        throw new ConfigError([{ code: "CONFIG_YAML", message: "bad indentation", location: { file: "/x/compose.yaml", line: 2, col: 3 } }]);
      },
    });
    assert.equal(code, 1);
    assert.equal(stdout.text, "");
    assert.equal(stderr.text, "flotilla: invalid configuration:\n  /x/compose.yaml:2:3: bad indentation\n");
  });
});
