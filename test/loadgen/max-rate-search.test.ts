/**
 * The max-rate search over deterministic fake trials: bracketing then bisection, the percentile, every target
 * binding, failures as misses, repeated searches and their interval, and the simulator's known capacity recovered
 * from its engine on a manual clock.
 */
import { describe, expect, test } from "vitest";
import type { RequestOutcome } from "../../src/loadgen/closed-loop.ts";
import { cooldownRequests, type TrialWarmup, trialWarmupFor, warmupRequests } from "../../src/loadgen/max-rate-run.ts";
import { findMaxRate, judgeTrial, type RateTrial } from "../../src/loadgen/max-rate-search.ts";
import { knownMaxRate } from "../../src/sim/capacity.ts";
import { CAPACITY_SPEED, CAPACITY_WORKLOAD, engineTrial, HTTP_CAPACITY_SPEED } from "../sim/engine-trial.ts";

function reply(e2eMs: number, ttftMs = 10): RequestOutcome {
  return {
    ok: true,
    usage: { promptTokens: 8, completionTokens: 2 },
    timing: { sentAt: 0, firstTokenAt: ttftMs, doneAt: e2eMs },
    finishReason: "length",
    attempts: 1,
  };
}
const FAILED: RequestOutcome = { ok: false, code: "E_REQUEST_FAILED", message: "HTTP 503" };

/** 1,000 requests of which a share `met(rate)` take 100 ms and the rest 10 s. */
function shareTrial(met: (rate: number) => number): RateTrial {
  return async (rate) => {
    const good = Math.round(1000 * Math.min(1, Math.max(0, met(rate))));
    return Array.from({ length: 1000 }, (_, i) => (i < good ? reply(100) : reply(10_000)));
  };
}
/** Every request meets e2e ≤ 1 s up to `capacity`, none past it. */
const cliff = (capacity: number): RateTrial => shareTrial((rate) => (rate <= capacity ? 1 : 0));
const E2E = { e2e: 1000 };

describe("judgeTrial", () => {
  test("a target holds when at least the percentile of requests met it; a failure is a miss", () => {
    const ninety = [...Array.from({ length: 9 }, () => reply(100)), reply(2000)];
    expect(judgeTrial(ninety, E2E, 90)).toEqual({ holds: true, shareMet: { e2e: 0.9 } });
    expect(judgeTrial(ninety, E2E, 91)).toEqual({ holds: false, shareMet: { e2e: 0.9 } });
    expect(judgeTrial([...ninety.slice(0, 9), FAILED], E2E, 90).holds).toBe(true);
    expect(judgeTrial([...ninety.slice(0, 8), FAILED, FAILED], E2E, 90).holds).toBe(false);
  });

  test("every target must hold; a trial of no requests holds nothing", () => {
    const slowStart = Array.from({ length: 10 }, () => reply(100, 600));
    expect(judgeTrial(slowStart, { ttft: 500, e2e: 1000 }, 90)).toEqual({
      holds: false,
      shareMet: { ttft: 0, e2e: 1 },
    });
    expect(judgeTrial([], E2E, 90).holds).toBe(false);
  });

  test("a warm-up leaves the trial's first requests by arrival out: an idle start no longer flatters it", () => {
    // An idle server answers the first 5 quickly; the queue then makes 2 of the next 10 miss.
    const trial = [
      ...Array.from({ length: 5 }, () => reply(100)),
      ...Array.from({ length: 10 }, (_, i) => reply(i < 2 ? 2000 : 100)),
    ];
    expect(judgeTrial(trial, E2E, 85)).toEqual({ holds: true, shareMet: { e2e: 13 / 15 } });
    expect(judgeTrial(trial, E2E, 85, 5)).toEqual({ holds: false, shareMet: { e2e: 0.8 } });
    // Near miss: a warm-up one request short still judges one quick request of the idle start.
    expect(judgeTrial(trial, E2E, 85, 4).shareMet).toEqual({ e2e: 9 / 11 });
    // A warm-up as long as the trial leaves nothing to judge: nothing holds.
    expect(judgeTrial(trial, E2E, 85, 15)).toEqual({ holds: false, shareMet: { e2e: 0 } });
  });

  test("a cool-down leaves the trial's last requests out: a draining batch no longer flatters it", () => {
    // Under load 3 of the 10 judged requests miss; the 5 after them finish fast once arrivals stop.
    const trial = [...Array.from({ length: 10 }, (_, i) => reply(i < 3 ? 2000 : 100)), ...Array(5).fill(reply(100))];
    expect(judgeTrial(trial, E2E, 75)).toEqual({ holds: true, shareMet: { e2e: 0.8 } });
    expect(judgeTrial(trial, E2E, 75, 0, 5)).toEqual({ holds: false, shareMet: { e2e: 0.7 } });
    // With a warm-up too, only the middle is judged; a cool-down past the warm-up leaves nothing.
    expect(judgeTrial(trial, E2E, 75, 3, 5).shareMet).toEqual({ e2e: 1 });
    expect(judgeTrial(trial, E2E, 75, 10, 10)).toEqual({ holds: false, shareMet: { e2e: 0 } });
  });
});

