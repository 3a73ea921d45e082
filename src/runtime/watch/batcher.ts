/**
 * Turns a stream of file events into batches. Events are deduplicated by key into the pending
 * batch, which is flushed after `quietMs` without a new event, or `maxWaitMs` after its first
 * event if events keep coming. Batches are handled one at a time: events that arrive while a
 * batch is being handled (say, during a rebuild) collect into the next batch, which is flushed
 * once the current one is done — so a change during a rebuild triggers exactly one more.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface BatcherOptions<T> {
  /** Quiet period (ms): flush when no event arrived for this long. */
  quietMs: number;
  /** Upper bound (ms) from a batch's first event to its flush, however busy the events. */
  maxWaitMs: number;
  /**
   * The quiet period grows by this much (ms) per pending key beyond the first, up to
   * `maxQuietMs`: a lone edit flushes after `quietMs`, while a burst (whose events the watcher
   * delivers in uneven clumps) is not cut into pieces by a short lull. Default 0 (fixed).
   */
  quietGrowthMs?: number;
  /** Cap of the grown quiet period (default: quietMs). */
  maxQuietMs?: number;
  /** Handles one batch; never called concurrently. Errors are passed to `onError`. */
  flush: (batch: Map<string, T>) => Promise<void> | void;
  /** Called when a new batch begins (its first key arrives), before its quiet period runs. */
  onBatchStart?: () => void;
  /** How two values for one key combine (default: the later wins). */
  merge?: (previous: T, next: T) => T;
  onError?: (error: unknown) => void;
  clock?: Clock;
}

export class Batcher<T> {
  readonly #opts: BatcherOptions<T>;
  readonly #clock: Clock;
  #pending = new Map<string, T>();
  #firstAt = 0;
  #timer: unknown;
  #running: Promise<void> | undefined;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: BatcherOptions<T>) {
    this.#opts = options;
    this.#clock = options.clock ?? realClock;
  }

  /** Number of distinct keys waiting for the next flush. */
  get pendingSize(): number {
    return this.#pending.size;
  }

  /** The current quiet period (ms), given how many keys are pending. */
  quietPeriod(): number {
    const { quietMs, quietGrowthMs = 0, maxQuietMs = quietMs } = this.#opts;
    const grown = quietMs + quietGrowthMs * Math.max(0, this.#pending.size - 1);
    return Math.max(quietMs, Math.min(grown, maxQuietMs));
  }

  /** True while a batch is being handled. */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  add(key: string, value: T): void {
    if (this.#closed) return;
    const prev = this.#pending.get(key);
    if (this.#pending.size === 0) {
      this.#firstAt = this.#clock.now();
      this.#opts.onBatchStart?.();
    }
    this.#pending.set(key, prev !== undefined && this.#opts.merge ? this.#opts.merge(prev, value) : value);
    this.#schedule();
  }

  /** Flush what is pending now (after the running batch, if any). */
  flushNow(): void {
    this.#cancelTimer();
    if (this.#running) return; // picked up when the running batch ends
    this.#start();
  }

  /** Stop: drop pending events and wait for the running batch to end. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelTimer();
    this.#pending.clear();
    await this.#running;
  }

  /** Resolves when nothing is pending or running (for tests and benchmarks). */
  idle(): Promise<void> {
    if (!this.#running && this.#pending.size === 0) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(): void {
    if (this.#running) return; // the next batch is scheduled when the running one ends
    this.#cancelTimer();
    const elapsed = this.#clock.now() - this.#firstAt;
    const wait = Math.max(0, Math.min(this.quietPeriod(), this.#opts.maxWaitMs - elapsed));
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#start();
    }, wait);
  }

  #start(): void {
    if (this.#pending.size === 0 || this.#closed) {
      this.#notifyIdle();
      return;
    }
    const batch = this.#pending;
    this.#pending = new Map();
    this.#running = (async () => {
      try {
        await this.#opts.flush(batch);
      } catch (e) {
        this.#opts.onError?.(e);
      }
    })().finally(() => {
      this.#running = undefined;
      if (this.#pending.size > 0 && !this.#closed) {
        // Events arrived meanwhile: give them their quiet period (measured from their own first event).
        this.#schedule();
      } else {
        this.#notifyIdle();
      }
    });
  }

  #notifyIdle(): void {
    if (this.#running || this.#pending.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
