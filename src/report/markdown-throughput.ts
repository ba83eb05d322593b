/** report.md's throughput per task and variant, and serving time with and without server start-ups. */

import { type FigureChecks, type ThroughputSummary, tokensPerSecondWarning } from "../metrics/index.ts";
import { CLIENT_MARK, clientCountedNotes } from "./client-counts.ts";
import { fixed, integer, perSecond, qps, seconds } from "./format.ts";
import { legendLines } from "./legend-text.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";
import type { ReportData } from "./report-types.ts";

/** The figures of one throughput row, as report.md and index.html print them (after task and variant). */
export function throughputCells(t: ThroughputSummary): string[] {
  return [
    String(t.requests),
    String(t.ok),
    String(t.errors),
    qps(t.qps),
    perSecond(t.derived.prompt_tps),
    perSecond(t.derived.decode_tps),
    seconds(t.latency_s.p50),
    seconds(t.latency_s.p95),
    seconds(t.latency_s.mean),
    seconds(t.ttft_s.p50),
    seconds(t.ttft_s.p95),
    fixed(t.derived.ms_per_output_token, 1),
  ];
}

export function throughputTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Task", align: "left" },
    { header: "Variant", align: "left" },
    ...[
      "requests",
      "ok",
      "errors",
      "QPS",
      "prompt tok/s",
      "decode tok/s",
      "latency p50 s",
      "latency p95 s",
      "latency mean s",
      "TTFT p50 s",
      "TTFT p95 s",
      "ms/output token",
    ].map((header): Column => ({ header, align: "right" })),
  ];
  const rows = report.tasks.flatMap((task) =>
    task.throughput.map(({ variant, summary, checks, clientCounted }) => [
      task.name,
      variant,
      ...markClientCounted(markWarned(throughputCells(summary), checks), clientCounted),
    ]),
  );
  const legend = legendLines("markdown/throughput", { concurrency: report.concurrency });
  const warnings = [...throughputWarnings(report), ...clientCountedNotes(report)].map((line) => `${line}\n\n`);
  return `${markdownTable(columns, rows)}\n\n${warnings.join("")}${quote(legend)}`;
}

/** "⚠ task, variant: why" for each throughput row whose server counts failed a check (figure-checks.ts). */
export function throughputWarnings(report: ReportData): string[] {
  return report.tasks.flatMap((task) =>
    task.throughput.flatMap(({ variant, checks }) => {
      const warning = tokensPerSecondWarning(checks);
      return warning === "" ? [] : [`${warning.replace("⚠ ", `⚠ ${task.name}, ${variant}: `)}.`];
    }),
  );
}

/** The prompt and decode tok/s cells (5th and 6th of throughputCells) marked ⚠ when a check failed. */
export function markWarned(cells: string[], checks: FigureChecks | undefined): string[] {
  if (tokensPerSecondWarning(checks) === "") return cells;
  return cells.map((cell, i) => (i === 4 || i === 5 ? `⚠ ${cell}` : cell));
}

/** The prompt and decode tok/s cells marked † when some of their replies were counted client-side. */
export function markClientCounted(cells: string[], counted: object | undefined): string[] {
  if (counted === undefined) return cells;
  return cells.map((cell, i) => (i === 4 || i === 5 ? `${CLIENT_MARK} ${cell}` : cell));
}

export function servingTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Variant", align: "left" },
    ...[
      "starts",
      "start-up s",
      "serving s",
      "serving + start-up s",
      "completion tokens",
      "decode tok/s",
      "decode tok/s with start-up",
    ].map((header): Column => ({ header, align: "right" })),
  ];
  const rows = report.serving.map((s) => [
    s.variant,
    String(s.starts),
    fixed(s.startupSec, 1),
    fixed(s.servingSec, 1),
    fixed(s.servingSec + s.startupSec, 1),
    integer(s.completionTokens),
    perSecond(s.decodeTps),
    perSecond(s.decodeTpsWithStartup),
  ]);
  return `${markdownTable(columns, rows)}\n\n${quote(legendLines("serving"))}`;
}