describe("cooldownRequests", () => {
  test("seconds of arrivals at the trial's rate, rounded up, at most 10 trials' worth; none without one", () => {
    expect(cooldownRequests({ seconds: 20 }, 7.5, 100)).toBe(150);
    expect(cooldownRequests({ seconds: 0.5 }, 75.1, 100)).toBe(38);
    expect(cooldownRequests({ seconds: 20 }, 500, 100)).toBe(1000);
    expect(cooldownRequests(undefined, 75, 100)).toBe(0);
  });

  test("the search judges neither end of a trial, and each step says how many requests went to each", async () => {
    const steps: { warmup?: number; cooldown?: number; requests: number }[] = [];
    // The first 2 and last 3 of every 10 requests are slow: a trial holds at p90 only when both ends are left out.
    const trial: RateTrial = async () => Array.from({ length: 10 }, (_, i) => reply(i < 2 || i >= 7 ? 5000 : 100));
    const judged = await findMaxRate({ trial, slo: E2E, warmup: 2, cooldown: 3, onStep: (s) => steps.push(s) });
    expect(judged.max_rate).toBeGreaterThan(0);
    expect(steps[0]).toMatchObject({ warmup: 2, cooldown: 3, requests: 5 });
    const unjudged = await findMaxRate({ trial, slo: E2E, warmup: 2, maxSteps: 3 });
    expect(unjudged.max_rate).toBe(0);
  });
});

describe("warmupRequests", () => {
  test("half the trial by default, at least 5 s of arrivals at the rate, at most 10 trials' worth", () => {
    expect(trialWarmupFor(300)).toEqual({ requests: 150, seconds: 5 });
    expect(trialWarmupFor(101)).toEqual({ requests: 51, seconds: 5 });
    expect(warmupRequests(trialWarmupFor(300), 10, 300)).toBe(150); // 5 s is 50 requests: half the trial is more
    expect(warmupRequests(trialWarmupFor(300), 75, 300)).toBe(375); // 5 s at 75 req/s
    expect(warmupRequests(trialWarmupFor(300), 75.1, 300)).toBe(376); // whole requests, rounded up
    expect(warmupRequests(trialWarmupFor(100), 5000, 100)).toBe(1000); // the cap, not 25,000
    expect(warmupRequests(undefined, 75, 300)).toBe(0);
  });
});

