/**
 * The sweep table of `quanteval bench`: one row per variant × concurrency, bench_openai.py's headline figures
 * (QPS, prompt/decode tok/s, latency p50/p95, ms per output token) beside TTFT, TPOT and ITL. Markdown that reads
 * as plain text in a terminal. Open-loop levels (`--request-rate`) add the rate asked, the arrival rate achieved and
 * the burstiness, and their concurrency is the most in flight at once. Pure.
 */
import { type Column, fixed, integer, markdownTable, percent, perSecond, qps, seconds } from "../report/index.ts";
import { type BenchResult, clientCountedNote } from "./bench-summary.ts";

const COLUMNS: readonly Column[] = [
  { header: "variant", align: "left" },
  { header: "concurrency", align: "right" },
  { header: "ok/requests", align: "right" },
  { header: "QPS", align: "right" },
  { header: "prompt tok/s", align: "right" },
  { header: "decode tok/s", align: "right" },
  { header: "latency p50 (s)", align: "right" },
  { header: "latency p95 (s)", align: "right" },
  { header: "TTFT p50 (s)", align: "right" },
  { header: "TPOT p50 (ms)", align: "right" },
  { header: "ITL p50 (ms)", align: "right" },
  { header: "ms/output token", align: "right" },
];

const OPEN_LOOP_COLUMNS: readonly Column[] = [
  { header: "variant", align: "left" },
  { header: "rate (req/s)", align: "right" },
  { header: "achieved (req/s)", align: "right" },
  { header: "burstiness", align: "right" },
  { header: "peak in flight", align: "right" },
  ...COLUMNS.slice(2),
];

export function sweepTable(results: readonly BenchResult[]): string {
  const [columns, rows] = results.some((r) => r.request_rate !== undefined)
    ? [OPEN_LOOP_COLUMNS, openLoopRows(results)]
    : [COLUMNS, results.map((r) => [r.variant, ...figures(r)])];
  // With --slo, goodput beside the rest: requests/s that met every target, and their share.
  const table = !results.some((r) => r.goodput !== undefined)
    ? markdownTable(columns, rows)
    : markdownTable(
        [...columns, ...GOODPUT_COLUMNS],
        rows.map((row, i) => [
          ...row,
          results[i]?.goodput === undefined ? "—" : qps(results[i]?.goodput?.requests_per_s ?? null),
          percent(results[i]?.goodput?.share_met.all ?? null),
        ]),
      );
  const warnings = results.flatMap((r) => {
    const level = r.request_rate === undefined ? `concurrency ${r.concurrency}` : `rate ${r.request_rate}`;
    const counted = clientCountedNote(r);
    return [
      ...r.figure_checks.warnings.map((w) => `⚠ ${r.variant} at ${level}: ${w}.`),
      ...(counted === undefined ? [] : [`${r.variant} at ${level}: ${counted}.`]),
    ];
  });
  // Below the table, so a reader of the tok/s column sees why it is marked.
  return warnings.length === 0 ? table : `${table}\n\n${warnings.join("\n")}`;
}

const GOODPUT_COLUMNS: readonly Column[] = [
  { header: "goodput (req/s)", align: "right" },
  { header: "met SLO", align: "right" },
];

/** The columns from concurrency on, the same in both tables. */
function figures(r: BenchResult): string[] {
  return [
    String(r.concurrency),
    `${integer(r.ok)}/${integer(r.requests)}`,
    qps(r.qps),
    perSecond(r.derived.prompt_tps),
    `${r.figure_checks.warnings.length > 0 ? "⚠ " : ""}${perSecond(r.derived.decode_tps)}`,
    seconds(r.latency_s.p50),
    seconds(r.latency_s.p95),
    seconds(r.ttft_s.p50),
    fixed(r.tpot_ms.p50, 2),
    fixed(r.itl_ms.p50, 2),
    fixed(r.derived.ms_per_output_token, 2),
  ];
}

function openLoopRows(results: readonly BenchResult[]): string[][] {
  return results.map((r) => [
    r.variant,
    String(r.request_rate ?? "—"),
    fixed(r.achieved_rate ?? null, 2),
    String(r.burstiness ?? "—"),
    ...figures(r),
  ]);
}
