/**
 * One level of `quanteval bench` for one variant: a closed loop at a concurrency, or an open loop at a request
 * rate, sent through the variant's Endpoint and summarised into a BenchResult. bench-run.ts walks the levels.
 */
import type { Endpoint } from "../client/index.ts";
import { RequestFailedError } from "../core/errors.ts";
import { type ArrivalSpec, arrivalSchedule } from "./arrival-schedule.ts";
import { type BenchLevelContext, type BenchResult, summarizeBenchLevel } from "./bench-summary.ts";
import { type RequestOutcome, runClosedLoop } from "./closed-loop.ts";
import { type OpenLoopResult, runOpenLoop } from "./open-loop.ts";
import { summarizeOpenLoop } from "./open-loop-summary.ts";
import { type PromptSource, requestShape } from "./prompt-source.ts";
import { promptTokensCheck, promptTokensLine } from "./prompt-tokens-check.ts";
import type { Slo } from "./slo.ts";

/** `vllm bench serve`'s arrival settings (arrival-schedule.ts). */
export interface OpenLoopPlan {
  /** Arrival rates in req/s, one level each, in the order given; Infinity: all at once. */
  requestRates: readonly number[];
  /** Gamma shape of the arrival gaps: 1 a Poisson process; Infinity constant gaps. */
  burstiness: number;
  /** Most requests in flight; a request due at the cap waits for a slot. Undefined: no cap. */
  maxConcurrency?: number | undefined;
  /** Seed of the arrival schedule: every variant gets the same arrival times. */
  seed: number;
}

/** The plan of every level (bench-run.ts's BenchPlan adds the variants, timeouts and retries). */
export interface LevelPlan {
  /** One value, or a sweep in the order given. */
  concurrencies: readonly number[];
  /** Requests measured per variant and level (warm-up not included). */
  requests: number;
  maxTokens: number;
  temperature: number;
  stream: boolean;
  ignoreEos: boolean;
  /** Warm-up requests before each level, not counted: at its concurrency, or all at once up to the open loop's cap. */
  warmup: number;
  prompts: PromptSource;
  /** Open loop (`--request-rate`): one level per rate, and `concurrencies` unused. Absent: closed loop. */
  openLoop?: OpenLoopPlan | undefined;
  /** --slo: every level's result gains slo and goodput. */
  slo?: Slo | undefined;
}

export type SendRequest = (index: number, signal: AbortSignal | undefined) => Promise<RequestOutcome>;

/** One variant's side of a level: how to send, which prompts, and the names its result carries. */
export interface LevelRun {
  send: SendRequest;
  /** Prompt index of the level's first measured request. */
  first: number;
  now: () => number;
  signal: AbortSignal | undefined;
  log: (line: string) => void;
  variant: string;
  model: string;
  baseUrl: string;
}

/** A level as bench-run.ts walks it; `label` ("c=16", "r=4") names it in logs. */
export type LevelSetting = { label: string; warmupConcurrency: number } & (
  | { kind: "closed"; concurrency: number }
  | { kind: "open"; requestRate: number }
);

/** The plan's levels: its concurrencies (closed loop), or its request rates (open loop). */
export function levelsOf(plan: LevelPlan): LevelSetting[] {
  const open = plan.openLoop;
  if (open === undefined)
    return plan.concurrencies.map((c) => ({ kind: "closed", label: `c=${c}`, concurrency: c, warmupConcurrency: c }));
  // Warm-up as vLLM's: all at once, up to the cap.
  const warmupConcurrency = Math.max(1, Math.min(open.maxConcurrency ?? plan.warmup, plan.warmup));
  return open.requestRates.map((requestRate) => ({
    kind: "open",
    label: `r=${rateLabel(requestRate)}`,
    requestRate,
    warmupConcurrency,
  }));
}

export function rateLabel(requestRate: number): string {
  return requestRate === Number.POSITIVE_INFINITY ? "inf" : String(requestRate);
}

/**
 * The request path of every level: the Endpoint's reply, or its failure after retries, as a RequestOutcome. A
 * scenario's request carries its own max_tokens (and min_tokens), drawn per request index and variant. Each outcome
 * also says what the figure checks need: the length the reply was held to, the prompt's size, and whether its
 * usage was counted by the client (an engine that streams none).
 */
