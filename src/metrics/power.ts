/**
 * What a paired comparison of n items can detect: the minimum detectable difference (MDE) of McNemar's test at 80%
 * power, α = 0.05 two-sided, from Connor's normal approximation. Pure.
 *
 * Connor, R. J. (1987). "Sample size for testing differences in proportions for the paired-sample design".
 * Biometrics 43(1), 207–211, p. 209: with ψ = p₁₀ + p₀₁ the probability that an item is discordant (one side right,
 * the other wrong) and δ = p₁₀ − p₀₁ the difference in accuracy,
 *
 *     n = ( z₁₋α/₂ · √ψ + z₁₋β · √(ψ − δ²) )² / δ².
 *
 * Solved for δ at a given n and ψ (square both sides of √n·δ − z₁₋α/₂√ψ = z₁₋β√(ψ − δ²); the larger root is the
 * one with √n·δ ≥ z₁₋α/₂√ψ):
 *
 *     δ = √ψ · K(n),   K(n) = ( z₁₋α/₂ · √n + z₁₋β · √(n − z₁₋α/₂² + z₁₋β²) ) / (n + z₁₋β²).
 *
 * A difference δ needs ψ ≥ |δ| (it is made of discordant items), so the smallest δ any discordance allows is the
 * one with ψ = δ, every discordant item going the same way: δ = K(n)². That is the best case for n items; below it
 * no paired test reaches 80% power, whatever the flips.
 */
import { Z_95 } from "./stats.ts";

/** Φ⁻¹(0.80), the one-sided normal quantile for 80% power (scipy.stats.norm.ppf(0.8) = 0.8416212335729143). */
export const Z_80 = 0.8416212335729143;
/** The power and two-sided level the report's MDE is computed at. */
export const MDE_POWER = 0.8;
export const MDE_ALPHA = 0.05;

/** Connor's (1987) n for a paired test to detect δ at discordance ψ (not rounded up). Needs 0 < |δ| ≤ ψ ≤ 1. */
export function connorSampleSize(delta: number, psi: number, zAlpha: number = Z_95, zPower: number = Z_80): number {
  const d = Math.abs(delta);
  if (!(d > 0 && d <= psi && psi <= 1))
    throw new RangeError(`connorSampleSize needs 0 < |delta| <= psi <= 1 (got delta=${delta}, psi=${psi})`);
  return ((zAlpha * Math.sqrt(psi) + zPower * Math.sqrt(psi - d * d)) / d) ** 2;
}

/** K(n) above: the detectable δ per √ψ at n items. Null when n is too small for any δ ≤ 1 to be detected. */
export function connorK(n: number, zAlpha: number = Z_95, zPower: number = Z_80): number | null {
  if (!(n > 0)) return null;
  const inner = n - zAlpha * zAlpha + zPower * zPower;
  if (inner < 0) return null;
  const k = (zAlpha * Math.sqrt(n) + zPower * Math.sqrt(inner)) / (n + zPower * zPower);
  return k < 1 ? k : null;
}

/** The δ Connor's formula gives at n and ψ (√ψ·K(n)), with no check that ψ ≥ δ; null when n is too small. */
export function connorDetectableDifference(
  n: number,
  psi: number,
  zAlpha: number = Z_95,
  zPower: number = Z_80,
): number | null {
  if (!(psi >= 0 && psi <= 1)) throw new RangeError(`psi must be in [0, 1] (got ${psi})`);
  const k = connorK(n, zAlpha, zPower);
  return k === null ? null : Math.sqrt(psi) * k;
}

/** The best case at n: every discordant item the same way (ψ = δ), δ = K(n)². Null when n is too small (n ≤ 3). */
export function mdeFloor(n: number, zAlpha: number = Z_95, zPower: number = Z_80): number | null {
  const k = connorK(n, zAlpha, zPower);
  return k === null ? null : k * k;
}

export interface Mde {
  /** The minimum detectable |Δ| as a fraction (0.185 = 18.5 pp). */
  value: number;
  /** "observed": at the discordance observed; "floor": the best case ψ = δ, because fewer items flipped than that δ needs. */
  basis: "observed" | "floor";
  /** The discordant share observed, (↓ + ↑) / paired n. */
  discordance: number;
}

/**
 * The MDE of a paired comparison at 80% power, α = 0.05 two-sided, with ψ = the discordant share observed. When
 * ψ is below the floor (including no flips at all), the δ at that ψ would need more discordant items than ψ
 * allows, so the answer is the floor: MDE = K(n)·√max(ψ, K(n)²). Null when nothing is paired or n ≤ 3.
 */
export function minimumDetectableDifference(paired: number, discordant: number): Mde | null {
  if (
    !Number.isInteger(paired) ||
    !Number.isInteger(discordant) ||
    paired < 0 ||
    discordant < 0 ||
    discordant > paired
  ) {
    throw new RangeError(
      `minimumDetectableDifference needs integers 0 <= discordant <= paired (got ${discordant}/${paired})`,
    );
  }
  const k = connorK(paired);
  if (k === null) return null;
  const discordance = discordant / paired;
  const floor = k * k;
  return discordance >= floor
    ? { value: k * Math.sqrt(discordance), basis: "observed", discordance }
    : { value: floor, basis: "floor", discordance };
}
