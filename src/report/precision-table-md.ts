/** `--format md`: the per-precision table as a GitHub Markdown table, as in the users' reports, and its note line. */
import { recoveryCell } from "./decision-text.ts";
import { deltaCell, NONE } from "./format.ts";
import { markdownTable } from "./markdown-table.ts";
import { precisionTable } from "./precision-table.ts";
import { precisionCells } from "./precision-table-cells.ts";
import type { ReportData } from "./report-types.ts";

export function precisionMarkdown(report: ReportData): string {
  const table = precisionTable(report);
  const cells = precisionCells(table, {
    text: (plain) => plain,
    number: (n) => n,
    delta: deltaCell,
    recovery: recoveryCell,
    none: NONE,
  });
  const columns = cells.header.map((header, i) => ({ header, align: cells.align[i] ?? "left" }));
  return `${markdownTable(columns, cells.rows)}\n\n${table.note}\n`;
}
