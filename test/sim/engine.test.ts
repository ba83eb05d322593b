import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { DecodeEngine, engineTokensPerSec, prefillMs, type SimSpeed, streamTokensPerSec } from "../../src/sim/index.ts";
import { ManualClock } from "./manual-clock.ts";

const speed = (overrides: Partial<SimSpeed> = {}): SimSpeed => ({
  ttftMs: 100,
  ttftPerPromptTokenMs: 0,
  decodeTokensPerSec: 100,
  maxDecodeTokensPerSec: 200,
  maxNumSeqs: 4,
  ...overrides,
});

interface Trace {
  tokenAt: number[];
  doneAt: number | undefined;
}

/** Submits a job and records when each token and the end arrive, by the manual clock. */
function track(
  engine: DecodeEngine,
  clock: ManualClock,
  promptTokens: number,
  completionTokens: number,
  arrivedAt?: number,
): Trace & { cancel(): void } {
  const trace: Trace = { tokenAt: [], doneAt: undefined };
  const ticket = engine.submit({
    ...(arrivedAt === undefined ? {} : { arrivedAt }),
    promptTokens,
    completionTokens,
    onToken: (index) => {
      expect(index).toBe(trace.tokenAt.length); // in order, once each
      trace.tokenAt.push(clock.now());
    },
    onDone: () => {
      expect(trace.doneAt).toBeUndefined();
      trace.doneAt = clock.now();
    },
  });
  return Object.assign(trace, { cancel: () => ticket.cancel() });
}

describe("rate arithmetic", () => {
  test("a stream decodes at its own rate until the engine's capacity is shared out", () => {
    const s = speed({ decodeTokensPerSec: 100, maxDecodeTokensPerSec: 250 });
    expect([1, 2, 3, 5, 10].map((n) => streamTokensPerSec(s, n))).toEqual([100, 100, 250 / 3, 50, 25]);
    expect([0, 1, 2, 3, 5, 10].map((n) => engineTokensPerSec(s, n))).toEqual([0, 100, 200, 250, 250, 250]);
  });

  test("time to first token grows with the prompt", () => {
    expect(prefillMs(speed({ ttftMs: 20, ttftPerPromptTokenMs: 0.5 }), 0)).toBe(20);
    expect(prefillMs(speed({ ttftMs: 20, ttftPerPromptTokenMs: 0.5 }), 400)).toBe(220);
  });

  const speeds = fc.record({
    ttftMs: fc.constant(0),
    ttftPerPromptTokenMs: fc.constant(0),
    maxNumSeqs: fc.constant(1),
    decodeTokensPerSec: fc.double({ min: 1, max: 1e4, noNaN: true }),
    maxDecodeTokensPerSec: fc.double({ min: 1, max: 1e5, noNaN: true }),
  });

  fcTest.prop([speeds, fc.integer({ min: 1, max: 512 })], { seed: 7 })(
    "engine throughput never exceeds capacity nor n × per-stream rate, and never falls as streams are added",
    (s, n) => {
      const total = engineTokensPerSec(s, n);
      expect(total).toBeLessThanOrEqual(s.maxDecodeTokensPerSec * (1 + 1e-12));
      expect(total).toBeLessThanOrEqual(n * s.decodeTokensPerSec * (1 + 1e-12));
      expect(total).toBeCloseTo(Math.min(n * s.decodeTokensPerSec, s.maxDecodeTokensPerSec), 6);
      expect(engineTokensPerSec(s, n + 1)).toBeGreaterThanOrEqual(total * (1 - 1e-12));
      expect(streamTokensPerSec(s, n + 1)).toBeLessThanOrEqual(streamTokensPerSec(s, n));
    },
  );
});

