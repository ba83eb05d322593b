/**
 * The sweep table of `quanteval bench`: one row per variant × concurrency, bench_openai.py's headline figures
 * (QPS, prompt/decode tok/s, latency p50/p95, ms per output token) beside TTFT, TPOT and ITL. Markdown that reads
 * as plain text in a terminal. Pure.
 */
import { type Column, fixed, integer, markdownTable, perSecond, qps, seconds } from "../report/index.ts";
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

export function sweepTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    r.variant,
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
  ]);
  const warnings = results.flatMap((r) => [
    ...r.figure_checks.warnings.map((w) => `⚠ ${r.variant} at concurrency ${r.concurrency}: ${w}.`),
    ...(r.client_counted === undefined
      ? []
      : [`${r.variant} at concurrency ${r.concurrency}: ${clientCountedNote(r.client_counted)}.`]),
  ]);
  const table = markdownTable(COLUMNS, rows);
  // Below the table, so a reader of the tok/s column sees why it is marked.
  return warnings.length === 0 ? table : `${table}\n\n${warnings.join("\n")}`;
}
