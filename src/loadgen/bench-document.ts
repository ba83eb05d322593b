/**
 * bench.json: the results (one object per variant × concurrency, bench_openai.py's fields first) under a
 * description of what each figure means, over what n and by which method, so the file stands on its own when it
 * is copied into an issue. Pure: the caller writes it.
 */

import type { BenchPlan, VariantBench } from "./bench-run.ts";
import type { BenchResult } from "./bench-summary.ts";
import type { MaxRateResult } from "./max-rate-search.ts";
import { OPEN_LOOP_FIELDS, OPEN_LOOP_METHOD, openLoopSettings } from "./open-loop-meanings.ts";
import { describePromptSource } from "./prompt-source.ts";
import { sloSettings } from "./slo.ts";

/** The plan's settings as bench.json records them, with the variants reduced to what identifies them. */
export type BenchMeta = Omit<BenchPlan, "variants" | "retry"> & {
  id: string;
  createdAt: string;
  variants: readonly { name: string; model: string; baseUrl: string; served: boolean }[];
};

export interface BenchDocument {
  tool: "quanteval bench";
  id: string;
  created_at: string;
  description: { method: string; fields: Record<string, string> };
  settings: Record<string, unknown>;
  variants: Record<string, unknown>[];
  results: BenchResult[];
  /** --find-max-rate: one per variant that finished its search. */
  max_rate?: (MaxRateResult & { variant: string })[];
}

const METHOD =
  "Closed loop per variant and concurrency c: exactly c requests in flight until `requests` have been sent (each finished " +
  "request is replaced at once); warm-up requests, when asked for, go first at the same concurrency and are not counted. " +
  "Variants run one after another, never at once. Token counts are the server's own (usage), not re-tokenised, " +
  "unless client_counted says the server sent none. " +
  "Percentiles interpolate linearly between ranks (numpy's default), over the n given in each field's meaning.";

/** Field → meaning, in bench_openai.py's terms where it has the field. */
function fieldMeanings(stream: boolean): Record<string, string> {
  const notStreamed = stream
    ? ""
    : " Null here: requests were not streamed (--no-stream), so no token arrival was seen.";
  return {
    endpoint: "the chat completions URL asked (bench_openai.py's field)",
    model: "the served model name sent in each request",
    concurrency: "requests in flight at once (closed loop)",
    requests: "requests sent and finished at this concurrency, warm-up not included (n for ok + errors)",
    max_tokens: "max_tokens sent in each request",
    temperature: "temperature sent in each request",
    stream: "whether requests were streamed (true gives TTFT, TPOT and ITL)",
    ok: "requests that got a complete reply (n for latency_s, token_usage)",
    errors: "requests that failed after retries; they count in requests, not in any latency or token figure",
    total_time_s: "wall time of the measured requests: from sending the first to the last one finishing, seconds",
    qps: "ok / total_time_s: completed requests per second",
    latency_s: "per reply, request sent → last byte, seconds (p50, p95, mean, min, max over ok replies)",
    ttft_s:
      "per reply, request sent → first streamed token of any kind (reasoning included), seconds: the prompt's prefill " +
      `time (plus any wait for a batch slot), which long prompts (D(20000,1000)) make the main cost.${notStreamed}`,
    "token_usage.prompt_tokens_mean":
      "mean prompt tokens per reply as the server counted them (chat template included)",
    "token_usage.completion_tokens_mean": "mean completion tokens per reply as the server counted them",
    "token_usage.prompt_tokens_total": "prompt tokens of all replies",
    "token_usage.completion_tokens_total": "completion tokens of all replies",
    "derived.prompt_tps": "prompt_tokens_total / total_time_s: prompt tokens per second, all requests together",
    "derived.decode_tps": "completion_tokens_total / total_time_s: generated tokens per second, all requests together",
    "derived.ms_per_output_token":
      "latency_s.mean / completion_tokens_mean × 1000, as bench_openai.py defines it (it includes TTFT; not TPOT)",
    variant: "the variant's name from the config or --variant",
    tpot_ms: `time per output token after the first, per reply: (last byte − first token) / (completion tokens − 1), ms; p50/p90/p95/p99 over the n replies of 2+ tokens.${notStreamed}`,
    itl_ms: `inter-token latency: gaps between consecutive streamed chunks carrying tokens, pooled over all replies (n gaps), ms (vllm bench serve's ITL). A chunk usually carries one token; chunks that reach the client in one network read are timed together, on arrival, so their gaps are 0; TPOT smooths over that.${notStreamed}`,
    ignore_eos: "whether ignore_eos: true was sent (vLLM's extension: every reply runs to max_tokens)",
    warmup_requests: "warm-up requests sent before this level, not counted anywhere",
    finish_reasons: 'finish_reason → replies ("length": cut at max_tokens)',
    retried: "replies that took more than one attempt; their latency is that of the successful attempt",
    error_samples: "the most frequent distinct failure messages, with counts",
    client_counted:
      "replies whose server sent no usage in the stream, counted client-side (how: client_counted_by); absent when " +
      "none. Their counts are not the server's, so figure_checks.completion_count leaves them out",
    client_counted_by:
      '"tokenizer": with --tokenizer, prompt tokens = its count of the chat prompt (chat template applied), ' +
      'completion tokens = its count of the streamed reasoning and content; "chunks": without one, completion ' +
      "tokens = token-carrying chunks streamed and the prompt unknown (token_usage.prompt_* and derived.prompt_tps " +
      "are then null)",
    figure_checks:
      "whether the server's token counts can be trusted, over ok replies: held_output (with ignore_eos or min_tokens: " +
      'replies that ended by "stop" before their held length, and the shortest), prompt_growth (median reported ' +
      "prompt tokens of the shortest and longest quarter of prompts by characters; untested when the longest are not " +
      "1.5× the shortest), completion_count (reported completion tokens against token-carrying chunks streamed, " +
      "summed; 5% apart is flagged). warnings lists each failed check: the tokens/s figures are then not trustworthy",
    "variants[].engine":
      "the serving engine (vllm, sglang, lmdeploy, trtllm, llamacpp) and its version, as the server said (source " +
      '"server": owned_by in GET /v1/models, GET /version, /get_server_info or /props) or, failing that, its serve ' +
      'command (source "serve-command": the program, or the engine\'s container image). versionFrom "image-tag": ' +
      "the version is the image tag's release (vllm/vllm-openai:v0.11.0), not the server's word; absent when neither " +
      "said",
    prompt_tokens_check:
      "with --tokenizer only: prompt tokens per reply as that tokenizer and chat template count them (expected) and " +
      "as the server reported them (usage), their difference reported − expected (mean, min, max) and how many " +
      "agree exactly, over n ok replies",
  };
}

