/**
 * `--format csv`: the per-precision table for a spreadsheet or a script, written by csv-stringify (as scores.csv).
 * Numbers are unrounded; the header states their unit: `_fraction` (0.85 = 85%), `_pp` (percentage points),
 * `_ratio` (recovery, 0.97 = 97%); `_paired_n` and `_items_to_decide` count items (the latter: paired items that
 * would decide an inconclusive verdict at 80% power). An empty field is a value that does not exist, an unbounded
 * interval end included.
 */
import { stringify } from "csv-stringify/sync";
import { type PrecisionRow, precisionTable } from "./precision-table.ts";
import type { ReportData } from "./report-types.ts";

type Field = string | number | null;

export function precisionCsv(report: ReportData): string {
  const table = precisionTable(report);
  const header = [
    "task",
    "metric",
    "n",
    ...table.variants.map((v) => `${v}_score_fraction`),
    ...table.compared.flatMap((v) => [
      `${v}_delta_pp`,
      `${v}_delta_ci95_low_pp`,
      `${v}_delta_ci95_high_pp`,
      `${v}_recovery_ratio`,
      `${v}_recovery_ci95_low_ratio`,
      `${v}_recovery_ci95_high_ratio`,
      `${v}_verdict`,
      `${v}_paired_n`,
      `${v}_items_to_decide`,
    ]),
  ];
  return stringify([header, ...table.rows.map(csvRow)]);
}

function csvRow(row: PrecisionRow): Field[] {
  return [
    row.task,
    row.metric,
    row.n,
    ...row.scores,
    ...row.comparisons.flatMap((c): Field[] => [
      c.deltaPp,
      c.deltaCi95Pp?.low ?? null,
      c.deltaCi95Pp?.high ?? null,
      c.recovery?.value ?? null,
      c.recovery?.ci95.low ?? null,
      c.recovery?.ci95.high ?? null,
      // The overall row has no verdict of its own; its task count is the Markdown and LaTeX tables' reading.
      c.decision?.nonInferiority?.verdict ?? null,
      c.decision?.paired ?? null,
      c.decision?.nonInferiority?.itemsNeeded ?? null,
    ]),
  ];
}
