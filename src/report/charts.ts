/**
 * ReportData → the report's charts, as SVG (vega-lite compiled and rendered headless in Node, no browser) and PNG
 * (resvg). Each chart's title and subtitle say what is drawn, its n and the interval method, because a chart gets
 * copied into slides without the tables around it. Speed figures are per task (tasks differ in prompt and reply
 * lengths, so their rates do not add up). Same data → same SVG bytes: no clock, no randomness, and text widths come
 * from a table of Arial's metrics (text-width.ts), not from whatever fonts the machine has. No clip paths or
 * gradients, whose ids would collide once several SVGs share index.html.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { chartData, type ValueDatum, variantColors } from "./chart-data.ts";
import { divergenceSpec } from "./chart-divergence.ts";
import { paretoSpec } from "./chart-pareto.ts";
import { hasClientCounts } from "./client-counts.ts";
import { describeIntervals } from "./delta-interval.ts";
import type { DivergencePoint } from "./divergence-report.ts";
import type { ReportData } from "./report-types.ts";
import { useArialTextMetrics } from "./text-width.ts";

export interface Chart {
  /** File stem: charts/<name>.svg and charts/<name>.png. */
  name: string;
  title: string;
  svg: string;
}

/**
 * A font list rather than one family: browsers showing index.html take the first they have, and resvg does the
 * same with the system fonts (Debian's fonts-liberation or fonts-dejavu); with none at all resvg draws no text.
 */
export const CHART_FONT = "Arial, Helvetica, Liberation Sans, DejaVu Sans, sans-serif";

const BAR_STEP = 26;
const TASK_PADDING = 18;
const PANEL_HEIGHT = 240;
/** About the width index.html gives a chart; wider concatenations wrap. */
const MAX_ROW_WIDTH = 1100;
/** Values and counts are written upright above their bars, so neighbours never overlap. */
const VALUE_LABEL = {
  type: "text",
  angle: 270,
  align: "left",
  baseline: "middle",
  dx: 4,
  fontSize: 9,
  color: "#333",
  aria: false,
} as const;
/** Where a bar or point has no value, an upright grey note says why rather than leaving a gap. */
const NO_VALUE = { ...VALUE_LABEL, dx: 2, color: "#888", fontStyle: "italic", aria: true } as const;

/** Room above the tallest bar for its upright label; a panel with no values at all gets a blank 0–1 scale. */
function yScale(values: readonly ValueDatum[]): { domain: [number, number] } | { domainMax: number } {
  const top = Math.max(0, ...values.flatMap((v) => (v.value === null ? [] : [v.value])));
  return top > 0 ? { domainMax: top * 1.2 } : { domain: [0, 1] };
}

