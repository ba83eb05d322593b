/**
 * Non-inferiority of a variant to the reference on one task: is the variant at most a margin worse? Pure.
 *
 * The margin is either absolute, in percentage points of accuracy (Δ = variant − reference > −M), or relative, as a
 * recovery (variant ÷ reference > m, e.g. 0.99). The verdict reads the paired two-sided 95% percentile interval of
 * the same quantity (Δ pp from clusteredDelta, recovery from recovery.ts), as in the CONSORT extension for
 * non-inferiority trials (Piaggio et al. 2012, JAMA 308(24):2594–2604, fig. 1):
 * - "non-inferior": the lower bound is above the threshold (−M pp, or m);
 * - "inferior": the upper bound is below it (worse than the margin allows, beyond noise);
 * - "inconclusive": the interval straddles it; more items are needed (see itemsNeeded).
 * Using the lower bound of a two-sided 95% interval is a one-sided test at 97.5% confidence (α = 0.025 one-sided),
 * the level regulators ask of non-inferiority claims (ICH E9 §5.5; FDA, "Non-Inferiority Clinical Trials to
 * Establish Effectiveness", 2016). A bound exactly on the threshold decides nothing: the tests are strict.
 *
 * When no item differs between the two sides, every resample is the sample and the bootstrap interval has width 0,
 * which would call 20 agreeing items non-inferior. Then the interval comes instead from the exact one-sided 97.5%
 * upper bound on the share of items that differ, ψ_U = 1 − 0.025^(1/n) (Clopper & Pearson 1934 with 0 successes;
 * ≈ 3.69/n, the "rule of three" at 97.5%): |Δ| ≤ ψ_U, since an item mean moves by at most 1. For a relative margin
 * that is recovery within 1 ± ψ_U / reference accuracy, taking the reference accuracy as known.
 */
import type { PairedItemMeans } from "./item-means.ts";
import { sumOf } from "./item-means.ts";
import { Z_80 } from "./power.ts";
import { wilsonInterval, Z_95 } from "./stats.ts";

export type Margin = { kind: "pp"; pp: number } | { kind: "recovery"; ratio: number };
/** `report.margin` when the config says nothing: 1 percentage point. */
export const DEFAULT_MARGIN: Margin = { kind: "pp", pp: 1 };
/** The one-sided level of the verdicts: the lower bound of the two-sided 95% interval. */
export const ONE_SIDED_LEVEL = 0.975;

export type Verdict = "non-inferior" | "inferior" | "inconclusive";
export type NonInferiorityBasis = "bootstrap" | "no-item-differs" | "unseen-direction";

export interface NonInferiority {
  verdict: Verdict;
  /**
   * Where the interval came from: the bootstrap; the exact bound when no item differs; or the bootstrap widened on
   * the side no item went ("unseen-direction", see guardUnseenDirection).
   */
  basis: NonInferiorityBasis;
  /** The interval the verdict read, on the margin's scale: Δ in pp, or recovery as a ratio. */
  interval: { low: number; high: number };
  /** −M (pp) or m (ratio): the value the bounds are compared with. */
  threshold: number;
  /** Paired items needed in all to decide at 80% power if the observed differences held; null when never. */
  itemsNeeded: number | null;
}

/**
 * The verdict for one variant × task. `interval` is the two-sided 95% percentile interval of Δ pp (pp margin) or of
 * recovery (relative margin) from the paired bootstrap, or null when the bootstrap had none (no item differs).
 */