export function requestSender(
  endpoint: Endpoint,
  plan: LevelPlan,
  variant: { name: string; extraBody?: Readonly<Record<string, unknown>> | undefined },
): SendRequest {
  const params = { temperature: plan.temperature, maxTokens: plan.maxTokens };
  return async (index, signal) => {
    try {
      const shape = requestShape(plan.prompts, index, variant.name);
      const asked = {
        ...params,
        ...(shape.maxTokens === undefined ? {} : { maxTokens: shape.maxTokens }),
        ...(shape.minTokens === undefined ? {} : { minTokens: shape.minTokens }),
      };
      const { reply, attempts, chunkTimes } = await endpoint.chat(shape.messages, asked, signal);
      const heldTo = heldLength(asked, plan.ignoreEos, variant.extraBody);
      return {
        ok: true,
        // No usage from the server: the Endpoint counted it, with --tokenizer (prompt and text) or by chunks.
        usage: reply.usage,
        ...(reply.usageCountedBy === undefined ? {} : { countedBy: reply.usageCountedBy }),
        timing: reply.timing,
        finishReason: reply.finishReason,
        attempts,
        ...(chunkTimes === undefined ? {} : { chunkTimes }),
        ...(heldTo === undefined ? {} : { heldTo }),
        promptChars: shape.messages.reduce((sum, m) => sum + m.content.length, 0),
      };
    } catch (error) {
      if (signal?.aborted === true || !(error instanceof RequestFailedError)) throw error;
      return { ok: false, code: error.code, message: error.message };
    }
  };
}

/** The output length a request was held to: min_tokens, or max_tokens under ignore_eos (the flag or extraBody). */
function heldLength(
  asked: { maxTokens: number; minTokens?: number },
  ignoreEos: boolean,
  extraBody: Readonly<Record<string, unknown>> | undefined,
): number | undefined {
  const min = asked.minTokens ?? extraBody?.min_tokens;
  if (typeof min === "number" && min > 0) return min;
  return ignoreEos || extraBody?.ignore_eos === true ? asked.maxTokens : undefined;
}

/** A closed loop of `plan.requests` at `concurrency`; undefined when the signal cut it short. */
export async function measureClosedLevel(
  plan: LevelPlan,
  concurrency: number,
  run: LevelRun,
): Promise<BenchResult | undefined> {
  run.log(`${plan.requests} request(s), ${Math.min(concurrency, plan.requests)} in flight`);
  const loop = await runClosedLoop({
    requests: plan.requests,
    concurrency,
    now: run.now,
    signal: run.signal,
    send: (i, s) => run.send(run.first + i, s),
  });
  if (!loop.complete) return undefined;
  const result = summarizeBenchLevel(
    loop.outcomes,
    loop.finishedAt - loop.startedAt,
    levelContext(plan, run, concurrency),
  );
  return withPromptCheck(result, loop.outcomes, plan, run);
}

/** An open loop of `plan.requests` arriving at `requestRate`; `result` undefined when the signal cut it short. */
export async function measureOpenLevel(
  plan: LevelPlan,
  requestRate: number,
  run: LevelRun,
): Promise<{ result: BenchResult | undefined; loop: OpenLoopResult }> {
  const spec: ArrivalSpec = {
    requestRate,
    burstiness: plan.openLoop?.burstiness ?? 1,
    seed: plan.openLoop?.seed ?? 0,
  };
  const cap = plan.openLoop?.maxConcurrency;
  const capText = cap === undefined ? "" : `, at most ${cap} in flight`;
  run.log(`${plan.requests} request(s) arriving at ${rateLabel(requestRate)} req/s${capText}`);
  const loop = await runOpenLoop({
    schedule: arrivalSchedule(spec, plan.requests),
    maxConcurrency: cap,
    now: run.now,
    signal: run.signal,
    send: (i, s) => run.send(run.first + i, s),
  });
  if (!loop.complete) return { result: undefined, loop };
  // An open loop's concurrency is what the arrivals made of it: the most in flight at once.
  const context = levelContext(plan, run, loop.peakInFlight);
  const result = {
    ...summarizeBenchLevel(loop.outcomes, loop.finishedAt - loop.startedAt, context),
    ...summarizeOpenLoop(loop, spec, cap),
  };
  return { result: withPromptCheck(result, loop.outcomes, plan, run), loop };
}

/** With a model tokenizer (--tokenizer): how the server's prompt counts compare with the asked ones, logged too. */
function withPromptCheck(
  result: BenchResult,
  outcomes: readonly RequestOutcome[],
  plan: LevelPlan,
  run: LevelRun,
): BenchResult {
  const check = promptTokensCheck(outcomes, (i) => requestShape(plan.prompts, run.first + i, run.variant));
  if (check === undefined) return result;
  run.log(promptTokensLine(check));
  return { ...result, prompt_tokens_check: check };
}

function levelContext(plan: LevelPlan, run: LevelRun, concurrency: number): BenchLevelContext {
  return {
    variant: run.variant,
    endpoint: run.baseUrl,
    model: run.model,
    concurrency,
    maxTokens: plan.maxTokens,
    temperature: plan.temperature,
    stream: plan.stream,
    ignoreEos: plan.ignoreEos,
    warmupRequests: plan.warmup,
    slo: plan.slo,
  };
}