/** `divergence`: every paired item of the divergence journals, for the divergence chart (none: no such chart). */
export async function renderCharts(report: ReportData, divergence: readonly DivergencePoint[] = []): Promise<Chart[]> {
  const data = chartData(report);
  const colors = variantColors(report);
  const taskOrder = report.tasks.map((t) => t.name);
  const labelAngle = taskOrder.some((t) => t.length > 12) ? -30 : 0;
  const x = {
    field: "task",
    type: "nominal",
    sort: taskOrder,
    title: null,
    axis: { labelAngle, labelLimit: 160 },
  } as const;
  const xOffset = { field: "variantLabel", type: "nominal", sort: colors.domain } as const;
  const color = {
    field: "variantLabel",
    type: "nominal",
    scale: { domain: colors.domain, range: colors.range },
    legend: { title: "variant", orient: "top" },
  } as const;
  const width = (bars: number) => Math.max(220, taskOrder.length * (bars * BAR_STEP + TASK_PADDING));
  const refLabel = `${report.reference} (ref)`;
  // The delta chart has no reference mark: its legend and offsets leave it out, its colours stay the same.
  const others = colors.domain.flatMap((label, i) =>
    label === refLabel ? [] : [{ label, color: colors.range[i] ?? "#4c78a8" }],
  );
  const deltaOffset = { ...xOffset, sort: others.map((o) => o.label) };
  const deltaColor = { ...color, scale: { domain: others.map((o) => o.label), range: others.map((o) => o.color) } };
  const nonReference = report.variants.length - 1;
  const streamNote = report.stream ? "" : "; not streamed, so no TTFT";
  const concurrencyNote = `${report.concurrency} requests in flight per variant`;
  // Only a run with client-side counts says so: every other run's charts stay byte for byte as they were.
  const counted = hasClientCounts(report)
    ? "tokens the server reported (or the client counted, marked † in report.md)"
    : "tokens the server reported";

  /** Bars with the value written above each and "no replies" where there is none: one panel of the speed charts. */
  const barPanel = (values: readonly ValueDatum[], title: string, axisTitle: string) => ({
    width: width(report.variants.length),
    height: PANEL_HEIGHT,
    title: { text: title, fontSize: 12 },
    data: { values },
    encoding: { x, xOffset, color },
    layer: [
      {
        transform: [{ filter: "datum.value != null" }],
        mark: { type: "bar" },
        encoding: {
          y: {
            field: "value",
            type: "quantitative",
            title: axisTitle,
            scale: yScale(values),
            axis: { labels: values.some((v) => v.value !== null) },
          },
          description: { field: "description" },
        },
      },
      {
        transform: [{ filter: "datum.value != null" }],
        mark: VALUE_LABEL,
        encoding: { y: { field: "value", type: "quantitative" }, text: { field: "valueLabel" } },
      },
      {
        transform: [{ filter: "datum.value == null" }],
        mark: NO_VALUE,
        encoding: { y: { datum: 0 }, text: { field: "valueLabel" }, description: { field: "description" } },
      },
    ],
  });
  /** Panels side by side while they fit the HTML report's width, else wrapped. */
  const panels = (specs: readonly object[]) => ({
    concat: specs,
    columns: Math.max(1, Math.floor(MAX_ROW_WIDTH / (width(report.variants.length) + 90))),
    resolve: { scale: { y: "independent" } },
  });

  const specs: { name: string; title: string; subtitle: string[]; spec: object }[] = [
    // First: index.html opens with it, beside the verdicts.
    { name: "pareto", ...paretoSpec(report, colors, MAX_ROW_WIDTH) },
    {
      name: "accuracy",
      title: "Accuracy per task and variant, with Wilson 95% intervals",
      subtitle: [
        "bar = correct / graded (sample 0 of each item); whisker = Wilson 95% score interval; label = correct/graded",
        `errors and missing items are not graded, so never counted wrong; ${refLabel} is the reference`,
      ],
      spec: {
        width: width(report.variants.length),
        height: 280,
        data: { values: data.accuracy },
        encoding: { x, xOffset, color },
        layer: [
          {
            transform: [{ filter: "datum.accuracy != null" }],
            mark: { type: "bar" },
            encoding: {
              y: {
                field: "accuracy",
                type: "quantitative",
                scale: { domain: [0, 118], nice: false },
                title: "accuracy (%)",
                axis: { values: [0, 20, 40, 60, 80, 100], domain: false },
              },
              description: { field: "description" },
            },
          },
          {
            transform: [{ filter: "datum.accuracy != null" }],
            mark: { type: "rule", color: "#111", strokeWidth: 1.2, aria: false },
            encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" } },
          },
          ...(["low", "high"] as const).map((end) => ({
            transform: [{ filter: "datum.accuracy != null" }],
            mark: { type: "tick", color: "#111", thickness: 1.2, size: 8, aria: false },
            encoding: { y: { field: end, type: "quantitative" } },
          })),
          {
            transform: [{ filter: "datum.accuracy != null" }],
            mark: VALUE_LABEL,
            encoding: { y: { field: "high", type: "quantitative" }, text: { field: "countLabel" } },
          },
          {
            transform: [{ filter: "datum.accuracy == null" }],
            mark: NO_VALUE,
            encoding: { y: { datum: 0 }, text: { field: "countLabel" }, description: { field: "description" } },
          },
        ],
      },
    },
    {
      name: "delta",
      title: `Accuracy change vs ${report.reference} per task (paired), with 95% intervals`,
      subtitle: [
        `point = Δ = variant − ${report.reference} accuracy on the items both graded, in percentage points; label = paired n`,
        ...describeIntervals(data.delta.flatMap((d) => (d.method === null ? [] : [d.method]))).map((clause, i) =>
          i === 0 ? `whisker = ${clause}` : clause,
        ),
        "an interval that crosses 0 does not tell the precisions apart at this n",
      ],
      spec: {
        width: width(Math.max(1, nonReference)),
        height: 260,
        layer: [
          {
            data: { values: [{ zero: 0 }] },
            mark: { type: "rule", color: "#555", strokeDash: [4, 3], aria: false },
            encoding: { y: { field: "zero", type: "quantitative" } },
          },
          {
            data: { values: data.delta },
            encoding: { x, xOffset: deltaOffset, color: deltaColor },
            layer: [
              {
                transform: [{ filter: "datum.delta != null" }],
                mark: { type: "rule", strokeWidth: 1.5, aria: false },
                encoding: {
                  y: {
                    field: "low",
                    type: "quantitative",
                    scale: { domain: data.deltaDomain, nice: false },
                    title: `Δ accuracy vs ${report.reference} (pp)`,
                  },
                  y2: { field: "high" },
                },
              },
              {
                transform: [{ filter: "datum.delta != null" }],
                mark: { type: "point", filled: true, size: 60, opacity: 1 },
                encoding: { y: { field: "delta", type: "quantitative" }, description: { field: "description" } },
              },
              {
                transform: [{ filter: "datum.delta != null" }],
                mark: VALUE_LABEL,
                encoding: { y: { field: "high", type: "quantitative" }, text: { field: "countLabel" } },
              },
              {
                transform: [{ filter: "datum.delta == null" }],
                mark: NO_VALUE,
                encoding: { y: { datum: 0 }, text: { value: "nothing paired" }, description: { field: "description" } },
              },
            ],
          },
        ],
      },
    },
    {
      name: "throughput",
      title: "Token throughput per task and variant (prompt and decode tokens/s)",
      subtitle: [
        `per task, not summed: ${counted} for the task's requests / the task's wall time, ${concurrencyNote}`,
        "aggregate rates over concurrent requests, not one request's speed",
      ],
      spec: panels([
        barPanel(data.promptTps, "prompt tokens/s", "prompt tokens/s"),
        barPanel(data.decodeTps, "decode tokens/s", "decode tokens/s"),
      ]),
    },
    {
      name: "qps",
      title: "Requests per second (QPS) per task and variant",
      subtitle: [`QPS = replies / wall time of the task's requests, ${concurrencyNote}`],
      spec: barPanel(data.qps, "", "QPS (replies/s)"),
    },
    {
      name: "latency",
      title: "Latency p50 / p95 and TTFT p50 per task and variant (seconds)",
      subtitle: [
        `latency = request sent → last token; TTFT = sent → first streamed token, reasoning included; over each task's replies${streamNote}`,
        `${concurrencyNote}; p50/p95 interpolate linearly between ranks`,
      ],
      spec: panels([
        barPanel(data.latencyP50, "latency p50", "seconds"),
        barPanel(data.latencyP95, "latency p95", "seconds"),
        barPanel(data.ttftP50, "TTFT p50", "seconds"),
      ]),
    },
  ];
  const divergenceChart = divergenceSpec(report, divergence, MAX_ROW_WIDTH);
  if (divergenceChart !== null) specs.push({ name: "divergence", ...divergenceChart });

  const charts: Chart[] = [];
  for (const { name, title, subtitle, spec } of specs) {
    charts.push({
      name,
      title,
      svg: await toSvg({
        ...spec,
        title: { text: title, subtitle, anchor: "start", fontSize: 14, subtitleFontSize: 11, subtitleColor: "#444" },
      }),
    });
  }
  return charts;
}

