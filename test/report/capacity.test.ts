/**
 * Capacity at SLO, the pure parts: the ratio and its range from hand-made searches (checked against hand
 * arithmetic), the bounds a search at its ceiling makes, how the figures read, and the checks that a bench belongs
 * to a run.
 */
import { describe, expect, test } from "vitest";
import { BenchMismatchError } from "../../src/core/errors.ts";
import { type CapacityReport, capacityReport } from "../../src/report/capacity.ts";
import type { CapacityAttachment } from "../../src/report/capacity-attachment.ts";
import { CAPACITY_CSV_COLUMNS, capacityCsvValues } from "../../src/report/capacity-csv.ts";
import { checkCapacityMatch } from "../../src/report/capacity-match.ts";
import {
  capacityClaim,
  durationText,
  maxRateCell,
  rateIntervalCell,
  ratioCell,
  ratioIntervalCell,
  sloText,
} from "../../src/report/capacity-text.ts";

type Measured = CapacityAttachment["variants"][number];

/** A variant measured by searches with these results (the median and [min, max] as bench.json gives them). */
function measured(
  variant: string,
  results: readonly number[],
  stopped: Measured["searches"][number]["stopped"][] = [],
): Measured {
  const sorted = [...results].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return {
    variant,
    model: `m-${variant}`,
    max_rate: median,
    interval:
      results.length < 2
        ? null
        : { low: sorted[0] ?? 0, high: sorted.at(-1) ?? 0, confidence: 1 - 2 * 0.5 ** results.length },
    searches: results.map((r, i) => ({ max_rate: r, stopped: stopped[i] ?? "tolerance" })),
  };
}

function attachment(variants: Measured[]): CapacityAttachment {
  return {
    v: 1,
    bench: { id: "b1", created_at: "2026-12-05T00:00:00.000Z", sha256: "a".repeat(64) },
    percentile: 90,
    slo: { ttft_ms: 500, e2e_ms: 20_000 },
    requests_per_trial: 100,
    arrivals: "Poisson arrivals, no cap on requests in flight",
    workload: "scenario D(256,64)",
    variants,
  };
}

const report = (variants: Measured[], run = ["bf16", "fp8", "nvfp4"]): CapacityReport =>
  capacityReport(attachment(variants), run, "bf16");
const row = (r: CapacityReport, variant: string) => {
  const found = r.variants.find((c) => c.variant === variant);
  if (found === undefined) throw new Error(`no row for ${variant}`);
  return found;
};

