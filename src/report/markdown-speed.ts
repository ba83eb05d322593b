/** report.md's speed × accuracy: speedups, paired token and truncation changes, cost per correct answer. */
import { CLIENT_MARK } from "./client-counts.ts";
import { fixed, NONE, seconds, signedPp } from "./format.ts";
import { legendLines } from "./legend-text.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";
import type { OverallSpeed, PairedChange, ReportData, SpeedComparison, TaskReport } from "./report-types.ts";

export const SPEED_COLUMNS: Column[] = [
  { header: "Variant", align: "left" },
  ...[
    "decode ×",
    "QPS ×",
    "latency p50 ×",
    "Paired n",
    "Δ tokens/item [95% CI]",
    "Δ tokens % [95% CI]",
    "Δ truncated pp [95% CI]",
    "Correct",
    "tokens/correct",
    "s/correct",
  ].map((header): Column => ({ header, align: "right" })),
];

/** One table per task with replies, then the overall one, then the legend. */
export function speedSection(report: ReportData): string {
  const tables = report.tasks
    .filter((task) => task.throughput.some((t) => t.summary.ok > 0))
    .map((task) => {
      const rows = task.speed.map((s) => speedCells(s, clientCountedIn([task], s.variant, report.reference)));
      return `### ${task.name}\n\n${markdownTable(SPEED_COLUMNS, rows)}`;
    });
  const overallColumns: Column[] = [...SPEED_COLUMNS, { header: "Tasks", align: "right" }];
  const overall = report.speed.map((s) => [
    ...speedCells(s, clientCountedIn(report.tasks, s.variant, report.reference)),
    tasksCell(s, report.tasks),
  ]);
  tables.push(`### Overall (summed over tasks; Δ: mean over tasks)\n\n${markdownTable(overallColumns, overall)}`);
  const note = speedClientNote(report);
  return `${tables.join("\n\n")}\n\n${note === undefined ? "" : `${note}\n\n`}${quote(speedLegend(report))}`;
}

/**
 * Whether a speed row rests on client-side token counts: its variant's or the reference's replies in these tasks
 * (client-counts.ts). Its token figures are then marked, as the throughput table marks them.
 */
export function clientCountedIn(tasks: readonly TaskReport[], variant: string, reference: string): boolean {
  return tasks.some((task) =>
    task.throughput.some((t) => t.clientCounted !== undefined && (t.variant === variant || t.variant === reference)),
  );
}

/** The line under the speed tables when some row is marked; undefined otherwise, so other reports keep their bytes. */
export function speedClientNote(report: ReportData): string | undefined {
  if (!report.speed.some((s) => clientCountedIn(report.tasks, s.variant, report.reference))) return undefined;
  return (
    `${CLIENT_MARK} decode ×, Δ tokens and tokens/correct rest on token counts quanteval made itself, for the variant ` +
    "or the reference (its server sent no usage): see the notes under Throughput."
  );
}

/** The section's legend lines (report.md quotes them; index.html joins them under its table). */
export function speedLegend(report: ReportData): string[] {
  return legendLines("markdown/speed", {
    reference: report.reference,
    concurrency: report.concurrency,
    resamples: report.bootstrap.resamples,
    seed: report.bootstrap.seed,
  });
}

/** One row's cells, from the variant's name to seconds per correct answer (index.html's table uses them too). */
export function speedCells(s: SpeedComparison, clientCounted = false): string[] {
  const tokens = s.completionTokens;
  const mark = (cell: string): string => (clientCounted ? `${CLIENT_MARK} ${cell}` : cell);
  return [
    s.isReference ? `${s.variant} (ref)` : s.variant,
    mark(times(s.decodeSpeedup)),
    times(s.qpsSpeedup),
    times(s.latencyP50Speedup),
    tokens === null ? NONE : String(tokens.paired),
    mark(changeCell(tokens, 1)),
    mark(tokens === null || tokens.relative === null ? NONE : relativeCell(tokens.relative, tokens.relativeCi95)),
    changeCell(s.truncation, 100),
    String(s.correct),
    mark(fixed(s.tokensPerCorrect, 1)),
    seconds(s.secondsPerCorrect),
  ];
}

/** A ratio: `2.28×`. */
function times(ratio: number | null): string {
  return ratio === null ? NONE : `${fixed(ratio, 2)}×`;
}

/** A change times `scale` with its interval: `+35.0 [+5.0, +80.0]`, or `0.0 [all items equal]`. */
function changeCell(change: PairedChange | null, scale: number): string {
  if (change === null) return NONE;
  const ci = change.ci95;
  if (ci === null) return `${signedPp(change.change * scale)} [all items equal]`;
  return `${signedPp(change.change * scale)} [${signedPp(ci.low * scale)}, ${signedPp(ci.high * scale)}]`;
}

function relativeCell(relative: number, ci: { low: number; high: number } | null): string {
  const point = `${signedPp(relative * 100)}%`;
  return ci === null ? point : `${point} [${signedPp(ci.low * 100)}%, ${signedPp(ci.high * 100)}%]`;
}

/** How many tasks were pooled, "1 of 3" when not all of those with replies. */
function tasksCell(s: OverallSpeed, tasks: readonly TaskReport[]): string {
  const withReplies = tasks.filter((t) => t.throughput.some((x) => x.summary.ok > 0)).length;
  return s.tasks.length === withReplies ? String(s.tasks.length) : `${s.tasks.length} of ${withReplies}`;
}
