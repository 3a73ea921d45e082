// Small helpers shared by the benchmark scripts: timing, medians, percentiles, generated stacks.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export const ms = (x) => `${x.toFixed(1)} ms`;
export const secs = (x) => `${(x / 1000).toFixed(2)} s`;
export const ratio = (a, b) => `${(a / b).toFixed(2)}x`;

/** Run a command, return wall time in ms; throws on non-zero exit unless allowFail. */
export function timeCommand(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: opts.stdio ?? ["ignore", "ignore", "pipe"], env: opts.env ?? process.env, cwd: opts.cwd, encoding: "utf8" });
  const t = performance.now() - t0;
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return t;
}

export function have(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

/**
 * A generated stack of n services on the local busybox image: a few dependency chains plus
 * fan-out (every 5th service depends on the previous one; every 10th also on svc0).
 */
export function generateStack(n, { image = "flotilla-busybox:latest", extra = {} } = {}) {
  const services = {};
  for (let i = 0; i < n; i++) {
    const deps = [];
    if (i % 5 !== 0) deps.push(`svc${i - 1}`);
    if (i % 10 === 0 && i > 0) deps.push("svc0");
    services[`svc${i}`] = {
      image,
      init: true,
      command: ["sleep", "3600"],
      environment: { INDEX: String(i), ROLE: i % 2 ? "worker" : "api" },
      labels: { "bench.index": String(i) },
      ...(deps.length ? { depends_on: deps } : {}),
      ...extra,
    };
  }
  return { services, volumes: { data: {} }, networks: { back: {} } };
}

export function writeStack(doc, name = "compose.yaml") {
  const dir = mkdtempSync(join(tmpdir(), "flotilla-bench-"));
  // JSON is valid YAML: no dependency needed here.
  writeFileSync(join(dir, name), JSON.stringify(doc, null, 1));
  return dir;
}
