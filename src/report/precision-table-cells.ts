/**
 * The per-precision table as text cells, for the renderers that print text (Markdown, LaTeX): one order of columns
 * and one set of words, a CellStyle for what differs between them. The Markdown style is report.md's own cells
 * (format.ts, decision-text.ts), so a pasted table reads as the report does.
 */
import { verdictCell as decisionVerdict } from "./decision-text.ts";
import { fixed } from "./format.ts";
import type { PrecisionComparison, PrecisionRow, PrecisionTable } from "./precision-table.ts";
import type { RecoveryFigure } from "./report-types.ts";

export interface CellStyle {
  /** Names, headers and words as the target needs them (LaTeX escapes its specials). */
  text: (plain: string) => string;
  /** A score as formatted ("85.0"), as the target sets it. */
  number: (formatted: string) => string;
  /** Δ pp with its interval; ci null: no item differs. */
  delta: (deltaPp: number, ci95Pp: { low: number; high: number } | null) => string;
  /** Recovery with its interval, as decision-text.ts's recoveryCell writes it. */
  recovery: (figure: RecoveryFigure) => string;
  /** A value that does not exist. */
  none: string;
}

export interface PrecisionCells {
  /** One line of headers, each naming its variant: "fp8 Δ pp [95% CI]" (Markdown has no spanning headers). */
  header: string[];
  /** Two lines: groups spanning columns ("Score (%)", "fp8 vs bf16"), then short headers ("Δ pp [95% CI]"). */
  groups: { label: string; span: number }[];
  shortHeader: string[];
  /** Per column: the task column reads left, numbers right, verdicts left. */
  align: ("left" | "right")[];
  rows: string[][];
}

const COMPARISON_HEADERS = ["Δ pp [95% CI]", "recovery [95% CI]", "verdict"];
/** The same under a group that names the variant. */
const SHORT_HEADERS = ["Δ pp [95% CI]", "Recovery [95% CI]", "Verdict"];

export function precisionCells(table: PrecisionTable, style: CellStyle): PrecisionCells {
  const variants = table.variants.map((v) => (v === table.reference ? `${v} (ref)` : v));
  const header = ["Task", ...variants, ...table.compared.flatMap((v) => COMPARISON_HEADERS.map((h) => `${v} ${h}`))];
  const groups = [
    { label: "", span: 1 },
    { label: "Score (%)", span: variants.length },
    ...table.compared.map((v) => ({ label: `${v} vs ${table.reference}`, span: SHORT_HEADERS.length })),
  ];
  const shortHeader = ["Task", ...variants, ...table.compared.flatMap(() => SHORT_HEADERS)];
  const align = [
    "left" as const,
    ...table.variants.map(() => "right" as const),
    ...table.compared.flatMap(() => ["right" as const, "right" as const, "left" as const]),
  ];
  const rows = table.rows.map((row) => [
    style.text(row.label),
    ...row.scores.map((score, i) => scoreCell(row, score, style) + partOf(row.tasksScored?.[i])),
    ...row.comparisons.flatMap((c) => [deltaCell(c, style), recoveryCell(c, style), verdictCell(c, style)]),
  ]);
  return {
    header: header.map(style.text),
    groups: groups.map((g) => ({ label: style.text(g.label), span: g.span })),
    shortHeader: shortHeader.map(style.text),
    align,
    rows,
  };
}

function scoreCell(row: PrecisionRow, score: number | null, style: CellStyle): string {
  if (score === null) return row.unavailable ? "N/A" : style.none;
  return style.number(fixed(score * 100, 1));
}

/** " (2 of 3 tasks)" after an overall score whose mean leaves out tasks others have: it is not comparable as is. */
function partOf(tasks: { count: number; of: number } | undefined): string {
  return tasks === undefined || tasks.count === tasks.of || tasks.count === 0
    ? ""
    : ` (${tasks.count} of ${tasks.of} tasks)`;
}

function deltaCell(c: PrecisionComparison, style: CellStyle): string {
  return c.deltaPp === null ? style.none : style.delta(c.deltaPp, c.deltaCi95Pp);
}

function recoveryCell(c: PrecisionComparison, style: CellStyle): string {
  return c.recovery === null ? style.none : style.recovery(c.recovery);
}

/**
 * The task's verdict as report.md words it ("inconclusive at n = 40 (~797 items to decide)"); for the overall row,
 * how many tasks are non-inferior ("2/3 non-inferior").
 */
function verdictCell(c: PrecisionComparison, style: CellStyle): string {
  if (c.decision?.nonInferiority != null) return style.text(decisionVerdict(c.decision));
  if (c.tasksNonInferior !== null) return `${c.tasksNonInferior.count}/${c.tasksNonInferior.of} non-inferior`;
  return style.none;
}
