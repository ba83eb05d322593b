/**
 * One bench result (a variant at one concurrency) from its request outcomes and wall time. The fields of the
 * users' `tools/bench_openai.py` JSON come first, with the same names, nesting, units and meanings (computed by
 * src/metrics/throughput.ts, which `quanteval run` uses too); quanteval's own figures follow. Pure.
 */

import type { UsageCounter } from "../core/types.ts";
import {
  checkFigures,
  type FigureChecks,
  mean,
  percentile,
  summarizeReplies,
  type ThroughputSummary,
  tpotMs,
} from "../metrics/index.ts";
import type { RequestOutcome } from "./closed-loop.ts";
import type { PromptTokensCheck } from "./prompt-tokens-check.ts";
import { type Goodput, type Slo, sloSettings, summarizeGoodput } from "./slo.ts";

/** Percentiles for tail latencies, as `vllm bench serve` reports them (p50/p90/p95/p99), plus mean, min, max and n. */
export interface TailStats {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
  n: number;
}

/** An open-loop level's own figures (`--request-rate`), after the others; absent from closed-loop levels. */
export interface OpenLoopFields {
  /** The arrival rate asked, req/s; "inf": all at once. */
  request_rate: number | "inf";
  /** Arrivals per second achieved: requests / (last arrival − level start), s; null when the rate asked is "inf". */
  achieved_rate: number | null;
  /** Gamma shape of the arrival gaps (1: Poisson); "inf": constant gaps. */
  burstiness: number | "inf";
  /** Most requests in flight allowed (--max-concurrency); null: no cap. */
  max_concurrency: number | null;
  /** Per request, scheduled arrival → sent, ms: the timer's lag plus, at the cap, the wait for a slot. */
  send_delay_ms: TailStats;
  /** The timer's lag alone (no slot wait): its p90 against the mean gap asked; flagged when it reshapes the gaps. */
  send_lag: { timer_p90_ms: number; mean_gap_ms: number | null; flagged: boolean };
}

/** One variant at one concurrency. The key order is the JSON's: bench_openai.py's fields, then ours. */
export interface BenchResult extends Partial<OpenLoopFields> {
  /** bench_openai.py: the chat completions URL asked. */
  endpoint: string;
  model: string;
  concurrency: number;
  /** Requests sent and finished (warm-up requests not included). */
  requests: number;
  max_tokens: number;
  temperature: number;
  stream: boolean;
  // The same figures as the report's throughput table, with bench_openai.py's names (metrics/throughput.ts).
  ok: ThroughputSummary["ok"];
  errors: ThroughputSummary["errors"];
  total_time_s: ThroughputSummary["total_time_s"];
  qps: ThroughputSummary["qps"];
  latency_s: ThroughputSummary["latency_s"];
  ttft_s: ThroughputSummary["ttft_s"];
  token_usage: ThroughputSummary["token_usage"];
  derived: ThroughputSummary["derived"];
  // quanteval's own, beside bench_openai.py's:
  variant: string;
  tpot_ms: TailStats;
  itl_ms: TailStats;
  ignore_eos: boolean;
  warmup_requests: number;
  /** finish_reason → replies; "length" everywhere means every reply ran to max_tokens. */
  finish_reasons: Record<string, number>;
  /** Replies that needed more than one attempt (their latency is that of the last attempt). */
  retried: number;
  /** Distinct failure messages, at most MAX_ERROR_SAMPLES, each with how often it occurred. */
  error_samples: { code: string; message: string; count: number }[];
  /** Replies whose server sent no usage, counted client-side; absent when none. */
  client_counted?: number;
  /** How they were counted: "tokenizer" (--tokenizer) or "chunks" (token-carrying chunks, prompt unknown). */
  client_counted_by?: UsageCounter;
  /** Whether the server's token counts can be trusted (metrics/figure-checks.ts); warnings flag the tokens/s. */
  figure_checks: FigureChecks;
  /** With --tokenizer: its prompt token counts against the server's (prompt-tokens-check.ts). */
  prompt_tokens_check?: PromptTokensCheck;
  /** With --slo: the targets, metric_ms → ms. */
  slo?: ReturnType<typeof sloSettings>;
  /** With --slo: requests and output tokens per second of the requests that met every target. */
  goodput?: Goodput;
}

export interface BenchLevelContext {
  variant: string;
  endpoint: string;
  model: string;
  concurrency: number;
  maxTokens: number;
  temperature: number;
  stream: boolean;
  ignoreEos: boolean;
  warmupRequests: number;
  /** Latency targets, when --slo gives them: the result then carries slo and goodput. */
  slo?: Slo | undefined;
}

const MAX_ERROR_SAMPLES = 5;

