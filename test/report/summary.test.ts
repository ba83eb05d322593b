/** buildReport on the hand-built run in fixture.ts: every expected number was counted from that list by hand. */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { ConfigError } from "../../src/errors.ts";
import { type ReportData, type ScoreRow, buildReport } from "../../src/report/summary.ts";
import type { JournalRecord } from "../../src/runner/record.ts";
import { makeRecord } from "../metrics/records.ts";
import { reportInput } from "./fixture.ts";

function row(report: ReportData, task: string, value: string): ScoreRow {
  const found = report.tasks.find((t) => t.name === task)?.rows.find((r) => r.value === value);
  if (found === undefined) throw new Error(`no row ${task}/${value}`);
  return found;
}

const counts = (r: ScoreRow) => r.scores.map(({ variant, n, graded, correct, unanswered, truncated, errors, missing }) =>
  ({ variant, n, graded, correct, unanswered, truncated, errors, missing }));

describe("buildReport", () => {
  const report = buildReport(reportInput());

  test("keeps run info, variants in config order with the reference marked, and a schema version", () => {
    expect(report.schemaVersion).toBe(1);
    expect(report.runId).toBe("20250101-120000-ab12");
    expect(report.variants.map((v) => [v.name, v.isReference, v.status])).toEqual([["nvfp4", false, "failed"], ["fp8", false, "done"], ["bf16", true, "done"]]);
    expect(report.tasks.map((t) => t.name)).toEqual(["suite40", "mini"]);
  });

  test("task row: the last record wins, errors and missing are counted apart and never as wrong", () => {
    const suite = row(report, "suite40", "all");
    expect(counts(suite)).toEqual([
      { variant: "nvfp4", n: 5, graded: 2, correct: 1, unanswered: 0, truncated: 0, errors: 0, missing: 3 },
      // q1's first record is an error, its last a correct reply: graded, not an error.
      { variant: "fp8", n: 5, graded: 3, correct: 2, unanswered: 0, truncated: 0, errors: 2, missing: 0 },
      { variant: "bf16", n: 5, graded: 5, correct: 3, unanswered: 1, truncated: 1, errors: 0, missing: 0 },
    ]);
    // fp8: 2 correct of 3 graded, not 2 of 5: its request error and grading error are not wrong answers.
    expect(suite.scores.map((s) => s.accuracy)).toEqual([0.5, 2 / 3, 0.6]);
    expect(suite.scores[2]?.ci95?.low).toBeCloseTo(0.2307242812760128, 12);
    expect(suite.scores[2]?.ci95?.high).toBeCloseTo(0.882379225767352, 12);
  });

  test("paired deltas use only the items both variants graded", () => {
    const [nvfp4, fp8] = row(report, "suite40", "all").deltas;
    // nvfp4 graded q1 (wrong) and q2 (right), both right for bf16: 1 of 2 vs 2 of 2.
    expect(nvfp4).toEqual({ variant: "nvfp4", paired: 2, referenceCorrect: 2, variantCorrect: 1, deltaPp: -50, referenceRightVariantWrong: 1, referenceWrongVariantRight: 0, pValue: 1, significant: false });
    // fp8 graded q1–q3: bf16 right/right/wrong, fp8 right/wrong/right. Unpaired accuracies differ (66.7 vs 60.0); paired they tie.
    expect(fp8).toEqual({ variant: "fp8", paired: 3, referenceCorrect: 2, variantCorrect: 2, deltaPp: 0, referenceRightVariantWrong: 1, referenceWrongVariantRight: 1, pValue: 1, significant: false });
    expect(row(report, "mini", "all").deltas.map((d) => [d.variant, d.paired, d.deltaPp])).toEqual([["nvfp4", 0, null], ["fp8", 2, -50]]);
  });

  test("breakdown rows: one per label value, sorted, n = items seen with that label in any variant", () => {
    expect(report.tasks[0]?.rows.map((r) => [r.breakdown, r.value, r.label])).toEqual([
      ["all", "all", "suite40"], ["category", "algebra", "suite40 / algebra"], ["category", "geometry", "suite40 / geometry"],
    ]);
    expect(counts(row(report, "suite40", "algebra"))).toEqual([
      { variant: "nvfp4", n: 3, graded: 2, correct: 1, unanswered: 0, truncated: 0, errors: 0, missing: 1 },
      { variant: "fp8", n: 3, graded: 3, correct: 2, unanswered: 0, truncated: 0, errors: 0, missing: 0 },
      { variant: "bf16", n: 3, graded: 3, correct: 2, unanswered: 0, truncated: 0, errors: 0, missing: 0 },
    ]);
    const geometry = row(report, "suite40", "geometry");
    expect(counts(geometry)).toEqual([
      { variant: "nvfp4", n: 2, graded: 0, correct: 0, unanswered: 0, truncated: 0, errors: 0, missing: 2 },
      { variant: "fp8", n: 2, graded: 0, correct: 0, unanswered: 0, truncated: 0, errors: 2, missing: 0 },
      { variant: "bf16", n: 2, graded: 2, correct: 1, unanswered: 1, truncated: 1, errors: 0, missing: 0 },
    ]);
    expect(geometry.scores.map((s) => [s.accuracy, s.ci95])).toEqual([[null, null], [null, null], [0.5, expect.anything()]]);
    expect(geometry.deltas.map((d) => [d.paired, d.deltaPp, d.pValue, d.significant])).toEqual([[0, null, null, null], [0, null, null, null]]);
    expect(report.tasks[1]?.rows).toHaveLength(1);
  });

  test("overall: macro mean over the tasks each variant has, and the mean of its task deltas", () => {
    expect(report.overall).toEqual([
      { variant: "nvfp4", macroAccuracy: 0.5, tasksScored: 1, macroDeltaPp: -50 },
      { variant: "fp8", macroAccuracy: 2 / 3, tasksScored: 2, macroDeltaPp: -25 },
      { variant: "bf16", macroAccuracy: 0.8, tasksScored: 2, macroDeltaPp: null },
    ]);
  });

  test("throughput per variant and task counts every request, the superseded failure included", () => {
    const suite = report.tasks[0]?.throughput.find((t) => t.variant === "fp8")?.summary;
    expect(suite).toMatchObject({ requests: 6, ok: 4, errors: 2 });
    const mini = report.tasks[1]?.throughput.find((t) => t.variant === "nvfp4")?.summary;
    expect(mini).toMatchObject({ requests: 0, ok: 0, errors: 0, qps: 0 });
  });

  test("a reference that is not a variant is a config error naming it", () => {
    expect(() => buildReport(reportInput({ reference: "fp16" }))).toThrow(ConfigError);
    expect(() => buildReport(reportInput({ reference: "fp16" }))).toThrow(/reference: "fp16" is not one of the variants \(nvfp4, fp8, bf16\)/);
  });

  test("an item without the breakdown label lands in a (none) row, so the rows still cover every item", () => {
    const records = [
      makeRecord({ variant: "bf16", itemId: "a", outcome: "correct", labels: { category: "algebra" } }),
      makeRecord({ variant: "bf16", itemId: "b", outcome: "wrong", labels: {} }),
    ];
    const built = buildReport(reportInput({ records, variants: [{ name: "bf16", model: "m", endpoint: "e", status: "done" }], tasks: [{ name: "suite40", breakdowns: ["category"], itemCount: 2 }] }));
    expect(built.tasks[0]?.rows.map((r) => [r.value, r.scores[0]?.graded])).toEqual([["all", 2], ["(none)", 1], ["algebra", 1]]);
  });

  test("the same input gives byte-identical JSON (no clock, no map-order dependence)", () => {
    expect(JSON.stringify(buildReport(reportInput()))).toBe(JSON.stringify(report));
  });
});

