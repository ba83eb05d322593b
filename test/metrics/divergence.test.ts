/** Token and item divergence against hand computations (natural logs, nats). */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import {
  itemDivergence,
  itemLnPplRatio,
  MIN_TAIL_PROBABILITY,
  type PositionLogprobs,
  type TopLogprobs,
  tokenDivergence,
} from "../../src/metrics/index.ts";

const logs = (probabilities: Record<string, number>): TopLogprobs =>
  Object.fromEntries(Object.entries(probabilities).map(([token, p]) => [token, Math.log(p)]));

const same = (token: string, probabilities: Record<string, number>): PositionLogprobs => ({
  token,
  reference: logs(probabilities),
  variant: logs(probabilities),
});

describe("tokenDivergence", () => {
  test("identical sides give exactly 0 KL and agreement, tail or not", () => {
    for (const position of [same("a", { a: 0.5, b: 0.3, c: 0.2 }), same("b", { a: 0.7, b: 0.1 })]) {
      const divergence = tokenDivergence(position);
      expect(divergence.kl).toBe(0);
      expect(divergence.top1Agree).toBe(true);
    }
  });

  test("three tokens covering all the mass: Σ p·ln(p/q), worked by hand", () => {
    // 0.5·ln(0.5/0.35) + 0.3·ln(0.3/0.45) + 0.2·ln(0.2/0.2) = 0.178337 − 0.121640 + 0 = 0.056698
    const divergence = tokenDivergence({
      token: "a",
      reference: logs({ a: 0.5, b: 0.3, c: 0.2 }),
      variant: logs({ a: 0.35, b: 0.45, c: 0.2 }),
    });
    expect(divergence.kl).toBeCloseTo(0.0566979, 6);
    expect(divergence.top1Agree).toBe(false);
    expect(divergence.variantTokenLogprob).toBeCloseTo(Math.log(0.35), 12);
  });

  test("tokens listed by one side only join that side's leftover in one merged outcome", () => {
    // Shared: a (0.6 vs 0.5). Reference tail: b 0.2 + leftover 0.2 = 0.4; variant tail: c 0.3 + leftover 0.2 = 0.5.
    // KL = 0.6·ln(0.6/0.5) + 0.4·ln(0.4/0.5) = 0.109393 − 0.089257 = 0.020136
    const divergence = tokenDivergence({
      token: "a",
      reference: logs({ a: 0.6, b: 0.2 }),
      variant: logs({ a: 0.5, c: 0.3 }),
    });
    expect(divergence.kl).toBeCloseTo(0.0201355, 6);
    expect(divergence.top1Agree).toBe(true);
  });

  test("the merged outcome is a lower bound: never above the full KL of the same distributions", () => {
    const p = { a: 0.6, b: 0.2, c: 0.05, d: 0.15 };
    const q = { a: 0.5, b: 0.05, c: 0.3, d: 0.15 };
    const full = Object.keys(p).reduce(
      (sum, t) => sum + p[t as keyof typeof p] * Math.log(p[t as keyof typeof p] / q[t as keyof typeof q]),
      0,
    );
    const coarse = tokenDivergence({
      token: "a",
      reference: logs({ a: 0.6, b: 0.2 }),
      variant: logs({ a: 0.5, c: 0.3 }),
    });
    expect(coarse.kl).toBeLessThan(full);
  });

  test("the actual token, given apart from the top-k, is a shared outcome", () => {
    // Shared: a and x. Tails: 1 − 0.7 − 0.1 = 0.2 and 1 − 0.7 − 0.05 = 0.25.
    const divergence = tokenDivergence({
      token: "x",
      reference: logs({ a: 0.7 }),
      variant: logs({ a: 0.7 }),
      referenceTokenLogprob: Math.log(0.1),
      variantTokenLogprob: Math.log(0.05),
    });
    expect(divergence.kl).toBeCloseTo(0.1 * Math.log(2) + 0.2 * Math.log(0.2 / 0.25), 12);
    expect(divergence.variantTokenLogprob).toBeCloseTo(Math.log(0.05), 12);
  });

  test("a variant claiming an empty tail is floored, not log(0)", () => {
    const divergence = tokenDivergence({ token: "a", reference: logs({ a: 0.9 }), variant: logs({ a: 1 }) });
    expect(Number.isFinite(divergence.kl)).toBe(true);
    expect(divergence.kl).toBeCloseTo(0.9 * Math.log(0.9) + 0.1 * (Math.log(0.1) - Math.log(MIN_TAIL_PROBABILITY)), 9);
  });

  test("a listed mass above 1 by rounding is an empty tail, and KL is never negative", () => {
    const divergence = tokenDivergence({
      token: "a",
      reference: { a: Math.log(0.6), b: Math.log(0.40001) },
      variant: { a: Math.log(0.6), b: Math.log(0.4) },
    });
    expect(divergence.kl).toBeGreaterThanOrEqual(0);
  });

  test("tokens spelled like Object's keys are tokens, not prototype members", () => {
    const divergence = tokenDivergence(same("constructor", { constructor: 0.5, toString: 0.5 }));
    expect(divergence.kl).toBe(0);
    expect(divergence.variantTokenLogprob).toBeCloseTo(Math.log(0.5), 12);
    const missing = tokenDivergence({ token: "a", reference: logs({ constructor: 0.5 }), variant: logs({ a: 0.5 }) });
    expect(missing.kl).toBe(0); // nothing shared: both sides are one merged outcome of mass 1
    expect(missing.variantTokenLogprob).toBeCloseTo(Math.log(0.5), 12);
  });

  test("a variant that gave no logprob for the actual token reports null", () => {
    expect(
      tokenDivergence({ token: "z", reference: logs({ a: 1 }), variant: logs({ a: 1 }) }).variantTokenLogprob,
    ).toBe(null);
  });
});