export function nonInferiority(
  pair: PairedItemMeans,
  interval: { low: number; high: number } | null,
  margin: Margin,
): NonInferiority | null {
  checkMargin(margin);
  const n = pair.reference.length;
  if (n === 0) return null;
  const referenceMean = sumOf(pair.reference) / n;
  if (margin.kind === "recovery" && referenceMean === 0) return null; // no recovery to compare (recovery.ts)
  const threshold = margin.kind === "pp" ? -margin.pp : margin.ratio;
  const marginAbsolute = margin.kind === "pp" ? margin.pp / 100 : (1 - margin.ratio) * referenceMean;
  if (!anyItemDiffers(pair)) {
    const psiUpper = exactUpperShare(n);
    const bound = margin.kind === "pp" ? psiUpper * 100 : psiUpper / referenceMean;
    const centre = margin.kind === "pp" ? 0 : 1;
    const exact = { low: centre - bound, high: centre + bound };
    return {
      verdict: verdictOf(exact, threshold),
      basis: "no-item-differs",
      interval: exact,
      threshold,
      itemsNeeded: itemsNeededWithoutDifferences(marginAbsolute),
    };
  }
  if (interval === null) throw new RangeError("nonInferiority needs the bootstrap interval when items differ");
  const guarded = guardUnseenDirection(pair, interval, margin, referenceMean);
  return {
    verdict: verdictOf(guarded.interval, threshold),
    basis: guarded.basis,
    interval: guarded.interval,
    threshold,
    itemsNeeded: itemsNeeded(pair, margin),
  };
}

/**
 * ψ_U = 1 − 0.025^(1/n): the exact one-sided 97.5% upper bound on a share of n items of which none was seen
 * (Clopper & Pearson 1934 with 0 successes), the bound the verdict and the recovery interval use where the bootstrap
 * cannot see a direction.
 */
export function exactUpperShare(n: number): number {
  return 1 - (1 - ONE_SIDED_LEVEL) ** (1 / n);
}

export function verdictOf(interval: { low: number; high: number }, threshold: number): Verdict {
  if (interval.low > threshold) return "non-inferior";
  if (interval.high < threshold) return "inferior";
  return "inconclusive";
}

/**
 * Items needed to decide, from the observed per-item differences. The decision is a one-sided test of the per-item
 * contrast X_i = (v_i − r_i) + M (pp margin, M as a fraction) or X_i = v_i − m·r_i (relative margin: recovery > m
 * exactly when the contrast's mean is > 0), with v_i, r_i the item means. With μ and σ² the observed mean and
 * variance (n in the denominator) of X, the one-sided z-test at α = 0.025 reaches power 1 − β = 0.8 at
 *
 *     n = ( (z₀.₉₇₅ + z₀.₈) · σ / μ )²,   rounded up
 *
 * (the one-sample normal sample size, e.g. Chow, Shao & Wang 2008, "Sample Size Calculations in Clinical
 * Research", 2nd ed., §3.1). With one sample per item and a pp margin, σ² = ψ − δ² and μ = δ + M, ψ the share of
 * discordant pairs (↓ + ↑)/n and δ = (↑ − ↓)/n: the Wald variance of a paired difference of proportions (Agresti
 * 2002, §10.1.1), so n = (z₀.₉₇₅ + z₀.₈)² (ψ − δ²) / (δ + M)²: the Wald (unrestricted-variance) form of the
 * McNemar-type non-inferiority sample size of Nam (1997, Biometrics 53:1422–1430) and Liu, Hsueh, Hsieh & Chen
 * (2002, Stat. Med. 21:231–245), who use the variance restricted to the null and get somewhat larger n near the
 * margin. With μ < 0 it is the n to show inferiority. Null when μ = 0: at the observed difference no n decides.
 */
export function itemsNeeded(pair: PairedItemMeans, margin: Margin): number | null {
  checkMargin(margin);
  const n = pair.reference.length;
  if (n === 0) return null;
  // X_i = (v_i − c·r_i) + offset: sum the part that varies, add the margin's constant once, so a difference exactly
  // on the margin gives μ = 0 exactly (−1/100 + 1/100) rather than a rounding residue that asks for 10³³ items.
  const c = margin.kind === "pp" ? 1 : margin.ratio;
  const offset = margin.kind === "pp" ? margin.pp / 100 : 0;
  let total = 0;
  for (let i = 0; i < n; i++) total += (pair.variant[i] ?? 0) - c * (pair.reference[i] ?? 0);
  const mean = total / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += ((pair.variant[i] ?? 0) - c * (pair.reference[i] ?? 0) - mean) ** 2;
  const mu = mean + offset;
  // Item means are multiples of 1/k at best; a μ within 10⁻¹² of 0 is on the margin, not a rounding away from it.
  if (Math.abs(mu) < 1e-12) return null;
  return Math.max(1, Math.ceil((((Z_95 + Z_80) * Math.sqrt(squares / n)) / mu) ** 2));
}

