/**
 * report.md's paired deltas against the reference (bootstrap interval, McNemar, MDE and the reading of the two), and
 * what each task's n can show at all.
 */
import { mdeFloor } from "../metrics/index.ts";
import { deltaReading } from "./delta-reading.ts";
import { deltaCell, fixed, integer, mdeCell, NONE, pValue } from "./format.ts";
import { legendLines } from "./legend-text.ts";
import { OVERALL_LABEL, rowLabel } from "./markdown-accuracy.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";
import { ALL, type Delta, type ReportData, type ScoreRow } from "./report-types.ts";

export function deltaTable(report: ReportData, options: { breakdowns: boolean } = { breakdowns: true }): string {
  const columns: Column[] = [
    { header: "Task", align: "left" },
    { header: "Variant", align: "left" },
    { header: "Paired n", align: "right" },
    { header: "Δ pp [95% CI]", align: "right" },
    { header: "↓ ref right, variant wrong", align: "right" },
    { header: "↑ ref wrong, variant right", align: "right" },
    { header: "McNemar p", align: "right" },
    { header: "MDE pp", align: "right" },
    { header: "Reading", align: "left" },
  ];
  const shown = (row: ScoreRow) => options.breakdowns || row.breakdown === ALL;
  const rows = report.tasks.flatMap((task) =>
    task.rows
      .filter(shown)
      .flatMap((row) =>
        row.deltas.map((d) => [
          rowLabel(row),
          d.variant,
          String(d.paired),
          deltaCell(d.deltaPp, d.ci95Pp ?? null),
          String(d.referenceRightVariantWrong),
          String(d.referenceWrongVariantRight),
          pValue(d.pValue),
          mdeCell(d.mdePp ?? null, d.mdeBasis ?? null),
          reading(d, report.significanceLevel),
        ]),
      ),
  );
  for (const o of report.overall) {
    if (o.variant === report.reference) continue;
    rows.push([
      OVERALL_LABEL,
      o.variant,
      o.deltaTasks === 0 ? NONE : String(o.deltaPaired),
      deltaCell(o.macroDeltaPp, o.macroDeltaCi95Pp),
      NONE,
      NONE,
      NONE,
      NONE,
      overallReading(o.macroDeltaPp, o.macroDeltaCi95Pp, o.deltaTasks),
    ]);
  }
  const alpha = fixed(report.significanceLevel, 2);
  const { resamples, seed } = report.bootstrap;
  const legend = legendLines("markdown/delta", {
    reference: report.reference,
    resamples: integer(resamples),
    seed,
    power: fixed(report.mde.power * 100, 0),
    "mde-alpha": fixed(report.mde.alpha, 2),
    alpha,
    "one-in": Math.round(1 / report.significanceLevel),
  });
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

function reading(delta: Delta, alpha: number): string {
  const a = fixed(alpha, 2);
  switch (delta.reading ?? deltaReading(delta.pValue, delta.ci95Pp ?? null, alpha)) {
    case "nothing-paired":
      return "nothing paired";
    case "noise":
      return `not distinguishable from noise at n = ${delta.paired}`;
    case "difference":
      return `${(delta.deltaPp ?? 0) < 0 ? "lower" : "higher"}, unlikely to be noise (p < ${a}, CI excludes 0)`;
    case "borderline":
      return (delta.pValue ?? 1) < alpha
        ? `not established at n = ${delta.paired}: p < ${a} but the CI covers 0`
        : `not established at n = ${delta.paired}: the CI excludes 0 but p ≥ ${a}`;
  }
}

function overallReading(deltaPp: number | null, ci: { low: number; high: number } | null, tasks: number): string {
  if (deltaPp === null) return "nothing paired";
  const over = `${tasks} task${tasks === 1 ? "" : "s"}`;
  if (ci === null || (ci.low <= 0 && ci.high >= 0)) return `not distinguishable from noise (CI covers 0; ${over})`;
  return `${deltaPp < 0 ? "lower" : "higher"}, CI excludes 0 (${over}; no test)`;
}

/** One sentence per task: the smallest difference its n can show at 80% power, best case and at the flips seen. */
export function detectableSection(report: ReportData): string {
  const power = `${fixed(report.mde.power * 100, 0)}% power`;
  const lines = report.tasks.flatMap((task) => {
    if (task.unavailable !== undefined) return [];
    const row = task.rows[0];
    const floor = mdeFloor(task.itemCount);
    const head =
      floor === null
        ? `- **${task.name}**, n = ${task.itemCount}: too few items for a paired test to detect any difference at ${power}.`
        : `- **${task.name}**, n = ${task.itemCount}: differences smaller than ~${fixed(floor * 100, 1)} pp cannot be told from noise at ${power}, even if every flipped item went the same way.`;
    const observed = (row?.deltas ?? [])
      .filter((d) => d.mdePp !== undefined && d.mdePp !== null)
      .map((d) => {
        const flipped = d.referenceRightVariantWrong + d.referenceWrongVariantRight;
        return `${d.variant} ~${fixed(d.mdePp ?? null, 1)} pp (${flipped} of ${d.paired} paired items flipped${d.mdeBasis === "floor" ? ": best case" : ""})`;
      });
    return [observed.length === 0 ? head : `${head} At the flips seen: ${observed.join("; ")}.`];
  });
  const legend = legendLines("markdown/detectable", {
    power: fixed(report.mde.power * 100, 0),
    "mde-alpha": fixed(report.mde.alpha, 2),
  });
  return `${lines.join("\n")}\n\n${quote(legend)}`;
}
