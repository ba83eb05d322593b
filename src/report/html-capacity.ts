/** index.html's capacity at SLO: report.md's table and legend (markdown-capacity.ts), escaped and filterable. */
import type { CapacityReport } from "./capacity.ts";
import { escapeHtml } from "./html-escape.ts";
import { filterAttributes } from "./html-flips.ts";
import { legend, type Row, table } from "./html-table.ts";
import { CAPACITY_COLUMNS, capacityCells, capacityLegend } from "./markdown-capacity.ts";

export function capacityTable(capacity: CapacityReport, reference: string): string {
  const rows = capacity.variants.map(
    (c): Row => ({ attributes: filterAttributes(undefined, c.variant), cells: capacityCells(c).map(escapeHtml) }),
  );
  const headers = CAPACITY_COLUMNS.map((c) => (c.align === "right" ? `#${c.header}` : c.header));
  return `${table(headers, rows)}\n${legend(capacityLegend(capacity, reference))}`;
}
