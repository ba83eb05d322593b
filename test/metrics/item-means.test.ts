/** avg@n and the bootstrap clustered by item: hand-enumerated resamples, one mechanism with the sample-0 bootstrap. */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { seededRandom } from "../../src/core/seeded-random.ts";
import { pairedBootstrapReplicates, pairedCountReplicates, seededRng } from "../../src/metrics/bootstrap.ts";
import {
  averageCorrect,
  clusteredDelta,
  itemMeansFromCounts,
  itemSumReplicates,
  type PairedItemMeans,
  pairedReplicates,
  pairItemMeans,
  recovery,
} from "../../src/metrics/index.ts";
import { pairedCountsArbitrary } from "./paired-counts.ts";

describe("averageCorrect and pairItemMeans", () => {
  test("avg@n is the share of an item's samples graded correct", () => {
    expect(averageCorrect([true, false, true, true])).toBe(0.75);
    expect(averageCorrect([false, false])).toBe(0);
    expect(() => averageCorrect([])).toThrow(RangeError);
  });

  test("pairs only items both sides have samples of, in the reference's order", () => {
    const pair = pairItemMeans(
      new Map([
        ["a", [true, true]],
        ["b", [true, false]],
        ["c", [false, false]],
        ["d", [true]],
      ]),
      new Map([
        ["b", [false, false, true, true]],
        ["a", [true, false]],
        ["d", []],
      ]),
    );
    expect(pair.itemIds).toEqual(["a", "b"]);
    expect(Array.from(pair.reference)).toEqual([1, 0.5]);
    expect(Array.from(pair.variant)).toEqual([0.5, 0.5]);
  });

  test("counts laid out as ↓, ↑, both right, both wrong", () => {
    const pair = itemMeansFromCounts({ paired: 6, down: 2, up: 1, bothRight: 2 });
    expect(Array.from(pair.reference)).toEqual([1, 1, 0, 1, 1, 0]);
    expect(Array.from(pair.variant)).toEqual([0, 0, 1, 1, 1, 0]);
    expect(() => itemMeansFromCounts({ paired: 3, down: 2, up: 1, bothRight: 1 })).toThrow(RangeError);
  });
});

describe("itemSumReplicates", () => {
  fcTest.prop([pairedCountsArbitrary(1, 60), fc.nat({ max: 1000 })], { numRuns: 60 })(
    "on 0/1 items laid out by counts, its Δs are pairedBootstrapReplicates' draw for draw",
    (counts, seed) => {
      const { paired, down, up } = counts;
      const pair = itemMeansFromCounts(counts);
      const [reference, variant] = itemSumReplicates([pair.reference, pair.variant], 30, seededRng(seed, "same"));
      const expected = pairedBootstrapReplicates({ paired, down, up }, 30, seededRng(seed, "same"));
      const deltas = Array.from(
        { length: 30 },
        (_, r) => (((variant?.[r] ?? 0) - (reference?.[r] ?? 0)) / paired) * 100,
      );
      expect(deltas).toEqual(Array.from(expected));
    },
  );

  fcTest.prop([pairedCountsArbitrary(1, 60), fc.nat({ max: 1000 })], { numRuns: 60 })(
    "pairedCountReplicates gives the same sums from counts alone, resample for resample",
    (counts, seed) => {
      const pair = itemMeansFromCounts(counts);
      const [reference, variant] = itemSumReplicates([pair.reference, pair.variant], 30, seededRng(seed, "same"));
      const fromCounts = pairedCountReplicates(counts, 30, seededRng(seed, "same"));
      expect(Array.from(fromCounts.reference)).toEqual(Array.from(reference ?? []));
      expect(Array.from(fromCounts.variant)).toEqual(Array.from(variant ?? []));
    },
  );

  test("rejects columns of different lengths and no resamples", () => {
    expect(() => itemSumReplicates([Float64Array.of(1), Float64Array.of(1, 0)], 5, seededRng(0, "x"))).toThrow(
      RangeError,
    );
    expect(() => itemSumReplicates([Float64Array.of(1)], 0, seededRng(0, "x"))).toThrow(RangeError);
  });
});

