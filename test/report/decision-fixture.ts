/**
 * Recovery, verdicts, margin and gate laid by hand onto the fixture's report (fixture.ts), so the HTML can be tested
 * on every verdict before buildReport fills them in: suite40 fp8 inconclusive (1,234 items needed), suite40 nvfp4
 * inferior, mini fp8 non-inferior on the exact bound, mini nvfp4 nothing paired; margin 1 pp from --fail-below, and
 * a gate that failed. The numbers are made up: only the rendering is under test.
 */
import type { Margin } from "../../src/metrics/index.ts";
import type { Decision, NonInferiorityFigure, RecoveryFigure, ReportData } from "../../src/report/report-types.ts";

function decision(
  paired: number,
  recovery: RecoveryFigure | null,
  nonInferiority: NonInferiorityFigure | null,
): Decision {
  return {
    samples: 1,
    paired,
    referenceMean: 0.5,
    variantMean: 0.5,
    deltaPp: 0,
    ci95Pp: null,
    mdePp: null,
    recovery,
    nonInferiority,
  };
}

const DECISIONS: Record<string, Decision | null> = {
  "suite40/fp8": decision(
    3,
    { value: 1, ci95: { low: 0.5, high: null }, undefinedResamples: 12 },
    {
      verdict: "inconclusive",
      basis: "bootstrap",
      interval: { low: -66.7, high: 66.7 },
      threshold: -1,
      itemsNeeded: 1234,
    },
  ),
  "suite40/nvfp4": decision(
    2,
    { value: 0.5, ci95: { low: 0.25, high: 0.75 }, undefinedResamples: 0 },
    { verdict: "inferior", basis: "bootstrap", interval: { low: -100, high: -10 }, threshold: -1, itemsNeeded: null },
  ),
  "mini/fp8": decision(
    2,
    { value: 0.995, ci95: { low: 0.98, high: 1.01 }, undefinedResamples: 0 },
    {
      verdict: "non-inferior",
      basis: "no-item-differs",
      interval: { low: -0.9, high: 0.9 },
      threshold: -1,
      itemsNeeded: null,
    },
  ),
  "mini/nvfp4": null,
};

/**
 * With a recovery margin, each verdict's interval is made the recovery's (the pp ones above are Δ's), and the
 * threshold the ratio; `samples` sets every decision's samples per item.
 */
export function withDecisions(report: ReportData, margin: Margin = { kind: "pp", pp: 1 }, samples = 1): ReportData {
  const adapt = (d: Decision | null): Decision | null => {
    if (d === null) return null;
    const ni = d.nonInferiority;
    if (margin.kind === "pp" || ni === null || d.recovery === null) return { ...d, samples };
    return {
      ...d,
      samples,
      nonInferiority: { ...ni, interval: d.recovery.ci95, threshold: margin.ratio },
    };
  };
  return {
    ...report,
    decision: {
      margin,
      marginSource: "flag",
      oneSidedLevel: 0.975,
      gate: {
        tasks: ["suite40", "mini"],
        failures: [
          { variant: "fp8", task: "suite40", verdict: "inconclusive" },
          { variant: "nvfp4", task: "suite40", verdict: "inferior" },
          { variant: "nvfp4", task: "mini", verdict: "no verdict" },
        ],
        passed: false,
      },
    },
    tasks: report.tasks.map((t) => ({
      ...t,
      rows: t.rows.map((row, i) =>
        i > 0
          ? row
          : {
              ...row,
              deltas: row.deltas.map((d) => ({ ...d, decision: adapt(DECISIONS[`${t.name}/${d.variant}`] ?? null) })),
            },
      ),
    })),
    overall: report.overall.map((o) =>
      o.variant === "fp8"
        ? {
            ...o,
            recovery: { value: 0.9, ci95: { low: 0.6, high: null }, undefinedResamples: 3 },
            verdicts: [
              { task: "suite40", verdict: "inconclusive" },
              { task: "mini", verdict: "non-inferior" },
            ],
          }
        : o.variant === "nvfp4"
          ? { ...o, recovery: null, verdicts: [{ task: "suite40", verdict: "inferior" }] }
          : o,
    ),
  };
}
