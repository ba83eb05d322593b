/** report.md's token divergence vs the reference: one row per task × variant, its legend, and its warnings. */
import type { IntervalEstimate } from "../metrics/index.ts";
import type { DivergenceReport, DivergenceRow } from "./divergence-types.ts";
import { fixed, integer, NONE, percent } from "./format.ts";
import { legendLines } from "./legend-text.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";

export const DIVERGENCE_COLUMNS: Column[] = [
  { header: "Task", align: "left" },
  { header: "Variant", align: "left" },
  ...[
    "n",
    "Unpaired",
    "Mean KL [95% CI]",
    "Mean max KL [95% CI]",
    "Top-1 agree [95% CI]",
    "Any disagreement [95% CI]",
    "ln PPL ratio [95% CI]",
    "Flips",
    "KL gap flipped − unflipped [95% CI]",
    "r_pb",
    "Positions",
  ].map((header): Column => ({ header, align: "right" })),
];

export function divergenceSection(divergence: DivergenceReport): string {
  const table = markdownTable(DIVERGENCE_COLUMNS, divergence.rows.map(divergenceCells));
  const warnings = divergence.notices.map((notice) => `- ${notice}`).join("\n");
  return [table, quote(divergenceLegend(divergence)), ...(warnings === "" ? [] : [warnings])].join("\n\n");
}

/** The legend's lines (report.md quotes them; index.html joins them under its table). */
export function divergenceLegend(divergence: DivergenceReport): string[] {
  const ks = [...new Set(divergence.rows.flatMap((r) => r.topK))].sort((a, b) => a - b);
  const caps = [...new Set(divergence.rows.flatMap((r) => (r.positions.cap === null ? [] : [r.positions.cap])))];
  return legendLines("divergence", {
    reference: divergence.reference,
    resamples: integer(divergence.bootstrap.resamples),
    seed: divergence.bootstrap.seed,
    "top-k": ks.length === 0 ? "k" : ks.join(" or "),
    "positions-cap":
      caps.length === 0
        ? "every reply was scored whole"
        : `a reply longer than the positions cap was scored on its first ${caps.sort((a, b) => a - b).join(" or ")} ` +
          "tokens only (how many were cut is in parentheses)",
  });
}

/** One row's cells (index.html's table uses them too). */
export function divergenceCells(row: DivergenceRow): string[] {
  const s = row.summary;
  return [
    row.task,
    row.variant,
    String(row.n),
    unpairedCell(row.unpaired),
    s === null ? NONE : estimateCell(s.meanKl, nats),
    s === null ? NONE : estimateCell(s.maxKl, nats),
    s === null ? NONE : estimateCell(s.top1Agreement, percent),
    s === null ? NONE : estimateCell(s.anyDisagreement, percent),
    s?.lnPplRatio == null ? NONE : estimateCell(s.lnPplRatio, signedNats),
    s === null ? NONE : String(s.flips.flipped),
    s?.flips.klGap == null ? NONE : estimateCell(s.flips.klGap, signedNats),
    s === null ? NONE : fixed(s.flips.pointBiserial, 2),
    positionsCell(row.positions),
  ];
}

/** A point estimate and its interval: `0.0393 [0.0000, 0.0900]`. */
function estimateCell(estimate: IntervalEstimate, format: (value: number, scale: number) => string): string {
  // One scale for the three numbers, so a small point beside a larger bound is not written another way.
  const scale = Math.max(Math.abs(estimate.value), Math.abs(estimate.low), Math.abs(estimate.high));
  return `${format(estimate.value, scale)} [${format(estimate.low, scale)}, ${format(estimate.high, scale)}]`;
}

/**
 * Nats with 4 decimals; when all three numbers of a cell are below 0.001, in exponent form, so a small KL does not
 * read as 0.0000. Exactly 0 is "0".
 */
function nats(value: number, scale: number): string {
  if (value === 0) return "0";
  return scale < 0.001 ? value.toExponential(1) : fixed(value, 4);
}

function signedNats(value: number, scale: number): string {
  const text = nats(value, scale);
  return value > 0 && text !== fixed(0, 4) ? `+${text}` : text;
}

const UNPAIRED_LABELS: Record<keyof DivergenceRow["unpaired"], string> = {
  noReference: "no ref record",
  referenceErrors: "ref failed",
  emptyReplies: "empty reply",
  noVariant: "not asked",
  variantErrors: "failed",
};

/** `0`, `3 not asked`, or `3 (2 not asked, 1 failed)`. */
function unpairedCell(unpaired: DivergenceRow["unpaired"]): string {
  const parts = Object.entries(UNPAIRED_LABELS).flatMap(([key, label]) => {
    const count = unpaired[key as keyof typeof UNPAIRED_LABELS];
    return count > 0 ? [`${count} ${label}`] : [];
  });
  const total = Object.values(unpaired).reduce((sum, count) => sum + count, 0);
  if (parts.length <= 1) return parts[0] ?? "0";
  return `${total} (${parts.join(", ")})`;
}

/** `8 of 16 (1 cut at 2)`, or `8 of 8` when no reply was cut. */
function positionsCell(positions: DivergenceRow["positions"]): string {
  const scored = `${integer(positions.scored)} of ${integer(positions.replyTokens)}`;
  return positions.cap === null ? scored : `${scored} (${positions.cutItems} cut at ${positions.cap})`;
}
