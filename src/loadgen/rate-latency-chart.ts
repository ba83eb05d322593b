/**
 * The open loop's chart (`quanteval bench --request-rate`): latency against the arrival rate each level achieved,
 * one colour per variant and one line per percentile (p50 solid, p95 dashed). Where a variant's lines turn up
 * steeply, its server has stopped keeping up: that knee is its capacity. Rendered as the sweep chart is.
 */
import { fixed, toSvg } from "../report/index.ts";
import type { BenchResult } from "./bench-summary.ts";
import { chartTitle, variantColor } from "./chart-style.ts";

interface RatePoint {
  variant: string;
  percentile: "p50" | "p95";
  achievedRate: number;
  latency: number;
  /** The variant and percentile: one line each. */
  series: string;
  description: string;
}

/** Open-loop levels with an achieved rate and a latency, as two points each (p50 and p95); [] for closed loops. */
export function rateLatencyPoints(results: readonly BenchResult[]): RatePoint[] {
  return results.flatMap((r) => {
    const rate = r.achieved_rate;
    if (typeof rate !== "number" || r.ok === 0) return [];
    return (["p50", "p95"] as const).flatMap((percentile) => {
      const latency = r.latency_s[percentile];
      if (latency === null) return [];
      return [
        {
          variant: r.variant,
          percentile,
          achievedRate: rate,
          latency,
          series: `${r.variant} ${percentile}`,
          description:
            `${r.variant}: latency ${percentile} ${fixed(latency, 3)} s at ${fixed(rate, 2)} req/s arriving ` +
            `(asked ${r.request_rate}, ${r.ok} replies)`,
        },
      ];
    });
  });
}

/** The chart's SVG, or undefined when no result is an open-loop level with replies. */
export async function renderRateLatencyChart(results: readonly BenchResult[]): Promise<string | undefined> {
  const points = rateLatencyPoints(results);
  if (points.length === 0) return undefined;
  const variants = [...new Set(points.map((p) => p.variant))];
  const first = results[0];
  const settings =
    first === undefined
      ? ""
      : `${first.requests} requests per rate, max_tokens ${first.max_tokens}${first.ignore_eos ? " with ignore_eos" : ""}`;
  return await toSvg({
    title: chartTitle("Latency against the arrival rate achieved", [
      "one colour per variant; solid: latency p50, dashed: p95 (request sent → last token), open loop",
      `x: requests / time to the last arrival at each asked rate; ${settings}`,
    ]),
    width: 520,
    height: 320,
    data: { values: points },
    encoding: {
      x: {
        field: "achievedRate",
        type: "quantitative",
        title: "arrival rate achieved (requests/s)",
        scale: { zero: true },
      },
      y: { field: "latency", type: "quantitative", title: "latency (s)", scale: { zero: true } },
      color: variantColor(variants),
      strokeDash: {
        field: "percentile",
        type: "nominal",
        scale: {
          domain: ["p50", "p95"],
          range: [
            [1, 0],
            [5, 3],
          ],
        },
        legend: { title: "latency", orient: "top", symbolType: "stroke" },
      },
      detail: { field: "series" },
    },
    layer: [
      { mark: { type: "line", strokeWidth: 2 }, encoding: { order: { field: "achievedRate", type: "quantitative" } } },
      {
        mark: { type: "point", filled: true, size: 40, opacity: 1 },
        encoding: { description: { field: "description" } },
      },
    ],
  });
}