/** With no item differing so far: the n at which ψ_U = 1 − 0.025^(1/n) drops below the margin (as a fraction). */
function itemsNeededWithoutDifferences(marginAbsolute: number): number | null {
  if (!(marginAbsolute > 0)) return null;
  if (marginAbsolute >= 1) return 1;
  return Math.floor(Math.log(1 - ONE_SIDED_LEVEL) / Math.log(1 - marginAbsolute)) + 1;
}

/**
 * The bootstrap never draws a difference the sample lacks: when no item went worse on the variant, every resample
 * has Δ ≥ 0 and the lower bound clears any margin, so 29 agreeing items and 1 improved one would be "non-inferior".
 * On the side no item went, the bound is widened to what the exact one-sided 97.5% bound on that direction's share
 * allows: with no item worse, the chance an item is worse may still be ψ_U = 1 − 0.025^(1/n) (Clopper & Pearson
 * 1934 with 0 successes), so Δ ≥ (share better, at its lower bound) − ψ_U. With one sample per item the share
 * better is a proportion and its lower bound is Wilson's (1927) 95% one (one-sided 97.5%); with item means the
 * share-better term is dropped (Δ ≥ −ψ_U), which is conservative. The same, mirrored, when no item went better.
 * For a recovery margin the Δ bound is carried to the ratio as 1 + Δ / reference mean.
 */
function guardUnseenDirection(
  pair: PairedItemMeans,
  interval: { low: number; high: number },
  margin: Margin,
  referenceMean: number,
): { interval: { low: number; high: number }; basis: NonInferiorityBasis } {
  const n = pair.reference.length;
  let worse = 0;
  let better = 0;
  let binary = true;
  for (let i = 0; i < n; i++) {
    const r = pair.reference[i] ?? 0;
    const v = pair.variant[i] ?? 0;
    if (v < r) worse += 1;
    else if (v > r) better += 1;
    if ((r !== 0 && r !== 1) || (v !== 0 && v !== 1)) binary = false;
  }
  if (worse > 0 && better > 0) return { interval, basis: "bootstrap" };
  const psiUpper = exactUpperShare(n);
  const seenShare = (count: number) => (binary ? wilsonInterval(count, n).low : 0);
  // Δ as a fraction; onScale puts it on the margin's scale (pp, or a recovery ratio).
  const onScale = (delta: number) => (margin.kind === "pp" ? delta * 100 : 1 + delta / referenceMean);
  if (worse === 0) {
    const low = onScale(seenShare(better) - psiUpper);
    return low < interval.low
      ? { interval: { low, high: interval.high }, basis: "unseen-direction" }
      : { interval, basis: "bootstrap" };
  }
  const high = onScale(psiUpper - seenShare(worse));
  return high > interval.high
    ? { interval: { low: interval.low, high }, basis: "unseen-direction" }
    : { interval, basis: "bootstrap" };
}

function anyItemDiffers(pair: PairedItemMeans): boolean {
  for (let i = 0; i < pair.reference.length; i++) if (pair.reference[i] !== pair.variant[i]) return true;
  return false;
}

function checkMargin(margin: Margin): void {
  if (margin.kind === "pp" && !(margin.pp >= 0 && margin.pp < 100))
    throw new RangeError(`a margin in pp must be in [0, 100) (got ${margin.pp})`);
  if (margin.kind === "recovery" && !(margin.ratio > 0 && margin.ratio <= 1))
    throw new RangeError(`a recovery margin must be in (0, 1] (got ${margin.ratio})`);
}
