/** The divergence table's cells: KL in nats at one scale per cell, shares as percents, unpaired items by why. */
import { describe, expect, test } from "vitest";
import type { DivergenceRow } from "../../src/report/divergence-types.ts";
import { divergenceCells } from "../../src/report/markdown-divergence.ts";

const estimate = (value: number, low: number, high: number) => ({ value, low, high });

const row: DivergenceRow = {
  task: "suite40",
  variant: "fp8",
  n: 40,
  unpaired: { noReference: 0, referenceErrors: 1, emptyReplies: 0, noVariant: 2, variantErrors: 0 },
  topK: [20],
  positions: { scored: 10_240, replyTokens: 12_000, cutItems: 7, cap: 256 },
  summary: {
    items: 40,
    meanKl: estimate(0.00002, 0.00001, 0.00004),
    maxKl: estimate(0.0123, 0.01, 0.015),
    top1Agreement: estimate(0.986, 0.98, 0.99),
    anyDisagreement: estimate(0.25, 0.125, 0.4),
    lnPplRatio: estimate(-0.0004, -0.0012, 0.0023),
    flips: { flipped: 3, klGap: null, pointBiserial: 0.1234 },
  },
};

describe("divergenceCells", () => {
  test("every column of a row, each number as the legend describes it", () => {
    expect(divergenceCells(row)).toEqual([
      "suite40",
      "fp8",
      "40",
      "3 (1 ref failed, 2 not asked)",
      // All three below 0.001: exponent form, not 0.0000.
      "2.0e-5 [1.0e-5, 4.0e-5]",
      "0.0123 [0.0100, 0.0150]",
      "98.6% [98.0%, 99.0%]",
      "25.0% [12.5%, 40.0%]",
      // A small point beside a larger bound: the bound's scale for all three.
      "-0.0004 [-0.0012, +0.0023]",
      "3",
      "—",
      "0.12",
      "10,240 of 12,000 (7 cut at 256)",
    ]);
  });

  test("a row with no paired item: its counts, and — for every figure", () => {
    const empty = { ...row, n: 0, summary: null, unpaired: { ...row.unpaired, referenceErrors: 0 } };
    expect(divergenceCells(empty).slice(2)).toEqual([
      "0",
      "2 not asked",
      ...Array(8).fill("—"),
      "10,240 of 12,000 (7 cut at 256)",
    ]);
  });
});
