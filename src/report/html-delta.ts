/**
 * The delta table of index.html: per task (and breakdown) and variant, the paired Δ with its 95% interval, the ↓/↑
 * counts, McNemar's p, the minimum detectable difference and the reading in words, as report.md has them. The
 * bootstrap, MDE and reading fields were being added to summary.ts while this was written, so they are read
 * defensively: a field that is absent leaves its column out (or falls back, and the legend says to what).
 */

import { marginLabel, verdictSummary } from "./decision-text.ts";
import { deltaInterval, describeIntervals } from "./delta-interval.ts";
import { fixed, NONE, pValue, signedPp } from "./format.ts";
import { recoveryHtml, verdictHtml } from "./html-decision.ts";
import { escapeHtml } from "./html-escape.ts";
import { filterAttributes } from "./html-flips.ts";
import { legend, type Row, table } from "./html-table.ts";
import { legendLines } from "./legend-text.ts";
import { OVERALL_LABEL } from "./markdown-accuracy.ts";
import { ALL, type Delta, type OverallScore, type ReportData } from "./report-types.ts";

export function deltaTable(report: ReportData): string {
  const deltas = report.tasks.flatMap((t) => t.rows.flatMap((r) => r.deltas));
  const methods = deltas.flatMap((d) => {
    const i = deltaInterval(d);
    return i === null ? [] : [i.method];
  });
  const mixed = new Set(methods).size > 1;
  const hasMde = deltas.some((d) => "mdePp" in d);
  // Recovery and the verdict: absent from a report written before them, so their columns are too.
  const hasDecision = deltas.some((d) => d.decision !== undefined);
  const intervalCell = (d: Delta) => {
    const interval = deltaInterval(d);
    if (interval === null) return NONE;
    const text = `${signedPp(interval.lowPp)} to ${signedPp(interval.highPp)}`;
    return mixed && interval.method === "agresti-min"
      ? `${text} <span class="ci note">(no flips: Agresti–Min)</span>`
      : text;
  };
  const rows: Row[] = report.tasks.flatMap((task) =>
    task.rows.flatMap((row) =>
      row.deltas.map(
        (d): Row => ({
          attributes: filterAttributes(task.name, d.variant),
          className: [row.breakdown === ALL ? "" : "breakdown", d.significant === true ? "significant" : ""]
            .filter((c) => c !== "")
            .join(" "),
          cells: [
            escapeHtml(row.label),
            escapeHtml(d.variant),
            String(d.paired),
            signedPp(d.deltaPp),
            intervalCell(d),
            String(d.referenceRightVariantWrong),
            String(d.referenceWrongVariantRight),
            pValue(d.pValue),
            ...(hasMde ? [mdeCell(d)] : []),
            ...(hasDecision ? [recoveryHtml(d.decision?.recovery), verdictHtml(d.decision)] : []),
            escapeHtml(reading(d, report.significanceLevel)),
          ],
        }),
      ),
    ),
  );
  for (const o of report.overall) {
    if (o.variant === report.reference) continue;
    const ci = overallInterval(o);
    rows.push({
      attributes: filterAttributes(undefined, o.variant),
      className: "overall",
      cells: [
        OVERALL_LABEL,
        escapeHtml(o.variant),
        NONE,
        signedPp(o.macroDeltaPp),
        ci === null ? NONE : `${signedPp(ci.low)} to ${signedPp(ci.high)}`,
        NONE,
        NONE,
        NONE,
        ...(hasMde ? [NONE] : []),
        ...(hasDecision ? [recoveryHtml(o.recovery), escapeHtml(verdictSummary(o.verdicts ?? []))] : []),
        escapeHtml(overallReading(o, ci)),
      ],
    });
  }
  const headers = [
    "Task",
    "Variant",
    "#Paired n",
    "#Δ pp",
    "#95% interval (pp)",
    "#↓ lost",
    "#↑ gained",
    "#McNemar p",
    ...(hasMde ? ["#MDE pp"] : []),
    ...(hasDecision ? ["#Recovery [95%]", "Verdict"] : []),
    "Reading",
  ];
  return `${table(headers, rows)}\n${legend(deltaLegend(report, methods, hasMde, hasDecision))}`;
}

function deltaLegend(
  report: ReportData,
  methods: readonly ("bootstrap" | "agresti-min")[],
  hasMde: boolean,
  hasDecision: boolean,
): string[] {
  const alpha = fixed(report.significanceLevel, 2);
  const settings = bootstrapSettings(report);
  return legendLines("html/delta", {
    reference: report.reference,
    intervals: describeIntervals(methods).join("; "),
    bootstrap: methods.includes("bootstrap") && settings !== null,
    resamples: settings?.resamples ?? "",
    seed: settings?.seed ?? "",
    mde: hasMde,
    decision: hasDecision,
    margin: report.decision === undefined ? "" : marginLabel(report.decision.margin),
    alpha,
    "one-in": Math.round(1 / report.significanceLevel),
  });
}

/** The reading in words: the summary's own when it has one (test and interval together), else from McNemar's p alone. */
function reading(d: Delta, alpha: number): string {
  const a = fixed(alpha, 2);
  const kind = "reading" in d && typeof d.reading === "string" ? d.reading : undefined;
  switch (kind) {
    case "nothing-paired":
      return "nothing paired";
    case "noise":
      return `not distinguishable from noise at n = ${d.paired}`;
    case "difference":
      return `${(d.deltaPp ?? 0) < 0 ? "lower" : "higher"}, unlikely to be noise (p < ${a}, interval excludes 0)`;
    case "borderline":
      return (d.pValue ?? 1) < alpha
        ? `borderline at n = ${d.paired}: p < ${a} but the interval covers 0`
        : `borderline at n = ${d.paired}: the interval excludes 0 but p ≥ ${a}`;
    default:
      if (d.significant === null) return "nothing paired";
      return d.significant ? `unlikely to be noise (p < ${a})` : `not distinguishable from noise at n = ${d.paired}`;
  }
}

function mdeCell(d: Delta): string {
  const mde = "mdePp" in d && typeof d.mdePp === "number" ? d.mdePp : null;
  if (mde === null) return NONE;
  return "mdeBasis" in d && d.mdeBasis === "floor"
    ? `${fixed(mde, 1)} <span class="ci note">(best case)</span>`
    : fixed(mde, 1);
}

function overallInterval(o: OverallScore): { low: number; high: number } | null {
  if (!("macroDeltaCi95Pp" in o)) return null;
  const ci: unknown = o.macroDeltaCi95Pp;
  if (typeof ci !== "object" || ci === null || !("low" in ci) || !("high" in ci)) return null;
  return typeof ci.low === "number" && typeof ci.high === "number" ? { low: ci.low, high: ci.high } : null;
}

function overallReading(o: OverallScore, ci: { low: number; high: number } | null): string {
  if (o.macroDeltaPp === null) return "nothing paired";
  if (ci === null) return "macro mean of the task deltas; no test";
  if (ci.low <= 0 && ci.high >= 0) return "not distinguishable from noise (stratified bootstrap interval covers 0)";
  return `${o.macroDeltaPp < 0 ? "lower" : "higher"}, stratified bootstrap interval excludes 0 (no test)`;
}

function bootstrapSettings(report: ReportData): { resamples: number; seed: number } | null {
  if (!("bootstrap" in report)) return null;
  const settings: unknown = report.bootstrap;
  if (typeof settings !== "object" || settings === null || !("resamples" in settings) || !("seed" in settings))
    return null;
  return typeof settings.resamples === "number" && typeof settings.seed === "number"
    ? { resamples: settings.resamples, seed: settings.seed }
    : null;
}