describe("findMaxRate", () => {
  test("doubling from the start rate brackets the capacity, bisection closes it to the tolerance", async () => {
    const result = await findMaxRate({ trial: cliff(37), slo: E2E });
    const rates = result.repetitions[0]?.steps.map((s) => s.rate) ?? [];
    expect(rates.slice(0, 7)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(result.max_rate).toBeLessThanOrEqual(37);
    expect(result.max_rate).toBeGreaterThanOrEqual(37 / 1.02);
    expect(result.repetitions[0]?.stopped).toBe("tolerance");
    const failedAt = result.repetitions[0]?.failed_at ?? 0;
    expect((failedAt - result.max_rate) / result.max_rate).toBeLessThanOrEqual(0.02);
    expect(result.interval).toBeNull();
  });

  test("a start above the capacity halves until the targets hold", async () => {
    const result = await findMaxRate({ trial: cliff(37), slo: E2E, startRate: 100 });
    expect(result.repetitions[0]?.steps.slice(0, 3).map((s) => [s.rate, s.holds])).toEqual([
      [100, false],
      [50, false],
      [25, true],
    ]);
    expect(result.max_rate).toBeGreaterThanOrEqual(37 / 1.02);
  });

  test("the percentile decides: p90 and p50 of a share that falls with the rate", async () => {
    const falling = shareTrial((rate) => 1 - rate / 100); // 90% meet up to 10 req/s, 50% up to 50
    const p90 = await findMaxRate({ trial: falling, slo: E2E });
    const p50 = await findMaxRate({ trial: falling, slo: E2E, percentile: 50, relativeTolerance: 0.005 });
    expect(p90.max_rate).toBeGreaterThanOrEqual(10 / 1.02);
    expect(p90.max_rate).toBeLessThanOrEqual(10.05);
    expect(p50.max_rate).toBeGreaterThanOrEqual(50 / 1.005);
    expect(p50.max_rate).toBeLessThanOrEqual(50.05);
  });

  test("failed requests are misses: errors that grow with the rate bring the max rate down", async () => {
    const failing: RateTrial = async (rate) =>
      Array.from({ length: 100 }, (_, i) => (i < Math.min(100, rate) ? FAILED : reply(100)));
    const result = await findMaxRate({ trial: failing, slo: E2E, relativeTolerance: 0.01 });
    expect(result.max_rate).toBeGreaterThanOrEqual(10 / 1.01);
    expect(result.max_rate).toBeLessThan(11);
  });

  test("never met: 0 and stopped below the min rate; always met: stopped at the max rate, no failure seen", async () => {
    const never = await findMaxRate({ trial: cliff(0), slo: E2E });
    expect([never.max_rate, never.repetitions[0]?.stopped]).toEqual([0, "below-min-rate"]);
    const always = await findMaxRate({ trial: cliff(Infinity), slo: E2E, maxRate: 1000 });
    expect(always.repetitions[0]).toMatchObject({ max_rate: 512, failed_at: null, stopped: "above-max-rate" });
  });

  test("a budget of trials stops the search with the bracket so far", async () => {
    const result = await findMaxRate({ trial: cliff(37), slo: E2E, maxSteps: 9 });
    expect(result.repetitions[0]).toMatchObject({ stopped: "max-steps", max_rate: 32, failed_at: 40 });
    expect(result.repetitions[0]?.steps).toHaveLength(9);
  });

  test("repetitions: the median of their estimates, their range as the interval; later ones start at the median", async () => {
    const capacities = [30, 40, 35];
    const trial: RateTrial = async (rate, { repetition }) =>
      cliff(capacities[repetition] ?? 0)(rate, { repetition, step: 0 });
    const seen: number[] = [];
    const result = await findMaxRate({
      trial,
      slo: E2E,
      repetitions: 3,
      relativeTolerance: 0.001,
      onStep: (step) => seen.push(step.repetition),
    });
    const estimates = result.repetitions.map((r) => r.max_rate);
    expect(estimates.map((e, i) => Math.abs(e - (capacities[i] ?? 0)) / (capacities[i] ?? 1) < 0.001)).toEqual([
      true,
      true,
      true,
    ]);
    expect(result.max_rate).toBe(estimates[2]);
    expect(result.interval).toEqual({ low: estimates[0], high: estimates[1], confidence: 0.75 });
    expect(result.repetitions[1]?.steps[0]?.rate).toBe(estimates[0]);
    expect(result.repetitions[2]?.steps[0]?.rate).toBe(((estimates[0] ?? 0) + (estimates[1] ?? 0)) / 2);
    expect(seen).toEqual(result.repetitions.flatMap((r) => r.steps.map((s) => s.repetition)));
  });

  test("a warm-up: each step judges the requests after it and records both counts", async () => {
    // The first 100 of each 1,000 are quick whatever the rate; past 37 req/s the other 900 miss.
    const trial: RateTrial = async (rate) =>
      Array.from({ length: 1000 }, (_, i) => reply(i < 100 || rate <= 37 ? 100 : 10_000));
    const judgedAll = await findMaxRate({ trial, slo: E2E, percentile: 10 });
    const warmedUp = await findMaxRate({ trial, slo: E2E, percentile: 10, warmup: 100 });
    expect(judgedAll.repetitions[0]?.stopped).toBe("above-max-rate");
    expect(warmedUp.max_rate).toBeLessThanOrEqual(37);
    expect(warmedUp.max_rate).toBeGreaterThanOrEqual(37 / 1.02);
    expect(warmedUp.repetitions[0]?.steps[0]).toEqual({
      repetition: 0,
      rate: 1,
      holds: true,
      requests: 900,
      warmup: 100,
      share_met: { e2e: 1 },
    });
    expect(judgedAll.repetitions[0]?.steps[0]).not.toHaveProperty("warmup");
    const perRate = await findMaxRate({ trial, slo: E2E, percentile: 10, warmup: (rate) => (rate < 4 ? 100 : 200) });
    expect(perRate.repetitions[0]?.steps.slice(0, 3).map((s) => [s.rate, s.warmup, s.requests])).toEqual([
      [1, 100, 900],
      [2, 100, 900],
      [4, 200, 800],
    ]);
    await expect(findMaxRate({ trial, slo: E2E, warmup: -1 })).rejects.toThrow(/warmup must be a whole number/);
    await expect(findMaxRate({ trial, slo: E2E, warmup: () => 0.5 })).rejects.toThrow(/warmup must be a whole number/);
    await expect(findMaxRate({ trial, slo: E2E, warmup: 1.5 })).rejects.toThrow(/warmup must be a whole number/);
  });

  test("bad settings are refused", async () => {
    await expect(findMaxRate({ trial: cliff(1), slo: {} })).rejects.toThrow(/at least one latency target/);
    await expect(findMaxRate({ trial: cliff(1), slo: E2E, percentile: 100 })).rejects.toThrow(/percentile/);
    await expect(findMaxRate({ trial: cliff(1), slo: E2E, repetitions: 0 })).rejects.toThrow(/repetitions/);
  });
});

describe("the simulator's known capacity", () => {
  const SPEED = CAPACITY_SPEED;
  const WORKLOAD = CAPACITY_WORKLOAD;

  test("is recovered within 5% from the engine on a manual clock, 3 searches of 2,000-request trials", async () => {
    const slo = { e2e: 100 };
    const known = knownMaxRate(SPEED, WORKLOAD, slo, 0.9);
    const trial: RateTrial = async (ratePerSec, { repetition }) =>
      engineTrial({ speed: SPEED, ratePerSec, requests: 2000, ...WORKLOAD, seed: repetition });
    const result = await findMaxRate({ trial, slo, repetitions: 3, startRate: 100 });
    expect(Math.abs(result.max_rate / known - 1)).toBeLessThan(0.05);
    expect(result.interval?.low).toBeLessThanOrEqual(result.max_rate);
    expect(result.interval?.high).toBeGreaterThanOrEqual(result.max_rate);
  });

  test("short trials read high from an idle start; the default warm-up brings them back within 5%", async () => {
    // The HTTP check's profile (known 75.00 req/s), 3 searches from 60 req/s, seeded.
    const slo = { e2e: 400 };
    const known = knownMaxRate(HTTP_CAPACITY_SPEED, CAPACITY_WORKLOAD, slo, 0.9);
    const error = async (requests: number, warmup: TrialWarmup | undefined): Promise<number> => {
      const count = (ratePerSec: number) => warmupRequests(warmup, ratePerSec, requests);
      const result = await findMaxRate({
        trial: async (ratePerSec, { repetition }) =>
          engineTrial({
            speed: HTTP_CAPACITY_SPEED,
            ratePerSec,
            requests: count(ratePerSec) + requests,
            ...CAPACITY_WORKLOAD,
            seed: repetition,
          }),
        slo,
        repetitions: 3,
        startRate: 60,
        warmup: count,
      });
      return result.max_rate / known - 1;
    };
    for (const requests of [100, 300]) {
      const idle = await error(requests, undefined);
      const warmed = await error(requests, trialWarmupFor(requests));
      expect(idle).toBeGreaterThan(0.05);
      expect(Math.abs(warmed)).toBeLessThan(0.05);
    }
  });
});
