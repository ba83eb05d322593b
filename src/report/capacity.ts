/**
 * Capacity at SLO per variant, from an attached `bench --find-max-rate` (capacity-attachment.ts): the max rate with
 * its interval, and the ratio to the reference's, "serves N× the requests/s of <reference> at the same latency".
 * scores.json carries these objects, so their field names are part of the output format. Pure.
 *
 * Statistics. Each variant's max rate is the median of n independent searches, and [min, max] of the searches is a
 * distribution-free interval for that median, of confidence 1 − 2 × 0.5^n (max-rate-search.ts). The ratio is the
 * variant's median ÷ the reference's. Its range is [variant min ÷ reference max, variant max ÷ reference min]: when
 * both intervals hold, the ratio of the two medians lies in it, and the searches of two variants are independent,
 * so it holds with probability at least the product of the two confidences. It is no interval with one search.
 */
import type { CapacityAttachment } from "./capacity-attachment.ts";

export interface CapacityReport {
  /** The bench attached: its id, when it was made, and the sha256 of its bench.json. */
  bench: { id: string; createdAt: string; sha256: string };
  /** At least this percent of a trial's requests met every target. */
  percentile: number;
  slo: { ttftMs?: number; tpotMs?: number; e2eMs?: number };
  requestsPerTrial: number;
  arrivals: string;
  workload: string;
  method: {
    maxRate: "median of independent searches; interval [min, max] of the searches, confidence 1 - 2 * 0.5^n";
    ratio: "median ratio; range [variant min / reference max, variant max / reference min], confidence >= product";
  };
  /** One per run variant, in config order; those the bench did not measure have maxRate null. */
  variants: CapacityComparison[];
}

export interface CapacityComparison {
  variant: string;
  isReference: boolean;
  /** req/s: the median of the searches; null when the bench did not measure this variant. */
  maxRate: number | null;
  /** Searches (n) behind maxRate. */
  searches: number;
  /** [min, max] of the searches and its confidence for the median; null with fewer than 2 searches. */
  interval: { low: number; high: number; confidence: number } | null;
  /**
   * "ceiling": a search held at the highest rate it may try, so maxRate is a lower bound; "floor": a search found no
   * rate that held (its result is 0). Null: every search closed its bracket (or ran out of steps inside it).
   */
  censored: "ceiling" | "floor" | null;
  /** maxRate ÷ the reference's; null for the reference, when either is missing, or the reference's is 0. */
  ratio: number | null;
  /** "at-least" / "at-most" when one side is a lower bound (censored "ceiling"); "exact" otherwise. */
  ratioBound: "exact" | "at-least" | "at-most" | null;
  /** The ratio's range from both sides' searches; high null when the reference's min is 0 (unbounded). */
  ratioInterval: { low: number; high: number | null; confidence: number } | null;
}

export const CAPACITY_METHOD: CapacityReport["method"] = {
  maxRate: "median of independent searches; interval [min, max] of the searches, confidence 1 - 2 * 0.5^n",
  ratio: "median ratio; range [variant min / reference max, variant max / reference min], confidence >= product",
};

export function capacityReport(
  attachment: CapacityAttachment,
  variants: readonly string[],
  reference: string,
): CapacityReport {
  const measured = (name: string) => attachment.variants.find((m) => m.variant === name);
  const referenceFigure = measured(reference);
  return {
    bench: { id: attachment.bench.id, createdAt: attachment.bench.created_at, sha256: attachment.bench.sha256 },
    percentile: attachment.percentile,
    slo: {
      ...(attachment.slo.ttft_ms === undefined ? {} : { ttftMs: attachment.slo.ttft_ms }),
      ...(attachment.slo.tpot_ms === undefined ? {} : { tpotMs: attachment.slo.tpot_ms }),
      ...(attachment.slo.e2e_ms === undefined ? {} : { e2eMs: attachment.slo.e2e_ms }),
    },
    requestsPerTrial: attachment.requests_per_trial,
    arrivals: attachment.arrivals,
    workload: attachment.workload,
    method: CAPACITY_METHOD,
    variants: variants.map((name) =>
      comparison(name, name === reference, measured(name), name === reference ? undefined : referenceFigure),
    ),
  };
}

type Measured = CapacityAttachment["variants"][number];

function comparison(
  variant: string,
  isReference: boolean,
  figure: Measured | undefined,
  reference: Measured | undefined,
): CapacityComparison {
  const censored = figure === undefined ? null : censoring(figure);
  const base = {
    variant,
    isReference,
    maxRate: figure?.max_rate ?? null,
    searches: figure?.searches.length ?? 0,
    interval: figure?.interval ?? null,
    censored,
  };
  if (figure === undefined || reference === undefined || reference.max_rate <= 0)
    return { ...base, ratio: null, ratioBound: null, ratioInterval: null };
  const bound = ratioBound(censored, censoring(reference));
  if (bound === null) return { ...base, ratio: null, ratioBound: null, ratioInterval: null };
  const ratio = figure.max_rate / reference.max_rate;
  // A bound has no range: one side's true figure lies anywhere above its searches' ceiling.
  const ratioInterval =
    bound !== "exact" || figure.interval === null || reference.interval === null || reference.interval.high <= 0
      ? null
      : {
          low: figure.interval.low / reference.interval.high,
          high: reference.interval.low > 0 ? figure.interval.high / reference.interval.low : null,
          confidence: figure.interval.confidence * reference.interval.confidence,
        };
  return { ...base, ratio, ratioBound: bound, ratioInterval };
}

/** A search that held at its ceiling makes its variant's figure a lower bound; one that held nowhere, a floor (0). */
function censoring(figure: Measured): CapacityComparison["censored"] {
  if (figure.searches.some((s) => s.stopped === "above-max-rate")) return "ceiling";
  if (figure.searches.some((s) => s.stopped === "below-min-rate")) return "floor";
  return null;
}

/** Both at their ceilings: nothing is known of the ratio. */
function ratioBound(
  variant: CapacityComparison["censored"],
  reference: CapacityComparison["censored"],
): CapacityComparison["ratioBound"] {
  if (variant === "ceiling" && reference === "ceiling") return null;
  if (variant === "ceiling") return "at-least";
  if (reference === "ceiling") return "at-most";
  return "exact";
}
