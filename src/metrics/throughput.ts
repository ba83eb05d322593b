/**
 * Throughput from journal records: the same figures, names and units as the users' `tools/bench_openai.py` JSON
 * (qps, latency_s, ttft_s, token_usage, derived.prompt_tps/decode_tps/ms_per_output_token), computed from the very
 * requests that were graded. Pure: the timings were taken when the requests ran.
 */
import type { Reply } from "../core/types.ts";
import { describe, mean, type Stats, sum } from "./stats.ts";

export type { Stats } from "./stats.ts";

export interface ThroughputSummary {
  /** Records given: each is one request outcome (its retries included), failed or not. */
  requests: number;
  /** Requests that got a reply. */
  ok: number;
  /** Requests that failed after retries (an error and no reply). */
  errors: number;
  /** Wall time the requests spanned: the sum over sessions of (last doneAt − first sentAt), in seconds. */
  total_time_s: number;
  /** ok / total_time_s (0 when no time elapsed). */
  qps: number;
  /** doneAt − sentAt per reply, seconds. */
  latency_s: Stats;
  /** firstTokenAt − sentAt (first token of any kind, reasoning included, as `vllm bench serve` counts TTFT). */
  ttft_s: Stats;
  /** firstAnswerTokenAt − sentAt (first token of the final answer, after any reasoning). */
  ttft_answer_s: Stats;
  /** (doneAt − firstTokenAt) / (completion tokens − 1) in ms, for streamed replies of more than one token. */
  tpot_ms: Stats;
  /** Prompt figures are null when any reply's prompt count is unknown (counted client-side by chunks). */
  token_usage: {
    prompt_tokens_mean: number | null;
    completion_tokens_mean: number | null;
    prompt_tokens_total: number | null;
    completion_tokens_total: number;
  };
  derived: {
    /** Prompt tokens of all replies / total_time_s; null when a prompt count is unknown. */
    prompt_tps: number | null;
    /** Completion tokens of all replies / total_time_s. */
    decode_tps: number;
    /** Mean latency / mean completion tokens × 1000, as bench_openai.py defines it (it includes TTFT). */
    ms_per_output_token: number | null;
  };
}

const MS_PER_S = 1000;

/** What throughput reads of a journal record: its session, whether it failed, its reply's tokens and instants. */
export interface ThroughputRecord {
  session: string;
  error?: unknown;
  reply?: TimedReply | undefined;
}

export function summarizeThroughput(records: readonly ThroughputRecord[]): ThroughputSummary {
  const replies = records.flatMap((r) => (r.reply === undefined ? [] : [r.reply]));
  const errors = records.filter((r) => r.reply === undefined && r.error !== undefined).length;
  return summarizeReplies(replies, { requests: records.length, errors, totalTimeS: sessionSpanMs(records) / MS_PER_S });
}

/** What summarizeReplies needs of a reply: its token counts and its instants (epoch ms). */
export interface TimedReply {
  usage: Reply["usage"];
  timing: Reply["timing"];
}

/**
 * The same figures from replies and a wall time measured elsewhere (`quanteval bench` times its own load phase,
 * as bench_openai.py does). `requests` counts every request sent, `errors` those that failed after retries.
 */
export function summarizeReplies(
  replies: readonly TimedReply[],
  run: { requests: number; errors: number; totalTimeS: number },
): ThroughputSummary {
  const latencies: number[] = [];
  const ttfts: number[] = [];
  const ttftAnswers: number[] = [];
  const tpots: number[] = [];
  const promptTokens: number[] = [];
  let promptUnknown = false;
  const completionTokens: number[] = [];
  for (const { timing, usage } of replies) {
    latencies.push((timing.doneAt - timing.sentAt) / MS_PER_S);
    if (timing.firstTokenAt !== undefined) ttfts.push((timing.firstTokenAt - timing.sentAt) / MS_PER_S);
    if (timing.firstAnswerTokenAt !== undefined)
      ttftAnswers.push((timing.firstAnswerTokenAt - timing.sentAt) / MS_PER_S);
    const tpot = tpotMs(timing, usage.completionTokens);
    if (tpot !== undefined) tpots.push(tpot);
    if (usage.promptTokens === null) promptUnknown = true;
    else promptTokens.push(usage.promptTokens);
    completionTokens.push(usage.completionTokens);
  }

  const totalTimeS = run.totalTimeS;
  // A total over the replies whose prompt is known would pass for all of them: no prompt figure at all instead.
  const promptTotal = promptUnknown ? null : sum(promptTokens);
  const completionTotal = sum(completionTokens);
  const perSecond = (count: number) => (totalTimeS > 0 ? count / totalTimeS : 0);
  const latency = describe(latencies);
  const completionMean = mean(completionTokens);
  return {
    requests: run.requests,
    ok: replies.length,
    errors: run.errors,
    total_time_s: totalTimeS,
    qps: perSecond(replies.length),
    latency_s: latency,
    ttft_s: describe(ttfts),
    ttft_answer_s: describe(ttftAnswers),
    tpot_ms: describe(tpots),
    token_usage: {
      prompt_tokens_mean: promptUnknown ? null : mean(promptTokens),
      completion_tokens_mean: completionMean,
      prompt_tokens_total: promptTotal,
      completion_tokens_total: completionTotal,
    },
    derived: {
      prompt_tps: promptTotal === null ? null : perSecond(promptTotal),
      decode_tps: perSecond(completionTotal),
      ms_per_output_token:
        latency.mean !== null && completionMean !== null && completionMean > 0
          ? (latency.mean / completionMean) * MS_PER_S
          : null,
    },
  };
}

/**
 * (doneAt − firstTokenAt) / (completion tokens − 1) in ms: the first token's time is TTFT's; TPOT is the pace of
 * the tokens after it. Undefined for a reply not streamed, or of fewer than two tokens.
 */
export function tpotMs(timing: Reply["timing"], completionTokens: number): number | undefined {
  if (timing.firstTokenAt === undefined || completionTokens <= 1) return undefined;
  return (timing.doneAt - timing.firstTokenAt) / (completionTokens - 1);
}

/**
 * Sum over sessions of (last doneAt − first sentAt). A resumed run's sessions are separate processes, possibly days
 * apart; the idle time between them is not throughput. Failed requests carry no timing, so they do not widen a span.
 */
function sessionSpanMs(records: readonly ThroughputRecord[]): number {
  const spans = new Map<string, { first: number; last: number }>();
  for (const record of records) {
    if (record.reply === undefined) continue;
    const { sentAt, doneAt } = record.reply.timing;
    const span = spans.get(record.session);
    if (span === undefined) spans.set(record.session, { first: sentAt, last: doneAt });
    else {
      span.first = Math.min(span.first, sentAt);
      span.last = Math.max(span.last, doneAt);
    }
  }
  let total = 0;
  for (const { first, last } of spans.values()) total += Math.max(0, last - first);
  return total;
}
