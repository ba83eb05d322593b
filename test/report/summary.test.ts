/** buildReport on the hand-built run in fixture.ts: every expected number was counted from that list by hand. */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { ConfigError } from "../../src/core/errors.ts";
import type { JournalRecord } from "../../src/journal/record.ts";
import {
  meanOfReplicates,
  pairedBootstrapInterval,
  pairedBootstrapReplicates,
  percentileInterval,
  seededRng,
} from "../../src/metrics/bootstrap.ts";
import { deltaReading } from "../../src/report/delta-reading.ts";
import { repeatStats } from "../../src/report/repeat-stats.ts";
import type { ReportData, ScoreRow } from "../../src/report/report-types.ts";
import { buildReport } from "../../src/report/summary.ts";
import { makeRecord } from "../metrics/records.ts";
import { fortyItemInput, repeatsInput, reportInput } from "./fixture.ts";

/** The normal quantiles of the non-inferiority sample size, by hand: Φ⁻¹(0.975) and Φ⁻¹(0.8). */
const Z_975 = 1.959963984540054;
const Z_80 = 0.8416212335729143;

/** Wilson's (1927) 95% lower bound for x of n, written out. */
function wilsonLow(x: number, n: number): number {
  const p = x / n;
  const z2 = Z_975 ** 2;
  return (p + z2 / (2 * n) - Z_975 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

function row(report: ReportData, task: string, value: string): ScoreRow {
  const found = report.tasks.find((t) => t.name === task)?.rows.find((r) => r.value === value);
  if (found === undefined) throw new Error(`no row ${task}/${value}`);
  return found;
}

const counts = (r: ScoreRow) =>
  r.scores.map(({ variant, n, graded, correct, unanswered, truncated, errors, missing }) => ({
    variant,
    n,
    graded,
    correct,
    unanswered,
    truncated,
    errors,
    missing,
  }));

describe("buildReport", () => {
  const report = buildReport(reportInput());

  test("keeps run info, variants in config order with the reference marked, and a schema version", () => {
    expect(report.schemaVersion).toBe(1);
    expect(report.runId).toBe("20250101-120000-ab12");
    expect(report.variants.map((v) => [v.name, v.isReference, v.status])).toEqual([
      ["nvfp4", false, "failed"],
      ["fp8", false, "done"],
      ["bf16", true, "done"],
    ]);
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
    // Bootstrap by hand: two draws from {↓, concordant} give Δ = 0, −50 or −100 (chances ¼, ½, ¼), so the 2.5th and
    // 97.5th percentiles are −100 and 0. Two items are too few for any MDE (n ≤ 3 detects nothing; n = 2 here).
    expect(nvfp4).toEqual({
      variant: "nvfp4",
      paired: 2,
      referenceCorrect: 2,
      variantCorrect: 1,
      deltaPp: -50,
      referenceRightVariantWrong: 1,
      referenceWrongVariantRight: 0,
      pValue: 1,
      significant: false,
      ci95Pp: { low: -100, high: 0 },
      mdePp: null,
      mdeBasis: null,
      reading: "noise",
      // Recovery 1/2 ÷ 2/2; each resample keeps the reference at 2 of 2, so the ratio is 0, ½ or 1 as Δ is −100,
      // −50 or 0. No item went better, so the verdict's upper bound is the exact one: the share better may be up to
      // ψ_U = 1 − 0.025^½ and the share worse is at least Wilson's low bound for 1 of 2. The verdict at the default
      // 1 pp margin reads [−100, that] against −1: it straddles, inconclusive.
      // Items needed: the contrast (v − r) + 0.01 has mean −0.49 and sd 0.5, so ⌈((z.975 + z.8)·0.5/0.49)²⌉ = 9.
      decision: {
        samples: 1,
        paired: 2,
        referenceMean: 1,
        variantMean: 0.5,
        deltaPp: -50,
        ci95Pp: { low: -100, high: 0 },
        mdePp: null,
        recovery: { value: 0.5, ci95: { low: 0, high: 1 }, undefinedResamples: 0 },
        nonInferiority: {
          verdict: "inconclusive",
          basis: "unseen-direction",
          interval: { low: -100, high: expect.closeTo((1 - 0.025 ** 0.5 - wilsonLow(1, 2)) * 100, 10) },
          threshold: -1,
          itemsNeeded: Math.ceil((((Z_975 + Z_80) * 0.5) / 0.49) ** 2),
        },
      },
    });
    expect(nvfp4?.decision?.nonInferiority?.itemsNeeded).toBe(9);
    // fp8 graded q1–q3: bf16 right/right/wrong, fp8 right/wrong/right. Unpaired accuracies differ (66.7 vs 60.0); paired they tie.
    // Three draws from {↓, ↑, concordant}: all three ↓ (or ↑) has chance 1/27 > 2.5%, so the interval is [−100, +100].
    expect(fp8).toEqual({
      variant: "fp8",
      paired: 3,
      referenceCorrect: 2,
      variantCorrect: 2,
      deltaPp: 0,
      referenceRightVariantWrong: 1,
      referenceWrongVariantRight: 1,
      pValue: 1,
      significant: false,
      ci95Pp: { low: -100, high: 100 },
      mdePp: null,
      mdeBasis: null,
      reading: "noise",
      // Recovery 1. A resample of three ↓ (chance 1/27 > 2.5%) gives ratio 0, three ↑ gives 3/0 = ∞: the interval
      // is [0, ∞), its high null. Contrast (v − r) + 0.01: mean 0.01, sd √(2/3).
      decision: {
        samples: 1,
        paired: 3,
        referenceMean: 2 / 3,
        variantMean: 2 / 3,
        deltaPp: 0,
        ci95Pp: { low: -100, high: 100 },
        mdePp: null,
        recovery: { value: 1, ci95: { low: 0, high: null }, undefinedResamples: 0 },
        nonInferiority: {
          verdict: "inconclusive",
          basis: "bootstrap",
          interval: { low: -100, high: 100 },
          threshold: -1,
          itemsNeeded: Math.ceil((((Z_975 + Z_80) * Math.sqrt(2 / 3)) / 0.01) ** 2),
        },
      },
    });
    expect(row(report, "mini", "all").deltas.map((d) => [d.variant, d.paired, d.deltaPp])).toEqual([
      ["nvfp4", 0, null],
      ["fp8", 2, -50],
    ]);
  });

  test("breakdown rows: one per label value, sorted, n = items seen with that label in any variant", () => {
    expect(report.tasks[0]?.rows.map((r) => [r.breakdown, r.value, r.label])).toEqual([
      ["all", "all", "suite40"],
      ["category", "algebra", "suite40 / algebra"],
      ["category", "geometry", "suite40 / geometry"],
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
    expect(geometry.scores.map((s) => [s.accuracy, s.ci95])).toEqual([
      [null, null],
      [null, null],
      [0.5, expect.anything()],
    ]);
    expect(geometry.deltas.map((d) => [d.paired, d.deltaPp, d.pValue, d.significant])).toEqual([
      [0, null, null, null],
      [0, null, null, null],
    ]);
    expect(report.tasks[1]?.rows).toHaveLength(1);
  });

  test("overall: macro mean over the tasks each variant has, and the mean of its task deltas", () => {
    expect(report.overall).toEqual([
      // nvfp4 has a delta in suite40 only: its overall interval is suite40's.
      {
        variant: "nvfp4",
        macroAccuracy: 0.5,
        // No task draws several samples: the headline score is the accuracy.
        macroScore: 0.5,
        tasksScored: 1,
        macroDeltaPp: -50,
        deltaTasks: 1,
        deltaPaired: 2,
        macroDeltaCi95Pp: { low: -100, high: 0 },
        // suite40 alone, as its own row: the same resamples, so the same ratio interval.
        recovery: { value: 0.5, ci95: { low: 0, high: 1 }, undefinedResamples: 0 },
        decision: {
          tasks: 1,
          paired: 2,
          referenceMean: 1,
          variantMean: 0.5,
          deltaPp: -50,
          ci95Pp: { low: -100, high: 0 },
        },
        verdicts: [{ task: "suite40", verdict: "inconclusive" }],
      },
      {
        variant: "fp8",
        macroAccuracy: 2 / 3,
        // No task draws several samples: the headline score is the accuracy.
        macroScore: 2 / 3,
        tasksScored: 2,
        macroDeltaPp: -25,
        deltaTasks: 2,
        deltaPaired: 5,
        macroDeltaCi95Pp: expect.anything(),
        // (2/3 + 1/2) / 2 ÷ (2/3 + 2/2) / 2 over the two tasks' paired items.
        recovery: { value: (2 / 3 + 1 / 2) / (2 / 3 + 1), ci95: expect.anything(), undefinedResamples: 0 },
        // One sample per item: the same macro Δ as macroDeltaPp, over the same tasks and items.
        decision: {
          tasks: 2,
          paired: 5,
          referenceMean: (2 / 3 + 1) / 2,
          variantMean: (2 / 3 + 1 / 2) / 2,
          deltaPp: expect.closeTo(-25, 10),
          ci95Pp: expect.anything(),
        },
        verdicts: [
          { task: "suite40", verdict: "inconclusive" },
          { task: "mini", verdict: "inconclusive" },
        ],
      },
      {
        variant: "bf16",
        macroAccuracy: 0.8,
        // No task draws several samples: the headline score is the accuracy.
        macroScore: 0.8,
        tasksScored: 2,
        macroDeltaPp: null,
        deltaTasks: 0,
        deltaPaired: 0,
        macroDeltaCi95Pp: null,
        recovery: null,
        decision: null,
        verdicts: [],
      },
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
    expect(() => buildReport(reportInput({ reference: "fp16" }))).toThrow(
      /reference: "fp16" is not one of the variants \(nvfp4, fp8, bf16\)/,
    );
  });

  test("an item without the breakdown label lands in a (none) row, so the rows still cover every item", () => {
    const records = [
      makeRecord({ variant: "bf16", itemId: "a", outcome: "correct", labels: { category: "algebra" } }),
      makeRecord({ variant: "bf16", itemId: "b", outcome: "wrong", labels: {} }),
    ];
    const built = buildReport(
      reportInput({
        records,
        variants: [{ name: "bf16", model: "m", endpoint: "e", status: "done" }],
        tasks: [{ name: "suite40", breakdowns: ["category"], itemCount: 2 }],
      }),
    );
    expect(built.tasks[0]?.rows.map((r) => [r.value, r.scores[0]?.graded])).toEqual([
      ["all", 2],
      ["(none)", 1],
      ["algebra", 1],
    ]);
  });

  test("the same input gives byte-identical JSON (no clock, no map-order dependence)", () => {
    expect(JSON.stringify(buildReport(reportInput()))).toBe(JSON.stringify(report));
  });
});

describe("buildReport properties", () => {
  const outcome = fc.constantFrom("correct", "wrong", "unanswered", "request-error", "grading-error");
  const journal = fc
    .array(fc.record({ variant: fc.constantFrom("a", "b"), item: fc.integer({ min: 1, max: 8 }), outcome }), {
      maxLength: 40,
    })
    .map((specs) =>
      specs.map((s) =>
        makeRecord({
          variant: s.variant,
          itemId: `q${s.item}`,
          outcome: s.outcome,
          labels: { category: s.item % 2 === 0 ? "even" : "odd" },
        }),
      ),
    );

  const twoVariants = (reference: string, records: JournalRecord[]) =>
    reportInput({
      reference,
      records,
      variants: [
        { name: "a", model: "m", endpoint: "e", status: "done" },
        { name: "b", model: "m", endpoint: "e", status: "done" },
      ],
      tasks: [{ name: "suite40", breakdowns: ["category"], itemCount: 8 }],
    });

  fcTest.prop([journal], { seed: 31 })(
    "the paired delta is antisymmetric: a vs b = −(b vs a) on every row",
    (records) => {
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
    },
  );

  fcTest.prop([journal], { seed: 37 })(
    "every row accounts for every item: graded + errors + missing = n, and accuracy lies in its interval",
    (records) => {
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
    },
  );
});

describe("paired statistics: bootstrap interval, MDE and reading (the 40-item run)", () => {
  const report = buildReport(fortyItemInput());
  const delta = (task: string, value: string, variant: string) => {
    const found = row(report, task, value).deltas.find((d) => d.variant === variant);
    if (found === undefined) throw new Error(`no delta ${task}/${value}/${variant}`);
    return found;
  };

  test("each delta's interval is the paired bootstrap on its own stream (task, breakdown, value, variant)", () => {
    const options = (task: string, breakdown: string, value: string, variant: string) => ({
      resamples: 10_000,
      seed: 0,
      stream: JSON.stringify([task, breakdown, value, variant]),
    });
    expect(delta("suite40", "all", "fp8").ci95Pp).toEqual(
      pairedBootstrapInterval({ paired: 40, down: 5, up: 0 }, options("suite40", "all", "all", "fp8")),
    );
    expect(delta("suite40", "algebra", "nvfp4").ci95Pp).toEqual(
      pairedBootstrapInterval({ paired: 20, down: 4, up: 0 }, options("suite40", "category", "algebra", "nvfp4")),
    );
    expect(report.bootstrap).toEqual({
      resamples: 10_000,
      seed: 0,
      level: 0.95,
      method: "paired percentile bootstrap",
      generator: "xoshiro128**",
    });
  });

  test("the interval contains Δ; no flips → no interval", () => {
    for (const task of report.tasks) {
      for (const r of task.rows) {
        for (const d of r.deltas) {
          if (d.referenceRightVariantWrong + d.referenceWrongVariantRight === 0) {
            expect(d.ci95Pp).toBeNull();
            continue;
          }
          expect(d.ci95Pp?.low).toBeLessThanOrEqual(d.deltaPp ?? Number.NaN);
          expect(d.ci95Pp?.high).toBeGreaterThanOrEqual(d.deltaPp ?? Number.NaN);
        }
      }
    }
    expect(delta("math10", "all", "nvfp4").ci95Pp).toBeNull();
  });

  test("the same seed gives the same intervals; another seed other ones; adding a task moves nothing", () => {
    const again = buildReport(fortyItemInput());
    expect(JSON.stringify(again)).toBe(JSON.stringify(report));
    const reseeded = buildReport(fortyItemInput({ bootstrap: { resamples: 10_000, seed: 7 } }));
    expect(reseeded.bootstrap.seed).toBe(7);
    expect(reseeded.tasks[0]?.rows[0]?.deltas[1]?.ci95Pp).not.toEqual(delta("suite40", "all", "nvfp4").ci95Pp);
    const onlySuite = buildReport(
      fortyItemInput({ tasks: [{ name: "suite40", breakdowns: ["category"], itemCount: 40 }] }),
    );
    expect(onlySuite.tasks[0]?.rows.map((r) => r.deltas.map((d) => d.ci95Pp))).toEqual(
      report.tasks[0]?.rows.map((r) => r.deltas.map((d) => d.ci95Pp)),
    );
  });

  test("the MDE: at the flips seen when they allow it, else the one-way floor", () => {
    // nvfp4 suite40: 8 of 40 flipped, ψ = 0.2 ≥ floor 0.1849: K(40)·√0.2 = 0.4300365 × 0.4472136 = 19.232 pp.
    expect(delta("suite40", "all", "nvfp4")).toMatchObject({
      mdePp: expect.closeTo(100 * 0.43003645253362005 * Math.sqrt(0.2), 9),
      mdeBasis: "observed",
    });
    // fp8 suite40: 5 of 40, ψ = 0.125 < 0.1849: the floor K(40)² = 18.493 pp.
    expect(delta("suite40", "all", "fp8")).toMatchObject({
      mdePp: expect.closeTo(18.493135050770046, 9),
      mdeBasis: "floor",
    });
    // math10, no flips: K(10)² = 0.7847533² = 61.584 pp.
    expect(delta("math10", "all", "nvfp4")).toMatchObject({
      mdePp: expect.closeTo(61.58377170969115, 9),
      mdeBasis: "floor",
    });
  });

  test("the reading uses the test and the interval together", () => {
    expect(delta("math10", "all", "fp8")).toMatchObject({ pValue: expect.closeTo(0.03125, 12), reading: "difference" });
    expect(delta("suite40", "all", "nvfp4")).toMatchObject({ pValue: 1, reading: "noise" });
    expect(delta("math10", "all", "nvfp4")).toMatchObject({ pValue: 1, ci95Pp: null, reading: "noise" });
    // 5 one-way flips of 40: p = 0.0625, yet fewer than 2.5% of resamples draw none of the 5 (0.875⁴⁰ = 0.5%).
    expect(delta("suite40", "all", "fp8")).toMatchObject({
      pValue: expect.closeTo(0.0625, 12),
      ci95Pp: { low: -22.5, high: -2.5 },
      reading: "borderline",
    });
    expect(deltaReading(0.01, { low: -3, high: 1 })).toBe("borderline");
    expect(deltaReading(0.2, { low: 0, high: 4 })).toBe("noise");
    expect(deltaReading(null, null)).toBe("nothing-paired");
  });

  test("overall: the stratified bootstrap is the mean of each task's own resamples, resample by resample", () => {
    const draws = (task: string, paired: number, down: number, up: number) =>
      pairedBootstrapReplicates(
        { paired, down, up },
        10_000,
        seededRng(0, JSON.stringify([task, "all", "all", "fp8"])),
      );
    const expected = percentileInterval(meanOfReplicates([draws("suite40", 40, 5, 0), draws("math10", 10, 6, 0)]));
    const fp8 = report.overall.find((o) => o.variant === "fp8");
    expect(fp8).toMatchObject({
      macroDeltaPp: (-12.5 + -60) / 2,
      deltaTasks: 2,
      deltaPaired: 50,
      macroDeltaCi95Pp: expected,
    });
    // nvfp4: math10 had no flips, so it adds 0 to every resample: the interval is suite40's halved.
    const nvfp4 = report.overall.find((o) => o.variant === "nvfp4");
    const suite = delta("suite40", "all", "nvfp4").ci95Pp;
    expect(nvfp4?.macroDeltaCi95Pp?.low).toBeCloseTo((suite?.low ?? Number.NaN) / 2, 12);
    expect(nvfp4?.macroDeltaCi95Pp?.high).toBeCloseTo((suite?.high ?? Number.NaN) / 2, 12);
  });

  test("batchInvariant reaches the report's variants as recorded, and is absent when not recorded", () => {
    expect(report.variants.map((v) => [v.name, v.batchInvariant])).toEqual([
      ["bf16", true],
      ["fp8", false],
      ["nvfp4", undefined],
    ]);
    expect("batchInvariant" in (report.variants[2] ?? {})).toBe(false);
  });

  test("resamples below 1 are refused", () => {
    expect(() => buildReport(fortyItemInput({ bootstrap: { resamples: 0, seed: 0 } }))).toThrow(RangeError);
  });
});

describe("repeats (several samples per item)", () => {
  const report = buildReport(repeatsInput());

  test("per variant: accuracy of each repeat over the items every repeat graded, mean ± sample SD, agreement", () => {
    const [bf16, fp8] = report.tasks[0]?.repeats ?? [];
    // bf16 over a, b, c (d lost a repeat to a request error): 2/3, 1/3, 2/3; mean 5/9;
    // deviations 1/9, −2/9, 1/9 → Σ² = 6/81, / (3 − 1) → SD = √(3/81) = √3/9 = 0.19245; a and c agree in every repeat.
    expect(bf16).toEqual({
      variant: "bf16",
      repeats: 3,
      items: 3,
      accuracies: [2 / 3, 1 / 3, 2 / 3],
      mean: expect.closeTo(5 / 9, 12),
      sd: expect.closeTo(Math.sqrt(3) / 9, 12),
      agreement: 2 / 3,
      agreeingItems: 2,
    });
    // fp8: 2/3, 2/3, 3/3; mean 7/9; deviations −1/9, −1/9, 2/9 → the same SD; a and b agree.
    expect(fp8).toEqual({
      variant: "fp8",
      repeats: 3,
      items: 3,
      accuracies: [2 / 3, 2 / 3, 1],
      mean: expect.closeTo(7 / 9, 12),
      sd: expect.closeTo(Math.sqrt(3) / 9, 12),
      agreement: 2 / 3,
      agreeingItems: 2,
    });
  });

  test("no repeats for a task asked once; nothing graded in every repeat gives nulls", () => {
    expect(buildReport(reportInput()).tasks.every((t) => t.repeats.length === 0)).toBe(true);
    const none = repeatStats(
      "bf16",
      2,
      new Map([["a", new Map([[0, makeRecord({ itemId: "a", outcome: "correct" })]])]]),
    );
    expect(none).toEqual({
      variant: "bf16",
      repeats: 2,
      items: 0,
      accuracies: [null, null],
      mean: null,
      sd: null,
      agreement: null,
      agreeingItems: 0,
    });
  });
});

describe("several samples per item: the decision on item means", () => {
  // 45 items × 8 samples. Item i: bf16 right on its first c samples, fp8 right on its last c′ (c′ = c − 1 on every
  // third item with c > 0), c = i mod 9. The two agree on each item's mean up to 1/8, but sample 0 disagrees on
  // most items (bf16's first sample is right whenever c > 0, fp8's only when c′ = 8): sample 0 is mostly noise.
  const samples = 8;
  const records = Array.from({ length: 45 }, (_, i) => {
    const c = i % 9;
    const cv = i % 3 === 0 && c > 0 ? c - 1 : c;
    return Array.from({ length: samples }, (_, s) => [
      makeRecord({ variant: "bf16", itemId: `q${i}`, sample: s, outcome: s < c ? "correct" : "wrong" }),
      makeRecord({ variant: "fp8", itemId: `q${i}`, sample: s, outcome: s >= samples - cv ? "correct" : "wrong" }),
    ]).flat();
  }).flat();
  const built = buildReport(
    reportInput({
      records,
      variants: [
        { name: "fp8", model: "m", endpoint: "e", status: "done" },
        { name: "bf16", model: "m", endpoint: "e", status: "done" },
      ],
      tasks: [{ name: "suite40", breakdowns: [], itemCount: 45, samples }],
    }),
  );
  const delta = built.tasks[0]?.rows[0]?.deltas[0];
  const width = (ci: { low: number; high: number } | null | undefined) => (ci == null ? Number.NaN : ci.high - ci.low);

  test("avg@8: Δ is the mean of the item-mean differences, over all 45 items", () => {
    // 15 items of every third, 10 of them with c > 0 lose 1/8 each: Δ = −(10/8)/45.
    expect(delta?.decision?.samples).toBe(8);
    expect(delta?.decision?.paired).toBe(45);
    expect(delta?.decision?.deltaPp).toBeCloseTo((-(10 / 8) / 45) * 100, 10);
  });

  test("the item-clustered interval is narrower than sample 0's on the same data, and so is the MDE", () => {
    const clustered = width(delta?.decision?.ci95Pp);
    const sampleZero = width(delta?.ci95Pp);
    expect(clustered).toBeLessThan(sampleZero / 4);
    expect(delta?.decision?.mdePp ?? Number.NaN).toBeLessThan(delta?.mdePp ?? Number.NaN);
  });
});

describe("maj@n beside pass@k", () => {
  // Three items × 3 samples of fp8; gold is "A" throughout.
  // q1: A, B, A → A wins 2–1: right. q2: B, B, A → B wins: wrong. q3: A, B, no answer → 1–1, the first seen (A)
  // wins: right, a tie. maj@3 = 2 of 3; pass@1 = mean accuracy over all 9 samples = 4/9.
  const votes: Record<string, (string | null)[]> = { q1: ["A", "B", "A"], q2: ["B", "B", "A"], q3: ["A", "B", null] };
  const records = Object.entries(votes).flatMap(([itemId, answers]) =>
    answers.map((answer, sample) =>
      makeRecord({
        variant: "fp8",
        itemId,
        sample,
        outcome: answer === null ? "unanswered" : answer === "A" ? "correct" : "wrong",
        ...(answer !== null ? { extracted: answer } : {}),
      }),
    ),
  );
  const built = buildReport(
    reportInput({
      records,
      reference: "fp8",
      variants: [{ name: "fp8", model: "m", endpoint: "e", status: "done" }],
      tasks: [{ name: "suite40", breakdowns: [], itemCount: 3, samples: 3 }],
    }),
  );

  test("a grader that records no extracted answer (code) has no maj@n, not 0%", () => {
    const code = buildReport(
      reportInput({
        records: ["q1", "q2"].flatMap((itemId) =>
          [0, 1, 2].map((sample) => makeRecord({ variant: "fp8", itemId, sample, outcome: "correct" })),
        ),
        reference: "fp8",
        variants: [{ name: "fp8", model: "m", endpoint: "e", status: "done" }],
        tasks: [{ name: "suite40", breakdowns: [], itemCount: 2, samples: 3 }],
      }),
    );
    const passAtK = code.tasks[0]?.passAtK[0];
    expect(passAtK?.values.find((v) => v.k === 1)?.value).toBe(1);
    expect(passAtK?.majority?.value).toBeNull();
    expect(passAtK?.average).toBe(1);
  });

  test("the most-voted extracted answer per item, ties to the first seen", () => {
    const passAtK = built.tasks[0]?.passAtK[0];
    expect(passAtK?.majority).toEqual({ value: 2 / 3, ties: 1, inconsistent: 0 });
    expect(passAtK?.values.find((v) => v.k === 1)?.value).toBeCloseTo(4 / 9, 12);
  });
});

describe("the gate", () => {
  test("a gated task with no verdict (nothing paired) fails it; the gate covers only the tasks it names", () => {
    const gated = (tasks?: string[]) =>
      buildReport(
        reportInput({
          decision: { margin: { kind: "pp", pp: 50 }, marginSource: "flag", gate: { tasks } },
        }),
      ).decision?.gate;
    // nvfp4 answered nothing of mini: no verdict, which fails a gate that covers mini.
    const all = gated();
    expect(all?.tasks).toEqual(["suite40", "mini"]);
    expect(all?.passed).toBe(false);
    expect(all?.failures).toContainEqual({ variant: "nvfp4", task: "mini", verdict: "no verdict" });
    const suiteOnly = gated(["suite40"]);
    expect(suiteOnly?.tasks).toEqual(["suite40"]);
    expect(suiteOnly?.failures.every((f) => f.task === "suite40")).toBe(true);
    expect(() => gated(["gpqa"])).toThrow(/report\.gate: "gpqa" is not a task of this run \(suite40, mini\)/);
  });
});
