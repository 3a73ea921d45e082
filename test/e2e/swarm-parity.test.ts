/**
 * Parity with `docker stack deploy`: on a throwaway one-node swarm, the same compose file
 * (fixtures/swarm-parity, written to touch as many keys as both tools accept) is deployed by
 * Debian's docker CLI 20.10 under one stack name and by `flotilla stack deploy` under another.
 * Then what the engine stored is compared key by key: every service's spec (`docker service
 * inspect`), every network (`docker network inspect`), every secret's and config's spec. The stack
 * names are replaced by one placeholder and network ids by network names; nothing else is
 * normalized except JSON nulls and objects of nulls only (Go's nil pointers: the same as absent). The only differences
 * allowed are the deliberate ones listed in DELIBERATE, each with its reason, and each must
 * actually show up (a listed difference that disappeared fails the test too, so the list stays
 * true). Nothing waits for tasks: the stored specs are the whole comparison.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { labDown, labUnavailable, labUp, type Lab } from "../support/swarm-lab.js";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "bin", "flotilla.js");
const fixture = join(root, "fixtures", "swarm-parity");
/** Debian's docker.io CLI: 20.10, the one with `stack deploy` (the newer CLI on PATH may lack it). */
const DOCKER_20 = "/usr/bin/docker";
const REF = `pref${process.pid}`;
const FLO = `pflo${process.pid}`;
const SERVICES = ["web", "worker", "plain", "legacy"];
const NETWORKS = ["front", "back", "default"];
const SECRETS = ["api_key", "db_password"];
const CONFIGS = ["site", "tmpl"];

type Flat = Record<string, unknown>;

/** A difference Flotilla makes on purpose: where (key path), why, and what exactly it looks like. */
interface Deliberate {
  key: RegExp;
  why: string;
  /** True when this pair of values is the deliberate difference (and nothing else). */
  is: (ref: unknown, flo: unknown) => boolean;
}

const DELIBERATE: Deliberate[] = [
  {
    key: /^Labels\.io\.flotilla\.spec-hash$/,
    why: "Flotilla's convergence label on services and networks: an equal hash means no update (docker stack has no such state)",
    is: (r, f) => r === undefined && typeof f === "string" && /^[0-9a-f]{64}$/.test(f),
  },
  {
    key: /^Labels\.io\.flotilla\.object$/,
    why: "secrets and configs carry their key in the file, so old content versions can be found and pruned",
    is: (r, f) => r === undefined && typeof f === "string" && f.length > 0,
  },
  {
    key: /^(TaskTemplate\.ContainerSpec\.(Secrets|Configs)\.\d+\.(SecretName|ConfigName)|Name)$/,
    why: "secrets and configs are named by content (<stack>_<key>_<sha8>), so a changed one rolls the services that use it; docker stack fails on a changed secret",
    is: (r, f) => typeof r === "string" && f === `${r}_${String(f).slice(-8)}` && /_[0-9a-f]{8}$/.test(String(f)),
  },
  {
    key: /^TaskTemplate\.RestartPolicy\.Condition$/,
    why: 'restart: "no" becomes condition none; docker stack sends no restart policy for it, so the engine\'s default (any) restarts the task',
    is: (r, f) => r === "any" && f === "none",
  },
  {
    key: /^TaskTemplate\.ContainerSpec\.Mounts\.\d+\.(Type|Target|TmpfsOptions\.(SizeBytes|Mode))$/,
    why: "the service-level `tmpfs:` list becomes tmpfs mounts; docker stack drops it without a word",
    is: (r, f) => r === undefined && f !== undefined,
  },
];

/** Strings with the stack's name in them get a placeholder instead; network ids become names; nulls go. */
function normalize(v: unknown, stack: string, networkNames: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(x, stack, networkNames));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "SecretID" || k === "ConfigID") continue; // ids differ by nature
      const y = normalize(k === "Target" && typeof x === "string" ? (networkNames.get(x) ?? x) : x, stack, networkNames);
      if (y !== undefined) out[k] = y;
    }
    // an object of nulls only (docker stack's `Privileges: {CredentialSpec: null, …}`) is Go's way of saying nothing
    return Object.keys(out).length === 0 && Object.keys(v).length > 0 ? undefined : out;
  }
  if (v === null) return undefined;
  if (typeof v === "string") return v === stack ? "<stack>" : v.replaceAll(`${stack}_`, "<stack>_");
  return v;
}