/** The fields --slo and --find-max-rate add, as vllm bench serve --goodput defines goodput. */
const SLO_FIELDS: Record<string, string> = {
  slo: "the latency targets of --slo, ms: a request met one when its value was at most the target",
  "goodput.requests_per_s":
    "requests that met every target / total_time_s (vllm bench serve's request goodput); a failed request never meets one",
  "goodput.output_tokens_per_s": "completion tokens of the requests that met every target / total_time_s",
  "goodput.share_met":
    "share of the requests sent (failures included) that met every target (all), then each target alone. TTFT and TPOT " +
    "are missed when not streamed; a one-token reply's TPOT is 0, as vLLM counts it",
  max_rate:
    "--find-max-rate: the highest Poisson request rate (req/s) at which at least `percentile`% of a trial's requests met " +
    "each target. Each trial first sends a warm-up at the same rate (settings.find_max_rate.warmup: at least " +
    "min_requests, and at least min_seconds of arrivals; steps[].warmup), left unjudged so that the judged requests " +
    "meet a server already under load, and after them a cool-down (settings.find_max_rate.cooldown.seconds of " +
    "arrivals, at most 10× the judged requests; steps[].cooldown), left unjudged so that they finish under load, not " +
    "in a batch that drains once arrivals stop. Each search starts at the variant's best level QPS (else " +
    "settings.find_max_rate.start_rate), doubles (or halves) the rate until it brackets that point, then bisects to " +
    "2%; max_rate " +
    "is the median of the searches' results, interval their [min, max] (a distribution-free interval for the median, of " +
    "the confidence given); repetitions lists every trial",
};

export function benchDocument(meta: BenchMeta, outcomes: readonly VariantBench[]): BenchDocument {
  const byName = new Map(outcomes.map((o) => [o.variant, o]));
  return {
    tool: "quanteval bench",
    id: meta.id,
    created_at: meta.createdAt,
    description: {
      method: meta.openLoop === undefined ? METHOD : `${METHOD} ${OPEN_LOOP_METHOD}`,
      fields: {
        ...fieldMeanings(meta.stream),
        ...(meta.openLoop === undefined ? {} : OPEN_LOOP_FIELDS),
        ...(meta.slo === undefined ? {} : SLO_FIELDS),
      },
    },
    settings: {
      concurrency: meta.concurrencies,
      requests: meta.requests,
      max_tokens: meta.maxTokens,
      temperature: meta.temperature,
      stream: meta.stream,
      ignore_eos: meta.ignoreEos,
      warmup_requests: meta.warmup,
      timeout_s: meta.timeoutSec,
      prompt: describePromptSource(meta.prompts),
      ...(meta.openLoop === undefined ? {} : openLoopSettings(meta.openLoop)),
      ...(meta.slo === undefined ? {} : { slo: sloSettings(meta.slo) }),
      ...(meta.maxRate === undefined
        ? {}
        : {
            find_max_rate: {
              percentile: meta.maxRate.percentile,
              trials: meta.maxRate.trials,
              requests_per_trial: meta.maxRate.requests,
              ...(meta.maxRate.warmup === undefined
                ? {}
                : { warmup: { min_requests: meta.maxRate.warmup.requests, min_seconds: meta.maxRate.warmup.seconds } }),
              ...(meta.maxRate.cooldown === undefined ? {} : { cooldown: { seconds: meta.maxRate.cooldown.seconds } }),
              start_rate: meta.maxRate.startRate,
            },
          }),
    },
    variants: meta.variants.map((v) => {
      const outcome = byName.get(v.name);
      return {
        name: v.name,
        model: v.model,
        base_url: v.baseUrl,
        started_by_quanteval: v.served,
        status: outcome?.status ?? "not run",
        ...(outcome?.serverStartupSec === undefined ? {} : { server_startup_s: outcome.serverStartupSec }),
        ...(outcome?.engine === undefined ? {} : { engine: outcome.engine }),
        ...(outcome?.error === undefined ? {} : { error: outcome.error }),
      };
    }),
    results: outcomes.flatMap((o) => o.results),
    ...(meta.maxRate === undefined
      ? {}
      : { max_rate: outcomes.flatMap((o) => (o.maxRate === undefined ? [] : [{ variant: o.variant, ...o.maxRate }])) }),
  };
}
