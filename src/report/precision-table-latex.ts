/**
 * `--format latex`: the per-precision table as a booktabs `tabular`, for a paper or a LaTeX report. A comment line
 * above it carries the caption (n, interval method, margin); the header groups the scores and each compared variant's
 * columns under a spanning label, which keeps the table narrow; names are escaped, numbers set in math mode so a
 * minus is a minus, and an unbounded interval ends at \infty.
 */
import escapeLatex from "escape-latex";
import { fixed, signedPp } from "./format.ts";
import { precisionTable } from "./precision-table.ts";
import { precisionCells } from "./precision-table-cells.ts";
import type { RecoveryFigure, ReportData } from "./report-types.ts";

export function precisionLatex(report: ReportData): string {
  const table = precisionTable(report);
  const cells = precisionCells(table, {
    text: latexText,
    number: math,
    delta: latexDelta,
    recovery: latexRecovery,
    none: "---",
  });
  const line = (row: readonly string[]) => `${row.join(" & ")} \\\\`;
  const body = cells.rows.map(line);
  // The overall row sits under its own rule, as a total does.
  const overall = body.pop() ?? "";
  return [
    `% Caption: ${table.note}`,
    "% Needs \\usepackage{booktabs}; too wide for the page? Wrap it in \\resizebox{\\linewidth}{!}{...} (graphicx).",
    `\\begin{tabular}{${cells.align.map((a) => (a === "left" ? "l" : "r")).join("")}}`,
    "\\toprule",
    ...groupHeader(cells.groups),
    line(cells.shortHeader),
    "\\midrule",
    ...body,
    "\\midrule",
    overall,
    "\\bottomrule",
    "\\end{tabular}",
    "",
  ].join("\n");
}

/** The spanning header line and a \cmidrule under each named group, as booktabs sets grouped columns. */
function groupHeader(groups: readonly { label: string; span: number }[]): string[] {
  let column = 1;
  const rules: string[] = [];
  const cells = groups.map(({ label, span }) => {
    const first = column;
    column += span;
    if (label === "") return "";
    rules.push(`\\cmidrule(lr){${first}-${first + span - 1}}`);
    return span === 1 ? label : `\\multicolumn{${span}}{c}{${label}}`;
  });
  return [`${cells.join(" & ")} \\\\`, rules.join(" ")];
}

/** Escaped; Δ, "—" and "~" (as in "~797 items") set as LaTeX sets them. */
function latexText(plain: string): string {
  return escapeLatex(plain, { escapeMapFn: (escapes) => ({ ...escapes, "~": "$\\sim$", Δ: "$\\Delta$", "—": "---" }) });
}

/** A number in math mode, so its minus is a minus. */
function math(formatted: string): string {
  return `$${formatted}$`;
}

/** format.ts's deltaCell in LaTeX: `$-2.5$ [$-7.5$, $+2.5$]`, `$0.0$ [no flips]`. */
function latexDelta(deltaPp: number, ci: { low: number; high: number } | null): string {
  const delta = math(signedPp(deltaPp));
  return ci === null ? `${delta} [no flips]` : `${delta} [${math(signedPp(ci.low))}, ${math(signedPp(ci.high))}]`;
}

/** decision-text.ts's recoveryCell in LaTeX: `$97.5$\\% [$94.1$, $100.0$]`, `[$90.0$, $\\infty$)` unbounded above. */
function latexRecovery(figure: RecoveryFigure): string {
  const percent = (ratio: number) => math(fixed(ratio * 100, 1));
  const high = figure.ci95.high === null ? "$\\infty$)" : `${percent(figure.ci95.high)}]`;
  return `${percent(figure.value)}\\% [${percent(figure.ci95.low)}, ${high}`;
}
