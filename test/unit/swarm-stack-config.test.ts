import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { BufferStream } from "../../src/cli/io.js";

interface Printed {
  secrets: { Name: string; Data: string }[];
  configs: { Name: string; Data: string }[];
  networks: { Name: string }[];
  services: { Name: string; Mode: unknown }[];
}
const parse = (text: string): Printed => JSON.parse(text) as Printed;

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
const fx = (...p: string[]): string => join(root, "fixtures", ...p);

async function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new BufferStream();
  const stderr = new BufferStream();
  const code = await main(args, { stdout, stderr, env, cwd, readStdin: () => Promise.resolve(""), onSignal: () => () => {} });
  return { code, out: stdout.text, err: stderr.text };
}

describe("flotilla stack config", () => {
  test("prints the specs from the project's discovery, named after the project; secrets redacted", async () => {
    const r = await run(["stack", "config"], fx("swarm-stack"), { GREETING: "hi" });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, "", "a file Swarm takes as written gives no warning");
    const specs = parse(r.out);
    assert.deepEqual(Object.keys(specs), ["secrets", "configs", "networks", "services"]);
    assert.deepEqual(specs.services.map((s) => s.Name), ["shop_web", "shop_db"], "profiles apply: debug is off");
    assert.match(specs.secrets[0]!.Name, /^shop_db_password_[0-9a-f]{8}$/);
    assert.match(specs.secrets[0]!.Data, /^<redacted: 7 bytes/);
    assert.ok(!r.out.includes(Buffer.from("hunter2").toString("base64")) && !r.out.includes("hunter2"));
    assert.equal(Buffer.from(specs.configs[0]!.Data, "base64").toString(), "greeting=hi\n", "interpolated");
    assert.deepEqual(specs.services[0]!.Mode, { Replicated: { Replicas: 2 } });
  });

  test("-c is repeatable (overrides merge), NAME names the stack, --show-secrets prints the data", async () => {
    const r = await run(["stack", "config", "-c", "compose.yaml", "-c", "override.yaml", "--show-secrets", "prod"], fx("swarm-stack"));
    assert.equal(r.code, 0, r.err);
    const specs = parse(r.out);
    assert.equal(specs.services[0]!.Name, "prod_web");
    assert.deepEqual(specs.services[0]!.Mode, { Replicated: { Replicas: 3 } });
    assert.equal(Buffer.from(specs.secrets[0]!.Data, "base64").toString(), "hunter2");
    assert.equal(specs.networks[0]!.Name, "prod_default");
  });

  test("refusals fail with every one at file:line:col and nothing printed; --ignore lets it through with a warning", async () => {
    const r = await run(["stack", "config"], fx("swarm-check"));
    assert.equal(r.code, 1);
    assert.equal(r.out, "");
    assert.match(r.err, /3 problems in the configuration/);
    assert.match(r.err, /compose\.yaml:5:5: services\.web\.privileged: refused for stack deploy/);
    const ok = await run(["stack", "config", "--ignore", "privileged", "--ignore", "devices", "--ignore", "deploy.resources.reservations.devices"], fx("swarm-check"));
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.err, /WARN .*compose\.yaml:5:5: services\.web\.privileged: not sent to Swarm \(--ignore privileged\)/);
  });

  test("an invalid stack name is a usage error", async () => {
    const r = await run(["stack", "config", "bad/name"], fx("swarm-stack"));
    assert.equal(r.code, 2);
    assert.match(r.err, /invalid stack name/);
  });
});
