/**
 * The 95% interval drawn around a paired delta in the charts and the HTML delta table. The paired bootstrap
 * interval the summary carries on the delta is used as it is; where it has none (no item flipped, so every resample
 * is 0), an interval is computed here from the paired counts. The method travels with the interval so every chart
 * and table says which it shows. Pure.
 */
import { Z_95 } from "../metrics/index.ts";
import type { Delta } from "./report-types.ts";

export type DeltaIntervalMethod = "bootstrap" | "agresti-min";

export interface DeltaInterval {
  /** Percentage points, variant − reference, like `deltaPp`. */
  lowPp: number;
  highPp: number;
  method: DeltaIntervalMethod;
}

/** How each method is named to the reader, in chart subtitles and table legends. */
export const DELTA_INTERVAL_LABEL: Record<DeltaIntervalMethod, string> = {
  bootstrap: "paired bootstrap 95% percentile interval",
  "agresti-min": "95% normal approximation from the paired counts (Agresti–Min, +½ per cell)",
};

/** What the whiskers or interval cells show, given the methods their intervals used: one clause per method. */
export function describeIntervals(methods: Iterable<DeltaIntervalMethod>): string[] {
  const used = new Set(methods);
  if (used.has("bootstrap") && used.has("agresti-min")) {
    return [
      DELTA_INTERVAL_LABEL.bootstrap,
      `where no item flipped (the bootstrap then has no interval): ${DELTA_INTERVAL_LABEL["agresti-min"]}`,
    ];
  }
  if (used.has("bootstrap")) return [DELTA_INTERVAL_LABEL.bootstrap];
  if (used.has("agresti-min")) return [DELTA_INTERVAL_LABEL["agresti-min"]];
  return ["no interval (nothing paired)"];
}

/** The interval of one delta; null when nothing is paired. */
export function deltaInterval(delta: Delta): DeltaInterval | null {
  if (delta.paired === 0 || delta.deltaPp === null) return null;
  return (
    bootstrapInterval(delta) ??
    agrestiMinInterval(delta.referenceRightVariantWrong, delta.referenceWrongVariantRight, delta.paired)
  );
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
  const half = (Z_95 * Math.sqrt(Math.max(0, b + c - (c - b) ** 2 / n))) / n;
  return { lowPp: Math.max(-1, centre - half) * 100, highPp: Math.min(1, centre + half) * 100, method: "agresti-min" };
}

/**
 * The paired bootstrap interval summary.ts puts on the delta (`ci95Pp`, in pp). Read defensively, since that field
 * arrived while this was written: anything but a finite low ≤ high is no interval. The summary leaves it null when
 * no item flipped (every resample is 0), and then the Agresti–Min interval stands in, labelled as such.
 */
function bootstrapInterval(delta: Delta): DeltaInterval | null {
  const carrier: object = delta;
  if (!("ci95Pp" in carrier)) return null;
  const interval = asInterval(carrier.ci95Pp);
  return interval === null ? null : { lowPp: interval.low, highPp: interval.high, method: "bootstrap" };
}

function asInterval(value: unknown): { low: number; high: number } | null {
  if (typeof value !== "object" || value === null || !("low" in value) || !("high" in value)) return null;
  const { low, high } = value;
  if (
    typeof low !== "number" ||
    typeof high !== "number" ||
    !Number.isFinite(low) ||
    !Number.isFinite(high) ||
    low > high
  )
    return null;
  return { low, high };
}
