/** The one-sample Kolmogorov–Smirnov test: the statistic by hand, the tail at its textbook critical values. */
import { describe, expect, test } from "vitest";
import { exponentialCdf, kolmogorovTail, ksTest } from "../../src/metrics/ks-test.ts";

const uniformCdf = (x: number) => Math.min(1, Math.max(0, x));

describe("ksTest", () => {
  test("D is the largest gap on either side of the empirical CDF's steps", () => {
    expect(ksTest([0.5], uniformCdf).statistic).toBeCloseTo(0.5, 12);
    // Steps 1/3, 2/3, 1 at 0.1, 0.2, 0.9: the widest gap is 2/3 − 0.2 just after 0.2.
    expect(ksTest([0.9, 0.1, 0.2], uniformCdf).statistic).toBeCloseTo(2 / 3 - 0.2, 12);
    // A sample at the quantile midpoints of F is as close as n points can be: D = 1/(2n).
    const n = 100;
    const midpoints = Array.from({ length: n }, (_, i) => (i + 0.5) / n);
    expect(ksTest(midpoints, uniformCdf).statistic).toBeCloseTo(1 / (2 * n), 12);
    expect(ksTest(midpoints, uniformCdf).pValue).toBe(1);
  });

  test("the Kolmogorov tail at the 5% and 1% critical values (1.358, 1.628) and at 0.5", () => {
    expect(kolmogorovTail(1.358)).toBeCloseTo(0.05, 3);
    expect(kolmogorovTail(1.628)).toBeCloseTo(0.01, 3);
    expect(kolmogorovTail(0.5)).toBeCloseTo(0.9639, 4);
    expect(kolmogorovTail(0.1)).toBe(1);
    expect(kolmogorovTail(4)).toBeLessThan(1e-12);
  });

  test("exponential quantiles pass against their own rate and fail against a rate 20% off", () => {
    const n = 1000;
    const rate = 4;
    const quantiles = Array.from({ length: n }, (_, i) => -Math.log(1 - (i + 0.5) / n) / rate);
    expect(ksTest(quantiles, exponentialCdf(rate)).pValue).toBe(1);
    expect(ksTest(quantiles, exponentialCdf(rate * 1.2)).pValue).toBeLessThan(0.001);
  });

  test("refuses an empty sample", () => {
    expect(() => ksTest([], uniformCdf)).toThrow(RangeError);
  });
});
