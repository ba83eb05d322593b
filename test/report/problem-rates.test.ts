/** Main-problem pass rates: a problem passes only when every one of its sub-steps was graded correct. */
import { describe, expect, test } from "vitest";
import { problemRates } from "../../src/report/problem-rates.ts";
import type { ReportRecord } from "../../src/report/report-record.ts";

function record(variant: string, itemId: string, outcome: "right" | "wrong" | "error"): ReportRecord {
  return {
    variant,
    task: "scicode",
    itemId,
    session: "s",
    labels: { problem: itemId.split(".")[0] ?? "" },
    request: { params: {} },
    ...(outcome === "error"
      ? { error: { code: "E_GRADER_FAILED", message: "sandbox did not start" } }
      : { grade: { correct: outcome === "right", answered: true, rule: "python-fence/passed" } }),
  };
}

function outcomes(rows: [string, string, "right" | "wrong" | "error"][]): Map<string, Map<string, ReportRecord>> {
  const out = new Map<string, Map<string, ReportRecord>>();
  for (const [variant, itemId, outcome] of rows) {
    const byItem = out.get(variant) ?? new Map<string, ReportRecord>();
    byItem.set(itemId, record(variant, itemId, outcome));
    out.set(variant, byItem);
  }
  return out;
}

describe("problemRates", () => {
  test("all sub-steps right passes the problem; one wrong, one errored or one missing does not", () => {
    const byVariant = outcomes([
      ["a", "1.1", "right"],
      ["a", "1.2", "right"],
      ["a", "2.1", "right"],
      ["a", "2.2", "right"],
      ["a", "3.1", "right"],
      ["b", "1.1", "right"],
      ["b", "1.2", "wrong"],
      ["b", "2.1", "right"],
      ["b", "2.2", "error"],
      ["b", "3.1", "right"],
      ["c", "1.1", "right"],
      ["c", "1.2", "right"],
      ["c", "2.1", "right"],
      // c lacks 2.2 (never asked, or interrupted): problem 2 is not passed.
    ]);
    expect(problemRates("problem", ["a", "b", "c"], byVariant)).toEqual([
      { variant: "a", problems: 3, passed: 3, rate: 1 },
      { variant: "b", problems: 3, passed: 1, rate: 1 / 3 },
      { variant: "c", problems: 3, passed: 1, rate: 1 / 3 },
    ]);
  });

  test("no records: no problems and no rate", () => {
    expect(problemRates("problem", ["a"], new Map())).toEqual([{ variant: "a", problems: 0, passed: 0, rate: null }]);
  });
});
