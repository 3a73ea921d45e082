/**
 * One watch of a project's services: file events → per-service batches → actions on the running
 * containers. Per batch and service, in Compose's order: rebuild (build, then recreate through the
 * Project API; supersedes the rest), else sync (one tar per container, deletions by `rm -rf`),
 * then restart (`restart`, `sync+restart`), then the `sync+exec` hooks. Errors are reported as
 * events and never end the watch; only the AbortSignal does.
 */
import * as path from "node:path";
import type { EventListener } from "../../events.js";
import type { ComposeModel, WatchRule } from "../../spec/model.js";
import type { Engine } from "../engine.js";
import { Label } from "../labels.js";
import { Batcher } from "./batcher.js";
import { errorText, exists, isFilePath, listNames, readText, walk } from "./files.js";
import { contextIgnorePatterns, createMatcher, relativeUnder, type RuleMatcher } from "./matcher.js";
import { DEFAULT_MAX_WAIT_MS, DEFAULT_QUIET_MS, MAX_QUIET_MS, newWatchStats, type WatchableProject, type WatchOptions, type WatchStats } from "./options.js";
import { SYNC_ACTIONS, type WatchPlan } from "./plan.js";
import { mapLimit, packFiles, syncContainer, syncOwner, type ContainerSync, type SyncFile } from "./sync.js";
import { watchFiles, type FileEvent } from "./watcher.js";

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
  retry?: ReturnType<typeof setTimeout> | undefined;
  missingNoted: boolean;
  /** The running containers, listed when the current batch began (overlapping its quiet period). */
  prefetch?: { at: number; ids: Promise<string[]> } | undefined;
}

/** A container list older than this (a long rebuild ran meanwhile) is not used: the batch lists again. */
const PREFETCH_MAX_AGE_MS = 500;

/** What one batch of one service asks for, sorted by action. */
interface BatchWork {
  rebuildHits: string[];
  syncFiles: SyncFile[];
  deletions: string[];
  /** Container paths the sync rules write under. */
  targets: Set<string>;
  restartHits: string[];
  execRules: Map<WatchRule, string[]>;
}

export class WatchSession {
  private readonly emitRaw: EventListener;
  private readonly stats: WatchStats;
  private readonly signal: AbortSignal | undefined;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly parallel: number;
  private readonly model: ComposeModel;
  private readonly workingDir: string;
  /** Services already warned that synced files fall back to root ownership. */
  private readonly ownerFallbackNoted = new Set<string>();
  private engine!: Engine;
  private watches: ServiceWatch[] = [];

