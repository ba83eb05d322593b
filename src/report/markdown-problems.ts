/** report.md's main-problem table, for tasks whose items are sub-steps of main problems (SciCode). */
import { percent } from "./format.ts";
import { legendLines } from "./legend-text.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";
import type { ReportData } from "./report-types.ts";

export function problemRatesTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Task", align: "left" },
    { header: "Variant", align: "left" },
    { header: "Main problems passed", align: "right" },
    { header: "Main-problem rate", align: "right" },
    { header: "Sub-step rate", align: "right" },
  ];
  const rows = report.tasks.flatMap((t) =>
    (t.problemRates ?? []).map((p) => {
      const subSteps = t.rows[0]?.scores.find((s) => s.variant === p.variant)?.accuracy;
      return [t.name, p.variant, `${p.passed}/${p.problems}`, percent(p.rate), percent(subSteps ?? null)];
    }),
  );
  return `${markdownTable(columns, rows)}\n\n${quote(legendLines("markdown/main-problems"))}`;
}