/** `{a: {b: [1]}}` → `{"a.b.0": 1}`; an empty object or list stays a leaf (it is stored, so it counts). */
function flatten(v: unknown, prefix = "", out: Flat = {}): Flat {
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : v !== null && typeof v === "object" ? Object.entries(v) : undefined;
  if (entries === undefined || entries.length === 0) {
    out[prefix] = v;
    return out;
  }
  for (const [k, x] of entries) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

interface Difference {
  what: string;
  key: string;
  ref: unknown;
  flo: unknown;
}

function compare(what: string, ref: Flat, flo: Flat): Difference[] {
  const keys = [...new Set([...Object.keys(ref), ...Object.keys(flo)])].sort();
  return keys.filter((k) => JSON.stringify(ref[k]) !== JSON.stringify(flo[k])).map((key) => ({ what, key, ref: ref[key], flo: flo[key] }));
}

const why = labUnavailable() ?? (existsSync(DOCKER_20) ? undefined : `no ${DOCKER_20} (Debian's docker.io ships the 20.10 CLI with stack deploy)`);

describe("parity with docker stack deploy (CLI 20.10) on a 1-node lab swarm", { skip: why }, () => {
  let lab: Lab | undefined;
  let env: NodeJS.ProcessEnv;
  const docker = async (...args: string[]): Promise<string> => (await run(DOCKER_20, args, { env, cwd: fixture, maxBuffer: 8 << 20 })).stdout;

  before(async () => {
    lab = await labUp({ nodes: 1 });
    console.log(`lab swarm up in ${lab.setupSeconds} s`);
    env = { ...process.env, DOCKER_HOST: lab.dockerHost };
    // the fixture's external network
    await docker("network", "create", "--driver", "overlay", "parity_outside");
  });
  after(async () => {
    await labDown(lab);
  });

  test("both tools store the same specs, apart from the deliberate differences", async () => {
    let t = Date.now();
    await docker("stack", "deploy", "--resolve-image", "never", "-c", "compose.yaml", REF);
    const refSeconds = (Date.now() - t) / 1000;
    t = Date.now();
    await run(process.execPath, [bin, "stack", "deploy", "--detach", "--resolve-image", "never", "-c", "compose.yaml", FLO], { env, cwd: fixture });
    console.log(`docker stack deploy ${refSeconds.toFixed(2)} s, flotilla stack deploy ${((Date.now() - t) / 1000).toFixed(2)} s`);

    const networkIds = (await docker("network", "ls", "-q", "--no-trunc")).trim().split("\n");
    const networks = JSON.parse(await docker("network", "inspect", ...networkIds)) as { Id: string; Name: string }[];
    const networkNames = new Map(networks.map((n) => [n.Id, n.Name]));
    const inspect = async (kind: string, name: string, stack: string): Promise<Flat> => {
      const [obj] = JSON.parse(await docker(kind, "inspect", name)) as Record<string, unknown>[];
      assert.ok(obj, `${kind} ${name} exists`);
      let value: unknown = obj["Spec"];
      if (kind === "network") {
        // what the file decides; ids, creation times, the VXLAN id and the subnet the engine picks are not
        const { Driver, Scope, EnableIPv6, Internal, Attachable, Ingress, Labels, Options, IPAM } = obj as Record<string, Record<string, unknown>>;
        const { ["com.docker.network.driver.overlay.vxlanid_list"]: _vxlan, ...options } = Options ?? {};
        value = { Driver, Scope, EnableIPv6, Internal, Attachable, Ingress, Labels, Options: options, IPAM: { Driver: IPAM?.["Driver"], Options: IPAM?.["Options"] } };
      }
      return flatten(normalize(value, stack, networkNames));
    };
    const objectName = async (kind: "secret" | "config", key: string, stack: string): Promise<string> => {
      if (stack === REF) return `${stack}_${key}`;
      const names = (await docker(kind, "ls", "--filter", `name=${stack}_${key}_`, "--format", "{{.Name}}")).trim().split("\n").filter(Boolean);
      assert.equal(names.length, 1, `one ${kind} version of ${key}: ${names.join(", ")}`);
      return names[0]!;
    };

    const differences: Difference[] = [];
    let compared = 0;
    const pair = async (kind: string, what: string, refName: string, floName: string): Promise<void> => {
      const [a, b] = await Promise.all([inspect(kind, refName, REF), inspect(kind, floName, FLO)]);
      compared += Object.keys(a).length;
      differences.push(...compare(what, a, b));
    };
    for (const s of SERVICES) await pair("service", `service ${s}`, `${REF}_${s}`, `${FLO}_${s}`);
    for (const n of NETWORKS) await pair("network", `network ${n}`, `${REF}_${n}`, `${FLO}_${n}`);
    for (const s of SECRETS) await pair("secret", `secret ${s}`, await objectName("secret", s, REF), await objectName("secret", s, FLO));
    for (const c of CONFIGS) await pair("config", `config ${c}`, await objectName("config", c, REF), await objectName("config", c, FLO));

    const explained = new Map<Deliberate, Difference[]>(DELIBERATE.map((d) => [d, []]));
    const unexplained: Difference[] = [];
    for (const d of differences) {
      const rule = DELIBERATE.find((r) => r.key.test(d.key) && r.is(d.ref, d.flo));
      if (rule) explained.get(rule)!.push(d);
      else unexplained.push(d);
    }
    console.log(`compared ${compared} stored keys over ${SERVICES.length} services, ${NETWORKS.length} networks, ${SECRETS.length} secrets, ${CONFIGS.length} configs`);
    for (const [rule, ds] of explained) console.log(`deliberate (${ds.length}): ${rule.why}\n  ${ds.map((d) => `${d.what}: ${d.key}`).join("\n  ")}`);
    assert.ok(compared > 200, `the comparison covered ${compared} keys (expected the rich fixture's 200+)`);
    assert.deepEqual(unexplained, [], "differences that are not deliberate");
    for (const [rule, ds] of explained) assert.ok(ds.length > 0, `the deliberate difference "${rule.why}" no longer shows: update DELIBERATE and docs/swarm.md`);
  });
});
