/**
 * The sweep chart of `quanteval bench`: decode throughput (tok/s, all requests together) against latency p50, one
 * line per variant through its concurrency levels, each point labelled with its concurrency. Up and to the left is
 * better; where a line turns flat, more concurrency buys latency but no throughput. Rendered like the report's
 * charts (vega-lite in Node, Arial metrics, the same font list and look), so the SVG is the same on every machine.
 */
import { fixed, toSvg } from "../report/index.ts";
import type { BenchResult } from "./bench-summary.ts";
import { chartTitle, variantColor } from "./chart-style.ts";

interface SweepPoint {
  variant: string;
  concurrency: number;
  /** Where the point falls along its variant's line: its concurrency, or for an open loop its level's place. */
  order: number;
  latencyP50: number;
  decodeTps: number;
  label: string;
  description: string;
}

/** The plotted points: results with a latency (at least one reply), in the order given. */
export function sweepPoints(results: readonly BenchResult[]): SweepPoint[] {
  return results.flatMap((r, index) => {
    const latency = r.latency_s.p50;
    if (latency === null || r.ok === 0) return [];
    const rate = r.request_rate;
    return [
      {
        variant: r.variant,
        concurrency: r.concurrency,
        order: rate === undefined ? r.concurrency : index,
        latencyP50: latency,
        decodeTps: r.derived.decode_tps,
        label: rate === undefined ? `c=${r.concurrency}` : `r=${rate}`,
        description: `${r.variant}, concurrency ${r.concurrency}: decode ${fixed(r.derived.decode_tps, 1)} tok/s at latency p50 ${fixed(latency, 3)} s (${r.ok} replies)`,
      },
    ];
  });
}

export async function renderSweepChart(results: readonly BenchResult[]): Promise<string> {
  const points = sweepPoints(results);
  const variants = [...new Set(results.map((r) => r.variant))];
  const first = results[0];
  const settings =
    first === undefined
      ? ""
      : `${first.requests} requests per point, max_tokens ${first.max_tokens}${first.ignore_eos ? " with ignore_eos" : ""}`;
  const color = variantColor(variants);
  const x = {
    field: "latencyP50",
    type: "quantitative",
    title: "latency p50 (s): request sent → last token",
    scale: { zero: true },
  } as const;
  const y = {
    field: "decodeTps",
    type: "quantitative",
    title: "decode tokens/s (all requests together)",
    scale: { zero: true },
  } as const;
  return await toSvg({
    title: chartTitle(
      `Decode throughput against latency, per ${first?.request_rate === undefined ? "concurrency" : "request rate"}`,
      [
        first?.request_rate === undefined
          ? "one line per variant through its concurrency levels (label c=N: N requests in flight, closed loop)"
          : "one line per variant through its request rates (label r=R: R requests/s arriving, open loop)",
        `decode tok/s = completion tokens of all replies / wall time; ${settings}`,
      ],
    ),
    width: 520,
    height: 320,
    data: { values: points },
    encoding: { x, y, color },
    layer: [
      { mark: { type: "line", strokeWidth: 2 }, encoding: { order: { field: "order", type: "quantitative" } } },
      {
        mark: { type: "point", filled: true, size: 50, opacity: 1 },
        encoding: { description: { field: "description" } },
      },
      {
        mark: { type: "text", align: "left", dx: 6, dy: -6, fontSize: 10, color: "#333", aria: false },
        encoding: { text: { field: "label" }, color: { value: "#333" } },
      },
    ],
  });
}