export function summarizeBenchLevel(
  outcomes: readonly RequestOutcome[],
  wallTimeMs: number,
  context: BenchLevelContext,
): BenchResult {
  const replies = outcomes.flatMap((o) => (o.ok ? [o] : []));
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [o]));
  const throughput = summarizeReplies(replies, {
    requests: outcomes.length,
    errors: failures.length,
    totalTimeS: Math.max(0, wallTimeMs) / 1000,
  });
  const tpots = replies.flatMap((r) => tpotMs(r.timing, r.usage.completionTokens) ?? []);
  const finishReasons: Record<string, number> = {};
  for (const reply of replies) finishReasons[reply.finishReason] = (finishReasons[reply.finishReason] ?? 0) + 1;
  return {
    endpoint: `${context.endpoint}/chat/completions`,
    model: context.model,
    concurrency: context.concurrency,
    requests: throughput.requests,
    max_tokens: context.maxTokens,
    temperature: context.temperature,
    stream: context.stream,
    ok: throughput.ok,
    errors: throughput.errors,
    total_time_s: throughput.total_time_s,
    qps: throughput.qps,
    latency_s: throughput.latency_s,
    ttft_s: throughput.ttft_s,
    token_usage: throughput.token_usage,
    derived: throughput.derived,
    variant: context.variant,
    tpot_ms: describeTails(tpots),
    itl_ms: describeTails(replies.flatMap((r) => interTokenGapsMs(r.chunkTimes ?? []))),
    ignore_eos: context.ignoreEos,
    warmup_requests: context.warmupRequests,
    finish_reasons: finishReasons,
    retried: replies.filter((r) => r.attempts > 1).length,
    error_samples: errorSamples(failures),
    ...(context.slo === undefined
      ? {}
      : { slo: sloSettings(context.slo), goodput: summarizeGoodput(outcomes, wallTimeMs, context.slo) }),
    ...clientCounted(replies),
    figure_checks: checkFigures(
      replies.map((r) => ({
        finishReason: r.finishReason,
        promptTokens: r.usage.promptTokens,
        completionTokens: r.usage.completionTokens,
        heldTo: r.heldTo,
        promptChars: r.promptChars ?? 0,
        streamedChunks: r.chunkTimes?.length,
        countedByClient: r.countedBy !== undefined,
      })),
    ),
  };
}

function clientCounted(
  replies: readonly { countedBy?: UsageCounter }[],
): Pick<BenchResult, "client_counted" | "client_counted_by"> {
  const counted = replies.flatMap((r) => (r.countedBy === undefined ? [] : [r.countedBy]));
  const first = counted[0];
  if (first === undefined) return {};
  // One Endpoint counts a level's replies, with --tokenizer or without: one way for all of them.
  return { client_counted: counted.length, client_counted_by: first };
}

/** Said wherever the counts are shown: they are not the server's. Undefined when the server counted every reply. */
export function clientCountedNote(
  result: Pick<BenchResult, "client_counted" | "client_counted_by">,
): string | undefined {
  const n = result.client_counted;
  if (n === undefined) return undefined;
  return (
    `token counts of ${n} replies are client-side (the server sent no usage): ` +
    (result.client_counted_by === "tokenizer"
      ? "prompt and completion tokens counted with the --tokenizer (its chat template, the streamed text)"
      : "completion tokens are the streamed token chunks, prompt tokens unknown (give --tokenizer to count them)")
  );
}

/**
 * Gaps between consecutive token-carrying chunks of one reply, in ms: `vllm bench serve`'s ITL. A chunk usually
 * carries one token; when the server batches several into one chunk, their gap is one, not one per token.
 */
export function interTokenGapsMs(chunkTimes: readonly number[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < chunkTimes.length; i++) gaps.push((chunkTimes[i] ?? 0) - (chunkTimes[i - 1] ?? 0));
  return gaps;
}

export function describeTails(values: readonly number[]): TailStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: mean(sorted),
    min: sorted[0] ?? null,
    max: sorted[sorted.length - 1] ?? null,
    n: sorted.length,
  };
}

function errorSamples(failures: readonly { code: string; message: string }[]): BenchResult["error_samples"] {
  const byMessage = new Map<string, { code: string; message: string; count: number }>();
  for (const failure of failures) {
    const key = `${failure.code}\u0000${failure.message}`;
    const seen = byMessage.get(key);
    if (seen !== undefined) seen.count += 1;
    else byMessage.set(key, { code: failure.code, message: failure.message, count: 1 });
  }
  return [...byMessage.values()].sort((a, b) => b.count - a.count).slice(0, MAX_ERROR_SAMPLES);
}