/** A distribution over a small vocabulary "t0".."t{n-1}", from positive weights. */
const distribution = (weights: readonly number[]): Record<string, number> => {
  const total = weights.reduce((sum, w) => sum + w, 0);
  return Object.fromEntries(weights.map((w, i) => [`t${i}`, w / total]));
};

/** The k most probable tokens of a distribution, as logprobs: what a server's top-k returns. */
const topK = (probabilities: Record<string, number>, k: number): TopLogprobs =>
  logs(
    Object.fromEntries(
      Object.entries(probabilities)
        .sort(([, a], [, b]) => b - a)
        .slice(0, k),
    ),
  );

describe("tokenDivergence properties", () => {
  const weights = fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 2, maxLength: 8 });
  const sides = fc.tuple(weights, fc.nat(), fc.nat(), fc.nat()).map(([w, seed, k, actual]) => {
    const rotated = w.map((_, i) => w[(i + seed) % w.length] ?? 1); // another order of the same weights
    const p = distribution(w);
    const q = distribution(rotated.map((x, i) => x * (1 + ((i * 7 + seed) % 5) / 10)));
    return { p, q, k: 1 + (k % w.length), actual: `t${actual % w.length}` };
  });

  fcTest.prop([sides], { numRuns: 200 })(
    "from any top-k of two distributions, KL lies between 0 and the full-vocabulary KL",
    ({ p, q, k, actual }) => {
      const full = Object.keys(p).reduce((sum, t) => sum + (p[t] ?? 0) * Math.log((p[t] ?? 1) / (q[t] ?? 1)), 0);
      const { kl } = tokenDivergence({
        token: actual,
        reference: topK(p, k),
        variant: topK(q, k),
        referenceTokenLogprob: Math.log(p[actual] ?? 1),
        variantTokenLogprob: Math.log(q[actual] ?? 1),
      });
      expect(kl).toBeGreaterThanOrEqual(0);
      expect(kl).toBeLessThanOrEqual(full + 1e-12);
    },
  );

  fcTest.prop([sides], { numRuns: 100 })(
    "a distribution against itself is exactly 0 at every k",
    ({ p, k, actual }) => {
      expect(tokenDivergence({ token: actual, reference: topK(p, k), variant: topK(p, k) }).kl).toBe(0);
    },
  );
});

describe("itemDivergence", () => {
  const agreeing = same("a", { a: 0.5, b: 0.3, c: 0.2 });
  const flipping: PositionLogprobs = {
    token: "a",
    reference: logs({ a: 0.5, b: 0.3, c: 0.2 }),
    variant: logs({ a: 0.35, b: 0.45, c: 0.2 }),
  };

  test("an item identical everywhere: KL 0, agreement 1, no divergence", () => {
    expect(itemDivergence([agreeing, agreeing, agreeing])).toEqual({
      meanKl: 0,
      maxKl: 0,
      top1Agreement: 1,
      firstDivergence: null,
      positions: 3,
    });
  });

  test("mean and max KL, agreement share, and the first position where top-1 differs", () => {
    const item = itemDivergence([agreeing, agreeing, flipping, agreeing, flipping]);
    expect(item.meanKl).toBeCloseTo((2 * 0.0566979) / 5, 6);
    expect(item.maxKl).toBeCloseTo(0.0566979, 6);
    expect(item.top1Agreement).toBe(3 / 5);
    expect(item.firstDivergence).toBe(2);
    expect(itemDivergence([flipping, agreeing]).firstDivergence).toBe(0);
  });

  test("an empty reply is refused", () => {
    expect(() => itemDivergence([])).toThrow(RangeError);
  });
});

describe("itemLnPplRatio", () => {
  test("mean of ln p − ln q of the reference's tokens: ln(PPL(variant)/PPL(reference)), by hand", () => {
    // Token a: ln 0.5 − ln 0.35 = 0.356675; token b: ln 0.3 − ln 0.45 = −0.405465; mean −0.024395.
    const positions: PositionLogprobs[] = [
      { token: "a", reference: logs({ a: 0.5, b: 0.3 }), variant: logs({ a: 0.35, b: 0.45 }) },
      { token: "b", reference: logs({ a: 0.5, b: 0.3 }), variant: logs({ a: 0.35, b: 0.45 }) },
    ];
    expect(itemLnPplRatio(positions)).toBeCloseTo(-0.0243951, 6);
    // The own-token logprobs given apart from the top-k are the ones used.
    const apart = positions.map((p) => ({ ...p, referenceTokenLogprob: Math.log(0.9), variantTokenLogprob: 0 }));
    expect(itemLnPplRatio(apart)).toBeCloseTo(Math.log(0.9), 12);
  });

  test("identical sides give exactly 0; an unknown token logprob or no positions give null", () => {
    const position = same("a", { a: 0.5, b: 0.3 });
    expect(itemLnPplRatio([position, position])).toBe(0);
    expect(itemLnPplRatio([{ ...position, token: "constructor" }])).toBeNull();
    expect(itemLnPplRatio([])).toBeNull();
  });
});
