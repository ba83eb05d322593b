/**
 * The 95% interval drawn around a paired delta in the charts and the HTML delta table. A bootstrap interval that
 * the summary carries on the delta is used as it is; without one, an interval is computed here from the paired
 * counts, and its method travels with it so every chart and table can say which it shows. Pure.
 */
import { Z_95 } from "../metrics/stats.ts";
import type { Delta } from "./summary.ts";

export type DeltaIntervalMethod = "bootstrap" | "agresti-min";

export interface DeltaInterval {
  /** Percentage points, variant − reference, like `deltaPp`. */
  lowPp: number;
  highPp: number;
  method: DeltaIntervalMethod;
}

/** How each method is named to the reader, in chart subtitles and table legends. */
export const DELTA_INTERVAL_LABEL: Record<DeltaIntervalMethod, string> = {
  "bootstrap": "paired bootstrap 95% interval",
  "agresti-min": "95% normal-approximation interval from the paired counts (Agresti–Min: +½ per cell)",
};

/** The interval of one delta; null when nothing is paired. */
export function deltaInterval(delta: Delta): DeltaInterval | null {
  if (delta.paired === 0 || delta.deltaPp === null) return null;
  return bootstrapInterval(delta, delta.deltaPp) ?? agrestiMinInterval(delta.referenceRightVariantWrong, delta.referenceWrongVariantRight, delta.paired);
}

/**
 * Agresti & Min (2005, Biometrics 61:515) for a difference of paired proportions: add ½ to each cell of the 2×2
 * table, then the Wald interval. Plain Wald collapses to [0, 0] when no item is discordant, which is exactly what a
 * small eval of two near-identical precisions shows; the ½ keeps the width honest there. It is centred on
 * (up − down)/(n + 2), a little nearer zero than Δ itself. Clamped to [−100, 100] pp.
 */
export function agrestiMinInterval(down: number, up: number, paired: number): DeltaInterval {
  const n = paired + 2;
  const b = down + 0.5;
  const c = up + 0.5;
  const centre = (c - b) / n;
  const half = (Z_95 * Math.sqrt(Math.max(0, b + c - ((c - b) ** 2) / n))) / n;
  return { lowPp: Math.max(-1, centre - half) * 100, highPp: Math.min(1, centre + half) * 100, method: "agresti-min" };
}

/**
 * A bootstrap interval that summary.ts may put on the delta (written while that field was being added): `ci95Pp`
 * in percentage points, or `ci95` in percentage points or as a fraction. Units of `ci95` are told apart by which
 * reading contains Δ (a bootstrap interval contains its point estimate); when both or neither do, a bound beyond
 * ±1 says percentage points.
 */
function bootstrapInterval(delta: Delta, deltaPp: number): DeltaInterval | null {
  const carrier: object = delta;
  if ("ci95Pp" in carrier) {
    const interval = asInterval(carrier.ci95Pp);
    if (interval !== null) return { lowPp: interval.low, highPp: interval.high, method: "bootstrap" };
  }
  if (!("ci95" in carrier)) return null;
  const interval = asInterval(carrier.ci95);
  if (interval === null) return null;
  const containsAsPp = interval.low <= deltaPp && deltaPp <= interval.high;
  const containsAsFraction = interval.low * 100 <= deltaPp && deltaPp <= interval.high * 100;
  const asFraction = containsAsFraction && !containsAsPp
    ? true
    : containsAsPp && !containsAsFraction ? false : Math.max(Math.abs(interval.low), Math.abs(interval.high)) <= 1;
  const scale = asFraction ? 100 : 1;
  return { lowPp: interval.low * scale, highPp: interval.high * scale, method: "bootstrap" };
}

function asInterval(value: unknown): { low: number; high: number } | null {
  if (typeof value !== "object" || value === null || !("low" in value) || !("high" in value)) return null;
  const { low, high } = value;
  if (typeof low !== "number" || typeof high !== "number" || !Number.isFinite(low) || !Number.isFinite(high) || low > high) return null;
  return { low, high };
}
