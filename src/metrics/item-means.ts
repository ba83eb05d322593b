/**
 * avg@n and the paired comparison on item means: with several samples per item, each item counts once, by its mean
 * correctness over its samples, and the bootstrap resamples items (all of an item's samples move together). Pure.
 *
 * Why by item: the samples of one item are correlated (an item the model cannot do fails in every sample), so
 * treating n items × k samples as n·k independent verdicts would make intervals too narrow. Miller (2024), "Adding
 * Error Bars to Evals: A Statistical Approach to Language Model Evaluations", arXiv:2411.00640 (clustered
 * standard errors; resampling answers to cut the within-question variance), and Efron & Tibshirani (1993)
 * ch. 13 for the percentile interval. With one sample per item this is exactly the paired bootstrap of bootstrap.ts.
 */
import { itemSumReplicates, percentileInterval, seededRng } from "./bootstrap.ts";

/** The items both sides have, in the reference's order, with each side's mean correctness (avg@n) per item. */
export interface PairedItemMeans {
  itemIds: string[];
  reference: Float64Array;
  variant: Float64Array;
}

/** Both sides' column sums on each bootstrap resample of the paired items (see itemSumReplicates). */
export interface PairedReplicates {
  reference: Float64Array;
  variant: Float64Array;
}

export interface BootstrapOptions {
  resamples: number;
  seed: number;
  /** The delta's stream name (task, breakdown, variant), as for the sample-0 deltas. */
  stream: string;
}

/** avg@n of one item: the share of its samples graded correct. Throws on an item with no samples. */
export function averageCorrect(samples: readonly boolean[]): number {
  if (samples.length === 0) throw new RangeError("avg@n needs at least one sample of the item");
  let correct = 0;
  for (const sample of samples) if (sample) correct += 1;
  return correct / samples.length;
}

/**
 * Pairs two maps from item id to the item's sample verdicts; an item absent from either side (or with no samples on
 * one side, e.g. every request failed) is not paired, as pairedDelta does for one sample.
 */
export function pairItemMeans(
  reference: ReadonlyMap<string, readonly boolean[]>,
  variant: ReadonlyMap<string, readonly boolean[]>,
): PairedItemMeans {
  const itemIds: string[] = [];
  const referenceMeans: number[] = [];
  const variantMeans: number[] = [];
  for (const [itemId, referenceSamples] of reference) {
    const variantSamples = variant.get(itemId);
    if (variantSamples === undefined || variantSamples.length === 0 || referenceSamples.length === 0) continue;
    itemIds.push(itemId);
    referenceMeans.push(averageCorrect(referenceSamples));
    variantMeans.push(averageCorrect(variantSamples));
  }
  return { itemIds, reference: Float64Array.from(referenceMeans), variant: Float64Array.from(variantMeans) };
}

/**
 * One sample per item as item means: the paired 0/1 counts laid out as ↓ items, ↑ items, both right, both wrong,
 * the layout pairedBootstrapReplicates uses, so a resample of these columns is the same resample as there.
 */
export function itemMeansFromCounts(counts: {
  paired: number;
  down: number;
  up: number;
  bothRight: number;
}): PairedItemMeans {
  const { paired, down, up, bothRight } = counts;
  if (![paired, down, up, bothRight].every((x) => Number.isInteger(x) && x >= 0) || down + up + bothRight > paired)
    throw new RangeError(
      `paired counts need integers with down + up + bothRight <= paired (got ${JSON.stringify(counts)})`,
    );
  const layout: [number, number, number][] = [
    [down, 1, 0],
    [up, 0, 1],
    [bothRight, 1, 1],
    [paired - down - up - bothRight, 0, 0],
  ];
  const reference = new Float64Array(paired);
  const variant = new Float64Array(paired);
  let at = 0;
  for (const [count, r, v] of layout) {
    reference.fill(r, at, at + count);
    variant.fill(v, at, at + count);
    at += count;
  }
  return { itemIds: Array.from({ length: paired }, (_, i) => `#${i}`), reference, variant };
}

/** The reference's and the variant's sums over the items of each resample, from the delta's own stream. */
export function pairedReplicates(pair: PairedItemMeans, options: BootstrapOptions): PairedReplicates {
  const [reference, variant] = itemSumReplicates(
    [pair.reference, pair.variant],
    options.resamples,
    seededRng(options.seed, options.stream),
  );
  if (reference === undefined || variant === undefined) throw new RangeError("itemSumReplicates lost a column");
  return { reference, variant };
}

export interface ClusteredDelta {
  paired: number;
  /** Mean avg@n of each side over the paired items, as fractions. */
  referenceMean: number;
  variantMean: number;
  /** (variant − reference) mean in percentage points. */
  deltaPp: number;
  /** The 95% percentile interval of Δ pp from the item bootstrap; null when no item differs (every resample is 0). */
  ci95Pp: { low: number; high: number } | null;
}

/** Δ pp on item means with its clustered 95% interval; null when nothing is paired. */
export function clusteredDelta(pair: PairedItemMeans, replicates: PairedReplicates): ClusteredDelta | null {
  const n = pair.reference.length;
  if (n === 0) return null;
  const referenceMean = sumOf(pair.reference) / n;
  const variantMean = sumOf(pair.variant) / n;
  let anyDiffers = false;
  for (let i = 0; i < n; i++) if (pair.reference[i] !== pair.variant[i]) anyDiffers = true;
  const deltas = deltaReplicates(replicates, n);
  return {
    paired: n,
    referenceMean,
    variantMean,
    // From the sums, as pairedDelta computes Δ: 16 of 20 against 20 of 20 is −20 exactly, not −19.999999999999996.
    deltaPp: ((sumOf(pair.variant) - sumOf(pair.reference)) / n) * 100,
    ci95Pp: anyDiffers ? percentileInterval(deltas, 0.95) : null,
  };
}

/**
 * Each resample's Δ in pp, (variant sum − reference sum) / n · 100: with one sample per item laid out by
 * itemMeansFromCounts, exactly pairedBootstrapReplicates' draws from the same stream.
 */
export function deltaReplicates(replicates: PairedReplicates, n: number): Float64Array {
  const deltas = new Float64Array(replicates.reference.length);
  for (let r = 0; r < deltas.length; r++)
    deltas[r] = (((replicates.variant[r] ?? 0) - (replicates.reference[r] ?? 0)) / n) * 100;
  return deltas;
}

export function sumOf(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
