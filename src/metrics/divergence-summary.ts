/**
 * Divergence of one variant on one task, over its items' figures from divergence.ts (issue 18): means with percentile
 * bootstrap 95% intervals over items, the share of items whose greedy tokens ever differ, and whether the items that
 * flipped (graded differently from the reference) diverged more. Pure: the bootstrap is seeded (bootstrap.ts).
 *
 * "Diverged more" is measured two ways. klGap is the difference in mean per-item KL, flipped minus unflipped, with a
 * percentile bootstrap interval (items resampled together, so the two groups' sizes vary between resamples; a
 * resample that draws no flipped or no unflipped item has no gap and is left out, which conditions the interval on
 * both groups being present: with a handful of flips it is wide and only roughly 95%). pointBiserial is the
 * point-biserial correlation of per-item mean KL with the 0/1 flip, the same comparison on a −1…1 scale, as a
 * point estimate only.
 *
 * lnPplRatio is the mean over items of each item's ln(PPL(variant)/PPL(reference)) on the reference's reply, so
 * every item weighs the same; llama.cpp's "Mean ln(PPL(Q)/PPL(base))" pools the tokens instead, so long replies
 * weigh more there.
 */
import { itemSumReplicates, percentileInterval, seededRng } from "./bootstrap.ts";
import type { ItemDivergence } from "./divergence.ts";

export interface DivergenceItem {
  divergence: Pick<ItemDivergence, "meanKl" | "maxKl" | "top1Agreement" | "firstDivergence">;
  /** The variant's grade differs from the reference's on this item. */
  flipped: boolean;
  /** ln(PPL(variant)/PPL(reference)) of the reference's reply (itemLnPplRatio); absent or null: not known. */
  lnPplRatio?: number | null;
}

/** A point estimate and its bootstrap interval. */
export interface IntervalEstimate {
  value: number;
  low: number;
  high: number;
}

export interface DivergenceSummary {
  items: number;
  meanKl: IntervalEstimate;
  maxKl: IntervalEstimate;
  top1Agreement: IntervalEstimate;
  /** Share of items with at least one position where the top-1 tokens differ. */
  anyDisagreement: IntervalEstimate;
  /** Mean over items of ln(PPL(variant)/PPL(reference)); null unless every item has one. */
  lnPplRatio: IntervalEstimate | null;
  flips: {
    flipped: number;
    /** Mean per-item KL of flipped items minus that of unflipped ones; null unless both groups are present. */
    klGap: IntervalEstimate | null;
    /** Point-biserial r of per-item mean KL with flipping; null unless both groups are present and KL varies. */
    pointBiserial: number | null;
  };
}

export interface DivergenceSummaryOptions {
  resamples: number;
  seed: number;
  /** The generator stream, e.g. "divergence/<task>/<variant>", so adding a variant does not move another's interval. */
  stream: string;
  level?: number;
}

/** The per-task, per-variant divergence figures; throws when there are no items. */
export function summarizeDivergence(
  items: readonly DivergenceItem[],
  options: DivergenceSummaryOptions,
): DivergenceSummary {
  const n = items.length;
  if (n === 0) throw new RangeError("summarizeDivergence needs at least one item");
  const column = (value: (item: DivergenceItem) => number) => Float64Array.from(items, value);
  const columns = [
    column((item) => item.divergence.meanKl),
    column((item) => item.divergence.maxKl),
    column((item) => item.divergence.top1Agreement),
    column((item) => (item.divergence.firstDivergence === null ? 0 : 1)),
    column((item) => (item.flipped ? 1 : 0)),
    column((item) => (item.flipped ? item.divergence.meanKl : 0)),
    // Last, so the columns before it draw the same resamples with or without it.
    column((item) => item.lnPplRatio ?? 0),
  ];
  const everyLnPplRatio = items.every((item) => typeof item.lnPplRatio === "number");
  const sums = itemSumReplicates(columns, options.resamples, seededRng(options.seed, options.stream));
  const estimate = (c: number): IntervalEstimate => ({
    value: sumOf(columns[c]) / n,
    ...percentileInterval(
      at(sums, c).map((sum) => sum / n),
      options.level,
    ),
  });
  const [kl, flips, flippedKl] = [at(sums, 0), at(sums, 4), at(sums, 5)];
  const gaps: number[] = [];
  for (let r = 0; r < options.resamples; r++) {
    const gap = klGap(kl[r] ?? 0, flips[r] ?? 0, flippedKl[r] ?? 0, n);
    if (gap !== null) gaps.push(gap);
  }
  const flipped = sumOf(columns[4]);
  const pointGap = klGap(sumOf(columns[0]), flipped, sumOf(columns[5]), n);
  return {
    items: n,
    meanKl: estimate(0),
    maxKl: estimate(1),
    top1Agreement: estimate(2),
    anyDisagreement: estimate(3),
    lnPplRatio: everyLnPplRatio ? estimate(6) : null,
    flips: {
      flipped,
      klGap:
        pointGap === null || gaps.length === 0
          ? null
          : { value: pointGap, ...percentileInterval(Float64Array.from(gaps), options.level) },
      pointBiserial: pointBiserial(columns[0], columns[4]),
    },
  };
}

/** Mean KL of the flipped items minus that of the rest, from sums; null when either group is empty. */
function klGap(klSum: number, flipped: number, flippedKlSum: number, n: number): number | null {
  if (flipped === 0 || flipped === n) return null;
  return flippedKlSum / flipped - (klSum - flippedKlSum) / (n - flipped);
}

/**
 * r_pb = (M₁ − M₀)/s · √(p(1 − p)), s the population standard deviation of x and p the share with y = 1: Pearson's
 * r of x with a 0/1 variable, written the way it is usually quoted.
 */
export function pointBiserial(x: Float64Array | undefined, y: Float64Array | undefined): number | null {
  if (x === undefined || y === undefined || x.length !== y.length || x.length === 0) return null;
  const n = x.length;
  const ones = sumOf(y);
  if (ones === 0 || ones === n) return null;
  const mean = sumOf(x) / n;
  let squares = 0;
  let onesSum = 0;
  for (let i = 0; i < n; i++) {
    squares += ((x[i] ?? 0) - mean) ** 2;
    if (y[i] === 1) onesSum += x[i] ?? 0;
  }
  const sd = Math.sqrt(squares / n);
  if (sd === 0) return null;
  const p = ones / n;
  const gap = onesSum / ones - (sumOf(x) - onesSum) / (n - ones);
  return (gap / sd) * Math.sqrt(p * (1 - p));
}

function at(arrays: readonly Float64Array[], index: number): Float64Array {
  const array = arrays[index];
  if (array === undefined) throw new RangeError(`no replicate column ${index}`);
  return array;
}

function sumOf(values: Float64Array | undefined): number {
  let sum = 0;
  for (const value of values ?? []) sum += value;
  return sum;
}
