import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Batcher, type Clock } from "../../src/runtime/watch/batcher.js";

/** A manual clock: timers fire only when `advance` passes them. */
class FakeClock implements Clock {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private seq = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await flushMicrotasks();
    }
    this.t = end;
    await flushMicrotasks();
  }
}

const flushMicrotasks = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe("watch batcher", () => {
  test("flushes once after the quiet period, deduplicating keys", async () => {
    const clock = new FakeClock();
    const batches: string[][] = [];
    const b = new Batcher<number>({ quietMs: 25, maxWaitMs: 250, clock, flush: (m) => void batches.push([...m.keys()]) });
    b.add("a", 1);
    await clock.advance(10);
    b.add("b", 1);
    b.add("a", 2);
    await clock.advance(20);
    assert.equal(batches.length, 0, "the quiet period restarts on each event");
    await clock.advance(10);
    assert.deepEqual(batches, [["a", "b"]]);
  });

  test("merge combines values of one key", async () => {
    const clock = new FakeClock();
    let got: Map<string, string> | undefined;
    const b = new Batcher<string>({ quietMs: 5, maxWaitMs: 50, clock, merge: (a, c) => a + c, flush: (m) => void (got = m) });
    b.add("k", "x");
    b.add("k", "y");
    await clock.advance(5);
    assert.equal(got?.get("k"), "xy");
  });

  test("a continuous stream is cut at maxWait", async () => {
    const clock = new FakeClock();
    const sizes: number[] = [];
    const b = new Batcher<number>({ quietMs: 25, maxWaitMs: 100, clock, flush: (m) => void sizes.push(m.size) });
    for (let i = 0; i < 30; i++) {
      b.add(`f${i}`, i);
      await clock.advance(10);
    }
    // 30 events 10 ms apart never leave 25 ms of quiet: batches are cut every 100 ms.
    await clock.advance(100);
    assert.ok(sizes.length >= 3, `expected several batches, got ${sizes.join(",")}`);
    assert.ok(sizes.every((s) => s <= 11), `each batch spans at most maxWait: ${sizes.join(",")}`);
    assert.equal(sizes.reduce((a, c) => a + c, 0), 30);
  });

  test("a burst of 1,000 events gives one batch", async () => {
    const clock = new FakeClock();
    const sizes: number[] = [];
    const b = new Batcher<number>({ quietMs: 25, maxWaitMs: 250, clock, flush: (m) => void sizes.push(m.size) });
    for (let i = 0; i < 1000; i++) b.add(`file-${i}`, i);
    await clock.advance(30);
    assert.deepEqual(sizes, [1000]);
  });

  test("batches never overlap; changes during a slow flush give exactly one more batch", async () => {
    const clock = new FakeClock();
    let active = 0;
    let maxActive = 0;
    const batches: string[][] = [];
    const releases: (() => void)[] = [];
    const b = new Batcher<number>({
      quietMs: 10,
      maxWaitMs: 100,
      clock,
      flush: async (m) => {
        active++;
        maxActive = Math.max(maxActive, active);
        batches.push([...m.keys()]);
        await new Promise<void>((r) => releases.push(r));
        active--;
      },
    });
    b.add("Dockerfile", 1);
    await clock.advance(10);
    assert.equal(batches.length, 1, "first rebuild started");
    for (let i = 0; i < 5; i++) {
      b.add(`src/${i}.js`, 1);
      await clock.advance(50);
    }
    assert.equal(batches.length, 1, "nothing starts while the first batch runs");
    releases.shift()!();
    await clock.advance(0);
    await clock.advance(100);
    assert.equal(batches.length, 2, "exactly one more batch after the slow one");
    assert.deepEqual(batches[1], ["src/0.js", "src/1.js", "src/2.js", "src/3.js", "src/4.js"]);
    releases.shift()!();
    await clock.advance(200);
    assert.equal(batches.length, 2);
    assert.equal(maxActive, 1);
    await b.idle();
  });

  test("the quiet period grows with the batch so a clumpy burst is not cut by a short lull", async () => {
    const clock = new FakeClock();
    const sizes: number[] = [];
    const b = new Batcher<number>({ quietMs: 30, maxWaitMs: 1000, quietGrowthMs: 2, maxQuietMs: 120, clock, flush: (m) => void sizes.push(m.size) });
    b.add("only", 1);
    assert.equal(b.quietPeriod(), 30, "a lone edit waits the base period");
    for (let clump = 0; clump < 5; clump++) {
      for (let i = 0; i < 100; i++) b.add(`c${clump}-${i}`, i);
      await clock.advance(40); // a 40 ms lull between clumps: longer than the base quiet period
    }
    assert.equal(sizes.length, 0);
    await clock.advance(120);
    assert.deepEqual(sizes, [501]);
  });

  test("a failing flush is reported and the batcher keeps going", async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    let calls = 0;
    const b = new Batcher<number>({
      quietMs: 5,
      maxWaitMs: 50,
      clock,
      onError: (e) => errors.push(e),
      flush: () => {
        calls++;
        if (calls === 1) throw new Error("boom");
      },
    });
    b.add("a", 1);
    await clock.advance(5);
    b.add("b", 1);
    await clock.advance(5);
    assert.equal(calls, 2);
    assert.equal(errors.length, 1);
  });

  test("close drops pending events", async () => {
    const clock = new FakeClock();
    let calls = 0;
    const b = new Batcher<number>({ quietMs: 5, maxWaitMs: 50, clock, flush: () => void calls++ });
    b.add("a", 1);
    await b.close();
    await clock.advance(100);
    b.add("b", 1);
    await clock.advance(100);
    assert.equal(calls, 0);
  });
});

describe("watch batcher: onBatchStart", () => {
  test("is called once per batch, when its first key arrives (before the quiet period ends)", async () => {
    const clock = new FakeClock();
    const starts: number[] = [];
    const batches: string[][] = [];
    const b = new Batcher<number>({ quietMs: 25, maxWaitMs: 250, clock, onBatchStart: () => starts.push(clock.now()), flush: (m) => void batches.push([...m.keys()]) });
    b.add("a", 1);
    assert.deepEqual(starts, [0], "at once, not after the quiet period");
    await clock.advance(10);
    b.add("b", 1);
    assert.deepEqual(starts, [0], "the same batch");
    await clock.advance(30);
    assert.deepEqual(batches, [["a", "b"]]);
    b.add("c", 1);
    assert.deepEqual(starts, [0, 40], "a new batch");
  });
});
