/**
 * scores.csv's capacity columns, written only when a bench is attached to the run, after the speed columns and
 * before any divergence columns, so a run without a bench writes the same file as before. Capacity is a per-variant
 * figure from the bench, not a per-task one: it is repeated on every task's own row (breakdown "all") of the variant,
 * empty on breakdown rows. Numbers unrounded; confidences as fractions; capacity_ratio_high "inf" when unbounded.
 */
import type { CapacityReport } from "./capacity.ts";
import { sloText } from "./capacity-text.ts";

export const CAPACITY_CSV_COLUMNS = [
  "capacity_bench",
  "capacity_slo",
  "capacity_max_rate",
  "capacity_max_rate_low",
  "capacity_max_rate_high",
  "capacity_max_rate_confidence",
  "capacity_searches",
  "capacity_censored",
  "capacity_ratio",
  "capacity_ratio_bound",
  "capacity_ratio_low",
  "capacity_ratio_high",
  "capacity_ratio_confidence",
] as const;

/** The columns' values for a variant's task row (`variant` set), or empty ones for a breakdown row. */
export function capacityCsvValues(capacity: CapacityReport, variant: string | undefined): (string | number | null)[] {
  const c = capacity.variants.find((v) => v.variant === variant);
  if (c === undefined) return CAPACITY_CSV_COLUMNS.map(() => null);
  const range = c.ratioInterval;
  return [
    capacity.bench.id,
    sloText(capacity),
    c.maxRate,
    c.interval?.low ?? null,
    c.interval?.high ?? null,
    c.interval?.confidence ?? null,
    c.searches,
    c.censored,
    c.ratio,
    c.ratioBound,
    range?.low ?? null,
    range === null ? null : (range.high ?? "inf"),
    range?.confidence ?? null,
  ];
}
