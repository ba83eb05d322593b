/** Non-inferiority verdicts and the items needed to decide, against hand computations. */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import {
  clusteredDelta,
  DEFAULT_MARGIN,
  itemMeansFromCounts,
  itemsNeeded,
  type Margin,
  nonInferiority,
  ONE_SIDED_LEVEL,
  pairedReplicates,
  recovery,
  type Verdict,
  verdictOf,
} from "../../src/metrics/index.ts";

const pp = (value: number): Margin => ({ kind: "pp", pp: value });
const options = { resamples: 10_000, seed: 0, stream: "ni" };

test("the defaults: a 1 pp margin, read at one-sided 97.5% (the lower bound of the two-sided 95% interval)", () => {
  expect(DEFAULT_MARGIN).toEqual({ kind: "pp", pp: 1 });
  expect(ONE_SIDED_LEVEL).toBe(0.975);
});

describe("verdictOf", () => {
  test.each([
    [{ low: -0.5, high: 2 }, -1, "non-inferior"],
    [{ low: -3, high: -1.5 }, -1, "inferior"],
    [{ low: -1.5, high: 0.5 }, -1, "inconclusive"],
    // A bound on the threshold decides nothing: the one-sided test is strict.
    [{ low: -1, high: 0.5 }, -1, "inconclusive"],
    [{ low: -2, high: -1 }, -1, "inconclusive"],
    [{ low: 0.995, high: 1.01 }, 0.99, "non-inferior"],
    [{ low: 0.97, high: 0.985 }, 0.99, "inferior"],
  ] as const)("%o against %d: %s", (interval, threshold, verdict) => {
    expect(verdictOf(interval, threshold)).toBe(verdict);
  });

  const rank: Record<Verdict, number> = { inferior: 0, inconclusive: 1, "non-inferior": 2 };
  fcTest.prop([
    fc.double({ min: -50, max: 50, noNaN: true }),
    fc.double({ min: 0, max: 50, noNaN: true }),
    fc.double({ min: 0, max: 20, noNaN: true }),
    fc.double({ min: 0, max: 20, noNaN: true }),
  ])("a wider margin never makes a verdict worse", (low, width, margin, more) => {
    const interval = { low, high: low + width };
    expect(rank[verdictOf(interval, -(margin + more))]).toBeGreaterThanOrEqual(rank[verdictOf(interval, -margin)]);
  });
});

describe("nonInferiority on the paired bootstrap", () => {
  // n = 1,000, ↓ 60, ↑ 40: Δ = −2 pp; Wald (Agresti 2002 §10.1.1) SE = √(0.1 − 0.0004)/√1000 = 0.998 pp, so the
  // 95% interval is about [−3.96, −0.04] pp (the bootstrap gives [−4, −0.1], bootstrap.test.ts).
  const pair = itemMeansFromCounts({ paired: 1000, down: 60, up: 40, bothRight: 700 });
  const interval = clusteredDelta(pair, pairedReplicates(pair, options))?.ci95Pp ?? null;

  test("one table, three margins, three verdicts", () => {
    expect(interval?.low).toBeCloseTo(-4, 10);
    expect(interval?.high).toBeCloseTo(-0.1, 10);
    expect(nonInferiority(pair, interval, pp(5))?.verdict).toBe("non-inferior"); // −4 > −5
    expect(nonInferiority(pair, interval, pp(1))?.verdict).toBe("inconclusive"); // −4 < −1 < −0.1
    expect(nonInferiority(pair, interval, pp(0))?.verdict).toBe("inferior"); // −0.1 < 0
    expect(nonInferiority(pair, interval, pp(1))).toMatchObject({ basis: "bootstrap", threshold: -1 });
  });

  test("a relative margin reads the recovery interval", () => {
    // Reference 0.76, variant 0.74: recovery 0.9737; its interval lies about 0.948 to 0.999.
    const ratio = recovery(pair, pairedReplicates(pair, options));
    expect(ratio?.value).toBeCloseTo(0.74 / 0.76, 12);
    const at = (m: number) => nonInferiority(pair, ratio?.ci95 ?? null, { kind: "recovery", ratio: m })?.verdict;
    expect(at(0.9)).toBe("non-inferior");
    expect(at(0.95)).toBe("inconclusive");
    expect(at(1)).toBe("inferior");
  });
});

