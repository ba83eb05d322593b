/** Recovery and its paired interval: exact enumerations of tiny tables, the delta method on a large one. */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { itemMeansFromCounts, pairedReplicates, recovery } from "../../src/metrics/index.ts";
import { Z_95 } from "../../src/metrics/stats.ts";
import { pairedCountsArbitrary } from "./paired-counts.ts";

const options = { resamples: 20_000, seed: 0, stream: "recovery" };

describe("recovery", () => {
  test("three items (both right, ↓, ↑), enumerated: 27 resamples, one with reference 0 → [0, +∞)", () => {
    // Items A = (1, 1), B = (1, 0), C = (0, 1); a resample draws a, b, c of each (a + b + c = 3) with multinomial
    // chances, and its recovery is (a + c) / (a + b). Enumerated: 3/3 (1/27), 0/3 (1/27), 3/0 = ∞ (1/27),
    // 2/3, 3/2, 1/3, 1/2, 3/1, 2/1 (3/27 each), 2/2 (6/27). Point: 2/2 = 1. The lowest value, 0, has 1/27 = 3.7% > 2.5%
    // of the mass, so the lower bound is 0; so has ∞ at the top, so the upper bound is +∞.
    const pair = itemMeansFromCounts({ paired: 3, down: 1, up: 1, bothRight: 1 });
    const replicates = pairedReplicates(pair, options);
    const ratios = Array.from(replicates.reference, (r, i) =>
      (replicates.variant[i] ?? 0) === 0 && r === 0 ? -1 : (replicates.variant[i] ?? 0) / r,
    );
    const share = (value: number) => ratios.filter((x) => x === value).length / ratios.length;
    // Monte-Carlo standard error of a share p over 20,000 draws is √(p(1 − p)/20000) ≤ 0.0035; 0.012 is over 3 of them.
    for (const [value, chance] of [
      [1, 7 / 27],
      [0, 1 / 27],
      [Number.POSITIVE_INFINITY, 1 / 27],
      [2 / 3, 3 / 27],
      [1.5, 3 / 27],
      [1 / 3, 3 / 27],
      [0.5, 3 / 27],
      [3, 3 / 27],
      [2, 3 / 27],
    ] as const)
      expect(Math.abs(share(value) - chance)).toBeLessThan(0.012);
    expect(recovery(pair, replicates)).toEqual({
      value: 1,
      ci95: { low: 0, high: Number.POSITIVE_INFINITY },
      undefinedResamples: 0,
    });
  });

  test("0/0 resamples are left out and counted: items (1, 1) and (0, 0) → recovery 1 on [1, 1], ¼ undefined", () => {
    // Two draws: the (0, 0) item twice (¼) gives 0/0; otherwise the ratio is 1/1 or 2/2.
    const pair = itemMeansFromCounts({ paired: 2, down: 0, up: 0, bothRight: 1 });
    const result = recovery(pair, pairedReplicates(pair, options));
    expect(result?.value).toBe(1);
    expect(result?.ci95).toEqual({ low: 1, high: 1 });
    expect(Math.abs((result?.undefinedResamples ?? 0) / options.resamples - 0.25)).toBeLessThan(0.015);
  });

  test("no recovery when the reference scored 0 or nothing is paired", () => {
    const zero = itemMeansFromCounts({ paired: 5, down: 0, up: 2, bothRight: 0 });
    expect(recovery(zero, pairedReplicates(zero, options))).toBeNull();
    const none = itemMeansFromCounts({ paired: 0, down: 0, up: 0, bothRight: 0 });
    expect(recovery(none, pairedReplicates(none, options))).toBeNull();
  });

  test("on a large n it agrees with the delta method for a ratio of paired means", () => {
    // n = 10,000: both right 7,400, ↓ 600, ↑ 400. Reference 0.80, variant 0.78, recovery 0.975. Delta method
    // (per item X = v − R·r): Var = [p_v(1 − p_v) + R² p_r(1 − p_r) − 2R(p₁₁ − p_v p_r)] / (p_r² n)
    // = [0.1716 + 0.950625·0.16 − 1.95·0.116] / (0.64 · 10⁴) = 1.5234e−5, SE = 0.0039031,
    // interval 0.975 ± 1.959964 · 0.0039031 = [0.96735, 0.98265].
    const pair = itemMeansFromCounts({ paired: 10_000, down: 600, up: 400, bothRight: 7400 });
    const result = recovery(pair, pairedReplicates(pair, { resamples: 4000, seed: 0, stream: "delta" }));
    const se = Math.sqrt((0.1716 + 0.975 ** 2 * 0.16 - 2 * 0.975 * 0.116) / (0.64 * 10_000));
    expect(result?.value).toBeCloseTo(0.975, 12);
    // Monte-Carlo error of a 2.5% quantile from 4,000 resamples is ≈ 0.0002 here.
    expect(Math.abs((result?.ci95.low ?? 0) - (0.975 - Z_95 * se))).toBeLessThan(0.0008);
    expect(Math.abs((result?.ci95.high ?? 0) - (0.975 + Z_95 * se))).toBeLessThan(0.0008);
  });

  fcTest.prop([pairedCountsArbitrary(5, 200), fc.nat({ max: 1000 })], { numRuns: 40 })(
    "each resample's recovery is above 1 exactly when its Δ is above 0, and the interval holds the estimate",
    (counts, seed) => {
      const { down, bothRight } = counts;
      const pair = itemMeansFromCounts(counts);
      const replicates = pairedReplicates(pair, { resamples: 1000, seed, stream: "p" });
      for (let r = 0; r < 1000; r++) {
        const reference = replicates.reference[r] ?? 0;
        const variant = replicates.variant[r] ?? 0;
        if (reference > 0) expect(variant / reference > 1).toBe(variant - reference > 0);
      }
      const result = recovery(pair, replicates);
      if (down + bothRight === 0) expect(result).toBeNull();
      else {
        expect(result?.ci95.low).toBeLessThanOrEqual(result?.value ?? Number.NaN);
        expect(result?.ci95.high).toBeGreaterThanOrEqual(result?.value ?? Number.NaN);
      }
    },
  );
});
