/**
 * A bench result from hand-made timings: every bench_openai.py field with its meaning, our TPOT/ITL percentiles,
 * and failures counted apart. Expected values are worked out by hand in the comments (percentiles as numpy's
 * default linear interpolation).
 */
import { describe, expect, test } from "vitest";
import {
  type BenchLevelContext,
  describeTails,
  interTokenGapsMs,
  summarizeBenchLevel,
} from "../../src/loadgen/bench-summary.ts";
import type { RequestOutcome } from "../../src/loadgen/closed-loop.ts";

const CONTEXT: BenchLevelContext = {
  variant: "fp8",
  endpoint: "http://127.0.0.1:8000/v1",
  model: "Qwen/Qwen3-32B-FP8",
  concurrency: 2,
  maxTokens: 256,
  temperature: 0,
  stream: true,
  ignoreEos: false,
  warmupRequests: 3,
};

const OUTCOMES: RequestOutcome[] = [
  // latency 1.1 s, TTFT 0.1 s, TPOT (1100−100)/(11−1) = 100 ms, chunk gaps 100, 200, 700 ms
  {
    ok: true,
    usage: { promptTokens: 50, completionTokens: 11 },
    timing: { sentAt: 0, firstTokenAt: 100, doneAt: 1100 },
    finishReason: "length",
    attempts: 1,
    chunkTimes: [100, 200, 400, 1100],
  },
  // latency 2.3 s, TTFT 0.3 s, TPOT 2000/40 = 50 ms, one gap of 2000 ms; took two attempts
  {
    ok: true,
    usage: { promptTokens: 70, completionTokens: 41 },
    timing: { sentAt: 500, firstTokenAt: 800, doneAt: 2800 },
    finishReason: "stop",
    attempts: 2,
    chunkTimes: [800, 2800],
  },
  { ok: false, code: "E_REQUEST_FAILED", message: "request to …/chat/completions failed after 4 attempt(s): 500" },
  // latency 3.0 s, TTFT 0.5 s, one token: no TPOT, no gap
  {
    ok: true,
    usage: { promptTokens: 30, completionTokens: 1 },
    timing: { sentAt: 1000, firstTokenAt: 1500, doneAt: 4000 },
    finishReason: "stop",
    attempts: 1,
    chunkTimes: [1500],
  },
];

