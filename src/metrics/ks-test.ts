/**
 * The one-sample Kolmogorov–Smirnov test: does a sample look drawn from a given continuous distribution? Used to
 * check that an open loop's arrival gaps are exponential at the asked rate. Pure.
 *
 * D = sup |F_n(x) − F(x)| over the sample's empirical CDF F_n. The p-value is the asymptotic Kolmogorov
 * distribution, P(K > λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2 j² λ²}, at λ = (√n + 0.12 + 0.11/√n) · D, Stephens' (1970)
 * small-sample correction as in Numerical Recipes (3rd ed., §14.3.3); it is accurate to a few percent from n ≈ 35.
 */

export interface KsResult {
  /** The largest distance between the empirical and the hypothesised CDF. */
  statistic: number;
  /** Asymptotic p-value: how often a sample of n from F lies at least this far from it. */
  pValue: number;
  n: number;
}

export function ksTest(sample: readonly number[], cdf: (x: number) => number): KsResult {
  const n = sample.length;
  if (n === 0) throw new RangeError("ksTest needs at least one value");
  const sorted = [...sample].sort((a, b) => a - b);
  let statistic = 0;
  for (const [i, x] of sorted.entries()) {
    const f = cdf(x);
    // Both sides of the empirical CDF's step at x: it jumps from i/n to (i+1)/n.
    statistic = Math.max(statistic, (i + 1) / n - f, f - i / n);
  }
  const root = Math.sqrt(n);
  return { statistic, pValue: kolmogorovTail((root + 0.12 + 0.11 / root) * statistic), n };
}

/** P(K > λ) for the Kolmogorov distribution; 1 for λ near 0, where the series converges too slowly to sum. */
export function kolmogorovTail(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = (j % 2 === 1 ? 2 : -2) * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/** The exponential CDF at `rate` (events per unit of x). */
export function exponentialCdf(rate: number): (x: number) => number {
  return (x) => (x <= 0 ? 0 : 1 - Math.exp(-rate * x));
}
