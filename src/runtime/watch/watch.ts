/**
 * Watch mode (Compose's `develop.watch`): file events → per-service batches → actions on the
 * running containers. Per batch and service, in Compose's order: rebuild (build, then recreate
 * through the Project API; supersedes the rest), else sync (one tar per container, deletions by
 * `rm -rf`), then restart (`restart`, `sync+restart`), then the `sync+exec` hooks. Errors are
 * reported as events and never end the watch; only the AbortSignal does.
 */
import { readFileSync, statSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { ConfigError, FlotillaError, type ConfigIssue } from "../../errors.js";
import type { EventListener } from "../../events.js";
import type { LoadedProject, ServiceConfig, WatchRule } from "../../spec/model.js";
import type { Engine } from "../engine.js";
import { Label } from "../labels.js";
import type { UpOptions } from "../options.js";
import { Batcher } from "./batcher.js";
import { contextIgnorePatterns, createMatcher, relativeUnder, type RuleMatcher } from "./matcher.js";
import { mapLimit, packFiles, syncContainer, syncOwner, type ContainerSync, type SyncFile } from "./sync.js";
import { watchFiles, type FileEvent } from "./watcher.js";

/** What watching needs from a project (the library's `Project` satisfies it). */
export interface WatchableProject {
  readonly name: string;
  readonly config: LoadedProject;
  engine(): Promise<Engine>;
  up(opts: UpOptions): Promise<unknown>;
}

/** Counters, filled while watching (benchmarks and tests read them). */
export interface WatchStats {
  /** Batches handled (all services). */
  batches: number;
  /** putArchive calls. */
  archives: number;
  /** Files written into containers (sum over containers). */
  filesSynced: number;
  rebuilds: number;
  restarts: number;
  execs: number;
  errors: number;
}

export function newWatchStats(): WatchStats {
  return { batches: 0, archives: 0, filesSynced: 0, rebuilds: 0, restarts: 0, execs: 0, errors: 0 };
}

export interface WatchOptions {
  /** Services to watch (default: every service with develop.watch). */
  services?: string[];
  signal?: AbortSignal;
  onEvent?: EventListener;
  /** Quiet period before a batch is handled (ms, default 20); grows with the batch size (up to 120 ms). */
  quietMs?: number;
  /** Longest a batch waits for events to stop (ms, default 1000). */
  maxWaitMs?: number;
  /** Remove the previous image after a successful rebuild (`--prune`). */
  prune?: boolean;
  /** Counters to fill in. */
  stats?: WatchStats;
  /** Called once watching is active (after any initial sync). */
  onReady?: () => void;
  /** Max containers handled in parallel per service (default 16, like Compose). */
  parallel?: number;
}

/**
 * A lone edit is handled 20 ms after its event (file events arrive ~5 ms after the write here;
 * the engine's archive upload then costs ~70 ms, the floor of the edit-to-served time).
 * A burst (a `git checkout`) reaches us in clumps with lulls of up to ~40 ms between them and
 * spread over several hundred ms, so the quiet period grows with the batch (2 ms per pending
 * file, up to 120 ms) and the cap on a batch's age is a full second: one transfer per burst.
 */
export const DEFAULT_QUIET_MS = 20;
const MAX_QUIET_MS = 120;
export const DEFAULT_MAX_WAIT_MS = 1000;
const SYNC_ACTIONS: ReadonlySet<WatchRule["action"]> = new Set(["sync", "sync+restart", "sync+exec"]);
const ACTIONS: ReadonlySet<string> = new Set(["sync", "rebuild", "restart", "sync+restart", "sync+exec"]);

export interface WatchPlan {
  /** Services with at least one active rule, with their rules. */
  services: { name: string; rules: WatchRule[] }[];
  /** Services selected but not watched (no develop.watch). */
  unwatched: string[];
  warnings: string[];
}

function bindSources(svc: ServiceConfig): { source: string; target: string }[] {
  const out: { source: string; target: string }[] = [];
  for (const v of svc.volumes ?? []) {
    if (v.type === "bind" && typeof v.source === "string") out.push({ source: v.source, target: v.target });
  }
  return out;
}

/**
 * Check the watch configuration of the selected services before anything starts. Pure: throws a
 * ConfigError listing every invalid rule, or WATCH_FAILED when nothing is configured for watch.
 */
export function planWatch(config: LoadedProject, services?: readonly string[]): WatchPlan {
  const model = config.model;
  const names = services && services.length > 0 ? [...services] : Object.keys(model.services);
  const issues: ConfigIssue[] = [];
  const plan: WatchPlan = { services: [], unwatched: [], warnings: [] };
  for (const name of names) {
    const svc = model.services[name];
    if (!svc) {
      throw new FlotillaError("NO_SUCH_SERVICE", `no such service: ${name}`, {
        service: name,
        hint: `services: ${Object.keys(model.services).sort().join(", ")}`,
      });
    }
    const rules = svc.develop?.watch ?? [];
    if (rules.length === 0) {
      plan.unwatched.push(name);
      continue;
    }
    const active: WatchRule[] = [];
    rules.forEach((rule, i) => {
      const where = `services.${name}.develop.watch[${i}]`;
      const bad = (message: string, hint: string): void => {
        issues.push({ code: "CONFIG_INVALID", path: where, message, hint });
      };
      if (typeof rule.path !== "string" || rule.path === "") return bad("watch rule has no path", "set `path:` to a file or directory (relative to the project directory)");
      if (!ACTIONS.has(rule.action)) return bad(`unknown watch action "${String(rule.action)}"`, "use sync, rebuild, restart, sync+restart or sync+exec");
      if (SYNC_ACTIONS.has(rule.action) && !rule.target) return bad(`watch rule with action "${rule.action}" needs a target`, "set `target:` to the path inside the container");
      if (SYNC_ACTIONS.has(rule.action) && !path.posix.isAbsolute(rule.target ?? "")) {
        return bad(`watch target "${rule.target}" is not an absolute container path`, "write the target as an absolute path, e.g. /app");
      }
      if (rule.action === "sync+exec" && (!rule.exec || !Array.isArray(rule.exec.command) || rule.exec.command.length === 0)) {
        return bad('watch rule with action "sync+exec" needs exec.command', "add `exec: { command: [...] }`");
      }
      if (rule.action === "rebuild" && !svc.build) {
        return bad(`service "${name}" has no build section, so it cannot be rebuilt`, "add `build:` to the service or use a sync action");
      }
      if (SYNC_ACTIONS.has(rule.action)) {
        const mount = bindSources(svc).find((b) => relativeUnder(b.source, rule.path) !== undefined);
        if (mount) {
          plan.warnings.push(`${name}: path ${rule.path} is bind-mounted at ${mount.target}; the ${rule.action} rule is skipped (the container already sees the files)`);
          return;
        }
      }
      active.push(rule);
    });
    if (active.length > 0) plan.services.push({ name, rules: active });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  if (plan.services.length === 0) {
    throw new FlotillaError("WATCH_FAILED", `none of the selected services (${names.join(", ")}) is configured for watch`, {
      hint: "add a develop.watch section to a service (see the Compose develop specification)",
    });
  }
  return plan;
}

interface Pending {
  kind: "changed" | "removed";
  dir: boolean;
}

interface ServiceWatch {
  name: string;
  matchers: RuleMatcher[];
  batcher: Batcher<Pending>;
  /** Changes held back because no container was running. */
  deferred: Map<string, Pending>;
  retry?: ReturnType<typeof setTimeout>;
  missingNoted: boolean;
}

function readText(p: string): string | undefined {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
}

function isFilePath(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function listNames(names: readonly string[], max = 3): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown}, …` : shown;
}

/** Every file under `dir` the matcher covers (for initial_sync). */
async function walk(dir: string, m: RuleMatcher, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!m.prune(abs)) await walk(abs, m, out);
    } else if (m.matches(abs)) {
      out.push(abs);
    }
  }
}

/**
 * Watch the project's services until `signal` aborts (resolves then). Services must be running
 * (call `up` first); invalid rules throw before anything is watched.
 */
export async function watchProject(project: WatchableProject, options: WatchOptions = {}): Promise<void> {
  const plan = planWatch(project.config, options.services);
  const emitRaw: EventListener = options.onEvent ?? (() => {});
  const stats = options.stats ?? newWatchStats();
  const signal = options.signal;
  const quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
  const maxWaitMs = Math.max(quietMs, options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
  const parallel = options.parallel ?? 16;
  const model = project.config.model;
  const workingDir = project.config.workingDir;
  const say = (service: string, message: string): void => emitRaw({ type: "watch", service, message });
  const warn = (service: string, message: string): void => {
    stats.errors++;
    emitRaw({ type: "warning", service, message: `${service}: ${message}` });
  };
  for (const w of plan.warnings) emitRaw({ type: "warning", message: w });
  if (signal?.aborted) return;
  const engine = await project.engine();

  const display = (abs: string, m?: RuleMatcher): string => {
    if (m?.isFile) return path.basename(abs);
    const rel = m && !m.isFile ? relativeUnder(m.root, abs) : relativeUnder(workingDir, abs);
    return rel === undefined || rel === "" ? path.basename(abs) : rel;
  };

  const running = async (service: string): Promise<string[]> => {
    const list = await engine.listContainers({ labels: { [Label.project]: model.name, [Label.service]: service } });
    return list.filter((c) => c.labels[Label.oneoff] !== "True" && c.state === "running").map((c) => c.id);
  };

  // --- ownership of synced files: the container's user, as Compose (see syncOwner) ---------------
  const ownerFallbackNoted = new Set<string>();
  const packFor = (service: string, files: SyncFile[]) => {
    const owner = syncOwner(model.services[service]?.user);
    return packFiles(files, 32, owner === "container-user" ? undefined : owner);
  };
  const pushTo = async (service: string, id: string, change: ContainerSync) => {
    const r = await syncContainer(engine, id, change, signal, syncOwner(model.services[service]?.user) === "container-user");
    if (r.ownerFallback && !ownerFallbackNoted.has(service)) {
      ownerFallbackNoted.add(service);
      warn(service, `synced files belong to root: the engine cannot resolve user "${model.services[service]?.user ?? ""}" (${r.ownerFallback}); a numeric user: "uid:gid" avoids this`);
    }
    return r;
  };

  // --- rebuild -------------------------------------------------------------------------------
  const rebuild = async (service: string, changed: string[]): Promise<void> => {
    stats.rebuilds++;
    say(service, `rebuilding after ${listNames(changed)} changed`);
    const [{ buildService, imageName }] = await Promise.all([import("../images.js")]);
    const svc = model.services[service]!;
    const ref = imageName(model.name, service, svc);
    const before = await engine.inspectImage(ref).catch(() => undefined);
    try {
      const id = await buildService(engine, project.config, service, emitRaw, signal);
      await project.up({
        services: [service],
        noDeps: true,
        forceRecreate: true,
        detach: true,
        pull: "missing",
        ...(signal ? { signal } : {}),
        onEvent: (e) => {
          if (e.type === "warning" && e.service === undefined) return; // project-wide warnings were shown at start
          emitRaw(e);
        },
      });
      say(service, `rebuilt image ${id.replace(/^sha256:/, "").slice(0, 12)} and recreated the container`);
      if (options.prune && before && before.id !== id) {
        await engine.removeImage(before.id).then(
          () => say(service, `removed the previous image ${before.id.replace(/^sha256:/, "").slice(0, 12)}`),
          () => undefined, // still used by another container or tag: keep it
        );
      }
    } catch (e) {
      if (signal?.aborted) return;
      warn(service, `rebuild failed, the running container is kept: ${errorText(e)}`);
    }
  };

  // --- one batch of one service --------------------------------------------------------------
  const handle = async (sw: ServiceWatch, batch: Map<string, Pending>): Promise<void> => {
    if (signal?.aborted) return;
    stats.batches++;
    const service = sw.name;
    const entries = [...batch.entries()];

    const rebuildHits: string[] = [];
    const syncFiles: SyncFile[] = [];
    const deletions: string[] = [];
    const targets = new Set<string>();
    const restartHits: string[] = [];
    const execRules = new Map<WatchRule, string[]>();
    for (const m of sw.matchers) {
      const rule = m.rule;
      for (const [abs, p] of entries) {
        // A removed directory is covered when it is under the rule and not ignored; files inside
        // it also arrive as their own events. Other paths go through the full matcher.
        const covered = p.dir ? !m.isFile && !m.prune(abs) && (relativeUnder(m.root, abs) ?? "") !== "" && !m.rule.include?.length : m.matches(abs);
        if (!covered) continue;
        if (rule.action === "rebuild") {
          rebuildHits.push(display(abs, m));
          continue;
        }
        if (rule.action === "restart") {
          restartHits.push(display(abs, m));
          continue;
        }
        const cp = m.containerPath(abs);
        if (cp === undefined) continue;
        targets.add(rule.target!);
        if (p.kind === "removed") deletions.push(cp);
        else if (!p.dir) syncFiles.push({ hostPath: abs, containerPath: cp });
        if (rule.action === "sync+restart") restartHits.push(display(abs, m));
        if (rule.action === "sync+exec") {
          const list = execRules.get(rule) ?? [];
          list.push(display(abs, m));
          execRules.set(rule, list);
        }
      }
    }
    if (rebuildHits.length > 0) {
      await rebuild(service, [...new Set(rebuildHits)]);
      return;
    }
    if (syncFiles.length === 0 && deletions.length === 0 && restartHits.length === 0) return;

    // Look the containers up (never cached: they may have been recreated) while the files are read.
    const packing = syncFiles.length > 0 ? packFor(service, syncFiles) : undefined;
    packing?.catch(() => undefined);
    let ids: string[];
    try {
      ids = await running(service);
    } catch (e) {
      warn(service, `cannot list containers: ${errorText(e)}`);
      return;
    }
    if (ids.length === 0) {
      // Keep the changes and look again shortly: the container may be restarting or recreated.
      for (const [k, v] of entries) sw.deferred.set(k, v);
      if (!sw.missingNoted) {
        sw.missingNoted = true;
        say(service, `no running container; ${entries.length} change(s) will be applied when it is back`);
      }
      if (!sw.retry && !signal?.aborted) {
        sw.retry = setTimeout(() => {
          sw.retry = undefined;
          const held = [...sw.deferred.entries()];
          sw.deferred.clear();
          for (const [k, v] of held) sw.batcher.add(k, v);
        }, 1000);
      }
      return;
    }
    if (sw.missingNoted) {
      sw.missingNoted = false;
      say(service, `container is running again (${ids.length})`);
    }

    if (syncFiles.length > 0 || deletions.length > 0) {
      const packed = packing ? await packing : { tar: Buffer.alloc(0), written: [] as string[], vanished: [] as SyncFile[] };
      const toDelete = [...new Set([...deletions, ...packed.vanished.map((f) => f.containerPath)])];
      const change = { ...(packed.written.length > 0 ? { tar: packed.tar } : {}), deletions: toDelete };
      let failed = 0;
      await mapLimit(ids, parallel, async (id) => {
        try {
          const r = await pushTo(service, id, change);
          stats.archives += r.archives;
          stats.filesSynced += packed.written.length;
        } catch (e) {
          failed++;
          warn(service, `sync to container ${id.slice(0, 12)} failed: ${errorText(e)}`);
        }
      });
      if (failed < ids.length) {
        const into = [...targets].join(", ");
        const writtenSet = new Set(packed.written);
        const writtenNames = syncFiles.filter((f) => writtenSet.has(f.containerPath)).slice(0, 4).map((f) => display(f.hostPath, sw.matchers.find((m) => m.matches(f.hostPath))));
        if (packed.written.length > 0) say(service, `synced ${packed.written.length} file${packed.written.length === 1 ? "" : "s"} to ${into} (${listNames(writtenNames)})`);
        if (toDelete.length > 0) say(service, `removed ${toDelete.length} path${toDelete.length === 1 ? "" : "s"} from ${into} (${listNames(toDelete)})`);
      }
    }

    if (restartHits.length > 0) {
      await mapLimit(ids, parallel, async (id) => {
        try {
          await engine.restartContainer(id);
          stats.restarts++;
        } catch (e) {
          warn(service, `restart of container ${id.slice(0, 12)} failed: ${errorText(e)}`);
        }
      });
      say(service, `restarted after ${listNames([...new Set(restartHits)])} changed`);
    }

    for (const [rule, hits] of execRules) {
      const hook = rule.exec!;
      const env = Object.entries(hook.environment ?? {}).map(([k, v]) => (v === null || v === undefined ? k : `${k}=${v}`));
      const shown = hook.command.join(" ");
      await mapLimit(ids, parallel, async (id) => {
        try {
          const r = await engine.exec(
            id,
            {
              cmd: [...hook.command],
              ...(hook.user !== undefined ? { user: hook.user } : {}),
              ...(env.length > 0 ? { env } : {}),
              ...(hook.working_dir !== undefined ? { workingDir: hook.working_dir } : {}),
              ...(hook.privileged !== undefined ? { privileged: hook.privileged } : {}),
            },
            signal,
          );
          stats.execs++;
          say(service, `ran "${shown}" (exit ${r.exitCode}) after ${listNames([...new Set(hits)])} changed`);
          if (r.exitCode !== 0) {
            const out = (r.stderr || r.stdout).trim().split("\n").slice(-5).join("\n");
            warn(service, `"${shown}" exited with ${r.exitCode}${out ? `: ${out}` : ""}`);
          }
        } catch (e) {
          warn(service, `running "${shown}" in container ${id.slice(0, 12)} failed: ${errorText(e)}`);
        }
      });
    }
  };

  // --- set up matchers and batchers ------------------------------------------------------------
  const watches: ServiceWatch[] = plan.services.map(({ name, rules }) => {
    const svc = model.services[name]!;
    let ctxIgnore: { context: string; patterns: string[] } | undefined;
    if (svc.build && !/^[a-z]+:\/\//i.test(svc.build.context) && !svc.build.context.startsWith("git@")) {
      const patterns = contextIgnorePatterns(svc.build.context, svc.build.dockerfile_inline !== undefined ? undefined : svc.build.dockerfile, readText);
      if (patterns.length > 0) ctxIgnore = { context: path.resolve(svc.build.context), patterns };
    }
    const matchers = rules.map((rule) => {
      const underContext = ctxIgnore && relativeUnder(ctxIgnore.context, path.resolve(rule.path)) !== undefined;
      return createMatcher(rule, { isFile: isFilePath(rule.path), ...(underContext && ctxIgnore ? { contextIgnore: ctxIgnore } : {}) });
    });
    const sw: ServiceWatch = {
      name,
      matchers,
      deferred: new Map(),
      missingNoted: false,
      batcher: undefined as unknown as Batcher<Pending>,
    };
    sw.batcher = new Batcher<Pending>({
      quietMs,
      maxWaitMs,
      quietGrowthMs: 2,
      maxQuietMs: Math.max(quietMs, MAX_QUIET_MS),
      flush: (batch) => handle(sw, batch),
      onError: (e) => warn(name, `watch batch failed: ${errorText(e)}`),
    });
    return sw;
  });
  const allMatchers = watches.flatMap((w) => w.matchers);

  // --- initial sync --------------------------------------------------------------------------
  for (const sw of watches) {
    for (const m of sw.matchers) {
      if (!m.rule.initial_sync || !SYNC_ACTIONS.has(m.rule.action) || signal?.aborted) continue;
      const files: string[] = [];
      if (m.isFile) {
        if (m.matches(m.root)) files.push(m.root);
      } else {
        await walk(m.root, m, files);
      }
      if (files.length === 0) continue;
      try {
        const ids = await running(sw.name);
        if (ids.length === 0) {
          say(sw.name, `no running container for the initial sync of ${display(m.root)}`);
          continue;
        }
        const packed = await packFor(sw.name, files.map((f) => ({ hostPath: f, containerPath: m.containerPath(f)! })));
        await mapLimit(ids, parallel, async (id) => {
          try {
            const r = await pushTo(sw.name, id, { tar: packed.tar, deletions: [] });
            stats.archives += r.archives;
            stats.filesSynced += packed.written.length;
          } catch (e) {
            warn(sw.name, `initial sync to container ${id.slice(0, 12)} failed: ${errorText(e)}`);
          }
        });
        say(sw.name, `initial sync: ${packed.written.length} file${packed.written.length === 1 ? "" : "s"} to ${m.rule.target}`);
      } catch (e) {
        warn(sw.name, `initial sync failed: ${errorText(e)}`);
      }
    }
  }

  // --- file events ---------------------------------------------------------------------------
  const onFileEvent = (ev: FileEvent): void => {
    if (ev.dir && ev.kind === "changed") return; // new directories: their files arrive as events
    for (const sw of watches) {
      const relevant = sw.matchers.some((m) =>
        ev.dir ? !m.isFile && relativeUnder(m.root, ev.path) !== undefined && !m.prune(ev.path) : m.matches(ev.path),
      );
      if (relevant) sw.batcher.add(ev.path, { kind: ev.kind, dir: ev.dir });
    }
  };
  const roots = [...new Set(allMatchers.map((m) => m.root))];
  const missingRoots = roots.filter((r) => !exists(r));
  for (const r of missingRoots) emitRaw({ type: "warning", message: `watch path ${r} does not exist yet; it is watched and picked up when created` });
  const watcher = await watchFiles(roots, {
    prune: (p) => allMatchers.every((m) => m.prune(p)),
    onEvent: onFileEvent,
    onError: (e) => emitRaw({ type: "warning", message: `file watcher: ${errorText(e)}` }),
  });

  try {
    for (const sw of watches) {
      const rules = sw.matchers.map((m) => `${m.rule.action} ${display(m.root)}${m.rule.target ? ` → ${m.rule.target}` : ""}`);
      say(sw.name, `watching ${rules.join("; ")}`);
    }
    for (const s of plan.unwatched) emitRaw({ type: "info", service: s, message: "not watched (no develop.watch section)" });
    options.onReady?.();
    if (!signal) {
      await new Promise<void>(() => {}); // without a signal, watch forever
    } else if (!signal.aborted) {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    }
  } finally {
    await watcher.close();
    for (const sw of watches) {
      if (sw.retry) clearTimeout(sw.retry);
      await sw.batcher.close();
    }
    for (const sw of watches) say(sw.name, "watch stopped");
  }
}