/** vega-lite spec (without $schema and config) → SVG with the report's look; `quanteval bench`'s sweep chart uses it too. */
export async function toSvg(spec: object): Promise<string> {
  const topLevel = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: 12,
    config: {
      font: CHART_FONT,
      axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal", gridColor: "#e6e6e6" },
      legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal" },
      view: { stroke: null },
    },
    ...spec,
    // The specs are plain literals, too nested to spell in vega-lite's types; compile() validates them instead.
  } as TopLevelSpec;
  useArialTextMetrics();
  const view = new View(parse(compile(topLevel).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG of an SVG: at widthPx wide when given, else at twice the SVG's own size (sharp on high-DPI screens and slides). */
export function svgToPng(svg: string, widthPx?: number): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: widthPx === undefined ? { mode: "zoom", value: 2 } : { mode: "width", value: widthPx },
    font: { loadSystemFonts: true, sansSerifFamily: "DejaVu Sans", defaultFontFamily: "DejaVu Sans" },
    background: "white",
    logLevel: "off",
  });
  return resvg.render().asPng();
}

/** Writes charts/<name>.svg and charts/<name>.png under dir; returns the charts for the HTML report. */
export async function writeCharts(
  dir: string,
  report: ReportData,
  divergence: readonly DivergencePoint[] = [],
): Promise<Chart[]> {
  const charts = await renderCharts(report, divergence);
  const chartsDir = join(dir, "charts");
  mkdirSync(chartsDir, { recursive: true });
  for (const chart of charts) {
    writeFileSync(join(chartsDir, `${chart.name}.svg`), chart.svg);
    writeFileSync(join(chartsDir, `${chart.name}.png`), svgToPng(chart.svg));
  }
  return charts;
}
