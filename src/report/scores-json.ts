/** scores.json: the report's data as it is (ReportData, with its schemaVersion). */
import type { ReportData } from "./report-types.ts";

export function renderJson(report: ReportData): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