describe("capacityReport", () => {
  test("ratio of medians; range = variant [min, max] ÷ reference [max, min], confidence the product", () => {
    const r = report([measured("bf16", [38, 40, 42]), measured("fp8", [95, 100, 110])]);
    const fp8 = row(r, "fp8");
    expect(fp8.ratio).toBe(2.5);
    expect(fp8.ratioBound).toBe("exact");
    expect(fp8.ratioInterval?.low).toBeCloseTo(95 / 42, 12);
    expect(fp8.ratioInterval?.high).toBeCloseTo(110 / 38, 12);
    // 75% each for three searches: at least 56.25% that both hold.
    expect(fp8.ratioInterval?.confidence).toBe(0.5625);
    expect(fp8).toMatchObject({ maxRate: 100, searches: 3, interval: { low: 95, high: 110, confidence: 0.75 } });
    expect(row(r, "bf16")).toMatchObject({ isReference: true, ratio: null, ratioInterval: null, maxRate: 40 });
  });

  test("every run variant has a row, in run order; one the bench did not measure has none of the figures", () => {
    const r = report([measured("bf16", [40, 41]), measured("nvfp4", [120, 130])]);
    expect(r.variants.map((c) => c.variant)).toEqual(["bf16", "fp8", "nvfp4"]);
    expect(row(r, "fp8")).toMatchObject({ maxRate: null, searches: 0, ratio: null, ratioInterval: null });
    expect(row(r, "nvfp4").ratio).toBeCloseTo(125 / 40.5, 12);
  });

  test("one search on a side: the ratio without a range", () => {
    const r = report([measured("bf16", [40]), measured("fp8", [90, 100, 110])]);
    expect(row(r, "fp8")).toMatchObject({ ratio: 2.5, ratioBound: "exact", ratioInterval: null });
  });

  test("a search held at its ceiling: the figure is a lower bound, the ratio a bound without a range", () => {
    const variantAtCeiling = report([
      measured("bf16", [40, 42]),
      measured("fp8", [90, 100], ["tolerance", "above-max-rate"]),
    ]);
    expect(row(variantAtCeiling, "fp8")).toMatchObject({
      censored: "ceiling",
      ratioBound: "at-least",
      ratioInterval: null,
    });
    const referenceAtCeiling = report([
      measured("bf16", [40, 42], ["above-max-rate", "above-max-rate"]),
      measured("fp8", [90, 100]),
    ]);
    expect(row(referenceAtCeiling, "fp8")).toMatchObject({ ratioBound: "at-most", ratioInterval: null });
    const both = report([measured("bf16", [40], ["above-max-rate"]), measured("fp8", [90], ["above-max-rate"])]);
    expect(row(both, "fp8")).toMatchObject({ ratio: null, ratioBound: null });
  });

  test("a reference that held at no rate (0): no ratio; a reference search at 0: the range is unbounded above", () => {
    const none = report([measured("bf16", [0], ["below-min-rate"]), measured("fp8", [50])]);
    expect(row(none, "bf16").censored).toBe("floor");
    expect(row(none, "fp8").ratio).toBeNull();
    const oneAtZero = report([measured("bf16", [0, 20, 30]), measured("fp8", [50, 60, 70])]);
    expect(row(oneAtZero, "fp8").ratio).toBe(3);
    expect(row(oneAtZero, "fp8").ratioInterval).toEqual({ low: 50 / 30, high: null, confidence: 0.5625 });
  });

  test("the SLO, bench and settings carried as scores.json names them", () => {
    const r = report([measured("bf16", [40])]);
    expect(r).toMatchObject({
      bench: { id: "b1", createdAt: "2026-12-05T00:00:00.000Z" },
      percentile: 90,
      slo: { ttftMs: 500, e2eMs: 20_000 },
      requestsPerTrial: 100,
      workload: "scenario D(256,64)",
    });
    expect(r.slo).not.toHaveProperty("tpotMs");
  });
});

