/** report.md's counts per task and variant (graded, correct, errors, missing, …) and what each error was. */
import { legendLines } from "./legend-text.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";
import type { ReportData } from "./report-types.ts";

export function countsTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Task", align: "left" },
    { header: "Variant", align: "left" },
    ...["n", "graded", "correct", "unanswered", "truncated", "capped", "errors", "missing"].map(
      (header): Column => ({ header, align: "right" }),
    ),
  ];
  const rows = report.tasks.flatMap((task) =>
    (task.rows[0]?.scores ?? []).map((s) => [
      task.name,
      s.variant,
      ...[s.n, s.graded, s.correct, s.unanswered, s.truncated, s.capped, s.errors, s.missing].map(String),
    ]),
  );
  const legend = legendLines("markdown/counts", { errors: report.errors.length > 0 });
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

export function errorsTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Variant", align: "left" },
    { header: "Task", align: "left" },
    { header: "items", align: "right" },
    { header: "Error", align: "left" },
  ];
  const rows = report.errors.map((e) => [
    e.variant,
    e.task,
    String(e.count),
    `${e.code}${e.status !== undefined ? ` (HTTP ${e.status})` : ""}: ${e.example}`,
  ]);
  return `${markdownTable(columns, rows)}\n\n${quote(legendLines("errors"))}`;
}