describe("summarizeBenchLevel", () => {
  // The level took 10 s of wall time (the closed loop's own clock, not the replies' span).
  const result = summarizeBenchLevel(OUTCOMES, 10_000, CONTEXT);

  test("bench_openai.py's fields come first, in its order and nesting", () => {
    expect(Object.keys(result).slice(0, 15)).toEqual([
      "endpoint",
      "model",
      "concurrency",
      "requests",
      "max_tokens",
      "temperature",
      "stream",
      "ok",
      "errors",
      "total_time_s",
      "qps",
      "latency_s",
      "ttft_s",
      "token_usage",
      "derived",
    ]);
    expect(Object.keys(result.latency_s)).toEqual(["p50", "p95", "mean", "min", "max"]);
    expect(Object.keys(result.ttft_s)).toEqual(["p50", "p95", "mean", "min", "max"]);
    expect(Object.keys(result.token_usage).slice(0, 2)).toEqual(["prompt_tokens_mean", "completion_tokens_mean"]);
    expect(Object.keys(result.derived)).toEqual(["prompt_tps", "decode_tps", "ms_per_output_token"]);
  });

  test("settings as sent; the endpoint is the chat completions URL", () => {
    expect(result).toMatchObject({
      endpoint: "http://127.0.0.1:8000/v1/chat/completions",
      model: "Qwen/Qwen3-32B-FP8",
      concurrency: 2,
      max_tokens: 256,
      temperature: 0,
      stream: true,
      variant: "fp8",
      ignore_eos: false,
      warmup_requests: 3,
    });
  });

  test("every request counts, failures apart; QPS and token rates divide by the wall time", () => {
    expect(result).toMatchObject({ requests: 4, ok: 3, errors: 1, total_time_s: 10 });
    expect(result.qps).toBeCloseTo(0.3, 12); // 3 replies / 10 s
    expect(result.token_usage).toEqual({
      prompt_tokens_mean: 50,
      completion_tokens_mean: 53 / 3,
      prompt_tokens_total: 150,
      completion_tokens_total: 53,
    });
    expect(result.derived.prompt_tps).toBeCloseTo(15, 12);
    expect(result.derived.decode_tps).toBeCloseTo(5.3, 12);
  });

  test("latency and TTFT in seconds over the replies", () => {
    // latencies 1.1, 2.3, 3.0: p95 rank 1.9 → 2.3 + 0.9 × 0.7 = 2.93
    expect(result.latency_s.p50).toBeCloseTo(2.3, 12);
    expect(result.latency_s.p95).toBeCloseTo(2.93, 12);
    expect(result.latency_s.mean).toBeCloseTo(6.4 / 3, 12);
    expect(result.latency_s).toMatchObject({ min: 1.1, max: 3 });
    expect(result.ttft_s.p50).toBeCloseTo(0.3, 12);
    expect(result.ttft_s).toMatchObject({ min: 0.1, max: 0.5 });
  });

  test("ms_per_output_token is bench_openai.py's: mean latency / mean completion tokens × 1000 (TTFT included)", () => {
    // (6.4 / 3 s) / (53 / 3 tokens) × 1000 = 6400 / 53 ≈ 120.75 ms, well above the TPOTs of 50 and 100 ms
    expect(result.derived.ms_per_output_token).toBeCloseTo(6400 / 53, 10);
  });

  test("TPOT over replies of two or more tokens, with tail percentiles", () => {
    // [50, 100]: p50 75, p90 95, p95 97.5, p99 99.5
    expect(result.tpot_ms).toEqual({ p50: 75, p90: 95, p95: 97.5, p99: 99.5, mean: 75, min: 50, max: 100, n: 2 });
  });

  test("ITL pools the chunk gaps of every reply", () => {
    // [100, 200, 700, 2000]: p50 rank 1.5 → 450; p90 rank 2.7 → 700 + 0.7 × 1300 = 1610; p99 rank 2.97 → 1961
    expect(result.itl_ms.p50).toBeCloseTo(450, 10);
    expect(result.itl_ms.p90).toBeCloseTo(1610, 10);
    expect(result.itl_ms.p95).toBeCloseTo(1805, 10);
    expect(result.itl_ms.p99).toBeCloseTo(1961, 10);
    expect(result.itl_ms).toMatchObject({ mean: 750, min: 100, max: 2000, n: 4 });
  });

  test("finish reasons, retried replies and failure messages are counted", () => {
    expect(result.finish_reasons).toEqual({ length: 1, stop: 2 });
    expect(result.retried).toBe(1);
    expect(result.error_samples).toEqual([
      { code: "E_REQUEST_FAILED", message: "request to …/chat/completions failed after 4 attempt(s): 500", count: 1 },
    ]);
  });

  test("not streamed: TTFT, TPOT and ITL are all null, the bench_openai figures are not", () => {
    const plain = OUTCOMES.map(
      (o): RequestOutcome =>
        o.ok
          ? {
              ok: true,
              usage: o.usage,
              timing: { sentAt: o.timing.sentAt, doneAt: o.timing.doneAt },
              finishReason: o.finishReason,
              attempts: o.attempts,
            }
          : o,
    );
    const summary = summarizeBenchLevel(plain, 10_000, { ...CONTEXT, stream: false });
    const nulls = { p50: null, p95: null, mean: null, min: null, max: null };
    expect(summary.ttft_s).toEqual(nulls);
    expect(summary.tpot_ms).toEqual({ ...nulls, p90: null, p99: null, n: 0 });
    expect(summary.itl_ms).toEqual({ ...nulls, p90: null, p99: null, n: 0 });
    expect(summary.latency_s.p50).toBeCloseTo(2.3, 12);
    expect(summary.stream).toBe(false);
  });

  test("all failed: no rates, no latencies, every failure counted once per distinct message", () => {
    const failures: RequestOutcome[] = [
      { ok: false, code: "E_REQUEST_FAILED", message: "a" },
      { ok: false, code: "E_REQUEST_FAILED", message: "b" },
      { ok: false, code: "E_REQUEST_FAILED", message: "a" },
    ];
    const summary = summarizeBenchLevel(failures, 5000, CONTEXT);
    expect(summary).toMatchObject({
      requests: 3,
      ok: 0,
      errors: 3,
      qps: 0,
      derived: { prompt_tps: 0, decode_tps: 0, ms_per_output_token: null },
    });
    expect(summary.latency_s.p50).toBeNull();
    expect(summary.error_samples.map((e) => [e.message, e.count])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
  });
});

describe("interTokenGapsMs and describeTails", () => {
  test("gaps between consecutive chunks; none for zero or one chunk", () => {
    expect(interTokenGapsMs([10, 12.5, 20])).toEqual([2.5, 7.5]);
    expect(interTokenGapsMs([10])).toEqual([]);
    expect(interTokenGapsMs([])).toEqual([]);
  });

  test("tails match numpy.percentile on 1..100", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // any order
    // numpy.percentile(range(1, 101), [50, 90, 95, 99]) → 50.5, 90.1, 95.05, 99.01
    const tails = describeTails(values);
    expect(tails.p50).toBeCloseTo(50.5, 12);
    expect(tails.p90).toBeCloseTo(90.1, 12);
    expect(tails.p95).toBeCloseTo(95.05, 12);
    expect(tails.p99).toBeCloseTo(99.01, 12);
    expect(tails).toMatchObject({ mean: 50.5, min: 1, max: 100, n: 100 });
  });
});
