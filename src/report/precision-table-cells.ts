/**
 * The per-precision table as text cells, for the renderers that print text (Markdown, LaTeX): one set of rules for
 * rounding and order, a CellStyle for what differs between them (minus signs, ∞, escaping). Numbers follow format.ts:
 * percent and pp with 1 decimal, signs on Δ.
 */
import { fixed, integer, signedPp } from "./format.ts";
import type { PrecisionComparison, PrecisionRow, PrecisionTable } from "./precision-table.ts";

export interface CellStyle {
  /** Names and headers as the target needs them (LaTeX escapes its specials). */
  text: (plain: string) => string;
  /** A number as formatted ("-2.5", "+2.5", "97.1"), as the target sets it (LaTeX: in math mode, a true minus). */
  number: (formatted: string) => string;
  /** An upper bound that does not exist. */
  infinity: string;
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

const COMPARISON_HEADERS = ["Δ pp [95% CI]", "recovery % [95% CI]", "verdict"];
/** The same under a group that names the variant. */
const SHORT_HEADERS = ["Δ pp [95% CI]", "Recovery % [95% CI]", "Verdict"];

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

/** `-2.5 [-7.5, +2.5]`; `0.0 [no item differs]` when the bootstrap had no width (format.ts's "no flips" for k = 1). */
function deltaCell(c: PrecisionComparison, style: CellStyle): string {
  if (c.deltaPp === null) return style.none;
  const delta = style.number(signedPp(c.deltaPp));
  if (c.deltaCi95Pp === null) return `${delta} [${style.text("no item differs")}]`;
  return `${delta} [${style.number(signedPp(c.deltaCi95Pp.low))}, ${style.number(signedPp(c.deltaCi95Pp.high))}]`;
}

function recoveryCell(c: PrecisionComparison, style: CellStyle): string {
  if (c.recovery === null || c.recoveryCi95 === null) return style.none;
  const percent = (ratio: number) => style.number(fixed(ratio * 100, 1));
  const { low, high } = c.recoveryCi95;
  return `${percent(c.recovery)} [${percent(low)}, ${high === null ? style.infinity : percent(high)}]`;
}

/**
 * The task's verdict, "inconclusive at n = 40" as the issue words it (more items would decide); for the overall row,
 * how many tasks are non-inferior ("2/3 non-inferior").
 */
function verdictCell(c: PrecisionComparison, style: CellStyle): string {
  if (c.verdict === "inconclusive" && c.paired !== null) return `inconclusive at n = ${integer(c.paired)}`;
  if (c.verdict !== null) return c.verdict;
  if (c.tasksNonInferior !== null) return `${c.tasksNonInferior.count}/${c.tasksNonInferior.of} non-inferior`;
  return style.none;
}
