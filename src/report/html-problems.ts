/** index.html's main-problem table, for tasks whose items are sub-steps of main problems (SciCode). */
import { percent } from "./format.ts";
import { escapeHtml } from "./html-escape.ts";
import { filterAttributes } from "./html-flips.ts";
import { legend, type Row, table } from "./html-table.ts";
import { legendLines } from "./legend-text.ts";
import type { ReportData } from "./report-types.ts";

export function problemRatesSection(report: ReportData): string {
  const rows: Row[] = report.tasks.flatMap((t) =>
    (t.problemRates ?? []).map(
      (p): Row => ({
        attributes: filterAttributes(t.name, p.variant),
        cells: [
          escapeHtml(t.name),
          escapeHtml(p.variant),
          `${p.passed}/${p.problems}`,
          percent(p.rate),
          percent(t.rows[0]?.scores.find((s) => s.variant === p.variant)?.accuracy ?? null),
        ],
      }),
    ),
  );
  const headers = ["Task", "Variant", "#Main problems passed", "#Main-problem rate", "#Sub-step rate"];
  return `${table(headers, rows)}\n${legend(legendLines("markdown/main-problems"))}`;
}
