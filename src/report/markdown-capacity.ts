/** report.md's capacity at SLO: per variant the max rate with its interval and n, and the ratio to the reference. */
import type { CapacityComparison, CapacityReport } from "./capacity.ts";
import {
  capacityClaim,
  maxRateCell,
  rateIntervalCell,
  ratioCell,
  ratioIntervalCell,
  targetsText,
} from "./capacity-text.ts";
import { legendLines } from "./legend-text.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";
import type { ReportData } from "./report-types.ts";

export const CAPACITY_COLUMNS: Column[] = [
  { header: "Variant", align: "left" },
  { header: "max rate (req/s)", align: "right" },
  { header: "[min, max] (confidence)", align: "right" },
  { header: "searches", align: "right" },
  { header: "capacity ×", align: "right" },
  { header: "range (confidence)", align: "right" },
];

export function capacitySection(capacity: CapacityReport, reference: string): string {
  const table = markdownTable(CAPACITY_COLUMNS, capacity.variants.map(capacityCells));
  return `${table}\n\n${quote(capacityLegend(capacity, reference))}`;
}

/** One row: the variant (marked as the reference), its max rate and interval, n, the ratio and its range. */
export function capacityCells(c: CapacityComparison): string[] {
  return [
    c.isReference ? `${c.variant} (ref)` : c.variant,
    c.maxRate === null ? "not in the bench" : maxRateCell(c),
    rateIntervalCell(c),
    String(c.searches),
    ratioCell(c),
    ratioIntervalCell(c),
  ];
}

/** The section's legend lines (report.md quotes them; index.html joins them under its table). */
export function capacityLegend(capacity: CapacityReport, reference: string): string[] {
  return legendLines("markdown/capacity", {
    reference,
    bench: capacity.bench.id,
    sha256: capacity.bench.sha256.slice(0, 12),
    workload: capacity.workload,
    arrivals: capacity.arrivals,
    percentile: +capacity.percentile.toFixed(4),
    requests: capacity.requestsPerTrial,
    slo: targetsText(capacity),
  });
}

/**
 * The decision section's capacity line, when a bench is attached: "**Capacity at SLO** (bench b1): fp8 serves 2.05×
 * the requests/s of bf16 at p90 of ttft ≤ 500 ms (range 1.90–2.21, ≥ 56.3%); nvfp4: no ratio (not in the bench)."
 */
export function capacityDecisionLines(report: ReportData): string[] {
  const { capacity } = report;
  if (capacity === undefined) return [];
  const claims = capacity.variants
    .filter((c) => !c.isReference)
    .map((c) => {
      const claim = capacityClaim(capacity, c.variant, report.reference);
      if (claim !== undefined) return `${c.variant} ${claim}`;
      return `${c.variant}: no ratio (${c.maxRate === null ? "not in the bench" : "see Capacity at SLO"})`;
    });
  return [`**Capacity at SLO** (bench ${capacity.bench.id}, section Capacity at SLO): ${claims.join("; ")}.`];
}
