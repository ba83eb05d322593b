/**
 * Small, pure statistics for the report: Wilson score intervals for accuracies, McNemar's exact test for paired
 * accuracy deltas, and numpy-compatible percentiles for latency figures. No I/O, no randomness.
 */

/** The two-sided 95% normal quantile, Φ⁻¹(0.975), as scipy/statsmodels use it (not the rounded 1.96). */
export const Z_95 = 1.959963984540054;

/** Five numbers describing a sample; all null when the sample is empty. */
export interface Stats {
  p50: number | null;
  p95: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
}

/**
 * Wilson score interval for a binomial proportion (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it over the
 * Wald interval, which collapses to a zero-width [0,0] or [1,1] at 0/n and n/n, exactly where small evals land).
 * n = 0 says nothing, so the interval is all of [0, 1].
 */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): { low: number; high: number } {
  if (!Number.isInteger(successes) || !Number.isInteger(n) || n < 0 || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval needs integers 0 <= successes <= n (got ${successes}/${n})`);
  }
  if (!(z > 0)) throw new RangeError(`wilsonInterval needs z > 0 (got ${z})`);
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0/n and n/n the bound is exactly 0 or 1 in exact arithmetic; pin it so rounding cannot print 100.0% as 99.99…
  return {
    low: successes === 0 ? 0 : Math.max(0, center - half),
    high: successes === n ? 1 : Math.min(1, center + half),
  };
}

/**
 * McNemar's exact test (two-sided) on the discordant pairs of a paired comparison: b items only the first got
 * right, c only the second. Under "no difference" each discordant item is a fair coin, so the p-value is
 * min(1, 2·P[X ≤ min(b, c)]) with X ~ Binomial(b + c, ½), as statsmodels' `mcnemar(exact=True)` computes it.
 * Concordant items carry no information about the difference and do not enter.
 */
export function mcnemarExactP(b: number, c: number): number {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) {
    throw new RangeError(`mcnemarExactP needs non-negative integer counts (got b=${b}, c=${c})`);
  }
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // Sum the pmf terms k, k-1, …, 0 relative to term k (they shrink going down), then scale by pmf(k) in log space:
  // 2^-n and C(n, k) under/overflow doubles long before n reaches the size of MMLU-Pro.
  let relative = 1;
  let sum = 1;
  for (let i = k; i > 0; i--) {
    relative *= i / (n - i + 1);
    sum += relative;
    if (relative < sum * Number.EPSILON) break;
  }
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log((n - k + i) / i);
  const cdf = Math.exp(logChoose - n * Math.LN2) * sum;
  return Math.min(1, 2 * cdf);
}

/**
 * The p-th percentile (0 ≤ p ≤ 100) of an ascending array, interpolating linearly between closest ranks: numpy's
 * default (`method="linear"`), so figures match the users' Python scripts. Null for an empty array.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile needs 0 <= p <= 100 (got ${p})`);
  if (sorted.length === 0) return null;
  const rank = ((sorted.length - 1) * p) / 100;
  const lowIndex = Math.floor(rank);
  const low = sorted[lowIndex];
  const high = sorted[Math.min(lowIndex + 1, sorted.length - 1)];
  if (low === undefined || high === undefined) return null;
  const fraction = rank - lowIndex;
  // numpy's lerp: interpolate from the nearer end, which keeps the result inside [low, high] under rounding.
  return fraction < 0.5 ? low + (high - low) * fraction : high - (high - low) * (1 - fraction);
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : sum(values) / values.length;
}

/** p50, p95, mean, min and max of a sample in any order. */
export function describe(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: mean(sorted),
    min: sorted[0] ?? null,
    max: sorted[sorted.length - 1] ?? null,
  };
}

/** Sample standard deviation (n − 1 in the denominator, numpy's `std(ddof=1)`); null for fewer than two values. */
export function sampleStandardDeviation(values: readonly number[]): number | null {
  const m = mean(values);
  if (m === null || values.length < 2) return null;
  let squares = 0;
  for (const value of values) squares += (value - m) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}
