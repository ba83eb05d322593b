/**
 * How capacity at SLO reads in words and cells, shared by report.md, index.html and the terminal: the SLO, a max
 * rate with its interval and n, the capacity ratio with its range, and the sentence the verdicts carry. Pure.
 */
import type { CapacityComparison, CapacityReport } from "./capacity.ts";
import { fixed, NONE, percent } from "./format.ts";

/** "p90 of ttft ≤ 500 ms, e2e ≤ 20 s". */
export function sloText(capacity: CapacityReport): string {
  return `p${+capacity.percentile.toFixed(4)} of ${targetsText(capacity)}`;
}

/** "ttft ≤ 500 ms, e2e ≤ 20 s". */
export function targetsText(capacity: CapacityReport): string {
  const targets = [
    ["ttft", capacity.slo.ttftMs],
    ["tpot", capacity.slo.tpotMs],
    ["e2e", capacity.slo.e2eMs],
  ] as const;
  return targets.flatMap(([name, ms]) => (ms === undefined ? [] : [`${name} ≤ ${durationText(ms)}`])).join(", ");
}

/** 500 → "500 ms", 20000 → "20 s", 1500 → "1.5 s". */
export function durationText(ms: number): string {
  return ms < 1000 ? `${+ms.toFixed(3)} ms` : `${+(ms / 1000).toFixed(3)} s`;
}

/** "45.37", "≥ 1000.00" when a search held at its ceiling; "—" when not measured. */
export function maxRateCell(c: CapacityComparison): string {
  if (c.maxRate === null) return NONE;
  return c.censored === "ceiling" ? `≥ ${fixed(c.maxRate, 2)}` : fixed(c.maxRate, 2);
}

/** "[45.01, 45.73] (50.0%)": the searches' range and its confidence for the median; "—" with one search. */
export function rateIntervalCell(c: CapacityComparison): string {
  if (c.interval === null) return NONE;
  // At the search's ceiling the highest search is a lower bound too.
  const high = `${c.censored === "ceiling" ? "≥ " : ""}${fixed(c.interval.high, 2)}`;
  return `[${fixed(c.interval.low, 2)}, ${high}] (${percent(c.interval.confidence)})`;
}

/** "2.05×", "≥ 2.05×", "≤ 0.50×"; "—" for the reference and when there is no ratio. */
export function ratioCell(c: CapacityComparison): string {
  if (c.ratio === null) return NONE;
  const sign = c.ratioBound === "at-least" ? "≥ " : c.ratioBound === "at-most" ? "≤ " : "";
  return `${sign}${fixed(c.ratio, 2)}×`;
}

/** "[1.90, 2.21] (≥ 56%)": the ratio's range and the least confidence it has; "—" when none can be given. */
export function ratioIntervalCell(c: CapacityComparison): string {
  const range = c.ratioInterval;
  if (range === null) return NONE;
  const high = range.high === null ? "∞)" : `${fixed(range.high, 2)}]`;
  return `[${fixed(range.low, 2)}, ${high} (≥ ${percent(range.confidence)})`;
}

/**
 * The verdicts' sentence: "serves 2.05× the requests/s of bf16 at p90 of ttft ≤ 500 ms, e2e ≤ 20 s (range
 * 1.90–2.21, ≥ 56.3%)", or undefined when the variant has no ratio (not measured, or it is the reference).
 */
export function capacityClaim(capacity: CapacityReport, variant: string, reference: string): string | undefined {
  const c = capacity.variants.find((v) => v.variant === variant);
  if (c === undefined || c.ratio === null) return undefined;
  return `serves ${ratioCell(c)} the requests/s of ${reference} at ${sloText(capacity)} (${claimNote(c, reference)})`;
}

/** What qualifies the claim: the ratio's range, or why it is a bound or has none. */
function claimNote(c: CapacityComparison, reference: string): string {
  const range = c.ratioInterval;
  if (range !== null) {
    const high = range.high === null ? "∞" : fixed(range.high, 2);
    return `range ${fixed(range.low, 2)}–${high}, ≥ ${percent(range.confidence)} confidence`;
  }
  if (c.ratioBound === "at-least") return `a lower bound: ${c.variant} held at the highest rate its search may try`;
  if (c.ratioBound === "at-most") return `an upper bound: ${reference} held at the highest rate its search may try`;
  return "no range: a single search on one side";
}