describe("how capacity reads", () => {
  const r = report([measured("bf16", [38, 40, 42]), measured("fp8", [95, 100, 110])]);

  test("durations and the SLO", () => {
    expect(durationText(500)).toBe("500 ms");
    expect(durationText(20_000)).toBe("20 s");
    expect(durationText(1500)).toBe("1.5 s");
    expect(durationText(999.5)).toBe("999.5 ms");
    expect(sloText(r)).toBe("p90 of ttft ≤ 500 ms, e2e ≤ 20 s");
  });

  test("cells: the max rate, its interval and confidence, the ratio and its range", () => {
    const fp8 = row(r, "fp8");
    expect(maxRateCell(fp8)).toBe("100.00");
    expect(rateIntervalCell(fp8)).toBe("[95.00, 110.00] (75.0%)");
    expect(ratioCell(fp8)).toBe("2.50×");
    expect(ratioIntervalCell(fp8)).toBe("[2.26, 2.89] (≥ 56.3%)");
    expect(ratioCell(row(r, "bf16"))).toBe("—");
    expect(maxRateCell(row(r, "nvfp4"))).toBe("—");
  });

  test("the verdicts' sentence, with the range, or what makes it a bound", () => {
    expect(capacityClaim(r, "fp8", "bf16")).toBe(
      "serves 2.50× the requests/s of bf16 at p90 of ttft ≤ 500 ms, e2e ≤ 20 s " +
        "(range 2.26–2.89, ≥ 56.3% confidence)",
    );
    expect(capacityClaim(r, "bf16", "bf16")).toBeUndefined();
    expect(capacityClaim(r, "nvfp4", "bf16")).toBeUndefined();
    const bound = report([measured("bf16", [40, 42]), measured("fp8", [90, 100], ["tolerance", "above-max-rate"])]);
    expect(maxRateCell(row(bound, "fp8"))).toBe("≥ 95.00");
    expect(rateIntervalCell(row(bound, "fp8"))).toBe("[90.00, ≥ 100.00] (50.0%)");
    expect(capacityClaim(bound, "fp8", "bf16")).toBe(
      "serves ≥ 2.32× the requests/s of bf16 at p90 of ttft ≤ 500 ms, e2e ≤ 20 s " +
        "(a lower bound: fp8 held at the highest rate its search may try)",
    );
  });

  test("scores.csv's columns: on a variant's task row, empty for a breakdown row, inf for an open range", () => {
    const values = capacityCsvValues(r, "fp8");
    expect(values).toHaveLength(CAPACITY_CSV_COLUMNS.length);
    const byColumn = Object.fromEntries(CAPACITY_CSV_COLUMNS.map((c, i) => [c, values[i]]));
    expect(byColumn).toMatchObject({
      capacity_bench: "b1",
      capacity_slo: "p90 of ttft ≤ 500 ms, e2e ≤ 20 s",
      capacity_max_rate: 100,
      capacity_searches: 3,
      capacity_ratio: 2.5,
      capacity_ratio_bound: "exact",
      capacity_ratio_confidence: 0.5625,
    });
    expect(capacityCsvValues(r, undefined).every((v) => v === null)).toBe(true);
    const open = report([measured("bf16", [0, 20, 30]), measured("fp8", [50, 60, 70])]);
    expect(capacityCsvValues(open, "fp8")[CAPACITY_CSV_COLUMNS.indexOf("capacity_ratio_high")]).toBe("inf");
  });
});

describe("checkCapacityMatch", () => {
  const run = {
    runId: "r1",
    reference: "bf16",
    variants: [
      { name: "bf16", model: "m-bf16" },
      { name: "fp8", model: "m-fp8" },
    ],
  };
  const check = (measuredVariants: { variant: string; model: string }[]) => () =>
    checkCapacityMatch(measuredVariants, "bench b1", run);
  const mismatch = (fields: Record<string, unknown>) =>
    expect.objectContaining({ name: BenchMismatchError.name, code: "E_BENCH_MISMATCH", ...fields });

  test("the run's variants, or some of them with the reference, by name and model, match", () => {
    expect(check([{ variant: "bf16", model: "m-bf16" }])).not.toThrow();
    // A bench from before bench.json recorded models ("") is matched by name.
    expect(
      check([
        { variant: "fp8", model: "m-fp8" },
        { variant: "bf16", model: "" },
      ]),
    ).not.toThrow();
  });

  test("a name the run lacks, another model under the run's name, no reference: refused naming the variant", () => {
    const withNvfp4 = check([
      { variant: "bf16", model: "m-bf16" },
      { variant: "nvfp4", model: "m-nvfp4" },
    ]);
    expect(withNvfp4).toThrow(BenchMismatchError);
    expect(withNvfp4).toThrow(
      mismatch({ variant: "nvfp4", message: "bench variant nvfp4: not a variant of run r1 (bf16, fp8)" }),
    );
    const otherModel = check([
      { variant: "bf16", model: "m-bf16" },
      { variant: "fp8", model: "m-bf16" },
    ]);
    expect(otherModel).toThrow(
      mismatch({
        variant: "fp8",
        message: 'bench variant fp8: model "m-bf16" in bench b1, but run r1 served "m-fp8" under that name',
        hint: expect.stringContaining("bench the model the run evaluated"),
      }),
    );
    expect(check([{ variant: "fp8", model: "m-fp8" }])).toThrow(
      mismatch({
        variant: "bf16",
        message: expect.stringContaining("the run's reference has no max rate in bench b1 (it has: fp8)"),
      }),
    );
  });
});
