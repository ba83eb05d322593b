/**
 * A bench.json as `quanteval bench` writes it (benchDocument) → the run's capacity attachment: the figures copied,
 * the bench's sha256, the arrivals and workload in words; which file `--bench` names; the refusals, each with its
 * code: not found, not a bench, no max rate.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { BenchAttachError } from "../../src/core/errors.ts";
import { benchDocument } from "../../src/loadgen/bench-document.ts";
import type { VariantBench } from "../../src/loadgen/bench-run.ts";
import type { MaxRateResult } from "../../src/loadgen/max-rate-search.ts";
import { benchFileOf, capacityFromBench } from "../../src/report/capacity-bench.ts";
import { tempDir } from "../e2e/harness.ts";

function maxRate(results: readonly number[]): MaxRateResult {
  const sorted = [...results].sort((a, b) => a - b);
  return {
    percentile: 95,
    max_rate: sorted[Math.floor(sorted.length / 2)] ?? 0,
    interval: { low: sorted[0] ?? 0, high: sorted.at(-1) ?? 0, confidence: 1 - 2 * 0.5 ** results.length },
    repetitions: results.map((r) => ({ max_rate: r, failed_at: r * 1.02, stopped: "tolerance" as const, steps: [] })),
  };
}

/** bench.json's text for bf16 and fp8, each with a max rate unless `withMaxRate` is false. */
function benchText(options: { withMaxRate?: boolean; maxRates?: (MaxRateResult | undefined)[] } = {}): string {
  const withMaxRate = options.withMaxRate ?? true;
  const rates = options.maxRates ?? [maxRate([40, 41, 44]), maxRate([90, 100, 101])];
  const outcomes: VariantBench[] = ["bf16", "fp8"].map((variant, i) => {
    const rate = rates[i];
    return { variant, status: "done", results: [], ...(withMaxRate && rate !== undefined ? { maxRate: rate } : {}) };
  });
  const document = benchDocument(
    {
      id: "cap1",
      createdAt: "2026-12-05T00:00:00.000Z",
      concurrencies: [],
      requests: 200,
      maxTokens: 64,
      temperature: 0,
      stream: true,
      ignoreEos: true,
      warmup: 0,
      prompts: { kind: "synthetic", tokens: 128 },
      timeoutSec: 60,
      openLoop: { requestRates: [4], burstiness: 0.5, maxConcurrency: 32, seed: 0 },
      slo: { ttft: 500, e2e: 20_000 },
      ...(withMaxRate ? { maxRate: { percentile: 95, trials: 3, requests: 200, startRate: 1 } } : {}),
      variants: ["bf16", "fp8"].map((name) => ({ name, model: `m-${name}`, baseUrl: "http://x/v1", served: false })),
    },
    outcomes,
  );
  return `${JSON.stringify(document, null, 2)}\n`;
}

describe("capacityFromBench", () => {
  test("what the run keeps: the SLO and percentile, every search, the models, the sha256 of the file", () => {
    const text = benchText();
    const attachment = capacityFromBench(text, "/b/bench.json");
    expect(attachment).toEqual({
      v: 1,
      bench: {
        id: "cap1",
        created_at: "2026-12-05T00:00:00.000Z",
        sha256: createHash("sha256").update(text).digest("hex"),
      },
      percentile: 95,
      slo: { ttft_ms: 500, e2e_ms: 20_000 },
      requests_per_trial: 200,
      arrivals: "gamma arrivals of burstiness 0.5, at most 32 in flight",
      workload: "synthetic prompts of 128 words, max_tokens 64 (ignore_eos)",
      variants: [
        {
          variant: "bf16",
          model: "m-bf16",
          max_rate: 41,
          interval: { low: 40, high: 44, confidence: 0.75 },
          searches: [40, 41, 44].map((r) => ({ max_rate: r, stopped: "tolerance" })),
        },
        {
          variant: "fp8",
          model: "m-fp8",
          max_rate: 100,
          interval: { low: 90, high: 101, confidence: 0.75 },
          searches: [90, 100, 101].map((r) => ({ max_rate: r, stopped: "tolerance" })),
        },
      ],
    });
  });

  test("a variant that did not finish its search is left out; the others stay", () => {
    const attachment = capacityFromBench(benchText({ maxRates: [maxRate([40]), undefined] }), "/b/bench.json");
    expect(attachment.variants.map((v) => v.variant)).toEqual(["bf16"]);
  });

  const refused = (code: string, message: string | RegExp) =>
    expect.objectContaining({ name: BenchAttachError.name, code, message: expect.stringMatching(message) });

  test("a bench without --find-max-rate, or whose every search failed, has no max rate to attach", () => {
    expect(() => capacityFromBench(benchText({ withMaxRate: false }), "/b/bench.json")).toThrow(
      refused(
        "E_BENCH_NO_MAX_RATE",
        /^bench cap1 \(\/b\/bench\.json\) has no max rate: it was run without --find-max-rate$/,
      ),
    );
    expect(() => capacityFromBench(benchText({ maxRates: [undefined, undefined] }), "/b/bench.json")).toThrow(
      refused("E_BENCH_NO_MAX_RATE", /no variant finished its --find-max-rate search/),
    );
  });

  test("not JSON, or JSON that is not a bench.json: refused naming the file and the field", () => {
    expect(() => capacityFromBench("{ not json", "/b/bench.json")).toThrow(
      refused("E_BENCH_FORMAT", /^\/b\/bench\.json is not JSON/),
    );
    const manifest = JSON.stringify({ v: 6, runId: "r1" });
    expect(() => capacityFromBench(manifest, "/b/bench.json")).toThrow(
      refused("E_BENCH_FORMAT", /^\/b\/bench\.json is not a quanteval bench\.json: bench\.json: tool: /),
    );
  });
});

describe("benchFileOf", () => {
  const cwd = tempDir("capacity-bench");
  const reports = join(cwd, "reports");
  mkdirSync(join(reports, "bench-cap1"), { recursive: true });
  const file = join(reports, "bench-cap1", "bench.json");
  writeFileSync(file, benchText());

  test("an id (reports/bench-<id>/), the bench's folder, or its bench.json, relative to cwd or not", () => {
    expect(benchFileOf("cap1", reports, cwd)).toBe(file);
    expect(benchFileOf("reports/bench-cap1", reports, cwd)).toBe(file);
    expect(benchFileOf(join(reports, "bench-cap1", "bench.json"), reports, "/")).toBe(file);
  });

  test("nothing by that name: refused with every path tried", () => {
    expect(() => benchFileOf("cap2", reports, cwd)).toThrow(
      expect.objectContaining({
        code: "E_BENCH_NOT_FOUND",
        message:
          `no bench "cap2": none of ${join(cwd, "cap2")}, ${join(cwd, "cap2", "bench.json")}, ` +
          `${join(reports, "bench-cap2", "bench.json")} is a file`,
      }),
    );
  });
});
