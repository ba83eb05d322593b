/**
 * The open loop's latency-against-rate chart: a point per level and percentile at the rate achieved, nothing for
 * closed-loop levels, no chart at all without an open-loop level.
 */
import { describe, expect, test } from "vitest";
import type { BenchResult } from "../../src/loadgen/bench-summary.ts";
import { rateLatencyPoints, renderRateLatencyChart } from "../../src/loadgen/rate-latency-chart.ts";

function level(variant: string, achieved: number | null | undefined, p50: number | null, p95: number | null) {
  return {
    variant,
    requests: 10,
    ok: p50 === null ? 0 : 10,
    max_tokens: 64,
    ignore_eos: true,
    latency_s: { p50, p95, mean: p50, min: p50, max: p95 },
    ...(achieved === undefined ? {} : { request_rate: 4, achieved_rate: achieved }),
  } as unknown as BenchResult;
}

describe("the latency-against-rate chart", () => {
  test("two points per open-loop level (p50, p95) at the rate achieved; closed loops and empty levels none", () => {
    const points = rateLatencyPoints([
      level("bf16", 3.9, 0.2, 0.35),
      level("bf16", undefined, 0.2, 0.3), // a closed-loop level
      level("nvfp4", null, 0.1, 0.2), // rate inf: no achieved rate
      level("nvfp4", 4.1, null, null), // no reply
    ]);
    expect(points.map((p) => [p.series, p.achievedRate, p.latency])).toEqual([
      ["bf16 p50", 3.9, 0.2],
      ["bf16 p95", 3.9, 0.35],
    ]);
    expect(points[1]?.description).toBe("bf16: latency p95 0.350 s at 3.90 req/s arriving (asked 4, 10 replies)");
  });

  test("the SVG names its axes and percentiles; a closed-loop run has none", async () => {
    const svg = await renderRateLatencyChart([level("bf16", 3.9, 0.2, 0.35), level("bf16", 7.8, 0.4, 0.9)]);
    for (const text of ["arrival rate achieved (requests/s)", "latency (s)", ">p50<", ">p95<", ">bf16<"])
      expect(svg).toContain(text);
    expect(svg?.match(/aria-roledescription="point"/g)).toHaveLength(4);
    expect(await renderRateLatencyChart([level("bf16", undefined, 0.2, 0.3)])).toBeUndefined();
  });
});
