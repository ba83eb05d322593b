/** `report --format` and `compare --format`: the per-precision table in the form asked for. */
import { precisionCsv } from "./precision-table-csv.ts";
import { precisionLatex } from "./precision-table-latex.ts";
import { precisionMarkdown } from "./precision-table-md.ts";
import type { ReportData } from "./report-types.ts";

export type PrecisionTableFormat = "md" | "csv" | "latex";

/** The table as text ending in one newline, for stdout. */
export function renderPrecisionTable(report: ReportData, format: PrecisionTableFormat): string {
  switch (format) {
    case "md":
      return precisionMarkdown(report);
    case "csv":
      return precisionCsv(report);
    case "latex":
      return precisionLatex(report);
  }
}
