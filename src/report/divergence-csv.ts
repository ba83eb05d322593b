/**
 * scores.csv's divergence columns (issue 18), written only when the run has divergence journals, after every other
 * column, so a run without them writes the same file as before. They are set on a task's own row (breakdown "all")
 * of each variant with a divergence row, empty elsewhere; numbers unrounded, KL and ln PPL ratio in nats, shares as
 * fractions.
 */
import type { IntervalEstimate } from "../metrics/index.ts";
import type { DivergenceReport } from "./divergence-types.ts";

export const DIVERGENCE_CSV_COLUMNS = [
  "divergence_n",
  "divergence_unpaired",
  "divergence_top_k",
  "divergence_positions_scored",
  "divergence_reply_tokens",
  "divergence_cut_replies",
  "mean_kl",
  "mean_kl_ci95_low",
  "mean_kl_ci95_high",
  "mean_max_kl",
  "mean_max_kl_ci95_low",
  "mean_max_kl_ci95_high",
  "top1_agreement",
  "top1_agreement_ci95_low",
  "top1_agreement_ci95_high",
  "any_disagreement",
  "any_disagreement_ci95_low",
  "any_disagreement_ci95_high",
  "ln_ppl_ratio",
  "ln_ppl_ratio_ci95_low",
  "ln_ppl_ratio_ci95_high",
  "divergence_flips",
  "kl_gap",
  "kl_gap_ci95_low",
  "kl_gap_ci95_high",
  "kl_flip_point_biserial",
] as const;

type Value = string | number | null | undefined;

/** The divergence cells of one CSV row: a task's row of `variant` (undefined: a breakdown row, all empty). */
export function divergenceCsvValues(divergence: DivergenceReport, task: string, variant: string | undefined): Value[] {
  const row = divergence.rows.find((r) => r.task === task && r.variant === variant);
  if (row === undefined) return DIVERGENCE_CSV_COLUMNS.map(() => undefined);
  const s = row.summary;
  const interval = (e: IntervalEstimate | null | undefined): Value[] => [e?.value, e?.low, e?.high];
  return [
    row.n,
    Object.values(row.unpaired).reduce((sum, count) => sum + count, 0),
    row.topK.join(" "),
    row.positions.scored,
    row.positions.replyTokens,
    row.positions.cutItems,
    ...interval(s?.meanKl),
    ...interval(s?.maxKl),
    ...interval(s?.top1Agreement),
    ...interval(s?.anyDisagreement),
    ...interval(s?.lnPplRatio),
    s?.flips.flipped,
    ...interval(s?.flips.klGap),
    s?.flips.pointBiserial,
  ];
}
