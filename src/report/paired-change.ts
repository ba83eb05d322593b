/**
 * The paired change of a per-item number (completion tokens, the share of samples truncated), variant − reference,
 * with a bootstrap clustered by item: each item counts once, by its mean over its samples, and a resample draws whole
 * items, so an item's samples move together (as item-means.ts does for correctness; Miller 2024, arXiv:2411.00640).
 * Percentile interval (Efron & Tibshirani 1993, ch. 13). Pure: the draws come from a seeded generator.
 */
import { itemSumReplicates, mean, meanOfReplicates, percentileInterval, seededRng } from "../metrics/index.ts";
import type { BootstrapSettings, PairedChange, TokenChange } from "./report-types.ts";

/** Per item, one value per sample that got a reply. */
export type ItemSamples = ReadonlyMap<string, readonly number[]>;

/** Each side's item means over the items both have a sample of, in the reference's order. */
export interface PairedValues {
  reference: Float64Array;
  variant: Float64Array;
}

/** What a change's interval is read from: one entry per resample, in the order drawn (so tasks can be stratified). */
export interface ChangeDraws {
  /** The reference's mean over the drawn items. */
  referenceMean: Float64Array;
  /** The variant's mean − the reference's mean over the drawn items. */
  change: Float64Array;
  /** Whether the item differences vary: when they do not, every resample gives the same change. */
  varies: boolean;
}

export function pairValues(reference: ItemSamples, variant: ItemSamples): PairedValues {
  const referenceMeans: number[] = [];
  const variantMeans: number[] = [];
  for (const [itemId, referenceSamples] of reference) {
    const r = mean(referenceSamples);
    const v = mean(variant.get(itemId) ?? []);
    if (r === null || v === null) continue;
    referenceMeans.push(r);
    variantMeans.push(v);
  }
  return { reference: Float64Array.from(referenceMeans), variant: Float64Array.from(variantMeans) };
}

/**
 * The draws of several quantities of the same paired items (each pair must list the same items in the same order),
 * from one generator: resample r draws the same items for every quantity.
 */
export function changeDraws(
  pairs: readonly PairedValues[],
  bootstrap: BootstrapSettings,
  stream: string,
): ChangeDraws[] {
  const columns = pairs.flatMap((p) => [p.reference, p.variant]);
  const sums = itemSumReplicates(columns, bootstrap.resamples, seededRng(bootstrap.seed, stream));
  return pairs.map((pair, q) => {
    const n = pair.reference.length;
    const referenceSums = sums[2 * q] ?? new Float64Array(bootstrap.resamples);
    const variantSums = sums[2 * q + 1] ?? new Float64Array(bootstrap.resamples);
    const referenceMean = referenceSums.map((s) => s / n);
    const change = variantSums.map((s, r) => (s - (referenceSums[r] ?? 0)) / n);
    const first = (pair.variant[0] ?? 0) - (pair.reference[0] ?? 0);
    const varies = pair.variant.some((v, i) => v - (pair.reference[i] ?? 0) !== first);
    return { referenceMean, change, varies };
  });
}

/** The change with its interval; null when nothing is paired. */
export function pairedChange(pair: PairedValues, draws: ChangeDraws): PairedChange | null {
  const referenceMean = mean(Array.from(pair.reference));
  const variantMean = mean(Array.from(pair.variant));
  if (referenceMean === null || variantMean === null) return null;
  return summarize(pair.reference.length, referenceMean, variantMean, draws);
}

/** pairedChange with the change relative to the reference's mean. */
export function tokenChange(pair: PairedValues, draws: ChangeDraws): TokenChange | null {
  const change = pairedChange(pair, draws);
  return change === null ? null : withRelative(change, draws);
}

/**
 * The unweighted mean over tasks of the task changes; resample r of it is the mean of every task's resample r
 * (stratified: items resampled within each task). Null when no task has a paired item.
 */
export function macroChange(
  tasks: readonly { change: PairedChange; draws: ChangeDraws }[],
): { change: PairedChange; draws: ChangeDraws } | null {
  const referenceMean = mean(tasks.map((t) => t.change.referenceMean));
  const variantMean = mean(tasks.map((t) => t.change.variantMean));
  if (referenceMean === null || variantMean === null) return null;
  const draws: ChangeDraws = {
    referenceMean: meanOfReplicates(tasks.map((t) => t.draws.referenceMean)),
    change: meanOfReplicates(tasks.map((t) => t.draws.change)),
    varies: tasks.some((t) => t.draws.varies),
  };
  const paired = tasks.reduce((total, t) => total + t.change.paired, 0);
  return { change: summarize(paired, referenceMean, variantMean, draws), draws };
}

export function withRelative(change: PairedChange, draws: ChangeDraws): TokenChange {
  const relative = change.referenceMean === 0 ? null : change.change / change.referenceMean;
  const ratios = draws.change.map((c, r) => c / (draws.referenceMean[r] ?? 0));
  const finite = ratios.every(Number.isFinite);
  return {
    ...change,
    relative,
    relativeCi95: change.ci95 !== null && relative !== null && finite ? percentileInterval(ratios, 0.95) : null,
  };
}

function summarize(paired: number, referenceMean: number, variantMean: number, draws: ChangeDraws): PairedChange {
  return {
    paired,
    referenceMean,
    variantMean,
    change: variantMean - referenceMean,
    ci95: draws.varies ? percentileInterval(draws.change, 0.95) : null,
  };
}
