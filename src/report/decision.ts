/**
 * The figures a ship decision rests on, for one variant against the reference on one row: Δ on item means with its
 * item-clustered interval, recovery with its interval, and the non-inferiority verdict at the margin. Pure.
 */
import {
  clusteredDelta,
  exactUpperShare,
  type Margin,
  type NonInferiority,
  nonInferiority,
  type PairedItemMeans,
  type PairedReplicates,
  type Recovery,
  recovery,
} from "../metrics/index.ts";
import type { Decision, RecoveryFigure } from "./report-types.ts";

/**
 * `samples`: per item, 1 for sample 0; `mdePp`: the MDE at these samples, computed by the caller (McNemar's for one
 * sample, the design-effect one for several). Null when nothing is paired.
 */
export function decide(
  pair: PairedItemMeans,
  replicates: PairedReplicates,
  margin: Margin,
  samples: number,
  mdePp: number | null,
): Decision | null {
  const delta = clusteredDelta(pair, replicates);
  if (delta === null) return null;
  const recovered = recovery(pair, replicates);
  const interval = margin.kind === "pp" ? delta.ci95Pp : (recovered?.ci95 ?? null);
  const verdict = nonInferiority(pair, interval, margin);
  return {
    samples,
    paired: delta.paired,
    referenceMean: delta.referenceMean,
    variantMean: delta.variantMean,
    deltaPp: delta.deltaPp,
    ci95Pp: delta.ci95Pp,
    mdePp,
    recovery: withExactBound(recoveryFigure(recovered), verdict, delta),
    nonInferiority:
      verdict === null
        ? null
        : {
            verdict: verdict.verdict,
            basis: verdict.basis,
            interval: { low: verdict.interval.low, high: finiteOrNull(verdict.interval.high) },
            threshold: verdict.threshold,
            itemsNeeded: verdict.itemsNeeded,
          },
  };
}

/** A recovery as the report carries it: JSON has no ∞, so an upper bound unbounded above is null. */
export function recoveryFigure(recovered: Recovery | null): RecoveryFigure | null {
  if (recovered === null) return null;
  return {
    value: recovered.value,
    ci95: { low: recovered.ci95.low, high: finiteOrNull(recovered.ci95.high) },
    undefinedResamples: recovered.undefinedResamples,
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * When no item differs the bootstrap's ratio interval is [1, 1], the zero-width answer the verdict refuses to
 * trust: show the exact one instead, recovery within 1 ± ψ_U / reference mean (non-inferiority.ts), marked so.
 */
function withExactBound(
  figure: RecoveryFigure | null,
  verdict: NonInferiority | null,
  delta: { referenceMean: number; paired: number },
): RecoveryFigure | null {
  if (figure === null || verdict?.basis !== "no-item-differs") return figure;
  const bound = exactUpperShare(delta.paired) / delta.referenceMean;
  return { ...figure, ci95: { low: Math.max(0, 1 - bound), high: 1 + bound }, basis: "no-item-differs" };
}
