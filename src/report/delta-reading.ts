/** How a paired delta reads: McNemar's p and the bootstrap interval taken together. */
import { type DeltaReading, SIGNIFICANCE_LEVEL } from "./report-types.ts";

export function deltaReading(
  pValue: number | null,
  ci95Pp: { low: number; high: number } | null,
  alpha: number = SIGNIFICANCE_LEVEL,
): DeltaReading {
  if (pValue === null) return "nothing-paired";
  const testSaysNoise = pValue >= alpha;
  // No interval (no item flipped) is Δ = 0 on every resample: it covers 0.
  const intervalSaysNoise = ci95Pp === null || (ci95Pp.low <= 0 && ci95Pp.high >= 0);
  if (testSaysNoise && intervalSaysNoise) return "noise";
  if (!testSaysNoise && !intervalSaysNoise) return "difference";
  return "borderline";
}
