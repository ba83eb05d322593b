/**
 * The rows each chart plots, taken from ReportData: one row per task × variant, in config order, with the text
 * labels and the accessible description (it becomes each mark's aria-label in the SVG) already formatted, so the
 * chart specs hold no number formatting. Pure.
 */

import type { ThroughputSummary } from "../metrics/index.ts";
import { type DeltaIntervalMethod, deltaInterval } from "./delta-interval.ts";
import { fixed, percent, signedPp } from "./format.ts";
import type { ReportData, TaskReport } from "./report-types.ts";

interface Keyed {
  task: string;
  variant: string;
  variantLabel: string;
  description: string;
}
export interface AccuracyDatum extends Keyed {
  accuracy: number | null;
  low: number | null;
  high: number | null;
  countLabel: string;
}
export interface DeltaDatum extends Keyed {
  delta: number | null;
  low: number | null;
  high: number | null;
  countLabel: string;
  method: DeltaIntervalMethod | null;
}
/** valueLabel is the value as written above its bar, or why there is no value ("no replies", "not streamed"). */
export interface ValueDatum extends Keyed {
  value: number | null;
  valueLabel: string;
}

export interface ChartData {
  accuracy: AccuracyDatum[];
  delta: DeltaDatum[];
  /** Symmetric about 0, in pp, wide enough for every interval. */
  deltaDomain: [number, number];
  promptTps: ValueDatum[];
  decodeTps: ValueDatum[];
  qps: ValueDatum[];
  latencyP50: ValueDatum[];
  latencyP95: ValueDatum[];
  ttftP50: ValueDatum[];
}

/** How a variant is named in chart legends: the reference carries "(ref)". */
export function variantLabel(report: ReportData, variant: string): string {
  return variant === report.reference ? `${variant} (ref)` : variant;
}

/** Tableau 10, the colours of every chart quanteval draws (report and `bench` sweeps), in this order. */
export const TABLEAU_10 = [
  "#4c78a8",
  "#f58518",
  "#54a24b",
  "#e45756",
  "#72b7b2",
  "#b279a2",
  "#eeca3b",
  "#9d755d",
  "#ff9da6",
  "#bab0ac",
];

/** The reference in neutral grey, the others in Tableau 10 colours, in config order: the same colour in every chart. */
export function variantColors(report: ReportData): { domain: string[]; range: string[] } {
  let next = 0;
  const range = report.variants.map((v) =>
    v.isReference ? "#5f5f5f" : (TABLEAU_10[next++ % TABLEAU_10.length] ?? "#4c78a8"),
  );
  return { domain: report.variants.map((v) => variantLabel(report, v.name)), range };
}

export function chartData(report: ReportData): ChartData {
  const key = (task: string, variant: string) => ({ task, variant, variantLabel: variantLabel(report, variant) });
  const accuracy = report.tasks.flatMap((task) =>
    (task.rows[0]?.scores ?? []).map((s): AccuracyDatum => {
      const base = key(task.name, s.variant);
      if (s.accuracy === null || s.ci95 === null) {
        const why = notApplicable(task) ? "N/A" : "none graded";
        return {
          ...base,
          accuracy: null,
          low: null,
          high: null,
          countLabel: why,
          description: `${task.name}, ${s.variant}: ${why}`,
        };
      }
      const interval = `${fixed(s.ci95.low * 100, 1)}–${fixed(s.ci95.high * 100, 1)}`;
      return {
        ...base,
        accuracy: s.accuracy * 100,
        low: s.ci95.low * 100,
        high: s.ci95.high * 100,
        countLabel: `${s.correct}/${s.graded}`,
        description: `${task.name}, ${s.variant}: accuracy ${percent(s.accuracy)} (${s.correct}/${s.graded}), Wilson 95% ${interval}`,
      };
    }),
  );

  const delta = report.tasks.flatMap((task) =>
    (task.rows[0]?.deltas ?? []).map((d): DeltaDatum => {
      const base = key(task.name, d.variant);
      const interval = deltaInterval(d);
      if (d.deltaPp === null || interval === null) {
        return {
          ...base,
          delta: null,
          low: null,
          high: null,
          countLabel: "",
          method: null,
          description: `${task.name}, ${d.variant}: nothing paired`,
        };
      }
      return {
        ...base,
        delta: d.deltaPp,
        low: interval.lowPp,
        high: interval.highPp,
        countLabel: `n=${d.paired}`,
        method: interval.method,
        description: `${task.name}, ${d.variant}: Δ ${signedPp(d.deltaPp)} pp vs ${report.reference} over ${d.paired} paired items, 95% ${signedPp(interval.lowPp)} to ${signedPp(interval.highPp)}`,
      };
    }),
  );
  const reach = Math.max(
    5,
    ...delta.flatMap((d) => (d.low === null || d.high === null ? [] : [Math.abs(d.low), Math.abs(d.high)])),
  );
  // Room above the highest whisker for its upright "n=…" label.
  const edge = Math.ceil((reach * 1.3) / 5) * 5;

  const values = (
    metric: string,
    unit: string,
    digits: number,
    pick: (t: ThroughputSummary) => number | null,
    missing = "no value",
  ) =>
    report.tasks.flatMap((task) =>
      task.throughput.map(({ variant, summary }): ValueDatum => {
        // Rates need a reply: with none, a 0 would read as "measured, and zero".
        const value = summary.ok === 0 ? null : pick(summary);
        const label = value !== null ? fixed(value, digits) : summary.ok === 0 ? "no replies" : missing;
        return {
          ...key(task.name, variant),
          value,
          valueLabel: label,
          description: `${task.name}, ${variant}: ${metric} ${value === null ? label : `${label} ${unit}`} (${summary.ok} replies)`,
        };
      }),
    );

  return {
    accuracy,
    delta,
    deltaDomain: [-edge, edge],
    promptTps: values("prompt tokens/s", "tok/s", 1, (t) => t.derived.prompt_tps),
    decodeTps: values("decode tokens/s", "tok/s", 1, (t) => t.derived.decode_tps),
    qps: values("QPS", "replies/s", 3, (t) => t.qps),
    latencyP50: values("latency p50", "s", 2, (t) => t.latency_s.p50),
    latencyP95: values("latency p95", "s", 2, (t) => t.latency_s.p95),
    ttftP50: values("TTFT p50", "s", 2, (t) => t.ttft_s.p50, report.stream ? "no first token" : "not streamed"),
  };
}

function notApplicable(task: TaskReport): boolean {
  return task.unavailable !== undefined;
}
