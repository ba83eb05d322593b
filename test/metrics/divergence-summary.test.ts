/** Per-task divergence: means with bootstrap intervals, disagreement share, and divergence against flips. */
import { describe, expect, test } from "vitest";
import { type DivergenceItem, pointBiserial, summarizeDivergence } from "../../src/metrics/index.ts";

const options = { resamples: 2000, seed: 0, stream: "divergence/suite40/fp8" };

const item = (meanKl: number, flipped: boolean, firstDivergence: number | null = null): DivergenceItem => ({
  divergence: { meanKl, maxKl: 2 * meanKl, top1Agreement: firstDivergence === null ? 1 : 0.5, firstDivergence },
  flipped,
});

describe("summarizeDivergence", () => {
  test("identical variants: KL exactly 0 and agreement exactly 1, intervals included", () => {
    const summary = summarizeDivergence([item(0, false), item(0, false), item(0, false)], options);
    expect(summary.meanKl).toEqual({ value: 0, low: 0, high: 0 });
    expect(summary.maxKl).toEqual({ value: 0, low: 0, high: 0 });
    expect(summary.top1Agreement).toEqual({ value: 1, low: 1, high: 1 });
    expect(summary.anyDisagreement).toEqual({ value: 0, low: 0, high: 0 });
    expect(summary.lnPplRatio).toBeNull(); // the items carry none
    expect(summary.flips).toEqual({ flipped: 0, klGap: null, pointBiserial: null });
  });

  test("hand-computed means, disagreement share, KL gap and point-biserial r", () => {
    // KL 0.1, 0.3 flipped; 0.0, 0.2 not: gap = 0.2 − 0.1 = 0.1. Mean 0.15, population SD √(0.05/4) = 0.111803,
    // p = ½: r = 0.1 / 0.111803 · ½ = 0.447214 (= Pearson's r with the 0/1 flips).
    const items = [item(0.1, true, 3), item(0.3, true, 0), item(0, false), item(0.2, false, 7)];
    const summary = summarizeDivergence(items, options);
    expect(summary.items).toBe(4);
    expect(summary.meanKl.value).toBeCloseTo(0.15, 12);
    expect(summary.maxKl.value).toBeCloseTo(0.3, 12);
    expect(summary.top1Agreement.value).toBeCloseTo(0.625, 12);
    expect(summary.anyDisagreement.value).toBe(0.75);
    expect(summary.flips.flipped).toBe(2);
    expect(summary.flips.klGap?.value).toBeCloseTo(0.1, 12);
    expect(summary.flips.pointBiserial).toBeCloseTo(0.4472136, 6);
    for (const estimate of [summary.meanKl, summary.maxKl, summary.top1Agreement, summary.anyDisagreement]) {
      expect(estimate.low).toBeLessThanOrEqual(estimate.value);
      expect(estimate.high).toBeGreaterThanOrEqual(estimate.value);
    }
    // Each resample's mean KL lies between the smallest and largest item's; the gap between −0.3 and 0.3.
    expect(summary.meanKl.low).toBeGreaterThanOrEqual(0);
    expect(summary.meanKl.high).toBeLessThanOrEqual(0.3);
    expect(summary.flips.klGap?.low).toBeGreaterThanOrEqual(-0.3);
    expect(summary.flips.klGap?.high).toBeLessThanOrEqual(0.3);
  });

  test("the same seed and stream give the same intervals; another stream, others", () => {
    const items = [item(0.1, true, 3), item(0.3, true, 0), item(0, false), item(0.2, false, 7), item(0.05, false)];
    expect(summarizeDivergence(items, options)).toEqual(summarizeDivergence(items, options));
    expect(summarizeDivergence(items, { ...options, stream: "divergence/suite40/nvfp4" }).meanKl).not.toEqual(
      summarizeDivergence(items, options).meanKl,
    );
  });

  test("flipped items that diverge more give a positive gap whose interval excludes 0", () => {
    const items = [
      ...Array.from({ length: 20 }, (_, i) => item(0.5 + i / 100, true, 0)),
      ...Array.from({ length: 80 }, (_, i) => item(0.01 + i / 1000, false)),
    ];
    const { flips } = summarizeDivergence(items, options);
    expect(flips.klGap?.low).toBeGreaterThan(0);
    expect(flips.pointBiserial).toBeGreaterThan(0.9);
  });

  test("mean ln PPL ratio with its interval; adding it moves no other interval; null when an item lacks it", () => {
    const items = [item(0.1, true, 3), item(0.3, true, 0), item(0, false), item(0.2, false, 7)];
    const ratios = [0.02, 0.06, 0, -0.04];
    const withRatio = items.map((x, i) => ({ ...x, lnPplRatio: ratios[i] ?? 0 }));
    const summary = summarizeDivergence(withRatio, options);
    expect(summary.lnPplRatio?.value).toBeCloseTo(0.01, 12);
    expect(summary.lnPplRatio?.low).toBeGreaterThanOrEqual(-0.04);
    expect(summary.lnPplRatio?.high).toBeLessThanOrEqual(0.06);
    expect(summary.lnPplRatio?.low).toBeLessThan(summary.lnPplRatio?.high ?? 0);
    const without = summarizeDivergence(items, options);
    expect({ ...summary, lnPplRatio: null }).toEqual(without);
    const unknown: DivergenceItem = { ...item(0.1, true, 3), lnPplRatio: null };
    expect(summarizeDivergence([...withRatio.slice(1), unknown], options).lnPplRatio).toBeNull();
  });

  test("no items is refused", () => {
    expect(() => summarizeDivergence([], options)).toThrow(RangeError);
  });
});

describe("pointBiserial", () => {
  test("is Pearson's r against a 0/1 variable, and null when a group is empty or x is constant", () => {
    const x = Float64Array.from([1, 2, 4, 7, 3]);
    const y = Float64Array.from([0, 1, 1, 0, 1]);
    const mx = 17 / 5;
    const my = 3 / 5;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    x.forEach((xi, i) => {
      const yi = y[i] ?? 0;
      sxy += (xi - mx) * (yi - my);
      sxx += (xi - mx) ** 2;
      syy += (yi - my) ** 2;
    });
    expect(pointBiserial(x, y)).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 12);
    expect(pointBiserial(x, Float64Array.from([1, 1, 1, 1, 1]))).toBeNull();
    expect(pointBiserial(Float64Array.from([2, 2, 2]), Float64Array.from([0, 1, 0]))).toBeNull();
  });
});