describe("clusteredDelta", () => {
  const options = { resamples: 20_000, seed: 0, stream: "hand" };

  test("a hand-enumerated case: item means d = (−½, 0) give Δ −50, −25, 0 pp with chances ¼, ½, ¼", () => {
    // Reference means (1, ½), variant (½, ½). Two draws: item 1 twice (¼) → Δ = −50; once (½) → −25; never (¼) → 0.
    const pair = pairItemMeans(
      new Map([
        ["x", [true, true]],
        ["y", [true, false]],
      ]),
      new Map([
        ["x", [true, false]],
        ["y", [false, true]],
      ]),
    );
    const replicates = pairedReplicates(pair, options);
    const deltas = Array.from({ length: options.resamples }, (_, r) => {
      return (((replicates.variant[r] ?? 0) - (replicates.reference[r] ?? 0)) / 2) * 100;
    });
    const share = (value: number) => deltas.filter((x) => x === value).length / deltas.length;
    // Monte-Carlo standard error of a share near ½ over 20,000 draws is 0.0035; 0.015 is over 4 of them.
    expect(Math.abs(share(-50) - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(share(-25) - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(share(0) - 0.25)).toBeLessThan(0.015);
    expect(clusteredDelta(pair, replicates)).toEqual({
      paired: 2,
      referenceMean: 0.75,
      variantMean: 0.5,
      deltaPp: -25,
      ci95Pp: { low: -50, high: 0 },
    });
  });

  test("no item differs: Δ 0 and no interval; nothing paired: null", () => {
    const same = itemMeansFromCounts({ paired: 10, down: 0, up: 0, bothRight: 7 });
    expect(clusteredDelta(same, pairedReplicates(same, options))?.ci95Pp).toBeNull();
    const none = itemMeansFromCounts({ paired: 0, down: 0, up: 0, bothRight: 0 });
    expect(clusteredDelta(none, pairedReplicates(none, options))).toBeNull();
  });

  fcTest.prop([fc.integer({ min: 2, max: 40 }), fc.nat({ max: 1000 })], { numRuns: 30 })(
    "antisymmetric: swapping reference and variant negates Δ and mirrors its interval",
    (items, seed) => {
      const random = seededRandom("antisymmetric", seed);
      const reference = Float64Array.from({ length: items }, () => Math.floor(random() * 5) / 4);
      const variant = Float64Array.from({ length: items }, () => Math.floor(random() * 5) / 4);
      const itemIds = Array.from({ length: items }, (_, i) => `q${i}`);
      const options = { resamples: 500, seed, stream: "s" };
      const forward: PairedItemMeans = { itemIds, reference, variant };
      const backward: PairedItemMeans = { itemIds, reference: variant, variant: reference };
      const there = clusteredDelta(forward, pairedReplicates(forward, options));
      const back = clusteredDelta(backward, pairedReplicates(backward, options));
      expect(back?.deltaPp).toBeCloseTo(-(there?.deltaPp ?? Number.NaN), 9);
      if (there?.ci95Pp === null) expect(back?.ci95Pp).toBeNull();
      else {
        expect(back?.ci95Pp?.low).toBeCloseTo(-(there?.ci95Pp.high ?? Number.NaN), 9);
        expect(back?.ci95Pp?.high).toBeCloseTo(-(there?.ci95Pp.low ?? Number.NaN), 9);
      }
    },
  );
});

describe("every sample counts (issue 16)", () => {
  /**
   * 300 items of seeded difficulty p ∈ [0, 1); the reference solves each sample with chance p, the variant with
   * p − 0.03. Sixteen samples per item on each side. The sample-0 comparison reads sample 0 only; the clustered one
   * reads all sixteen, by item mean. Same items, same data: the clustered interval must be narrower.
   */
  const items = 300;
  const samples = 16;
  const random = seededRandom("issue16", "samples");
  const reference = new Map<string, boolean[]>();
  const variant = new Map<string, boolean[]>();
  for (let i = 0; i < items; i++) {
    const p = random();
    reference.set(
      `q${i}`,
      Array.from({ length: samples }, () => random() < p),
    );
    variant.set(
      `q${i}`,
      Array.from({ length: samples }, () => random() < p - 0.03),
    );
  }
  const firstSample = (m: Map<string, boolean[]>) => new Map([...m].map(([id, s]) => [id, s.slice(0, 1)]));
  const options = { resamples: 4000, seed: 0, stream: "issue16" };
  const width = (interval: { low: number; high: number } | null | undefined) =>
    (interval?.high ?? Number.NaN) - (interval?.low ?? Number.NaN);

  test("the Δ interval over 16 samples is narrower than over sample 0, by about the √ of the variance ratio", () => {
    const all = pairItemMeans(reference, variant);
    const zero = pairItemMeans(firstSample(reference), firstSample(variant));
    const clustered = width(clusteredDelta(all, pairedReplicates(all, options))?.ci95Pp);
    const sampleZero = width(clusteredDelta(zero, pairedReplicates(zero, options))?.ci95Pp);
    expect(clustered).toBeLessThan(sampleZero);
    // Expected ratio from the items' own variances: the spread of d_i with 16 samples against with one sample.
    const spread = (pair: { reference: Float64Array; variant: Float64Array }) => {
      const d = pair.variant.map((v, i) => v - (pair.reference[i] ?? 0));
      const m = d.reduce((s, x) => s + x, 0) / d.length;
      return Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / d.length);
    };
    expect(clustered / sampleZero).toBeCloseTo(spread(all) / spread(zero), 1);
    expect(clustered / sampleZero).toBeLessThan(0.6);
  });

  test("so is the recovery interval", () => {
    const all = pairItemMeans(reference, variant);
    const zero = pairItemMeans(firstSample(reference), firstSample(variant));
    const clustered = recovery(all, pairedReplicates(all, options));
    const sampleZero = recovery(zero, pairedReplicates(zero, options));
    expect(width(clustered?.ci95)).toBeLessThan(width(sampleZero?.ci95));
    expect(width(clustered?.ci95)).toBeLessThan(0.6 * width(sampleZero?.ci95));
  });
});
