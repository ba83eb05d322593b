/**
 * What the CLI prints after a run, `report` or `compare`: one compact table (score, Δ with its interval, recovery,
 * verdict and decode speedup per variant and task; with a bench attached, the capacity ratio per variant), one line
 * per variant with its verdicts, and one line saying what the numbers are. The legends and every other table are in
 * report.md.
 */
import type { CapacityReport } from "./capacity.ts";
import { capacityClaim, ratioCell, sloText } from "./capacity-text.ts";
import { clientCountedNotes } from "./client-counts.ts";
import { marginLabel, recoveryCell, verdictCell, verdictSummary } from "./decision-text.ts";
import { deltaCell, fixed, integer, NONE, percent } from "./format.ts";
import { renderScoreTable } from "./markdown-accuracy.ts";
import { type Column, markdownTable } from "./markdown-table.ts";
import { throughputWarnings } from "./markdown-throughput.ts";
import { headlineScore } from "./pass-at-k.ts";
import type { ReportData, Score, SpeedComparison, TaskReport } from "./report-types.ts";

export function renderTerminalSummary(report: ReportData): string {
  // A tokens/s figure the server's counts cannot back, or that rests on the client's counts, is said here too.
  const warned = [...throughputWarnings(report), ...clientCountedNotes(report)];
  // One variant: nothing to compare, so the accuracy table is the whole story.
  if (report.variants.length < 2) return [renderScoreTable(report), ...warned].join("\n\n");
  const { capacity } = report;
  const columns: Column[] = [
    { header: "Task", align: "left" },
    { header: "Variant", align: "left" },
    { header: "Score", align: "right" },
    { header: "Δ pp [95% CI]", align: "right" },
    { header: "Recovery [95% CI]", align: "right" },
    { header: `Verdict (${marginLabel(report.decision?.margin)})`, align: "left" },
    { header: "Decode ×", align: "right" },
    // Per variant, not per task: a bench's figure, on the Overall rows only.
    ...(capacity === undefined ? [] : [{ header: "Capacity ×", align: "right" } as const]),
  ];
  const rows = report.tasks.flatMap((task) =>
    report.variants.map((v) => {
      const delta = task.rows[0]?.deltas.find((d) => d.variant === v.name);
      const score = task.rows[0]?.scores.find((s) => s.variant === v.name);
      return [
        task.name,
        v.isReference ? `${v.name} (ref)` : v.name,
        task.unavailable !== undefined && (score?.graded ?? 0) === 0 ? "N/A" : scoreCell(task, v.name, score),
        delta?.decision == null ? NONE : deltaCell(delta.decision.deltaPp, delta.decision.ci95Pp),
        recoveryCell(delta?.decision?.recovery),
        v.isReference ? "reference" : verdictCell(delta?.decision),
        speedup(task.speed?.find((s) => s.variant === v.name)),
        ...(capacity === undefined ? [] : [NONE]),
      ];
    }),
  );
  for (const o of report.overall) {
    const isReference = o.variant === report.reference;
    rows.push([
      "Overall",
      isReference ? `${o.variant} (ref)` : o.variant,
      `${percent(o.macroScore ?? o.macroAccuracy)}${o.tasksScored < report.tasks.length ? ` (${o.tasksScored} of ${report.tasks.length} tasks)` : ""}`,
      o.decision == null ? NONE : deltaCell(o.decision.deltaPp, o.decision.ci95Pp),
      recoveryCell(o.recovery),
      isReference ? "reference" : NONE,
      speedup(report.speed?.find((s) => s.variant === o.variant)),
      ...(capacity === undefined ? [] : [capacityCell(capacity, o.variant)]),
    ]);
  }
  return [markdownTable(columns, rows), verdictLines(report), ...warned, footnote(report)].join("\n\n");
}

/** "85.0% (34/40)"; with several samples per item, avg@k over every graded sample: "avg@8 61.3%". */
function scoreCell(task: TaskReport, variant: string, score: Score | undefined): string {
  if (task.samples > 1) return `avg@${task.samples} ${percent(headlineScore(task, variant))}`;
  if (score === undefined || score.accuracy === null) return NONE;
  return `${percent(score.accuracy)} (${score.correct}/${score.graded})`;
}

function speedup(speed: SpeedComparison | undefined): string {
  if (speed === undefined) return NONE;
  // An imported reference has no timings: no speed to be 1× of.
  if (speed.isReference) return speed.decodeTps > 0 ? "1.00" : NONE;
  return speed.decodeSpeedup === null ? NONE : fixed(speed.decodeSpeedup, 2);
}

function verdictLines(report: ReportData): string {
  const margin = marginLabel(report.decision?.margin);
  const tasks = report.tasks.map((t) => t.name);
  return report.overall
    .filter((o) => o.variant !== report.reference)
    .map((o) => {
      const speed = report.speed?.find((s) => s.variant === o.variant);
      const tokens = speed?.completionTokens?.relative ?? null;
      const faster =
        speed?.decodeSpeedup == null
          ? ""
          : `; decode ${fixed(speed.decodeSpeedup, 2)}× ${report.reference}` +
            (tokens === null ? "" : `, completion tokens ${tokens >= 0 ? "+" : ""}${fixed(tokens * 100, 1)}%`);
      const claim =
        report.capacity === undefined ? undefined : capacityClaim(report.capacity, o.variant, report.reference);
      const capacity = claim === undefined ? "" : `; ${claim}`;
      return `${o.variant}: ${verdictSummary(o.verdicts ?? [], tasks)} at ${margin}${faster}${capacity}`;
    })
    .join("\n");
}

function footnote(report: ReportData): string {
  return [
    `Score: accuracy (correct/graded), or avg@k over every graded sample. Δ and recovery: against ${report.reference}`,
    `on the paired items, paired bootstrap 95% intervals (${integer(report.bootstrap.resamples)} resamples, clustered`,
    "by item with several samples). Verdict: that interval against the margin, one-sided 97.5% (an exact bound",
    "where no item went one way). Decode ×: tok/s ÷ the reference's, same requests. Legends, McNemar, MDE: report.md.",
    ...(report.capacity === undefined ? [] : capacityFootnote(report.capacity)),
  ].join("\n");
}

/** The Overall row's capacity ratio as Decode × prints its ratios: "2.05", "≥ 2.05", "1.00" for the reference. */
function capacityCell(capacity: CapacityReport, variant: string): string {
  const c = capacity.variants.find((v) => v.variant === variant);
  if (c === undefined || c.maxRate === null) return NONE;
  return c.isReference ? "1.00" : ratioCell(c).replace(/×$/, "");
}

function capacityFootnote(capacity: CapacityReport): string[] {
  return [
    `Capacity ×: max request rate at ${sloText(capacity)} ÷ the reference's, from bench ${capacity.bench.id} (median`,
    "of independent searches each; range: both sides' [min, max] of their searches). Capacity at SLO: report.md.",
  ];
}
