/** index.html's token divergence table: report.md's, a row per task × variant, filterable, with its legend. */
import type { DivergenceReport } from "./divergence-types.ts";
import { escapeHtml } from "./html-escape.ts";
import { filterAttributes } from "./html-flips.ts";
import { legend, type Row, table } from "./html-table.ts";
import { DIVERGENCE_COLUMNS, divergenceCells, divergenceLegend } from "./markdown-divergence.ts";
import type { ReportData } from "./report-types.ts";

/** The section (id, title, body) when the run has divergence journals; none otherwise. */
export function divergenceSections(report: ReportData): [string, string, string][] {
  if (report.divergence === undefined) return [];
  const title = `Token divergence vs reference (${report.reference})`;
  return [["divergence", title, divergenceTable(report.divergence)]];
}

function divergenceTable(divergence: DivergenceReport): string {
  const rows: Row[] = divergence.rows.map((row) => ({
    attributes: filterAttributes(row.task, row.variant),
    cells: divergenceCells(row).map(escapeHtml),
  }));
  const headers = DIVERGENCE_COLUMNS.map((c) => (c.align === "right" ? `#${c.header}` : c.header));
  const warnings =
    divergence.notices.length === 0
      ? ""
      : `\n<ul class="warnings">${divergence.notices.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`;
  return `${table(headers, rows)}\n${legend(divergenceLegend(divergence))}${warnings}`;
}
