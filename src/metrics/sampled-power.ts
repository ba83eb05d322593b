/**
 * The MDE of a paired comparison on item means with k samples per item: how much several samples buy. Pure.
 *
 * Each item's difference of means d_i = v̄_i − r̄_i varies for two reasons: items differ (between-item variance
 * σ²_b, which more samples cannot remove) and samples of one item differ (within-item variance σ²_w of one sample
 * pair, divided by k). Var(d_i) = σ²_b + σ²_w / k (Miller 2024, arXiv:2411.00640, on resampling answers).
 * Relative to n·k independent sample pairs that is Kish's design effect for clusters of size k (Kish 1965, "Survey
 * Sampling", ch. 5):
 *
 *     deff(k) = 1 + (k − 1)·ρ,   ρ = σ²_b / (σ²_b + σ²_w),   n_eff(k) = n·k / deff(k).
 *
 * The MDE is then Connor's (power.ts) at n_eff items and ψ₁, the chance that one reference sample and one variant
 * sample of a random item disagree: δ = K(n_eff)·√max(ψ₁, K(n_eff)²), the same rule and floor as
 * minimumDetectableDifference. With k = 1, n_eff = n and ψ₁ is the discordant share, so it is the sample-0 MDE.
 *
 * Estimates, per item with k_r, k_v ≥ 2 samples and means r̄, v̄: s² = p̄(1 − p̄)·k/(k − 1) (unbiased) on each
 * side; σ²_w = mean(s²_r + s²_v); σ²_b = max(0, var(d) − mean(s²_r/k_r + s²_v/k_v)) (method of moments, var with
 * n − 1); ψ₁ = mean(v̄(1 − r̄) + r̄(1 − v̄)) (the two sides' samples are independent given the item).
 */
import { averageCorrect } from "./item-means.ts";
import { connorK } from "./power.ts";

export interface VarianceComponents {
  items: number;
  /**
   * The effective samples per item, σ²_w / mean(s²_r/k_r + s²_v/k_v): k when every item has k on both sides; 1
   * when no item varies within (then ρ = 1 and k does not matter). Pass the run's own k to sampledMde.
   */
  samples: number;
  between: number;
  within: number;
  /** ψ₁: the chance one sample pair of a random item is discordant. */
  discordance: number;
}

/**
 * The variance components of paired item samples (maps from item id to that item's sample verdicts); only items on
 * both sides count. Null when fewer than two items pair, or an item has fewer than two samples on a side (its
 * within-item variance cannot be estimated; with one sample there is no design effect to find).
 */
export function varianceComponents(
  reference: ReadonlyMap<string, readonly boolean[]>,
  variant: ReadonlyMap<string, readonly boolean[]>,
): VarianceComponents | null {
  const differences: number[] = [];
  let withinPerSample = 0;
  let withinOfMean = 0;
  let discordance = 0;
  for (const [itemId, referenceSamples] of reference) {
    const variantSamples = variant.get(itemId);
    if (variantSamples === undefined) continue;
    if (referenceSamples.length < 2 || variantSamples.length < 2) return null;
    const r = averageCorrect(referenceSamples);
    const v = averageCorrect(variantSamples);
    const sR = (r * (1 - r) * referenceSamples.length) / (referenceSamples.length - 1);
    const sV = (v * (1 - v) * variantSamples.length) / (variantSamples.length - 1);
    differences.push(v - r);
    withinPerSample += sR + sV;
    withinOfMean += sR / referenceSamples.length + sV / variantSamples.length;
    discordance += v * (1 - r) + r * (1 - v);
  }
  const n = differences.length;
  if (n < 2) return null;
  const meanDifference = differences.reduce((s, d) => s + d, 0) / n;
  const varianceOfDifferences = differences.reduce((s, d) => s + (d - meanDifference) ** 2, 0) / (n - 1);
  const within = withinPerSample / n;
  return {
    items: n,
    samples: withinOfMean === 0 ? 1 : withinPerSample / withinOfMean,
    between: Math.max(0, varianceOfDifferences - withinOfMean / n),
    within,
    discordance: discordance / n,
  };
}

export interface SampledMde {
  /** The minimum detectable |Δ| as a fraction, at 80% power and α = 0.05 two-sided. */
  value: number;
  basis: "observed" | "floor";
  designEffect: number;
  effectiveItems: number;
}

/** The MDE with `samples` per item (the observed k, or another k to plan with); null when n_eff is too small. */
export function sampledMde(components: VarianceComponents, samples: number): SampledMde | null {
  if (!(Number.isInteger(samples) && samples >= 1))
    throw new RangeError(`samples must be an integer ≥ 1 (got ${samples})`);
  const total = components.between + components.within;
  const rho = total === 0 ? 0 : components.between / total;
  const designEffect = 1 + (samples - 1) * rho;
  const effectiveItems = (components.items * samples) / designEffect;
  const k = connorK(effectiveItems);
  if (k === null) return null;
  const floor = k * k;
  return components.discordance >= floor
    ? { value: k * Math.sqrt(components.discordance), basis: "observed", designEffect, effectiveItems }
    : { value: floor, basis: "floor", designEffect, effectiveItems };
}
