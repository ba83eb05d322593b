/** Minimum detectable differences of a paired comparison (Connor 1987), against published and hand-computed values. */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import {
  connorDetectableDifference,
  connorK,
  connorSampleSize,
  mdeFloor,
  minimumDetectableDifference,
  Z_80,
} from "../../src/metrics/power.ts";

describe("Connor (1987) sample size for McNemar's test", () => {
  test("the published calculator example: p10 = 0.05, p01 = 0.45, α = 0.05 two-sided, 80% power → n = 22.01, 23 pairs", () => {
    // HyLown's "Compare Paired Proportions: McNemar's Z-test, 2-Sided Equality" (powerandsamplesize.com; the same
    // example in open-powersamplesize, zarathucorp.github.io/open-powersamplesize/calculator/compare-paired-proportions/
    // mcnemar-2-sided), which implements Connor (1987, Biometrics 43:207–211, p. 209): its R code prints
    // ceiling(n) = 23 for pdisc = 0.5, pdiff = −0.4. Unrounded, scipy quantiles give n = 22.011324427435788.
    const n = connorSampleSize(-0.4, 0.5);
    expect(n).toBeCloseTo(22.011324427435788, 9);
    expect(Math.ceil(n)).toBe(23);
  });

  test("solved for the difference, it gives back the example's δ", () => {
    expect(connorDetectableDifference(22.011324427435788, 0.5)).toBeCloseTo(0.4, 12);
  });

  test("z for 80% power is Φ⁻¹(0.8) (scipy.stats.norm.ppf(0.8))", () => {
    expect(Z_80).toBe(0.8416212335729143);
  });

  fcTest.prop([fc.integer({ min: 10, max: 100_000 }), fc.double({ min: 0.001, max: 1, noNaN: true })])(
    "round trip: Connor's n at the detectable δ is the n it was solved at",
    (n, psi) => {
      const delta = connorDetectableDifference(n, psi);
      expect(delta).not.toBeNull();
      if (delta === null || delta > psi) return; // δ > ψ cannot happen: no discordance of ψ makes a difference that large
      expect(connorSampleSize(delta, psi) / n).toBeCloseTo(1, 9);
    },
  );

  test("rejects a difference larger than the discordance that must carry it", () => {
    expect(() => connorSampleSize(0.3, 0.2)).toThrow(RangeError);
    expect(() => connorSampleSize(0, 0.2)).toThrow(RangeError);
  });
});

describe("minimumDetectableDifference", () => {
  test("n = 40, the best case (every flip one way): 18.5 pp, so 40 items cannot show a 1-point loss", () => {
    // K(40) = (1.959964·√40 + 0.841621·√(40 − 1.959964² + 0.841621²)) / (40 + 0.841621²) = 0.4300365; K² = 0.1849314
    // (computed by hand in Python with scipy's quantiles); at ψ = δ = K², Connor's n is 40 again.
    expect(connorK(40)).toBeCloseTo(0.43003645253362005, 12);
    expect(mdeFloor(40)).toBeCloseTo(0.18493135050770046, 12);
    expect(connorSampleSize(0.18493135050770046, 0.18493135050770046)).toBeCloseTo(40, 9);
    for (let discordant = 0; discordant <= 40; discordant++) {
      expect(minimumDetectableDifference(40, discordant)?.value).toBeGreaterThan(0.18);
    }
  });

  test("at the discordance observed when it allows: n = 1000 with 100 items flipped → 2.80 pp", () => {
    // K(1000) = 0.0884895 (as above); √0.1 × K = 0.0279828.
    expect(minimumDetectableDifference(1000, 100)).toEqual({
      value: expect.closeTo(0.027982836304473523, 12),
      basis: "observed",
      discordance: 0.1,
    });
  });

  test("fewer flips than the difference would need, or none: the floor", () => {
    expect(minimumDetectableDifference(40, 2)).toEqual({
      value: expect.closeTo(0.18493135050770046, 12),
      basis: "floor",
      discordance: 0.05,
    });
    expect(minimumDetectableDifference(40, 0)?.basis).toBe("floor");
  });

  test("shrinks with n at a fixed discordance, like 1/√n", () => {
    const at = (n: number) => minimumDetectableDifference(n, n / 10)?.value ?? Number.NaN;
    expect(at(400)).toBeLessThan(at(100));
    expect(at(1600) / at(400)).toBeCloseTo(0.5, 1);
  });

  test("three items or fewer cannot detect anything; nothing paired says nothing", () => {
    expect(minimumDetectableDifference(3, 3)).toBeNull();
    expect(minimumDetectableDifference(0, 0)).toBeNull();
    expect(minimumDetectableDifference(4, 0)?.value).toBeLessThan(1);
    expect(() => minimumDetectableDifference(4, 5)).toThrow(RangeError);
  });
});
