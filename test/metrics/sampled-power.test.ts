/** The MDE with k samples per item: hand-computed variance components and the design effect's limits. */
import { describe, expect, test } from "vitest";
import { seededRandom } from "../../src/core/seeded-random.ts";
import { sampledMde, varianceComponents } from "../../src/metrics/index.ts";
import { minimumDetectableDifference } from "../../src/metrics/power.ts";

const samplesOf = (entries: Record<string, boolean[]>) => new Map(Object.entries(entries));
const T = true;
const F = false;

describe("varianceComponents", () => {
  test("two items, two samples each, by hand: all of the variance within items", () => {
    // Reference means (1, ½), variant (½, 0); d = (−½, −½), var(d) = 0. s² = p(1 − p)·2/1: reference (0, ½),
    // variant (½, 0); σ²_w = mean(½, ½) = ½; mean(s²/k) = ¼, so σ²_b = max(0, 0 − ¼) = 0.
    // ψ₁ = mean(½·0 + 1·½, 0·½ + ½·1) = ½. Effective k = ½ / ¼ = 2.
    expect(varianceComponents(samplesOf({ a: [T, T], b: [T, F] }), samplesOf({ a: [T, F], b: [F, F] }))).toEqual({
      items: 2,
      samples: 2,
      between: 0,
      within: 0.5,
      discordance: 0.5,
    });
  });

  test("three items every sample agrees on: all of the variance between items", () => {
    // Reference (1, 0, 1), variant (1, 1, 0): d = (0, 1, −1), var(d) = 2/2 = 1; no within-item variance; ψ₁ = 2/3.
    expect(
      varianceComponents(
        samplesOf({ a: [T, T], b: [F, F], c: [T, T] }),
        samplesOf({ a: [T, T], b: [T, T], c: [F, F] }),
      ),
    ).toEqual({ items: 3, samples: 1, between: 1, within: 0, discordance: 2 / 3 });
  });

  test("null with one sample on a side (no within-item variance to estimate) or fewer than two items", () => {
    expect(varianceComponents(samplesOf({ a: [T, T], b: [T] }), samplesOf({ a: [T, F], b: [F, F] }))).toBeNull();
    expect(varianceComponents(samplesOf({ a: [T, T] }), samplesOf({ a: [T, F] }))).toBeNull();
  });
});

describe("sampledMde", () => {
  test("one sample: the sample-0 MDE (Connor at n and the discordant share)", () => {
    const components = { items: 1000, samples: 1, between: 0.05, within: 0.05, discordance: 0.1 };
    expect(sampledMde(components, 1)?.value).toBeCloseTo(minimumDetectableDifference(1000, 100)?.value ?? 0, 12);
    expect(sampledMde(components, 1)?.designEffect).toBe(1);
  });

  test("ρ = ½ and k = 8: deff = 1 + 7·½ = 4.5, n_eff = 1000·8/4.5 = 1777.8", () => {
    const result = sampledMde({ items: 1000, samples: 8, between: 0.05, within: 0.05, discordance: 0.1 }, 8);
    expect(result?.designEffect).toBe(4.5);
    expect(result?.effectiveItems).toBeCloseTo(8000 / 4.5, 9);
  });

  test("no within-item variance: more samples buy nothing; no between-item variance: k samples count as k items", () => {
    const between = { items: 500, samples: 4, between: 0.1, within: 0, discordance: 0.1 };
    expect(sampledMde(between, 16)?.value).toBeCloseTo(sampledMde(between, 1)?.value ?? 0, 12);
    const within = { items: 500, samples: 4, between: 0, within: 0.1, discordance: 0.1 };
    expect(sampledMde(within, 16)?.value).toBeCloseTo(minimumDetectableDifference(8000, 800)?.value ?? 0, 12);
  });

  test("on simulated items whose flips are partly per item, 16 samples beat 1 by less than √16", () => {
    // 400 items: the variant loses 30% of its chance on a seeded fifth of the items, and nothing on the rest, so
    // part of the difference is between items (which samples cannot average away) and part within.
    const random = seededRandom("sampled-power", 1);
    const reference = new Map<string, boolean[]>();
    const variant = new Map<string, boolean[]>();
    for (let i = 0; i < 400; i++) {
      const p = random();
      const q = random() < 0.2 ? p * 0.7 : p;
      reference.set(
        `q${i}`,
        Array.from({ length: 16 }, () => random() < p),
      );
      variant.set(
        `q${i}`,
        Array.from({ length: 16 }, () => random() < q),
      );
    }
    const components = varianceComponents(reference, variant);
    expect(components?.samples).toBeCloseTo(16, 6);
    expect(components?.between).toBeGreaterThan(0);
    if (components === null) return;
    const one = sampledMde(components, 1)?.value ?? Number.NaN;
    const sixteen = sampledMde(components, 16)?.value ?? Number.NaN;
    expect(sixteen).toBeLessThan(one);
    expect(sixteen).toBeGreaterThan(one / 4);
  });

  test("rejects a sample count that cannot be", () => {
    expect(() => sampledMde({ items: 10, samples: 1, between: 0, within: 0.1, discordance: 0.1 }, 0)).toThrow(
      RangeError,
    );
  });
});
