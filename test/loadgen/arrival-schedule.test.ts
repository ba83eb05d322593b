/**
 * The seeded arrival schedule, with vLLM's semantics: exponential gaps at the asked rate (checked with a
 * Kolmogorov–Smirnov test), gamma gaps of mean 1/rate and CV 1/√burstiness, the last arrival at requests/rate.
 */
import { describe, expect, test } from "vitest";
import { seededRandom } from "../../src/core/seeded-random.ts";
import { arrivalSchedule, gammaVariate } from "../../src/loadgen/arrival-schedule.ts";
import { exponentialCdf, ksTest, mean, sampleStandardDeviation } from "../../src/metrics/index.ts";

const gapsOf = (times: readonly number[]): number[] => times.map((t, i) => t - (times[i - 1] ?? 0));

describe("arrivalSchedule", () => {
  test("seeded: the same spec gives the same times on every call; another seed gives others", () => {
    const spec = { requestRate: 8, burstiness: 1, seed: 7 };
    const first = arrivalSchedule(spec, 500);
    expect(arrivalSchedule(spec, 500)).toEqual(first);
    expect(arrivalSchedule({ ...spec, seed: 8 }, 500)).not.toEqual(first);
    expect(first).toHaveLength(500);
    expect(first.every((t, i) => i === 0 || t >= (first[i - 1] ?? 0))).toBe(true);
  });

  test("as vLLM: the last of n arrivals falls at exactly n/rate, the rate asked over the schedule", () => {
    for (const burstiness of [0.5, 1, 3]) {
      const times = arrivalSchedule({ requestRate: 4, burstiness, seed: 0 }, 1000);
      expect(times.at(-1)).toBeCloseTo((1000 / 4) * 1000, 6);
    }
  });

  test("Poisson: 1,000 gaps pass a Kolmogorov–Smirnov test against the exponential at the rate asked", () => {
    const rate = 4;
    for (const seed of [0, 1, 2]) {
      const gapsS = gapsOf(arrivalSchedule({ requestRate: rate, burstiness: 1, seed }, 1000)).map((g) => g / 1000);
      expect(ksTest(gapsS, exponentialCdf(rate)).pValue, `seed ${seed}`).toBeGreaterThan(0.05);
      // The near miss: the same gaps are not exponential at a rate 25% off.
      expect(ksTest(gapsS, exponentialCdf(rate * 1.25)).pValue, `seed ${seed}`).toBeLessThan(0.001);
    }
  });

  test("gamma gaps: mean 1/rate and coefficient of variation 1/√burstiness", () => {
    const rate = 10;
    for (const burstiness of [0.25, 0.5, 2, 8]) {
      const gaps = gapsOf(arrivalSchedule({ requestRate: rate, burstiness, seed: 3 }, 20_000));
      const m = mean(gaps) ?? Number.NaN;
      expect(m).toBeCloseTo(1000 / rate, 6);
      const cv = (sampleStandardDeviation(gaps) ?? Number.NaN) / m;
      expect(Math.abs(cv * Math.sqrt(burstiness) - 1), `burstiness ${burstiness}: CV ${cv}`).toBeLessThan(0.04);
    }
  });

  test("rate inf sends everything at once; burstiness inf spaces arrivals evenly", () => {
    expect(arrivalSchedule({ requestRate: Number.POSITIVE_INFINITY, burstiness: 1, seed: 0 }, 4)).toEqual([0, 0, 0, 0]);
    const even = arrivalSchedule({ requestRate: 4, burstiness: Number.POSITIVE_INFINITY, seed: 0 }, 4);
    expect(even.map((t) => Math.round(t * 1e6) / 1e6)).toEqual([250, 500, 750, 1000]);
  });

  test("refuses a rate or burstiness that is not positive", () => {
    expect(() => arrivalSchedule({ requestRate: 0, burstiness: 1, seed: 0 }, 4)).toThrow(/rate > 0/);
    expect(() => arrivalSchedule({ requestRate: 1, burstiness: -1, seed: 0 }, 4)).toThrow(/burstiness > 0/);
    expect(() => arrivalSchedule({ requestRate: Number.NaN, burstiness: 1, seed: 0 }, 4)).toThrow(/rate > 0/);
  });
});

describe("gammaVariate", () => {
  test("Gamma(k, 1) has mean k and variance k, below, at and above shape 1", () => {
    for (const shape of [0.3, 1, 2.5, 10]) {
      const uniform = seededRandom(0, "gamma-test", shape);
      const draws = Array.from({ length: 40_000 }, () => gammaVariate(shape, uniform));
      expect(Math.abs((mean(draws) ?? 0) / shape - 1), `shape ${shape}`).toBeLessThan(0.03);
      expect(Math.abs((sampleStandardDeviation(draws) ?? 0) ** 2 / shape - 1), `shape ${shape}`).toBeLessThan(0.06);
      expect(draws.every((d) => d >= 0 && Number.isFinite(d))).toBe(true);
    }
  });
});
