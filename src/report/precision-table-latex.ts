/**
 * `--format latex`: the per-precision table as a booktabs `tabular`, for a paper or a LaTeX report. A comment line
 * above it carries the caption (n, interval method, margin); names are escaped, numbers set in math mode so a minus
 * is a minus, and an unbounded interval ends at \infty.
 */
import escapeLatex from "escape-latex";
import { precisionTable } from "./precision-table.ts";
import { precisionCells } from "./precision-table-cells.ts";
import type { ReportData } from "./report-types.ts";

export function precisionLatex(report: ReportData): string {
  const table = precisionTable(report);
  const cells = precisionCells(table, {
    text: (plain) => escapeLatex(plain).replaceAll("Δ", "$\\Delta$").replaceAll("—", "---"),
    number: (n) => `$${n}$`,
    infinity: "$\\infty$",
    none: "---",
  });
  const line = (row: readonly string[]) => `${row.join(" & ")} \\\\`;
  const body = cells.rows.map(line);
  // The overall row sits under its own rule, as a total does.
  const overall = body.pop() ?? "";
  return [
    `% Caption: ${table.note}`,
    "% Needs \\usepackage{booktabs}.",
    `\\begin{tabular}{${cells.align.map((a) => (a === "left" ? "l" : "r")).join("")}}`,
    "\\toprule",
    line(cells.header),
    "\\midrule",
    ...body,
    "\\midrule",
    overall,
    "\\bottomrule",
    "\\end{tabular}",
    "",
  ].join("\n");
}