describe("no item went one way: the bootstrap cannot draw it, so that side's bound is the exact one", () => {
  const z = 1.959963984540054;
  const wilsonLow = (x: number, n: number) => {
    const p = x / n;
    return (p + z ** 2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z ** 2 / (4 * n * n))) / (1 + z ** 2 / n);
  };
  const verdictFor = (counts: { paired: number; down: number; up: number; bothRight: number }, margin: Margin) => {
    const pair = itemMeansFromCounts(counts);
    const replicates = pairedReplicates(pair, options);
    const interval =
      margin.kind === "pp"
        ? (clusteredDelta(pair, replicates)?.ci95Pp ?? null)
        : (recovery(pair, replicates)?.ci95 ?? null);
    return nonInferiority(pair, interval, margin);
  };

  test("two items, one improved, none worse: not non-inferior (every resample has Δ ≥ 0)", () => {
    const result = verdictFor({ paired: 2, down: 0, up: 1, bothRight: 1 }, pp(1));
    // Δ ≥ (share better ≥ Wilson low of 1 of 2) − (share worse ≤ 1 − 0.025^½).
    expect(result).toMatchObject({ verdict: "inconclusive", basis: "unseen-direction" });
    expect(result?.interval.low).toBeCloseTo((wilsonLow(1, 2) - (1 - 0.025 ** 0.5)) * 100, 10);
    expect(verdictFor({ paired: 2, down: 0, up: 1, bothRight: 1 }, { kind: "recovery", ratio: 0.99 })?.verdict).toBe(
      "inconclusive",
    );
  });

  test("29 agreeing items and 1 improved: as undecided as 30 agreeing ones", () => {
    expect(verdictFor({ paired: 30, down: 0, up: 1, bothRight: 20 }, pp(1))?.verdict).toBe("inconclusive");
    expect(verdictFor({ paired: 30, down: 0, up: 0, bothRight: 20 }, pp(1))?.verdict).toBe("inconclusive");
  });

  test("with many items it still decides: 1,000 items, 30 better and none worse, is non-inferior at 1 pp", () => {
    // The exact bound on the share worse is 1 − 0.025^(1/1000) = 0.37%: Δ ≥ 1.9% − 0.37% > −1 pp.
    const result = verdictFor({ paired: 1000, down: 0, up: 30, bothRight: 700 }, pp(1));
    expect(result?.verdict).toBe("non-inferior");
    expect(result?.interval.low).toBeCloseTo((wilsonLow(30, 1000) - (1 - 0.025 ** (1 / 1000))) * 100, 10);
  });

  test("mirrored: 100 worse of 1,000 and none better is inferior; 4 worse of 20 is not shown to be", () => {
    expect(verdictFor({ paired: 1000, down: 100, up: 0, bothRight: 700 }, pp(1))?.verdict).toBe("inferior");
    // McNemar's exact p for 4 against 0 is 0.125: no loss shown, and the verdict agrees.
    expect(verdictFor({ paired: 20, down: 4, up: 0, bothRight: 16 }, pp(1))).toMatchObject({
      verdict: "inconclusive",
      basis: "unseen-direction",
    });
  });
});

