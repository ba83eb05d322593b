/**
 * The per-precision table users paste into their own reports (`report --format md|csv|latex`): one row per task and
 * an overall row, one score column per variant, then per variant other than the reference its Δ pp, recovery and
 * non-inferiority verdict, each with its 95% interval. This module picks the numbers out of ReportData; the
 * precision-table-*.ts renderers only print them.
 */
import { marginLabel } from "./decision-text.ts";
import { integer } from "./format.ts";
import { legendLines } from "./legend-text.ts";
import { OVERALL_LABEL } from "./markdown-accuracy.ts";
import { headlineScore } from "./pass-at-k.ts";
import type { Decision, Delta, RecoveryFigure, ReportData, TaskReport } from "./report-types.ts";

export interface PrecisionComparison {
  variant: string;
  deltaPp: number | null;
  /** Null when no item differs (the bootstrap has no width) or nothing is paired. */
  deltaCi95Pp: { low: number; high: number } | null;
  /** Variant ÷ reference with its interval (high null: unbounded above); null when there is none. */
  recovery: RecoveryFigure | null;
  /** Task rows: the verdict, the paired n and the items that would decide; null when there is none. */
  decision: Decision | null;
  /** Overall row: of the tasks with a verdict, how many are non-inferior. */
  tasksNonInferior: { count: number; of: number } | null;
}

export interface PrecisionRow {
  kind: "task" | "overall";
  /** As the table shows it: "suite40", "aime24 (avg@8)", "Overall (macro mean over tasks)". */
  label: string;
  /** The task's name; "overall" for the overall row. */
  task: string;
  /** "accuracy", "avg@k" (mean correctness over k samples per item) or "macro mean" (overall). */
  metric: string;
  /** Items per task the run meant to ask; null for the overall row. */
  n: number | null;
  /** The task's data could not be had (N/A). */
  unavailable: boolean;
  /** One per variant in config order, as fractions; null when nothing was graded. */
  scores: (number | null)[];
  /** One per variant other than the reference, in config order. */
  comparisons: PrecisionComparison[];
  /** Overall row, per variant: the tasks its mean is over, of those any variant scored (a failed variant has fewer). */
  tasksScored?: { count: number; of: number }[];
}

export interface PrecisionTable {
  runId: string;
  reference: string;
  variants: string[];
  /** The variants other than the reference, in config order. */
  compared: string[];
  rows: PrecisionRow[];
  /** One line saying n, the interval method and the margin. */
  note: string;
}

export function precisionTable(report: ReportData): PrecisionTable {
  const variants = report.variants.map((v) => v.name);
  const compared = variants.filter((v) => v !== report.reference);
  const rows = report.tasks.map((task) => taskRow(task, variants, compared));
  const scoredTasks = rows.filter((row) => row.scores.some((score) => score !== null)).length;
  const overall: PrecisionRow = {
    kind: "overall",
    label: OVERALL_LABEL,
    task: "overall",
    metric: "macro mean",
    n: null,
    unavailable: false,
    // macroScore: the mean of the scores in the rows above (avg@k where a task has samples); older reports lack it.
    scores: variants.map((v) => {
      const o = report.overall.find((x) => x.variant === v);
      return o?.macroScore ?? o?.macroAccuracy ?? null;
    }),
    comparisons: compared.map((variant) => overallComparison(report, variant)),
    tasksScored: variants.map((_, i) => ({
      count: rows.filter((row) => row.scores[i] !== null && row.scores[i] !== undefined).length,
      of: scoredTasks,
    })),
  };
  return {
    runId: report.runId,
    reference: report.reference,
    variants,
    compared,
    rows: [...rows, overall],
    note: note(report),
  };
}

function taskRow(task: TaskReport, variants: readonly string[], compared: readonly string[]): PrecisionRow {
  const row = task.rows[0];
  const metric = task.samples > 1 ? `avg@${task.samples}` : "accuracy";
  return {
    kind: "task",
    label: task.samples > 1 ? `${task.name} (${metric})` : task.name,
    task: task.name,
    metric,
    n: task.itemCount,
    unavailable: task.unavailable !== undefined,
    scores: variants.map((variant) => headlineScore(task, variant)),
    comparisons: compared.map((variant) =>
      taskComparison(
        variant,
        row?.deltas.find((d) => d.variant === variant),
      ),
    ),
  };
}

function taskComparison(variant: string, delta: Delta | undefined): PrecisionComparison {
  const decision = delta?.decision;
  // An older report has no decision: its sample-0 delta is still worth printing.
  const deltaPp = decision === undefined ? (delta?.deltaPp ?? null) : (decision?.deltaPp ?? null);
  const deltaCi95Pp = decision === undefined ? (delta?.ci95Pp ?? null) : (decision?.ci95Pp ?? null);
  return {
    variant,
    deltaPp,
    deltaCi95Pp,
    recovery: decision?.recovery ?? null,
    decision: decision ?? null,
    tasksNonInferior: null,
  };
}

function overallComparison(report: ReportData, variant: string): PrecisionComparison {
  const overall = report.overall.find((o) => o.variant === variant);
  const verdicts = overall?.verdicts ?? [];
  // On every sample (the task decisions' macro Δ); an older report has only the sample-0 macro delta.
  const decision = overall?.decision;
  return {
    variant,
    deltaPp: decision === undefined ? (overall?.macroDeltaPp ?? null) : (decision?.deltaPp ?? null),
    deltaCi95Pp: decision === undefined ? (overall?.macroDeltaCi95Pp ?? null) : (decision?.ci95Pp ?? null),
    recovery: overall?.recovery ?? null,
    decision: null,
    tasksNonInferior:
      verdicts.length === 0
        ? null
        : { count: verdicts.filter((v) => v.verdict === "non-inferior").length, of: verdicts.length },
  };
}

/** legends/precision-table.md as one line: a pasted table carries its n, interval method and margin with it. */
function note(report: ReportData): string {
  const tasks = report.tasks.filter((t) => t.unavailable === undefined);
  const counts = [...new Set(tasks.map((t) => t.itemCount))];
  const margin = report.decision?.margin;
  const sampled = tasks.filter((t) => t.samples > 1);
  const compared = report.variants.length > 1;
  return legendLines("precision-table", {
    "same-n": counts.length === 1,
    "several-n": counts.length > 1,
    "no-data": counts.length === 0,
    n: counts.length === 1 ? integer(counts[0] ?? 0) : tasks.map((t) => `${t.name} ${integer(t.itemCount)}`).join(", "),
    sampled: sampled.length > 0,
    "sampled-tasks": sampled.map((t) => `${t.name}: k = ${t.samples}`).join("; "),
    compared,
    "compared-sampled": compared && sampled.length > 0,
    reference: report.reference,
    method: report.bootstrap.method,
    resamples: integer(report.bootstrap.resamples),
    seed: report.bootstrap.seed,
    verdict: compared && margin !== undefined,
    "no-verdict": compared && margin === undefined,
    margin: marginLabel(margin),
    threshold:
      margin === undefined
        ? ""
        : margin.kind === "pp"
          ? `Δ = −${trim(margin.pp)} pp`
          : `recovery = ${trim(margin.ratio * 100)}%`,
    "one-sided": trim((report.decision?.oneSidedLevel ?? 0) * 100),
    "run-id": report.runId,
  }).join(" ");
}

/** Up to two decimals, trailing zeros dropped: 1 → "1", 99.5 → "99.5", 0.99 × 100 → "99". */
function trim(value: number): string {
  return String(Number(value.toFixed(2)));
}
