/** report.md's accuracy table (also what the CLI prints after a run): accuracy with its Wilson interval per cell. */
import { percent, scoreCell } from "./format.ts";
import { legendLines } from "./legend-text.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";
import { ALL, type ReportData, type ScoreRow, type TaskReport } from "./report-types.ts";

export const OVERALL_LABEL = "Overall (macro mean over tasks)";
/** Marks breakdown rows under their task row. GitHub trims leading spaces in a cell, so the indent is a glyph. */
const BREAKDOWN_MARK = "└ ";

/** The accuracy table and its legend: what the CLI prints after a run. */
export function renderScoreTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Task", align: "left" },
    ...report.variants.map((v): Column => ({ header: v.isReference ? `${v.name} (ref)` : v.name, align: "right" })),
  ];
  const rows = report.tasks.flatMap((task) =>
    task.rows.map((row) => [
      rowLabel(row),
      ...row.scores.map((score) => (isNotApplicable(task, score) ? "N/A" : scoreCell(score))),
    ]),
  );
  rows.push([
    OVERALL_LABEL,
    ...report.overall.map((o) =>
      o.tasksScored < report.tasks.length && o.macroAccuracy !== null
        ? `${percent(o.macroAccuracy)} (${o.tasksScored} of ${report.tasks.length} tasks)`
        : percent(o.macroAccuracy),
    ),
  ]);
  const legend = legendLines("markdown/accuracy", {
    "not-applicable": report.tasks.some((t) => t.unavailable !== undefined),
    official: officialTasks(report).length > 0,
    "official-tasks": officialTasks(report).join(", "),
  });
  const notApplicable = report.tasks
    .filter((t) => t.unavailable !== undefined)
    .map(
      (t) => `N/A ${t.name}: error[${t.unavailable?.code}]: ${t.unavailable?.message}. Fix: ${t.unavailable?.hint}.`,
    );
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}${notApplicable.length > 0 ? `\n\n${notApplicable.join("\n")}` : ""}`;
}

/** Which tasks were scored by the benchmark's own extraction: their numbers are not the strict reader's. */
function officialTasks(report: ReportData): string[] {
  return report.tasks.filter((t) => t.scoring?.mode === "official").map((t) => t.name);
}

/** A task whose data was N/A and that this variant has nothing for (an earlier session may have graded some). */
function isNotApplicable(task: TaskReport, score: { graded: number; errors: number }): boolean {
  return task.unavailable !== undefined && score.graded === 0 && score.errors === 0;
}

export function rowLabel(row: ScoreRow): string {
  return row.breakdown === ALL ? row.label : `${BREAKDOWN_MARK}${row.label}`;
}