describe("itemsNeeded", () => {
  test("a 100-item task with ↓ 6, ↑ 2 (Δ −4 pp) needs 684 items to show it is inferior at a 1 pp margin", () => {
    // δ = −0.04, ψ = 0.08: σ² = ψ − δ² = 0.0784, μ = δ + M = −0.03;
    // n = (1.959964 + 0.841621)² · 0.0784 / 0.03² = (2.8015852 · 0.28 / 0.03)² = 683.72 → 684.
    expect(itemsNeeded(itemMeansFromCounts({ paired: 100, down: 6, up: 2, bothRight: 80 }), pp(1))).toBe(684);
  });

  test("balanced flips (↓ 2, ↑ 2 of 100) need 3,140 items to show non-inferiority at 1 pp", () => {
    // δ = 0, ψ = 0.04: n = (2.8015852 · 0.2 / 0.01)² = 3139.55 → 3140.
    expect(itemsNeeded(itemMeansFromCounts({ paired: 100, down: 2, up: 2, bothRight: 80 }), pp(1))).toBe(3140);
  });

  test("a relative margin: recovery > 0.95 as the contrast v − 0.95·r > 0", () => {
    // ↓ 6 items give −0.95, ↑ 2 give 1, both right 80 give 0.05, both wrong 12 give 0:
    // μ = (−5.7 + 2 + 4)/100 = 0.003, E[X²] = (6·0.9025 + 2 + 80·0.0025)/100 = 0.07615, σ² = 0.076141,
    // n = 2.8015852² · 0.076141 / 0.003² = 66402.4 → 66403.
    const pair = itemMeansFromCounts({ paired: 100, down: 6, up: 2, bothRight: 80 });
    expect(itemsNeeded(pair, { kind: "recovery", ratio: 0.95 })).toBe(66403);
  });

  test("a difference exactly on the margin: no n decides", () => {
    // ↓ 3, ↑ 2 of 100: Δ = −1 pp = −M.
    expect(itemsNeeded(itemMeansFromCounts({ paired: 100, down: 3, up: 2, bothRight: 50 }), pp(1))).toBeNull();
  });
});

describe("no item differs", () => {
  test("40 agreeing items are not enough for 1 pp: |Δ| could still be 8.81 pp", () => {
    // ψ_U = 1 − 0.025^(1/40) = 0.0880973; at 1 pp, n must exceed ln 0.025 / ln 0.99 = 367.04, so 368.
    const pair = itemMeansFromCounts({ paired: 40, down: 0, up: 0, bothRight: 30 });
    const result = nonInferiority(pair, null, pp(1));
    expect(result?.verdict).toBe("inconclusive");
    expect(result?.basis).toBe("no-item-differs");
    expect(result?.interval.low).toBeCloseTo(-8.80973, 4);
    expect(result?.interval.high).toBeCloseTo(8.80973, 4);
    expect(result?.itemsNeeded).toBe(368);
  });

  test("367 agreeing items are one short at 1 pp; 368 are enough", () => {
    // ψ_U(367) = 0.0100011 > 0.01; ψ_U(368) = 0.0099741 < 0.01.
    const at = (paired: number) =>
      nonInferiority(itemMeansFromCounts({ paired, down: 0, up: 0, bothRight: paired }), null, pp(1))?.verdict;
    expect(at(367)).toBe("inconclusive");
    expect(at(368)).toBe("non-inferior");
  });

  test("a relative margin scales the bound by the reference accuracy", () => {
    // 1,000 items, reference 0.5: recovery within 1 ± ψ_U/0.5, ψ_U = 1 − 0.025^(1/1000) = 0.0036822 → ± 0.0073644.
    const pair = itemMeansFromCounts({ paired: 1000, down: 0, up: 0, bothRight: 500 });
    const result = nonInferiority(pair, null, { kind: "recovery", ratio: 0.99 });
    expect(result?.interval.low).toBeCloseTo(1 - 0.0073644, 6);
    expect(result?.verdict).toBe("non-inferior");
    // Margin (1 − 0.99)·0.5 = 0.005 as a share of items: n > ln 0.025 / ln 0.995 = 735.9 → 736.
    expect(result?.itemsNeeded).toBe(736);
  });
});

test("rejects margins that cannot be, and needs the interval when items differ", () => {
  const pair = itemMeansFromCounts({ paired: 10, down: 1, up: 0, bothRight: 5 });
  expect(() => nonInferiority(pair, null, pp(-1))).toThrow(RangeError);
  expect(() => nonInferiority(pair, null, { kind: "recovery", ratio: 1.2 })).toThrow(RangeError);
  expect(() => nonInferiority(pair, null, pp(1))).toThrow(RangeError);
  expect(nonInferiority(itemMeansFromCounts({ paired: 0, down: 0, up: 0, bothRight: 0 }), null, pp(1))).toBeNull();
});
