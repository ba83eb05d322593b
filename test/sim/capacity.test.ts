/**
 * The simulator's known capacity: Crommelin's M/D/c wait distribution against Erlang's closed form for one slot,
 * against the engine itself on a manual clock, and the max rate it implies.
 */
import { describe, expect, test } from "vitest";
import { sloVerdict } from "../../src/loadgen/slo.ts";
import { knownMaxRate, slotHoldMs, waitWithinProbability } from "../../src/sim/capacity.ts";
import { CAPACITY_SPEED, CAPACITY_WORKLOAD, engineTrial } from "./engine-trial.ts";

const SPEED = CAPACITY_SPEED;
const WORKLOAD = CAPACITY_WORKLOAD;

/** Erlang (1909), M/D/1: P(W ≤ x) = (1 − ρ) Σ_{k=0}^{⌊x/D⌋} [λ(kD − x)]^k / k! · e^{−λ(kD − x)}. */
function erlangMD1(rate: number, holdS: number, waitS: number): number {
  let total = 0;
  let factorial = 1;
  for (let k = 0; k <= Math.floor(waitS / holdS); k++) {
    if (k > 0) factorial *= k;
    const t = rate * (k * holdS - waitS);
    total += (t ** k / factorial) * Math.exp(-t);
  }
  return (1 - rate * holdS) * total;
}

describe("waitWithinProbability", () => {
  test.each([
    [5, 0],
    [5, 0.05],
    [5, 0.13],
    [8, 0.31],
    [9, 0.55],
  ])("one slot at %d req/s, wait ≤ %d s: Erlang's M/D/1 formula", (rate, waitS) => {
    expect(waitWithinProbability(rate, 1, 100, waitS * 1000)).toBeCloseTo(erlangMD1(rate, 0.1, waitS), 9);
  });

  test("no wait at rate 0; no bound holds at or past saturation; a negative bound never holds", () => {
    expect(waitWithinProbability(0, 4, 50, 0)).toBe(1);
    expect(waitWithinProbability(80, 4, 50, 1e6)).toBe(0);
    expect(waitWithinProbability(10, 4, 50, -1)).toBe(0);
  });

  test("the engine on a manual clock is the M/D/c queue: share of waits within a bound, 20,000 Poisson arrivals", () => {
    const holdMs = slotHoldMs(SPEED, WORKLOAD);
    expect(holdMs).toBe(50);
    const rate = 280;
    const outcomes = engineTrial({ speed: SPEED, ratePerSec: rate, requests: 20_000, ...WORKLOAD, seed: 1 });
    for (const waitMs of [0, 10, 25, 60]) {
      const met = outcomes.filter((o) => sloVerdict(o, { e2e: holdMs + waitMs }).all).length / outcomes.length;
      expect(met).toBeCloseTo(waitWithinProbability(rate, 16, holdMs, waitMs), 1);
    }
  });
});

describe("knownMaxRate", () => {
  test("the rate at which exactly the quantile meets the bound, below saturation", () => {
    const rate = knownMaxRate(SPEED, WORKLOAD, { e2e: 100 }, 0.9);
    expect(rate).toBeGreaterThan(280);
    expect(rate).toBeLessThan(320);
    expect(waitWithinProbability(rate, 16, 50, 50)).toBeCloseTo(0.9, 6);
    expect(waitWithinProbability(rate * 1.01, 16, 50, 50)).toBeLessThan(0.9);
  });

  test("TTFT bounds the wait by ttft − prefill, E2E by e2e − D; the tighter one decides", () => {
    const byTtft = knownMaxRate(SPEED, WORKLOAD, { ttft: 35 }, 0.9); // wait ≤ 25 ms
    const byE2e = knownMaxRate(SPEED, WORKLOAD, { e2e: 75 }, 0.9); // wait ≤ 25 ms
    expect(byTtft).toBeCloseTo(byE2e, 6);
    expect(knownMaxRate(SPEED, WORKLOAD, { ttft: 35, e2e: 100 }, 0.9)).toBeCloseTo(byE2e, 6);
    expect(knownMaxRate(SPEED, WORKLOAD, { e2e: 100 }, 0.9)).toBeGreaterThan(byE2e);
  });

  test("a TPOT target decides at every rate or none; a target an idle engine misses gives 0", () => {
    expect(knownMaxRate(SPEED, WORKLOAD, { tpot: 40 }, 0.9)).toBe(320); // 40 ms per token: any stable rate
    expect(knownMaxRate(SPEED, WORKLOAD, { tpot: 39.9 }, 0.9)).toBe(0);
    expect(knownMaxRate(SPEED, WORKLOAD, { e2e: 49 }, 0.9)).toBe(0);
  });

  test("a load too close to saturation to compute is refused, not guessed", () => {
    expect(() => waitWithinProbability(320 * 0.99999, 16, 50, 50)).toThrow(/too close to saturation/);
  });

  test("a profile that shares decode capacity has no known capacity", () => {
    expect(() => knownMaxRate({ ...SPEED, maxDecodeTokensPerSec: 399 }, WORKLOAD, { e2e: 100 }, 0.9)).toThrow(
      /maxDecodeTokensPerSec/,
    );
  });
});
