/**
 * Statistics against values worked out outside this code: Wilson bounds from the closed form by hand and checked
 * with statsmodels-equivalent scipy arithmetic, McNemar p-values from binomial coefficients written out, percentiles
 * from numpy.percentile on the same arrays.
 */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import {
  describe as describeSample,
  mcnemarExactP,
  percentile,
  sampleStandardDeviation,
  wilsonInterval,
} from "../../src/metrics/stats.ts";

describe("wilsonInterval", () => {
  test.each([
    // successes, n, low, high: Wilson score interval with z = Φ⁻¹(0.975) = 1.959963984540054.
    [34, 40, 0.709276756335103, 0.9293881228267964],
    [35, 40, 0.738878801611489, 0.945404997490546],
    [0, 10, 0, 0.2775327998628892],
    [10, 10, 0.7224672001371107, 1],
    [1, 2, 0.09453120573423074, 0.9054687942657693],
    [0, 1, 0, 0.7934506856227626],
  ])("%i/%i → [%f, %f]", (successes, n, low, high) => {
    const interval = wilsonInterval(successes, n);
    expect(interval.low).toBeCloseTo(low, 12);
    expect(interval.high).toBeCloseTo(high, 12);
  });

  test("the bounds are exactly 0 at 0/n and exactly 1 at n/n, so they never print as 99.99…", () => {
    expect(wilsonInterval(0, 7).low).toBe(0);
    expect(wilsonInterval(7, 7).high).toBe(1);
    // Near miss: one success off the edge is strictly inside.
    expect(wilsonInterval(1, 7).low).toBeGreaterThan(0);
    expect(wilsonInterval(6, 7).high).toBeLessThan(1);
  });

  test("n = 0 says nothing: [0, 1]", () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  test("z = 1.96 (rounded) gives the textbook 34/40 interval, a hair wider than the exact quantile's", () => {
    const rounded = wilsonInterval(34, 40, 1.96);
    expect(rounded.low).toBeCloseTo(0.7092737396097997, 12);
    expect(rounded.high).toBeCloseTo(0.9293890829149256, 12);
  });

  test.each([
    [5, 4],
    [-1, 4],
    [1.5, 4],
    [1, Number.NaN],
  ])("rejects %s/%s", (s, n) => {
    expect(() => wilsonInterval(s, n)).toThrow(RangeError);
  });

  fcTest.prop(
    [fc.integer({ min: 1, max: 100_000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)))],
    { seed: 17 },
  )("contains the point estimate and stays within [0, 1]", ([successes, n]) => {
    const { low, high } = wilsonInterval(successes, n);
    expect(low).toBeGreaterThanOrEqual(0);
    expect(high).toBeLessThanOrEqual(1);
    expect(low).toBeLessThanOrEqual(successes / n);
    expect(high).toBeGreaterThanOrEqual(successes / n);
  });
});

describe("mcnemarExactP", () => {
  test.each([
    // b, c, p = min(1, 2·Σ_{i≤min(b,c)} C(b+c, i) / 2^(b+c))
    [0, 5, 0.0625], // 2·1/32
    [5, 0, 0.0625],
    [1, 4, 0.375], // 2·(1+5)/32
    [2, 8, 0.109375], // 2·(1+10+45)/1024
    [3, 3, 1], // 2·(1+6+15+20)/64 = 84/64, capped at 1
    [0, 1, 1], // 2·1/2
    [1, 1, 1], // 2·(1+2)/4 = 1.5, capped
    [0, 6, 0.03125], // 2·1/64
  ])("b=%i c=%i → %f", (b, c, p) => {
    expect(mcnemarExactP(b, c)).toBeCloseTo(p, 14);
  });

  test("no discordant pairs: p = 1", () => {
    expect(mcnemarExactP(0, 0)).toBe(1);
  });

  test("larger counts match scipy.stats.binomtest", () => {
    expect(mcnemarExactP(10, 30)).toBeCloseTo(0.0022214337732293643, 14);
    expect(mcnemarExactP(100, 140)).toBeCloseTo(0.01166409231767769, 12);
  });

  test("stays finite at MMLU-Pro scale, where 2^-n underflows a double", () => {
    // n = 2400: a 50/50 split is as unremarkable as it gets; 1100/1300 is not.
    expect(mcnemarExactP(1200, 1200)).toBe(1);
    // scipy: 2·binom.cdf(1100, 2400, 0.5) = 4.8184641033802e-05.
    expect(mcnemarExactP(1100, 1300) / 4.8184641033802e-5).toBeCloseTo(1, 9);
  });

  test("is symmetric in b and c", () => {
    expect(mcnemarExactP(7, 19)).toBe(mcnemarExactP(19, 7));
  });

  test.each([
    [-1, 2],
    [1.5, 2],
  ])("rejects b=%s c=%s", (b, c) => {
    expect(() => mcnemarExactP(b, c)).toThrow(RangeError);
  });
});

describe("percentile", () => {
  test.each([
    // array, p, numpy.percentile(array, p)
    [[1, 2, 3, 4], 50, 2.5],
    [[1, 2, 3, 4], 95, 3.85],
    [[15, 20, 35, 40, 50], 40, 29],
    [[15, 20, 35, 40, 50], 95, 48],
    [[7], 95, 7],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 9.55],
    [[0.5, 1.25], 5, 0.5375],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 100, 4],
  ])("%j at p%f → %f", (sorted, p, expected) => {
    expect(percentile(sorted, p)).toBeCloseTo(expected, 12);
  });

  test("empty → null", () => {
    expect(percentile([], 50)).toBeNull();
  });

  test.each([-1, 101, Number.NaN])("rejects p = %f", (p) => {
    expect(() => percentile([1], p)).toThrow(RangeError);
  });
});

describe("describe", () => {
  test("sorts before taking percentiles", () => {
    expect(describeSample([4, 1, 3, 2])).toEqual({
      p50: 2.5,
      p95: expect.closeTo(3.85, 12),
      mean: 2.5,
      min: 1,
      max: 4,
    });
  });

  test("an empty sample is all null", () => {
    expect(describeSample([])).toEqual({ p50: null, p95: null, mean: null, min: null, max: null });
  });
});

describe("sampleStandardDeviation", () => {
  test("Bessel-corrected (n − 1), as numpy.std(ddof=1)", () => {
    // The textbook set 2, 4, 4, 4, 5, 5, 7, 9 (Wikipedia, "Standard deviation"): mean 5, squared deviations sum to 32,
    // population SD √(32/8) = 2, sample SD √(32/7) = 2.138089935299395 (numpy.std(..., ddof=1)).
    expect(sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 14);
    expect(sampleStandardDeviation([0.5, 0.5, 0.5])).toBe(0);
  });

  test("null below two values: one repeat has no spread to estimate", () => {
    expect(sampleStandardDeviation([])).toBeNull();
    expect(sampleStandardDeviation([0.7])).toBeNull();
  });
});
