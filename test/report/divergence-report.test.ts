/** The report's divergence rows: the paired items summarized per task and variant, set against the flips. */
import { describe, expect, test } from "vitest";
import { divergencePoints } from "../../src/report/divergence-report.ts";
import { renderJson } from "../../src/report/scores-json.ts";
import { buildReport } from "../../src/report/summary.ts";
import { fixtureDivergence } from "./divergence-fixture.ts";
import { reportInput } from "./fixture.ts";

const KL_SHIFTED = 0.0566979395; // position 0 of SHIFTED and FAR
const KL_FAR_1 = 0.2007768011; // position 1 of FAR

describe("divergenceReport", () => {
  const report = buildReport(reportInput({ divergence: fixtureDivergence() }));
  const row = (variant: string) => report.divergence?.rows.find((r) => r.variant === variant);

  test("fp8 on suite40: means over its 4 paired items, worked by hand", () => {
    const fp8 = row("fp8");
    expect([fp8?.task, fp8?.n, fp8?.topK]).toEqual(["suite40", 4, [3]]);
    expect(fp8?.unpaired).toEqual({
      noReference: 0,
      referenceErrors: 0,
      noVariant: 0,
      variantErrors: 1,
      emptyReplies: 0,
    });
    // q2 (FAR, 2 positions, cut from 10 tokens) and q3 (SHIFTED) diverge; q1 and q4 are the reference's own.
    expect(fp8?.positions).toEqual({ scored: 8, replyTokens: 16, cutItems: 1, cap: 2 });
    const summary = fp8?.summary;
    expect(summary?.meanKl.value).toBeCloseTo((KL_SHIFTED + KL_FAR_1 + KL_SHIFTED) / 2 / 4, 9);
    expect(summary?.maxKl.value).toBeCloseTo((KL_FAR_1 + KL_SHIFTED) / 4, 9);
    expect(summary?.top1Agreement.value).toBe(0.75);
    expect(summary?.anyDisagreement.value).toBe(0.5);
    // ln(PPL(fp8)/PPL(bf16)): q2 (ln(0.5/0.35) + ln(0.7/0.4)) / 2, q3 ln(0.5/0.35) / 2, q1 and q4 0.
    const q2 = (Math.log(0.5 / 0.35) + Math.log(0.7 / 0.4)) / 2;
    const q3 = Math.log(0.5 / 0.35) / 2;
    expect(summary?.lnPplRatio?.value).toBeCloseTo((q2 + q3) / 4, 12);
    // fixture.ts's flips: fp8 lost q2 and gained q3, the two items that diverge: the gap is their mean KL.
    expect(summary?.flips.flipped).toBe(2);
    expect(summary?.flips.klGap?.value).toBeCloseTo((KL_SHIFTED + KL_FAR_1 + KL_SHIFTED) / 2 / 2, 9);
    // Pearson's r of x = (0, 0.128737, 0.028349, 0) with y = (0, 1, 1, 0), by hand: 0.741900.
    expect(summary?.flips.pointBiserial).toBeCloseTo(0.7419001, 6);
    for (const estimate of [summary?.meanKl, summary?.top1Agreement, summary?.lnPplRatio]) {
      expect(estimate?.low).toBeLessThanOrEqual(estimate?.value ?? Number.NaN);
      expect(estimate?.high).toBeGreaterThanOrEqual(estimate?.value ?? Number.NaN);
    }
  });

  test("nvfp4: 2 paired items, the other 3 counted as never asked of it; rows in the pairs' order", () => {
    expect(report.divergence?.rows.map((r) => r.variant)).toEqual(["nvfp4", "fp8"]);
    const nvfp4 = row("nvfp4");
    expect([nvfp4?.n, nvfp4?.unpaired.noVariant, nvfp4?.summary?.flips.flipped]).toEqual([2, 3, 1]);
    // One of two items flipped, and it alone diverges: r = 1.
    expect(nvfp4?.summary?.flips.pointBiserial).toBe(1);
  });

  test("the interval settings are the report's, one stream per task and variant", () => {
    expect(report.divergence?.bootstrap).toEqual({
      resamples: 10_000,
      seed: 0,
      level: 0.95,
      method: "percentile bootstrap over items",
      stream: "divergence/<task>/<variant>",
    });
  });

  test("a variant with no paired item has a row with its counts and no summary", () => {
    const divergence = fixtureDivergence();
    const empty = { ...divergence, pairs: divergence.pairs.map((p) => ({ ...p, items: [] })) };
    const rows = buildReport(reportInput({ divergence: empty })).divergence?.rows;
    expect(rows?.map((r) => [r.n, r.summary, r.positions])).toEqual([
      [0, null, { scored: 0, replyTokens: 0, cutItems: 0, cap: null }],
      [0, null, { scored: 0, replyTokens: 0, cutItems: 0, cap: null }],
    ]);
  });

  test("unreadable divergence journal lines become warnings", () => {
    const divergence = {
      ...fixtureDivergence(),
      unreadable: [
        {
          variant: "fp8",
          task: "suite40",
          file: "/a/divergence/fp8/suite40.jsonl",
          lines: [{ line: 3, reason: "not JSON (Unexpected token)", text: "x" }],
        },
      ],
    };
    expect(buildReport(reportInput({ divergence })).divergence?.notices).toEqual([
      "suite40: fp8: WARNING: 1 unreadable divergence journal line(s) skipped (line 3: not JSON (Unexpected token)); " +
        "their items count as having no record until `quanteval diverge` asks them again",
    ]);
  });

  test("scores.json round-trips it: no NaN, undefined or Infinity in the divergence block", () => {
    expect(JSON.parse(renderJson(report))).toStrictEqual(report);
  });

  test("without divergence journals the report has no divergence field at all", () => {
    expect("divergence" in buildReport(reportInput())).toBe(false);
  });
});

describe("divergencePoints", () => {
  test("every paired item, ranked by mean KL within its variant, flips marked with their direction", () => {
    const report = buildReport(reportInput());
    const points = divergencePoints(fixtureDivergence(), report.flips);
    expect(points.map((p) => [p.variant, p.itemId, p.rank, p.flip])).toEqual([
      ["nvfp4", "q2", 0, null],
      ["nvfp4", "q1", 1, "lost"],
      ["fp8", "q1", 0, null],
      ["fp8", "q4", 1 / 3, null],
      ["fp8", "q3", 2 / 3, "gained"],
      ["fp8", "q2", 1, "lost"],
    ]);
    expect(points.at(-1)?.meanKl).toBeCloseTo((KL_SHIFTED + KL_FAR_1) / 2, 9);
  });
});
