/**
 * `logs`: merge the log streams of a project's containers into one async iterable of lines.
 * With `follow`, containers that start while streaming are picked up (via engine events) and
 * the iteration ends when every followed container has stopped, or on abort.
 */
import { parseDuration } from "../spec/units.js";
import type { ContainerSummary, Engine, LogOptions } from "./engine.js";
import { Label } from "./labels.js";
import type { LogLine, LogsOptions } from "./options.js";

/** since/until: RFC 3339, unix seconds, or a duration relative to `now` ("10m", "1h30m"). */
export function toEngineTime(value: string, now: number = Date.now()): number | string {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (!Number.isNaN(t) && /\d{4}-\d{2}-\d{2}/.test(v)) return Math.floor(t / 1000);
  try {
    return Math.floor((now - parseDuration(v)) / 1000);
  } catch {
    return v;
  }
}

/** Split a stream of chunks into lines (keeping partial lines across chunks). */
export class LineSplitter {
  private rest = "";
  push(text: string): string[] {
    const data = this.rest + text;
    const parts = data.split("\n");
    this.rest = parts.pop() ?? "";
    return parts.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  }
  flush(): string[] {
    const r = this.rest;
    this.rest = "";
    return r.length > 0 ? [r] : [];
  }
}

const TS = /^(\d{4}-\d{2}-\d{2}T\S+Z?) (.*)$/s;

/** A tiny async queue fed by many producers. */
class Channel<T> {
  private items: T[] = [];
  private waiters: ((v: IteratorResult<T>) => void)[] = [];
  private closed = false;
  push(v: T): void {
    if (this.closed) return;
    const w = this.waiters.shift();
    if (w) w({ value: v, done: false });
    else this.items.push(v);
  }
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
  }
  next(): Promise<IteratorResult<T>> {
    const v = this.items.shift();
    if (v !== undefined) return Promise.resolve({ value: v, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((r) => this.waiters.push(r));
  }
}

export async function* streamLogs(engine: Engine, projectName: string, opts: LogsOptions = {}): AsyncIterable<LogLine> {
  const wanted = opts.services && opts.services.length > 0 ? new Set(opts.services) : undefined;
  const pick = (c: ContainerSummary): boolean => {
    if (c.labels[Label.oneoff] === "True") return false;
    if (wanted && !wanted.has(c.labels[Label.service] ?? "")) return false;
    if (opts.index !== undefined && Number(c.labels[Label.containerNumber]) !== opts.index) return false;
    return true;
  };
  const list = (await engine.listContainers({ labels: { [Label.project]: projectName }, all: true })).filter(pick);
  list.sort((a, b) => (a.labels[Label.service] ?? "").localeCompare(b.labels[Label.service] ?? "") || Number(a.labels[Label.containerNumber]) - Number(b.labels[Label.containerNumber]));

  const inner = new AbortController();
  const onAbort = (): void => inner.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const channel = new Channel<LogLine | Error>();
  const attached = new Set<string>();
  let active = 0;
  const logOpts: LogOptions = { follow: !!opts.follow, stdout: true, stderr: true, timestamps: !!opts.timestamps };
  if (opts.tail !== undefined) logOpts.tail = opts.tail;
  if (opts.since) logOpts.since = toEngineTime(opts.since);
  if (opts.until) logOpts.until = toEngineTime(opts.until);

  const attach = (c: { id: string; name: string; labels: Record<string, string> }, fromStart: boolean): void => {
    if (attached.has(c.id)) return;
    attached.add(c.id);
    active++;
    const service = c.labels[Label.service] ?? "";
    const number = Number(c.labels[Label.containerNumber] ?? "0") || 0;
    const o: LogOptions = fromStart ? { ...logOpts, tail: "all" } : logOpts;
    void (async () => {
      const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
      const emit = (stream: "stdout" | "stderr", raw: string): void => {
        const line: LogLine = { service, container: c.name, number, stream, line: raw };
        if (opts.timestamps) {
          const m = TS.exec(raw);
          if (m) {
            line.timestamp = m[1]!;
            line.line = m[2]!;
          }
        }
        channel.push(line);
      };
      try {
        for await (const chunk of engine.logs(c.id, o, inner.signal)) {
          for (const l of splitters[chunk.stream].push(chunk.data.toString("utf8"))) emit(chunk.stream, l);
        }
        for (const s of ["stdout", "stderr"] as const) for (const l of splitters[s].flush()) emit(s, l);
      } catch (err) {
        if (!inner.signal.aborted) channel.push(err instanceof Error ? err : new Error(String(err)));
      } finally {
        active--;
        if (active === 0) channel.close();
      }
    })();
  };

  if (list.length === 0) {
    opts.signal?.removeEventListener("abort", onAbort);
    return;
  }
  // Hold the channel open while attaching the initial set.
  active++;
  for (const c of list) attach(c, false);

  if (opts.follow) {
    void (async () => {
      try {
        for await (const ev of engine.events({ labels: { [Label.project]: projectName } }, inner.signal)) {
          if (ev.type !== "container" || ev.action !== "start" || attached.has(ev.id)) continue;
          const labels = ev.attributes;
          if (labels[Label.oneoff] === "True") continue;
          if (wanted && !wanted.has(labels[Label.service] ?? "")) continue;
          if (active === 0) break;
          attach({ id: ev.id, name: labels["name"] ?? ev.id.slice(0, 12), labels }, true);
        }
      } catch {
        // events are best effort
      }
    })();
  }
  active--;
  if (active === 0) channel.close();
  const closeOnAbort = (): void => channel.close();
  inner.signal.addEventListener("abort", closeOnAbort, { once: true });

  try {
    for (;;) {
      const r = await channel.next();
      if (r.done) break;
      if (r.value instanceof Error) throw r.value;
      yield r.value;
    }
  } finally {
    inner.abort();
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