describe("DecodeEngine on a manual clock", () => {
  test("one request: first token after prefill, then one token per 1/decodeTokensPerSec", () => {
    const clock = new ManualClock();
    const engine = new DecodeEngine(speed({ ttftPerPromptTokenMs: 1 }), clock);
    const job = track(engine, clock, 50, 11);
    clock.runAll();
    expect(job.tokenAt[0]).toBe(150);
    for (const [k, at] of job.tokenAt.entries()) expect(at).toBeCloseTo(150 + 10 * k, 6);
    expect(job.doneAt).toBeCloseTo(250, 6);
  });

  test("four streams share the capacity: each at 200/4 = 50 tokens/s, so 100 decode tokens take 2 s, not 1 s", () => {
    const clock = new ManualClock();
    const engine = new DecodeEngine(speed(), clock);
    const jobs = [0, 1, 2, 3].map(() => track(engine, clock, 0, 101));
    clock.runAll();
    for (const job of jobs) {
      expect(job.tokenAt[0]).toBe(100);
      expect(job.tokenAt[1]).toBeCloseTo(120, 6);
      expect(job.doneAt).toBeCloseTo(2100, 6);
    }
  });

  test("below saturation each stream keeps its own rate: two streams at 100 tokens/s each", () => {
    const clock = new ManualClock();
    const engine = new DecodeEngine(speed(), clock);
    const jobs = [0, 1].map(() => track(engine, clock, 0, 101));
    clock.runAll();
    for (const job of jobs) expect(job.doneAt).toBeCloseTo(1100, 6);
  });

  test("beyond maxNumSeqs requests queue: the third starts when a slot frees, and its TTFT includes the wait", () => {
    const clock = new ManualClock();
    const engine = new DecodeEngine(speed({ maxNumSeqs: 2, maxDecodeTokensPerSec: 1000 }), clock);
    const [a, b, c] = [0, 1, 2].map(() => track(engine, clock, 0, 11));
    expect(engine.load()).toEqual({ queued: 1, prefilling: 2, decoding: 0 });
    clock.runAll();
    expect(a?.doneAt).toBeCloseTo(200, 6);
    expect(b?.doneAt).toBeCloseTo(200, 6);
    expect(c?.tokenAt[0]).toBeCloseTo(300, 6);
    expect(c?.doneAt).toBeCloseTo(400, 6);
  });

  test("prefill is timed from the request's arrival: the server's own handling before submit is inside TTFT, not added", () => {
    const clock = new ManualClock();
    const engine = new DecodeEngine(speed({ maxNumSeqs: 1, maxDecodeTokensPerSec: 1000 }), clock);
    clock.advanceTo(30);
    // Arrived at 22 (8 ms spent reading and parsing it): first token at 22 + 100.
    const a = track(engine, clock, 0, 11, 22);
    // Arrived at 25 while the engine was full: it waits for a's slot, and its prefill starts when that slot frees.
    const b = track(engine, clock, 0, 1, 25);
    clock.runAll();
    expect(a.tokenAt[0]).toBeCloseTo(122, 6);
    expect(a.doneAt).toBeCloseTo(222, 6);
    expect(b.tokenAt[0]).toBeCloseTo(322, 6);
    // An arrival "in the future" (clock skew) is read as now.
    const c = track(engine, clock, 0, 1, clock.now() + 500);
    clock.runAll();
    expect(c.tokenAt[0]).toBeCloseTo(422, 6);
  });

  test("a stream slows down when another joins and speeds up when it leaves", () => {
    const clock = new ManualClock();
    const engine = new DecodeEngine(speed({ ttftMs: 0, maxDecodeTokensPerSec: 100 }), clock);
    const a = track(engine, clock, 0, 201);
    clock.advanceTo(1000);
    expect(a.tokenAt).toHaveLength(101);
    const b = track(engine, clock, 0, 11); // token 0 at once (no prefill), then both at 50 tokens/s
    expect(b.tokenAt).toEqual([1000]);
    clock.runAll();
    expect(a.tokenAt[101]).toBeCloseTo(1020, 6);
    expect(b.doneAt).toBeCloseTo(1200, 6);
    // After b leaves at 1200, a (at token 110) is alone again: 90 more tokens at 100/s.
    expect(a.tokenAt[111]).toBeCloseTo(1210, 6);
    expect(a.doneAt).toBeCloseTo(2100, 6);
  });

  test("cancelling a running request frees its slot for the queue and stops its callbacks", () => {
    const clock = new ManualClock();
    const engine = new DecodeEngine(speed({ maxNumSeqs: 1 }), clock);
    const a = track(engine, clock, 0, 1000);
    const b = track(engine, clock, 0, 3);
    clock.advanceTo(150);
    a.cancel();
    const emittedByA = a.tokenAt.length;
    clock.runAll();
    expect(a.tokenAt).toHaveLength(emittedByA);
    expect(a.doneAt).toBeUndefined();
    expect(b.tokenAt[0]).toBeCloseTo(250, 6);
    expect(b.doneAt).toBeCloseTo(270, 6);
  });

  test("a reply of zero tokens is done when prefill ends", () => {
    const clock = new ManualClock();
    const engine = new DecodeEngine(speed(), clock);
    const job = track(engine, clock, 0, 0);
    clock.runAll();
    expect(job.tokenAt).toEqual([]);
    expect(job.doneAt).toBe(100);
  });

  test("close drops every job and leaves no timer behind", () => {
    const clock = new ManualClock();
    const engine = new DecodeEngine(speed({ maxNumSeqs: 1 }), clock);
    const jobs = [track(engine, clock, 0, 50), track(engine, clock, 0, 50)];
    clock.advanceTo(200);
    engine.close();
    expect(clock.pendingTimers()).toBe(0);
    expect(jobs.map((j) => j.doneAt)).toEqual([undefined, undefined]);
  });

  const workloads = fc.record({
    maxNumSeqs: fc.integer({ min: 1, max: 6 }),
    decodeTokensPerSec: fc.integer({ min: 10, max: 500 }),
    maxDecodeTokensPerSec: fc.integer({ min: 10, max: 1500 }),
    ttftMs: fc.integer({ min: 0, max: 50 }),
    jobs: fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: 500 }),
        prompt: fc.integer({ min: 0, max: 100 }),
        tokens: fc.integer({ min: 0, max: 60 }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
  });

  fcTest.prop([workloads], { numRuns: 60, seed: 11 })(
    "any workload: every token once and in order, at most maxNumSeqs running, and never faster than the caps allow",
    (w) => {
      const clock = new ManualClock();
      const s: SimSpeed = {
        ttftMs: w.ttftMs,
        ttftPerPromptTokenMs: 0.1,
        decodeTokensPerSec: w.decodeTokensPerSec,
        maxDecodeTokensPerSec: w.maxDecodeTokensPerSec,
        maxNumSeqs: w.maxNumSeqs,
      };
      const engine = new DecodeEngine(s, clock);
      const arrivals = [...w.jobs].sort((x, y) => x.at - y.at);
      const traces: Trace[] = [];
      let maxRunning = 0;
      for (const job of arrivals) {
        clock.advanceTo(job.at);
        traces.push(track(engine, clock, job.prompt, job.tokens));
        const load = engine.load();
        maxRunning = Math.max(maxRunning, load.prefilling + load.decoding);
      }
      clock.runAll();
      expect(maxRunning).toBeLessThanOrEqual(s.maxNumSeqs);
      traces.forEach((trace, i) => {
        const job = arrivals[i];
        if (job === undefined) throw new Error("unreachable");
        expect(trace.tokenAt).toHaveLength(job.tokens);
        expect(trace.doneAt).toBeDefined();
        // First token no earlier than prefill; each later token no sooner than the per-stream rate allows.
        if (job.tokens > 0) expect(trace.tokenAt[0]).toBeGreaterThanOrEqual(job.at + prefillMs(s, job.prompt) - 1e-6);
        for (let k = 1; k < trace.tokenAt.length; k++) {
          expect((trace.tokenAt[k] ?? 0) - (trace.tokenAt[k - 1] ?? 0)).toBeGreaterThanOrEqual(
            1000 / s.decodeTokensPerSec - 1e-6,
          );
        }
      });
      // Saturation: the engine as a whole never decodes faster than its capacity over any run.
      const decodeTokens = arrivals.reduce((sum, j) => sum + Math.max(0, j.tokens - 1), 0);
      const firstDecodeAt = Math.min(...traces.flatMap((t) => t.tokenAt.slice(0, 1)), Infinity);
      const lastAt = Math.max(...traces.map((t) => t.doneAt ?? 0));
      if (decodeTokens > 0 && Number.isFinite(firstDecodeAt)) {
        expect(lastAt - firstDecodeAt).toBeGreaterThanOrEqual((decodeTokens / s.maxDecodeTokensPerSec) * 1000 - 1e-6);
      }
      expect(clock.pendingTimers()).toBe(0);
    },
  );
});

describe("DecodeEngine with late timers", () => {
  /** Every timer fires `lagMs` after it was due, as on a busy machine. */
  function lateClock(lagMs: number): ManualClock {
    const clock = new ManualClock();
    const setTimer = clock.setTimer.bind(clock);
    clock.setTimer = (callback, delayMs) => setTimer(callback, delayMs + lagMs);
    return clock;
  }

  test("a lag is paid once per event, never carried into the queue: the next job starts when the slot was due free", () => {
    const clock = lateClock(5);
    const engine = new DecodeEngine(
      speed({ ttftMs: 10, decodeTokensPerSec: 100, maxDecodeTokensPerSec: 100, maxNumSeqs: 1 }),
      clock,
    );
    const first = track(engine, clock, 0, 2, 0);
    const second = track(engine, clock, 0, 2, 0);
    clock.runAll();
    // Due: first at 10 and 20, second (queued) at 30 and 40. Each token arrives 5 ms late, and no later:
    // without the catch-up, the second job would finish at 60 (every lag stretching the slot it holds).
    expect(first.tokenAt).toEqual([15, 25]);
    expect(second.tokenAt).toEqual([35, 45]);
    expect(second.doneAt).toBe(45);
  });
});
