/** Throughput on hand-built records: two sessions a day apart, a failed request, streamed and non-streamed replies. */
import { describe, expect, test } from "vitest";
import { summarizeThroughput } from "../../src/metrics/throughput.ts";
import { makeRecord } from "./records.ts";

const DAY_MS = 86_400_000;

// Session s1 spans 1000 → 3000 ms (2 s); session s2 spans DAY+0 → DAY+4500 ms (4.5 s). Total 6.5 s.
const RECORDS = [
  // latency 2 s, TTFT 0.2 s, TTFT-answer 0.5 s, TPOT (3000−1200)/(21−1) = 90 ms
  makeRecord({
    itemId: "a",
    session: "s1",
    outcome: "correct",
    sentAt: 1000,
    firstTokenAt: 1200,
    firstAnswerTokenAt: 1500,
    doneAt: 3000,
    promptTokens: 100,
    completionTokens: 21,
  }),
  // latency 1 s, TTFT 0.1 s, TTFT-answer 0.1 s, TPOT 900/9 = 100 ms
  makeRecord({
    itemId: "b",
    session: "s1",
    outcome: "wrong",
    sentAt: 1500,
    firstTokenAt: 1600,
    firstAnswerTokenAt: 1600,
    doneAt: 2500,
    promptTokens: 50,
    completionTokens: 10,
  }),
  // A request that failed after retries: a request and an error, no latency, no span.
  makeRecord({ itemId: "c", session: "s1", outcome: "request-error" }),
  // latency 1 s, TTFT 0.3 s, one token: no TPOT, no answer token (reasoning only)
  makeRecord({
    itemId: "c",
    session: "s2",
    outcome: "unanswered",
    sentAt: DAY_MS,
    firstTokenAt: DAY_MS + 300,
    doneAt: DAY_MS + 1000,
    promptTokens: 150,
    completionTokens: 1,
  }),
  // Not streamed: latency 4 s, no TTFT, no TPOT
  makeRecord({
    itemId: "d",
    session: "s2",
    outcome: "correct",
    sentAt: DAY_MS + 500,
    doneAt: DAY_MS + 4500,
    promptTokens: 100,
    completionTokens: 49,
  }),
];

describe("summarizeThroughput", () => {
  const summary = summarizeThroughput(RECORDS);

  test("counts every record as a request, errors apart", () => {
    expect(summary).toMatchObject({ requests: 5, ok: 4, errors: 1 });
  });

  test("wall time sums each session's span and leaves out the day between them", () => {
    expect(summary.total_time_s).toBeCloseTo(6.5, 12);
  });

  test("QPS and token rates divide by that wall time (bench_openai.py's definitions)", () => {
    expect(summary.qps).toBeCloseTo(4 / 6.5, 12); // 0.615…
    expect(summary.derived.prompt_tps).toBeCloseTo(400 / 6.5, 12); // 100+50+150+100 prompt tokens
    expect(summary.derived.decode_tps).toBeCloseTo(81 / 6.5, 12); // 21+10+1+49 completion tokens
    expect(summary.token_usage).toEqual({
      prompt_tokens_mean: 100,
      completion_tokens_mean: 20.25,
      prompt_tokens_total: 400,
      completion_tokens_total: 81,
    });
  });

  test("ms per output token = mean latency / mean completion tokens × 1000", () => {
    expect(summary.derived.ms_per_output_token).toBeCloseTo((2 / 20.25) * 1000, 9); // 98.77
  });

  test("latency over replies only: [1, 1, 2, 4] s", () => {
    expect(summary.latency_s.p50).toBeCloseTo(1.5, 12);
    expect(summary.latency_s.p95).toBeCloseTo(3.7, 12); // rank 2.85: 2 + 0.85·(4−2)
    expect(summary.latency_s.mean).toBeCloseTo(2, 12);
    expect(summary.latency_s.min).toBeCloseTo(1, 12);
    expect(summary.latency_s.max).toBeCloseTo(4, 12);
  });

  test("TTFT from streamed replies only: [0.1, 0.2, 0.3] s; TTFT-answer from replies with an answer token: [0.1, 0.5] s", () => {
    expect(summary.ttft_s.p50).toBeCloseTo(0.2, 12);
    expect(summary.ttft_s.p95).toBeCloseTo(0.29, 12);
    expect(summary.ttft_s.mean).toBeCloseTo(0.2, 12);
    expect(summary.ttft_s.min).toBeCloseTo(0.1, 12);
    expect(summary.ttft_answer_s.p50).toBeCloseTo(0.3, 12);
    expect(summary.ttft_answer_s.max).toBeCloseTo(0.5, 12);
  });

  test("TPOT only for streamed replies of more than one token: [90, 100] ms", () => {
    expect(summary.tpot_ms).toEqual({ p50: 95, p95: expect.closeTo(99.5, 12), mean: 95, min: 90, max: 100 });
  });

  test("a reply whose grading failed is still a request that succeeded", () => {
    const graded = summarizeThroughput([makeRecord({ itemId: "x", outcome: "grading-error", sentAt: 0, doneAt: 500 })]);
    expect(graded).toMatchObject({ requests: 1, ok: 1, errors: 0, total_time_s: 0.5, qps: 2 });
  });

  test("no records: zero rates and null figures, never NaN", () => {
    const empty = summarizeThroughput([]);
    expect(empty).toEqual({
      requests: 0,
      ok: 0,
      errors: 0,
      total_time_s: 0,
      qps: 0,
      latency_s: { p50: null, p95: null, mean: null, min: null, max: null },
      ttft_s: { p50: null, p95: null, mean: null, min: null, max: null },
      ttft_answer_s: { p50: null, p95: null, mean: null, min: null, max: null },
      tpot_ms: { p50: null, p95: null, mean: null, min: null, max: null },
      token_usage: {
        prompt_tokens_mean: null,
        completion_tokens_mean: null,
        prompt_tokens_total: 0,
        completion_tokens_total: 0,
      },
      derived: { prompt_tps: 0, decode_tps: 0, ms_per_output_token: null },
    });
  });

  test("only failures: requests and errors, no time", () => {
    expect(summarizeThroughput([makeRecord({ itemId: "a", outcome: "request-error" })])).toMatchObject({
      requests: 1,
      ok: 0,
      errors: 1,
      total_time_s: 0,
      qps: 0,
    });
  });
});

describe("replies whose prompt count is unknown (counted client-side by chunks)", () => {
  const unknownPrompt = (record: (typeof RECORDS)[number]) =>
    record.reply === undefined
      ? record
      : { ...record, reply: { ...record.reply, usage: { ...record.reply.usage, promptTokens: null } } };

  test("one such reply leaves the prompt figures unknown: no total over the others passes for all", () => {
    const summary = summarizeThroughput(RECORDS.map((r, i) => (i === 0 ? unknownPrompt(r) : r)));
    expect(summary.token_usage).toEqual({
      prompt_tokens_mean: null,
      completion_tokens_mean: 20.25,
      prompt_tokens_total: null,
      completion_tokens_total: 81,
    });
    expect(summary.derived.prompt_tps).toBeNull();
    // Completion figures do not depend on the prompt.
    expect(summary.derived.decode_tps).toBeCloseTo(81 / 6.5, 12);
  });

  test("the near miss: every prompt known gives the figures", () => {
    expect(summarizeThroughput(RECORDS).derived.prompt_tps).not.toBeNull();
  });
});
