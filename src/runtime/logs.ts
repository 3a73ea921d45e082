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

/** The containers `logs` starts with: the project's service containers (of the named services / number), by service and number. */
async function initialContainers(engine: Engine, projectName: string, opts: LogsOptions, wanted: ReadonlySet<string> | undefined): Promise<ContainerSummary[]> {
  const pick = (c: ContainerSummary): boolean => {
    if (c.labels[Label.oneoff] === "True") return false;
    if (wanted && !wanted.has(c.labels[Label.service] ?? "")) return false;
    if (opts.index !== undefined && Number(c.labels[Label.containerNumber]) !== opts.index) return false;
    return true;
  };
  const list = (await engine.listContainers({ labels: { [Label.project]: projectName }, all: true })).filter(pick);
  list.sort((a, b) => (a.labels[Label.service] ?? "").localeCompare(b.labels[Label.service] ?? "") || Number(a.labels[Label.containerNumber]) - Number(b.labels[Label.containerNumber]));
  return list;
}

/**
 * The merge of several containers' log streams into one channel of lines. The channel closes when
 * the last stream ends (`active` counts the streams, plus one while the first set is attached).
 */
class LogMerge {
  readonly channel = new Channel<LogLine | Error>();
  readonly #attached = new Set<string>();
  #active = 0;
  readonly #logOpts: LogOptions;

  constructor(
    private readonly engine: Engine,
    private readonly opts: LogsOptions,
    private readonly signal: AbortSignal,
  ) {
    this.#logOpts = { follow: !!opts.follow, stdout: true, stderr: true, timestamps: !!opts.timestamps };
    if (opts.tail !== undefined) this.#logOpts.tail = opts.tail;
    if (opts.since) this.#logOpts.since = toEngineTime(opts.since);
    if (opts.until) this.#logOpts.until = toEngineTime(opts.until);
  }

  /** Keep the channel open while the first set of containers is attached… */
  hold(): void {
    this.#active++;
  }

  /** …and let it close once every stream has ended. */
  release(): void {
    this.#active--;
    if (this.#active === 0) this.channel.close();
  }

  /** With follow: containers that start while streaming are attached from their first line. */
  followStarts(projectName: string, wanted: ReadonlySet<string> | undefined): void {
    void (async () => {
      try {
        for await (const ev of this.engine.events({ labels: { [Label.project]: projectName } }, this.signal)) {
          if (ev.type !== "container" || ev.action !== "start" || this.#attached.has(ev.id)) continue;
          const labels = ev.attributes;
          if (labels[Label.oneoff] === "True") continue;
          if (wanted && !wanted.has(labels[Label.service] ?? "")) continue;
          if (this.#active === 0) break;
          this.attach({ id: ev.id, name: labels["name"] ?? ev.id.slice(0, 12), labels }, true);
        }
      } catch {
        // events are best effort
      }
    })();
  }

  attach(c: { id: string; name: string; labels: Record<string, string> }, fromStart: boolean): void {
    if (this.#attached.has(c.id)) return;
    this.#attached.add(c.id);
    this.#active++;
    void this.#pump(c, fromStart ? { ...this.#logOpts, tail: "all" } : this.#logOpts);
  }

  /** One container's stream, split into lines (with timestamps when asked), into the channel. */
  async #pump(c: { id: string; name: string; labels: Record<string, string> }, o: LogOptions): Promise<void> {
    const service = c.labels[Label.service] ?? "";
    const number = Number(c.labels[Label.containerNumber] ?? "0") || 0;
    const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
    const emit = (stream: "stdout" | "stderr", raw: string): void => {
      const line: LogLine = { service, container: c.name, number, stream, line: raw };
      if (this.opts.timestamps) {
        const m = TS.exec(raw);
        if (m) {
          line.timestamp = m[1]!;
          line.line = m[2]!;
        }
      }
      this.channel.push(line);
    };
    try {
      for await (const chunk of this.engine.logs(c.id, o, this.signal)) {
        for (const l of splitters[chunk.stream].push(chunk.data.toString("utf8"))) emit(chunk.stream, l);
      }
      for (const s of ["stdout", "stderr"] as const) for (const l of splitters[s].flush()) emit(s, l);
    } catch (err) {
      if (!this.signal.aborted) this.channel.push(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.#active--;
      if (this.#active === 0) this.channel.close();
    }
  }
}

export async function* streamLogs(engine: Engine, projectName: string, opts: LogsOptions = {}): AsyncIterable<LogLine> {
  const wanted = opts.services && opts.services.length > 0 ? new Set(opts.services) : undefined;
  const list = await initialContainers(engine, projectName, opts, wanted);
  if (list.length === 0) return;
  const inner = new AbortController();
  const onAbort = (): void => inner.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const merge = new LogMerge(engine, opts, inner.signal);
  merge.hold();
  for (const c of list) merge.attach(c, false);
  if (opts.follow) merge.followStarts(projectName, wanted);
  merge.release();
  inner.signal.addEventListener("abort", () => merge.channel.close(), { once: true });
  try {
    for (;;) {
      const r = await merge.channel.next();
      if (r.done) break;
      if (r.value instanceof Error) throw r.value;
      yield r.value;
    }
  } finally {
    inner.abort();
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
