/** The paired bootstrap: its generator against the reference C code, determinism, and intervals against theory. */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { generatorFromState, nextUint32 } from "../../src/core/seeded-random.ts";
import {
  meanOfReplicates,
  pairedBootstrapInterval,
  pairedBootstrapReplicates,
  percentileInterval,
  seededRng,
} from "../../src/metrics/bootstrap.ts";
import { Z_95 } from "../../src/metrics/stats.ts";

describe("seededRng", () => {
  test("the same seed and stream give the same numbers; another seed or stream, others", () => {
    const draw = (seed: number, stream: string) => {
      const rng = seededRng(seed, stream);
      return Array.from({ length: 4 }, () => nextUint32(rng));
    };
    expect(draw(0, "suite40/fp8")).toEqual(draw(0, "suite40/fp8"));
    expect(draw(1, "suite40/fp8")).not.toEqual(draw(0, "suite40/fp8"));
    expect(draw(0, "suite40/nvfp4")).not.toEqual(draw(0, "suite40/fp8"));
  });
});

describe("pairedBootstrapReplicates", () => {
  test("draws the generator's stream in order and classifies each draw as item ⌊u·n/2³²⌋", () => {
    const counts = { paired: 7, down: 2, up: 3 };
    const replicates = pairedBootstrapReplicates(counts, 50, generatorFromState([5, 6, 7, 8]));
    const reference = generatorFromState([5, 6, 7, 8]);
    const expected = Array.from({ length: 50 }, () => {
      let delta = 0;
      for (let i = 0; i < counts.paired; i++) {
        // Items 0–1 are ↓, 2–4 ↑, 5–6 concordant.
        const item = Math.floor((nextUint32(reference) * counts.paired) / 2 ** 32);
        if (item < counts.down) delta -= 1;
        else if (item < counts.down + counts.up) delta += 1;
      }
      return (delta / counts.paired) * 100;
    });
    expect(Array.from(replicates)).toEqual(expected);
  });

  test("leaves the generator where a plain loop of n × resamples draws would", () => {
    const rng = generatorFromState([9, 10, 11, 12]);
    pairedBootstrapReplicates({ paired: 13, down: 1, up: 1 }, 7, rng);
    const plain = generatorFromState([9, 10, 11, 12]);
    for (let i = 0; i < 13 * 7; i++) nextUint32(plain);
    expect(nextUint32(rng)).toBe(nextUint32(plain));
  });

  test("no discordant item: every resample is 0", () => {
    expect(Array.from(pairedBootstrapReplicates({ paired: 40, down: 0, up: 0 }, 5, seededRng(0, "x")))).toEqual([
      0, 0, 0, 0, 0,
    ]);
  });

  test("a hand-counted case: n = 2, one ↓ item: Δ is 0, −50 or −100 with chances ¼, ½, ¼", () => {
    // Two draws from {↓, concordant}: ↓ drawn twice (¼) → −100; once (½) → −50; never (¼) → 0.
    const replicates = pairedBootstrapReplicates({ paired: 2, down: 1, up: 0 }, 20_000, seededRng(0, "hand"));
    const share = (value: number) => replicates.filter((x) => x === value).length / replicates.length;
    // Monte-Carlo standard error of a share near ½ over 20,000 draws is 0.0035; 0.015 is over 4 of them.
    expect(share(-100)).toBeCloseTo(0.25, 1);
    expect(Math.abs(share(-100) - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(share(-50) - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(share(0) - 0.25)).toBeLessThan(0.015);
    expect(percentileInterval(replicates)).toEqual({ low: -100, high: 0 });
  });

  test("rejects counts that cannot be, and no resamples", () => {
    expect(() => pairedBootstrapReplicates({ paired: 3, down: 2, up: 2 }, 10, seededRng(0, "x"))).toThrow(RangeError);
    expect(() => pairedBootstrapReplicates({ paired: 3, down: 1.5, up: 0 }, 10, seededRng(0, "x"))).toThrow(RangeError);
    expect(() => pairedBootstrapReplicates({ paired: 3, down: 1, up: 0 }, 0, seededRng(0, "x"))).toThrow(RangeError);
  });
});

describe("pairedBootstrapInterval", () => {
  const options = { resamples: 10_000, seed: 0, stream: "t" };

  test("deterministic for a seed and stream; a pinned value guards the stream against silent changes", () => {
    const counts = { paired: 40, down: 5, up: 1 };
    expect(pairedBootstrapInterval(counts, options)).toEqual(pairedBootstrapInterval(counts, options));
    // Pinned from this implementation (seed 0, stream "t"): must stay the same on every platform and release.
    // Re-pinned when the generator became pure-rand's xoroshiro128+ (was xoshiro128**: −3.9025 and 0 for `wide`);
    // the method is unchanged, and both lie within Monte-Carlo error of the Wald bounds −3.956 and −0.044.
    expect(pairedBootstrapInterval(counts, options)).toEqual({ low: -22.5, high: 0 });
    const wide = pairedBootstrapInterval({ paired: 1000, down: 60, up: 40 }, options);
    expect(wide?.low).toBeCloseTo(-4, 10);
    expect(wide?.high).toBeCloseTo(-0.1, 10);
  });

  test("null when no item is discordant: the bootstrap has no interval to give", () => {
    expect(pairedBootstrapInterval({ paired: 100, down: 0, up: 0 }, options)).toBeNull();
  });

  fcTest.prop([fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), fc.nat({ max: 1000 })], { numRuns: 40 })(
    "the interval contains the point estimate",
    (paired, a, b, seed) => {
      const down = a % (paired + 1);
      const up = b % (paired - down + 1);
      const interval = pairedBootstrapInterval({ paired, down, up }, { resamples: 2000, seed, stream: "p" });
      const delta = ((up - down) / paired) * 100;
      if (down + up === 0) expect(interval).toBeNull();
      else {
        expect(interval?.low).toBeLessThanOrEqual(delta);
        expect(interval?.high).toBeGreaterThanOrEqual(delta);
      }
    },
  );

  test("the width shrinks like 1/√n: 4× the items, about half the width", () => {
    const width = (n: number) => {
      const interval = pairedBootstrapInterval({ paired: n, down: n / 10, up: n / 20 }, options);
      return (interval?.high ?? 0) - (interval?.low ?? 0);
    };
    const [w100, w400, w1600] = [width(100), width(400), width(1600)];
    expect(w400).toBeLessThan(w100);
    expect(w1600).toBeLessThan(w400);
    expect(w400 / w100).toBeGreaterThan(0.4);
    expect(w400 / w100).toBeLessThan(0.6);
    expect(w1600 / w400).toBeGreaterThan(0.4);
    expect(w1600 / w400).toBeLessThan(0.6);
  });

  test("on a large n it agrees with the normal (Wald) interval for a difference of paired proportions", () => {
    // Agresti (2002), Categorical Data Analysis, 2nd ed., §10.1.1: Δ̂ = (n₂₁ − n₁₂)/n with
    // Var = [(p₁₂ + p₂₁) − (p₁₂ − p₂₁)²] / n. Here n = 10,000, ↓ = 600, ↑ = 400: Δ̂ = −2 pp,
    // SE = √(0.1 − 0.0004) / 100 = 0.31559 pp, interval −2 ± 1.959964 × 0.31559 = [−2.61855, −1.38145] pp.
    const n = 10_000;
    const se = (Math.sqrt(0.1 - 0.02 ** 2) / Math.sqrt(n)) * 100;
    const replicates = pairedBootstrapReplicates({ paired: n, down: 600, up: 400 }, 10_000, seededRng(0, "wald"));
    const interval = percentileInterval(replicates);
    // Monte-Carlo error of a 2.5% quantile from 10,000 resamples is ≈ 0.009 pp here, Δ moves in 0.01 pp steps.
    expect(Math.abs(interval.low - (-2 - Z_95 * se))).toBeLessThan(0.05);
    expect(Math.abs(interval.high - (-2 + Z_95 * se))).toBeLessThan(0.05);
    const mean = replicates.reduce((s, x) => s + x, 0) / replicates.length;
    const sd = Math.sqrt(replicates.reduce((s, x) => s + (x - mean) ** 2, 0) / (replicates.length - 1));
    expect(Math.abs(mean - -2)).toBeLessThan(0.02);
    expect(Math.abs(sd / se - 1)).toBeLessThan(0.03);
  });
});

describe("percentileInterval and meanOfReplicates", () => {
  test("the 2.5th and 97.5th percentiles interpolate like numpy's default", () => {
    // numpy.percentile(numpy.arange(1, 101), [2.5, 97.5]) = [3.475, 97.525]
    const interval = percentileInterval(Float64Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(interval.low).toBeCloseTo(3.475, 12);
    expect(interval.high).toBeCloseTo(97.525, 12);
    expect(() => percentileInterval(new Float64Array(0))).toThrow(RangeError);
    expect(() => percentileInterval(Float64Array.of(1), 1)).toThrow(RangeError);
  });

  test("the stratified mean is resample-by-resample", () => {
    expect(Array.from(meanOfReplicates([Float64Array.of(0, -10, 4), Float64Array.of(2, 10, -8)]))).toEqual([1, 0, -2]);
    expect(() => meanOfReplicates([Float64Array.of(1), Float64Array.of(1, 2)])).toThrow(RangeError);
    expect(() => meanOfReplicates([])).toThrow(RangeError);
  });
});
