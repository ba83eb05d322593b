/**
 * Recovery: variant accuracy ÷ reference accuracy over the paired items (the "Recovery (%)" column of Red Hat /
 * Neural Magic model cards), with a paired bootstrap percentile interval on the ratio. Pure.
 *
 * Each resample of pairedReplicates gives both sides' sums over the same drawn items, and the ratio of the sums is
 * that resample's recovery (the n's cancel), so the interval keeps the pairing: an item both sides fail or pass
 * moves numerator and denominator together. Percentile interval, Efron & Tibshirani (1993) ch. 13.
 *
 * A resample whose reference accuracy is 0 (it drew only items the reference failed) has no finite ratio:
 * - if the variant got any of those items right, its recovery is +∞ and it stays in, so it sorts above every
 *   finite value; an upper bound that reaches it is +∞ ("unbounded above"), never a large finite number;
 * - if the variant got none right either, 0/0 says nothing about the ratio: the resample is left out of the interval
 *   and counted in `undefinedResamples`, so the report can say how many (a sizeable count means too few items).
 * When the reference accuracy itself is 0 there is no recovery at all (null), whatever the resamples.
 */

import type { PairedItemMeans, PairedReplicates } from "./item-means.ts";
import { sumOf } from "./item-means.ts";
import { percentile } from "./stats.ts";

export interface Recovery {
  /** Variant mean ÷ reference mean over the paired items (1 = all recovered; 0.97 = "97%"). */
  value: number;
  /** The two-sided 95% percentile interval; `high` is +∞ when the upper tail reaches resamples with reference 0. */
  ci95: { low: number; high: number };
  /** Resamples in which both sides scored 0, left out of the interval (see the file comment). */
  undefinedResamples: number;
}

/** Recovery with its interval; null when nothing is paired or the reference's accuracy is 0. */
export function recovery(pair: PairedItemMeans, replicates: PairedReplicates): Recovery | null {
  if (pair.reference.length === 0) return null;
  return recoveryOfSums({ reference: sumOf(pair.reference), variant: sumOf(pair.variant) }, replicates);
}

/**
 * The same from the two sides' totals (or means) and their resampled totals (or means), so a macro mean over tasks
 * (each task's mean, averaged, resampled within each task) has a recovery too. Null when the reference is 0.
 */
export function recoveryOfSums(
  point: { reference: number; variant: number },
  replicates: PairedReplicates,
): Recovery | null {
  if (point.reference === 0) return null;
  const ratios: number[] = [];
  let undefinedResamples = 0;
  for (let r = 0; r < replicates.reference.length; r++) {
    const reference = replicates.reference[r] ?? 0;
    const variant = replicates.variant[r] ?? 0;
    if (reference > 0) ratios.push(variant / reference);
    else if (variant > 0) ratios.push(Number.POSITIVE_INFINITY);
    else undefinedResamples += 1;
  }
  const value = point.variant / point.reference;
  // Every resample 0/0 (each drew only items both sides failed: possible only with very few items or resamples)
  // leaves no interval: say "anything from 0 up" rather than invent one.
  if (ratios.length === 0) return { value, ci95: { low: 0, high: Number.POSITIVE_INFINITY }, undefinedResamples };
  ratios.sort((a, b) => a - b);
  return {
    value,
    ci95: { low: percentileOrInfinity(ratios, 2.5), high: percentileOrInfinity(ratios, 97.5) },
    undefinedResamples,
  };
}

/**
 * numpy's linear percentile, except that a +∞ neighbour with any weight gives +∞ (linear interpolation towards ∞
 * would give NaN or a meaningless huge number). Only the upper tail can meet +∞; −∞ never occurs.
 */
function percentileOrInfinity(sorted: readonly number[], p: number): number {
  const rank = ((sorted.length - 1) * p) / 100;
  const below = sorted[Math.floor(rank)] ?? Number.NaN;
  const above = sorted[Math.ceil(rank)] ?? Number.NaN;
  if (below === Number.POSITIVE_INFINITY || (above === Number.POSITIVE_INFINITY && rank > Math.floor(rank)))
    return Number.POSITIVE_INFINITY;
  return percentile(sorted, p) ?? Number.NaN;
}