  constructor(
    private readonly project: WatchableProject,
    private readonly plan: WatchPlan,
    private readonly options: WatchOptions,
  ) {
    this.emitRaw = options.onEvent ?? (() => {});
    this.stats = options.stats ?? newWatchStats();
    this.signal = options.signal;
    this.quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
    this.maxWaitMs = Math.max(this.quietMs, options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
    this.parallel = options.parallel ?? 16;
    this.model = project.config.model;
    this.workingDir = project.config.workingDir;
  }

  /** Watch until the signal aborts (forever without one). */
  async run(): Promise<void> {
    for (const w of this.plan.warnings) this.emitRaw({ type: "warning", message: w });
    if (this.signal?.aborted) return;
    this.engine = await this.project.engine();
    this.watches = this.plan.services.map(({ name, rules }) => this.serviceWatch(name, rules));
    await this.initialSync();
    const allMatchers = this.watches.flatMap((w) => w.matchers);
    const roots = [...new Set(allMatchers.map((m) => m.root))];
    for (const r of roots.filter((r) => !exists(r))) this.emitRaw({ type: "warning", message: `watch path ${r} does not exist yet; it is watched and picked up when created` });
    const watcher = await watchFiles(roots, {
      prune: (p) => allMatchers.every((m) => m.prune(p)),
      onEvent: (ev) => this.onFileEvent(ev),
      onError: (e) => this.emitRaw({ type: "warning", message: `file watcher: ${errorText(e)}` }),
    });
    try {
      this.announce();
      await this.untilAborted();
    } finally {
      await watcher.close();
      for (const sw of this.watches) {
        if (sw.retry) clearTimeout(sw.retry);
        await sw.batcher.close();
      }
      for (const sw of this.watches) this.say(sw.name, "watch stopped");
    }
  }

  private say(service: string, message: string): void {
    this.emitRaw({ type: "watch", service, message });
  }

  private warn(service: string, message: string): void {
    this.stats.errors++;
    this.emitRaw({ type: "warning", service, message: `${service}: ${message}` });
  }

  private announce(): void {
    for (const sw of this.watches) {
      const rules = sw.matchers.map((m) => `${m.rule.action} ${this.display(m.root)}${m.rule.target ? ` → ${m.rule.target}` : ""}`);
      this.say(sw.name, `watching ${rules.join("; ")}`);
    }
    for (const s of this.plan.unwatched) this.emitRaw({ type: "info", service: s, message: "not watched (no develop.watch section)" });
    this.options.onReady?.();
  }

  private async untilAborted(): Promise<void> {
    const signal = this.signal;
    if (!signal) {
      await new Promise<void>(() => {}); // without a signal, watch forever
    } else if (!signal.aborted) {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    }
  }

  private display(abs: string, m?: RuleMatcher): string {
    if (m?.isFile) return path.basename(abs);
    const rel = m && !m.isFile ? relativeUnder(m.root, abs) : relativeUnder(this.workingDir, abs);
    return rel === undefined || rel === "" ? path.basename(abs) : rel;
  }

  /** The ids of the service's running containers (never cached: they may have been recreated). */
  private async running(service: string): Promise<string[]> {
    const list = await this.engine.listContainers({ labels: { [Label.project]: this.model.name, [Label.service]: service } });
    return list.filter((c) => c.labels[Label.oneoff] !== "True" && c.state === "running").map((c) => c.id);
  }

  /** Ownership of synced files: the container's user, as Compose (see syncOwner). */
  private packFor(service: string, files: SyncFile[]): ReturnType<typeof packFiles> {
    const owner = syncOwner(this.model.services[service]?.user);
    return packFiles(files, 32, owner === "container-user" ? undefined : owner);
  }

  private async pushTo(service: string, id: string, change: ContainerSync): Promise<Awaited<ReturnType<typeof syncContainer>>> {
    const user = this.model.services[service]?.user;
    const r = await syncContainer(this.engine, id, change, this.signal, syncOwner(user) === "container-user");
    if (r.ownerFallback && !this.ownerFallbackNoted.has(service)) {
      this.ownerFallbackNoted.add(service);
      this.warn(service, `synced files belong to root: the engine cannot resolve user "${user ?? ""}" (${r.ownerFallback}); a numeric user: "uid:gid" avoids this`);
    }
    return r;
  }

  /** The matchers (with the build context's ignore file for rules under it) and the batcher of one service. */
  private serviceWatch(name: string, rules: WatchRule[]): ServiceWatch {
    const svc = this.model.services[name]!;
    let ctxIgnore: { context: string; patterns: string[] } | undefined;
    if (svc.build && !/^[a-z]+:\/\//i.test(svc.build.context) && !svc.build.context.startsWith("git@")) {
      const patterns = contextIgnorePatterns(svc.build.context, svc.build.dockerfile_inline !== undefined ? undefined : svc.build.dockerfile, readText);
      if (patterns.length > 0) ctxIgnore = { context: path.resolve(svc.build.context), patterns };
    }
    const matchers = rules.map((rule) => {
      const underContext = ctxIgnore && relativeUnder(ctxIgnore.context, path.resolve(rule.path)) !== undefined;
      return createMatcher(rule, { isFile: isFilePath(rule.path), ...(underContext && ctxIgnore ? { contextIgnore: ctxIgnore } : {}) });
    });
    const sw: ServiceWatch = { name, matchers, deferred: new Map(), missingNoted: false, batcher: undefined as unknown as Batcher<Pending> };
    sw.batcher = new Batcher<Pending>({
      quietMs: this.quietMs,
      maxWaitMs: this.maxWaitMs,
      quietGrowthMs: 2,
      maxQuietMs: Math.max(this.quietMs, MAX_QUIET_MS),
      onBatchStart: () => {
        const ids = this.running(name);
        ids.catch(() => undefined);
        sw.prefetch = { at: Date.now(), ids };
      },
      flush: (batch) => this.handle(sw, batch),
      onError: (e) => this.warn(name, `watch batch failed: ${errorText(e)}`),
    });
    return sw;
  }

  private onFileEvent(ev: FileEvent): void {
    if (ev.dir && ev.kind === "changed") return; // new directories: their files arrive as events
    for (const sw of this.watches) {
      const relevant = sw.matchers.some((m) => (ev.dir ? !m.isFile && relativeUnder(m.root, ev.path) !== undefined && !m.prune(ev.path) : m.matches(ev.path)));
      if (relevant) sw.batcher.add(ev.path, { kind: ev.kind, dir: ev.dir });
    }
  }

  /** `initial_sync: true` rules: every file they cover, into the running containers, before watching. */
  private async initialSync(): Promise<void> {
    for (const sw of this.watches) {
      for (const m of sw.matchers) {
        if (!m.rule.initial_sync || !SYNC_ACTIONS.has(m.rule.action) || this.signal?.aborted) continue;
        await this.initialSyncRule(sw.name, m);
      }
    }
  }

  private async initialSyncRule(service: string, m: RuleMatcher): Promise<void> {
    const files: string[] = [];
    if (m.isFile) {
      if (m.matches(m.root)) files.push(m.root);
    } else {
      await walk(m.root, m, files);
    }
    if (files.length === 0) return;
    try {
      const ids = await this.running(service);
      if (ids.length === 0) {
        this.say(service, `no running container for the initial sync of ${this.display(m.root)}`);
        return;
      }
      const packed = await this.packFor(service, files.map((f) => ({ hostPath: f, containerPath: m.containerPath(f)! })));
      await mapLimit(ids, this.parallel, async (id) => {
        try {
          const r = await this.pushTo(service, id, { tar: packed.tar, deletions: [] });
          this.stats.archives += r.archives;
          this.stats.filesSynced += packed.written.length;
        } catch (e) {
          this.warn(service, `initial sync to container ${id.slice(0, 12)} failed: ${errorText(e)}`);
        }
      });
      this.say(service, `initial sync: ${packed.written.length} file${packed.written.length === 1 ? "" : "s"} to ${m.rule.target}`);
    } catch (e) {
      this.warn(service, `initial sync failed: ${errorText(e)}`);
    }
  }

  /** One batch of one service. */
  private async handle(sw: ServiceWatch, batch: Map<string, Pending>): Promise<void> {
    const prefetched = sw.prefetch && Date.now() - sw.prefetch.at <= PREFETCH_MAX_AGE_MS ? sw.prefetch.ids : undefined;
    sw.prefetch = undefined;
    if (this.signal?.aborted) return;
    this.stats.batches++;
    const service = sw.name;
    const entries = [...batch.entries()];
    const work = this.classify(sw, entries);
    if (work.rebuildHits.length > 0) {
      await this.rebuild(service, [...new Set(work.rebuildHits)]);
      return;
    }
    if (work.syncFiles.length === 0 && work.deletions.length === 0 && work.restartHits.length === 0) return;

    // The containers are looked up when the batch began (never cached across batches: they may have
    // been recreated), while its quiet period ran and the files are read.
    const packing = work.syncFiles.length > 0 ? this.packFor(service, work.syncFiles) : undefined;
    packing?.catch(() => undefined);
    let ids: string[];
    try {
      ids = await (prefetched ?? this.running(service));
    } catch (e) {
      this.warn(service, `cannot list containers: ${errorText(e)}`);
      return;
    }
    if (ids.length === 0) return this.defer(sw, entries);
    if (sw.missingNoted) {
      sw.missingNoted = false;
      this.say(service, `container is running again (${ids.length})`);
    }
    if (work.syncFiles.length > 0 || work.deletions.length > 0) await this.syncBatch(sw, work, ids, packing);
    if (work.restartHits.length > 0) await this.restartBatch(service, work.restartHits, ids);
    for (const [rule, hits] of work.execRules) await this.execRule(service, rule, hits, ids);
  }

  /** Sort a batch's paths by the action of each rule that covers them. */
  private classify(sw: ServiceWatch, entries: readonly [string, Pending][]): BatchWork {
    const work: BatchWork = { rebuildHits: [], syncFiles: [], deletions: [], targets: new Set(), restartHits: [], execRules: new Map() };
    for (const m of sw.matchers) {
      const rule = m.rule;
      for (const [abs, p] of entries) {
        // A removed directory is covered when it is under the rule and not ignored; files inside
        // it also arrive as their own events. Other paths go through the full matcher.
        const covered = p.dir ? !m.isFile && !m.prune(abs) && (relativeUnder(m.root, abs) ?? "") !== "" && !m.rule.include?.length : m.matches(abs);
        if (!covered) continue;
        if (rule.action === "rebuild") {
          work.rebuildHits.push(this.display(abs, m));
          continue;
        }
        if (rule.action === "restart") {
          work.restartHits.push(this.display(abs, m));
          continue;
        }
        const cp = m.containerPath(abs);
        if (cp === undefined) continue;
        work.targets.add(rule.target!);
        if (p.kind === "removed") work.deletions.push(cp);
        else if (!p.dir) work.syncFiles.push({ hostPath: abs, containerPath: cp });
        if (rule.action === "sync+restart") work.restartHits.push(this.display(abs, m));
        if (rule.action === "sync+exec") {
          const list = work.execRules.get(rule) ?? [];
          list.push(this.display(abs, m));
          work.execRules.set(rule, list);
        }
      }
    }
    return work;
  }

  /** No running container: keep the changes and look again shortly (it may be restarting or recreated). */
  private defer(sw: ServiceWatch, entries: readonly [string, Pending][]): void {
    for (const [k, v] of entries) sw.deferred.set(k, v);
    if (!sw.missingNoted) {
      sw.missingNoted = true;
      this.say(sw.name, `no running container; ${entries.length} change(s) will be applied when it is back`);
    }
    if (!sw.retry && !this.signal?.aborted) {
      sw.retry = setTimeout(() => {
        sw.retry = undefined;
        const held = [...sw.deferred.entries()];
        sw.deferred.clear();
        for (const [k, v] of held) sw.batcher.add(k, v);
      }, 1000);
    }
  }

  /** One tar (and the deletions) into every running container. */
  private async syncBatch(sw: ServiceWatch, work: BatchWork, ids: string[], packing: ReturnType<typeof packFiles> | undefined): Promise<void> {
    const service = sw.name;
    const packed = packing ? await packing : { tar: Buffer.alloc(0), written: [] as string[], vanished: [] as SyncFile[] };
    const toDelete = [...new Set([...work.deletions, ...packed.vanished.map((f) => f.containerPath)])];
    const change = { ...(packed.written.length > 0 ? { tar: packed.tar } : {}), deletions: toDelete };
    let failed = 0;
    await mapLimit(ids, this.parallel, async (id) => {
      try {
        const r = await this.pushTo(service, id, change);
        this.stats.archives += r.archives;
        this.stats.filesSynced += packed.written.length;
      } catch (e) {
        failed++;
        this.warn(service, `sync to container ${id.slice(0, 12)} failed: ${errorText(e)}`);
      }
    });
    if (failed >= ids.length) return;
    const into = [...work.targets].join(", ");
    const writtenSet = new Set(packed.written);
    const writtenNames = work.syncFiles
      .filter((f) => writtenSet.has(f.containerPath))
      .slice(0, 4)
      .map((f) => this.display(f.hostPath, sw.matchers.find((m) => m.matches(f.hostPath))));
    if (packed.written.length > 0) this.say(service, `synced ${packed.written.length} file${packed.written.length === 1 ? "" : "s"} to ${into} (${listNames(writtenNames)})`);
    if (toDelete.length > 0) this.say(service, `removed ${toDelete.length} path${toDelete.length === 1 ? "" : "s"} from ${into} (${listNames(toDelete)})`);
  }

  private async restartBatch(service: string, hits: string[], ids: string[]): Promise<void> {
    await mapLimit(ids, this.parallel, async (id) => {
      try {
        await this.engine.restartContainer(id);
        this.stats.restarts++;
      } catch (e) {
        this.warn(service, `restart of container ${id.slice(0, 12)} failed: ${errorText(e)}`);
      }
    });
    this.say(service, `restarted after ${listNames([...new Set(hits)])} changed`);
  }

  /** A `sync+exec` rule's command, in every running container. */
  private async execRule(service: string, rule: WatchRule, hits: string[], ids: string[]): Promise<void> {
    const hook = rule.exec!;
    const env = Object.entries(hook.environment ?? {}).map(([k, v]) => (v === null || v === undefined ? k : `${k}=${v}`));
    const shown = hook.command.join(" ");
    await mapLimit(ids, this.parallel, async (id) => {
      try {
        const r = await this.engine.exec(
          id,
          {
            cmd: [...hook.command],
            ...(hook.user !== undefined ? { user: hook.user } : {}),
            ...(env.length > 0 ? { env } : {}),
            ...(hook.working_dir !== undefined ? { workingDir: hook.working_dir } : {}),
            ...(hook.privileged !== undefined ? { privileged: hook.privileged } : {}),
          },
          this.signal,
        );
        this.stats.execs++;
        this.say(service, `ran "${shown}" (exit ${r.exitCode}) after ${listNames([...new Set(hits)])} changed`);
        if (r.exitCode !== 0) {
          const out = (r.stderr || r.stdout).trim().split("\n").slice(-5).join("\n");
          this.warn(service, `"${shown}" exited with ${r.exitCode}${out ? `: ${out}` : ""}`);
        }
      } catch (e) {
        this.warn(service, `running "${shown}" in container ${id.slice(0, 12)} failed: ${errorText(e)}`);
      }
    });
  }

  /** Build the image, recreate the service's containers through the project's `up`; with `prune`, drop the previous image. */
  private async rebuild(service: string, changed: string[]): Promise<void> {
    const { engine, signal } = this;
    this.stats.rebuilds++;
    this.say(service, `rebuilding after ${listNames(changed)} changed`);
    const [{ buildService, imageName }] = await Promise.all([import("../images.js")]);
    const svc = this.model.services[service]!;
    const ref = imageName(this.model.name, service, svc);
    const before = await engine.inspectImage(ref).catch(() => undefined);
    try {
      const id = await buildService(engine, this.project.config, service, this.emitRaw, signal);
      await this.project.up({
        services: [service],
        noDeps: true,
        forceRecreate: true,
        detach: true,
        pull: "missing",
        ...(signal ? { signal } : {}),
        onEvent: (e) => {
          if (e.type === "warning" && e.service === undefined) return; // project-wide warnings were shown at start
          this.emitRaw(e);
        },
      });
      this.say(service, `rebuilt image ${id.replace(/^sha256:/, "").slice(0, 12)} and recreated the container`);
      if (this.options.prune && before && before.id !== id) {
        await engine.removeImage(before.id).then(
          () => this.say(service, `removed the previous image ${before.id.replace(/^sha256:/, "").slice(0, 12)}`),
          () => undefined, // still used by another container or tag: keep it
        );
      }
    } catch (e) {
      if (signal?.aborted) return;
      this.warn(service, `rebuild failed, the running container is kept: ${errorText(e)}`);
    }
  }
}
