/**
 * The max-rate table of `quanteval bench --find-max-rate`: per variant, the highest request rate at which the SLO
 * percentile held, with the interval from repeated searches. Markdown that reads as plain text in a terminal. Pure.
 */
import { type Column, fixed, integer, markdownTable, percent } from "../report/index.ts";
import type { MaxRateResult } from "./max-rate-search.ts";

const COLUMNS: readonly Column[] = [
  { header: "variant", align: "left" },
  { header: "max rate (req/s)", align: "right" },
  { header: "interval (req/s)", align: "right" },
  { header: "confidence", align: "right" },
  { header: "searches", align: "right" },
  { header: "trials", align: "right" },
];

export function maxRateTable(results: readonly (MaxRateResult & { variant: string })[]): string {
  const rows = results.map((r) => [
    r.variant,
    fixed(r.max_rate, 2),
    r.interval === null ? "—" : `${fixed(r.interval.low, 2)}–${fixed(r.interval.high, 2)}`,
    percent(r.interval?.confidence ?? null),
    integer(r.repetitions.length),
    integer(r.repetitions.reduce((n, rep) => n + rep.steps.length, 0)),
  ]);
  return markdownTable(COLUMNS, rows);
}