describe("buildReport properties", () => {
  const outcome = fc.constantFrom("correct", "wrong", "unanswered", "request-error", "grading-error");
  const journal = fc.array(fc.record({ variant: fc.constantFrom("a", "b"), item: fc.integer({ min: 1, max: 8 }), outcome }), { maxLength: 40 })
    .map((specs) => specs.map((s) => makeRecord({ variant: s.variant, itemId: `q${s.item}`, outcome: s.outcome, labels: { category: s.item % 2 === 0 ? "even" : "odd" } })));

  const twoVariants = (reference: string, records: JournalRecord[]) => reportInput({
    reference, records,
    variants: [{ name: "a", model: "m", endpoint: "e", status: "done" }, { name: "b", model: "m", endpoint: "e", status: "done" }],
    tasks: [{ name: "suite40", breakdowns: ["category"], itemCount: 8 }],
  });

  fcTest.prop([journal], { seed: 31 })("the paired delta is antisymmetric: a vs b = −(b vs a) on every row", (records) => {
    const vsA = buildReport(twoVariants("a", records)).tasks[0]?.rows ?? [];
    const vsB = buildReport(twoVariants("b", records)).tasks[0]?.rows ?? [];
    expect(vsA.map((r) => r.value)).toEqual(vsB.map((r) => r.value));
    vsA.forEach((rowA, i) => {
      const bVsA = rowA.deltas[0];
      const aVsB = vsB[i]?.deltas[0];
      expect(aVsB?.paired).toBe(bVsA?.paired);
      expect(aVsB?.pValue).toBe(bVsA?.pValue);
      expect(aVsB?.referenceRightVariantWrong).toBe(bVsA?.referenceWrongVariantRight);
      expect((aVsB?.deltaPp ?? 0) + (bVsA?.deltaPp ?? 0)).toBeCloseTo(0, 12);
      expect(aVsB?.deltaPp === null).toBe(bVsA?.deltaPp === null);
    });
  });

  fcTest.prop([journal], { seed: 37 })("every row accounts for every item: graded + errors + missing = n, and accuracy lies in its interval", (records) => {
    const built = buildReport(twoVariants("a", records));
    for (const r of built.tasks[0]?.rows ?? []) {
      for (const s of r.scores) {
        expect(s.graded + s.errors + s.missing).toBe(s.n);
        if (s.accuracy !== null && s.ci95 !== null) {
          expect(s.ci95.low).toBeLessThanOrEqual(s.accuracy);
          expect(s.ci95.high).toBeGreaterThanOrEqual(s.accuracy);
        }
      }
    }
  });
});
