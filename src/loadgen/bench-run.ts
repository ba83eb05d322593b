/**
 * `quanteval bench`'s core, callable in-process (the CLI and benchmarks call it alike): for each variant in turn,
 * start its server when it has a serve block (exactly as `quanteval run` does), then for each concurrency send
 * warm-up requests (not counted) and a closed loop of `requests` requests, and summarise them; with an open-loop
 * plan, one level per request rate instead, each an open loop on the same seeded arrival schedule for every
 * variant. Variants never run at once: their throughputs would share the machine. Requests go through the same
 * Endpoint as `quanteval run` (retries, replicas, API key, extraBody); with `ignoreEos` the body carries vLLM's
 * `ignore_eos: true`.
 */

import { join } from "node:path";
import type { RetryPolicy } from "../client/index.ts";
import { detectEngine, Endpoint, type EngineInfo, engineLabel } from "../client/index.ts";
import type { VariantConfig } from "../config.ts";
import { ConfigError, EndpointUnreachableError, ModelNotServedError, QuantevalError } from "../core/errors.ts";
import { isRecord } from "../core/is-record.ts";
import type { Message } from "../core/types.ts";
import { type ServerHandle, ServerRegistry, startServer, whileServerUp } from "../runner/serve/index.ts";
import {
  type LevelPlan,
  type LevelRun,
  levelsOf,
  measureClosedLevel,
  measureOpenLevel,
  type OpenLoopPlan,
  rateLabel,
  requestSender,
} from "./bench-level.ts";
import { type BenchResult, clientCountedNote } from "./bench-summary.ts";
import { runClosedLoop } from "./closed-loop.ts";
import { type MaxRatePlan, searchStartRate, variantMaxRate } from "./max-rate-run.ts";
import type { MaxRateResult } from "./max-rate-search.ts";
import type { OpenLoopResult } from "./open-loop.ts";
import { sendLagWarning } from "./open-loop-summary.ts";
import { prepareRequests } from "./prompt-source.ts";
import type { OpenLoopSender } from "./rate-trial.ts";

export type { OpenLoopPlan };

/** The levels' settings (bench-level.ts's LevelPlan: concurrencies, requests, sampling, prompts, open loop), plus: */
export interface BenchPlan extends LevelPlan {
  variants: readonly VariantConfig[];
  timeoutSec: number;
  retry?: Partial<RetryPolicy> | undefined;
  /** --find-max-rate (needs slo and BenchDeps.rateSender): after the levels, each variant's max rate. */
  maxRate?: MaxRatePlan | undefined;
}

export interface BenchDeps {
  /** Folder a serve block's relative cwd is resolved against. */
  cwd: string;
  /** The environment a served variant's server inherits (before its serve.env): the CLI's, not this process's. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Where a started server's log goes: <outDir>/<variant>/server.log. */
  outDir: string;
  /** API key per variant name (from the variables apiKeyEnv names). */
  apiKeys?: Readonly<Record<string, string | undefined>> | undefined;
  log?: ((line: string) => void) | undefined;
  /** Aborted on SIGINT: stop sending; finished concurrency levels are kept. */
  signal?: AbortSignal | undefined;
  fetch?: typeof fetch | undefined;
  /**
   * The servers the bench starts (serve blocks). The caller's, when its signal handler must kill them on a forced
   * exit; default a registry of the bench's own.
   */
  servers?: ServerRegistry | undefined;
  /** Epoch ms; default a sub-millisecond clock (performance.timeOrigin + performance.now()), for inter-token gaps. */
  now?: (() => number) | undefined;
  /** Sends requests at a Poisson rate: the max-rate search's trials (plan.maxRate). */
  rateSender?: OpenLoopSender | undefined;
}

export interface VariantBench {
  variant: string;
  status: "done" | "failed" | "interrupted";
  /** One per concurrency level that ran to the end, in plan order. */
  results: BenchResult[];
  error?: { code: string; message: string; hint: string };
  /** Seconds the server quanteval started took to be ready (serve blocks only). */
  serverStartupSec?: number;
  /** plan.maxRate: the highest rate at which the SLO percentile held. */
  maxRate?: MaxRateResult;
  /** The serving engine and its version, as the server or its serve command said (client/engine.ts). */
  engine?: EngineInfo;
}

const preciseNow = (): number => performance.timeOrigin + performance.now();

/**
 * Checks up front, in seconds, what would otherwise fail a long bench midway: every variant without a serve block
 * must serve its model. A model the server does not list is bad input (ConfigError, exit 2).
 */
export async function checkBenchEndpoints(plan: BenchPlan, deps: BenchDeps): Promise<void> {
  for (const [index, variant] of plan.variants.entries()) {
    if (variant.serve !== undefined) continue;
    try {
      await endpointFor(variant, plan, deps).checkServed(deps.signal);
    } catch (error) {
      throw benchCheckError(error, index);
    }
  }
}

export async function runThroughputBench(plan: BenchPlan, deps: BenchDeps): Promise<VariantBench[]> {
  const out: VariantBench[] = [];
  const servers = deps.servers ?? new ServerRegistry();
  for (const variant of plan.variants) {
    if (deps.signal?.aborted === true) {
      out.push({ variant: variant.name, status: "interrupted", results: [] });
      continue;
    }
    out.push(
      variant.serve === undefined
        ? await benchVariant(variant, plan, deps)
        : await serveAndBench(variant, plan, deps, servers),
    );
  }
  return out;
}

/** Start → bench → stop, the stop in a `finally`; a server that dies midway fails the variant with its log's end. */
async function serveAndBench(
  variant: VariantConfig,
  plan: BenchPlan,
  deps: BenchDeps,
  servers: ServerRegistry,
): Promise<VariantBench> {
  const log = (line: string): void => deps.log?.(line);
  let server: ServerHandle;
  try {
    server = await startServer(variant, {
      servers,
      logFile: join(deps.outDir, variant.name, "server.log"),
      runDir: deps.outDir,
      cwd: deps.cwd,
      apiKey: deps.apiKeys?.[variant.name],
      signal: deps.signal,
      log,
      fetch: deps.fetch,
      env: deps.env,
    });
  } catch (error) {
    if (deps.signal?.aborted === true) return { variant: variant.name, status: "interrupted", results: [] };
    return failed(variant, [], error, deps);
  }
  const { result: outcome, diedWith } = await whileServerUp(server, deps.signal, { log }, (signal) =>
    benchVariant(variant, plan, { ...deps, signal }),
  );
  if (diedWith !== undefined && deps.signal?.aborted !== true) return failed(variant, outcome.results, diedWith, deps);
  return { ...outcome, serverStartupSec: server.startupSec };
}

async function benchVariant(variant: VariantConfig, plan: BenchPlan, deps: BenchDeps): Promise<VariantBench> {
  const endpoint = endpointFor(variant, plan, deps);
  try {
    await endpoint.checkServed(deps.signal);
  } catch (error) {
    if (deps.signal?.aborted === true) return { variant: variant.name, status: "interrupted", results: [] };
    return failed(variant, [], error, deps);
  }
  const engine = await detectEngine({
    baseUrl: variant.baseUrl,
    model: variant.model,
    apiKey: deps.apiKeys?.[variant.name],
    fetch: deps.fetch,
    signal: deps.signal,
    serveCommand: variant.serve?.command,
  });
  if (engine !== undefined) deps.log?.(`[${variant.name}] engine: ${engineLabel(engine)} (${engine.evidence})`);
  const outcome = await measureVariant(variant, plan, deps, endpoint);
  return engine === undefined ? outcome : { ...outcome, engine };
}

async function measureVariant(
  variant: VariantConfig,
  plan: BenchPlan,
  deps: BenchDeps,
  endpoint: Endpoint,
): Promise<VariantBench> {
  const results: BenchResult[] = [];
  const send = requestSender(endpoint, plan, variant);
  const now = deps.now ?? preciseNow;
  for (const [level, setting] of levelsOf(plan).entries()) {
    // Each level (and its warm-up) sends prompts of its own, so a server's prefix cache does not flatter later levels.
    const first = level * (plan.warmup + plan.requests);
    const tag = `[${variant.name}] ${setting.label}`;
    // Prompts fitted to a tokenizer are built before the level's clock starts.
    prepareRequests(plan.prompts, first, plan.warmup + plan.requests, variant.name);
    if (plan.warmup > 0) {
      deps.log?.(`${tag}: warm-up, ${plan.warmup} request(s) (not counted)`);
      await runClosedLoop({
        requests: plan.warmup,
        concurrency: setting.warmupConcurrency,
        now,
        signal: deps.signal,
        send: (i, s) => send(first + i, s),
      });
    }
    if (deps.signal?.aborted === true) return { variant: variant.name, status: "interrupted", results };
    const run = levelRun(variant, endpoint, deps, { send, first: first + plan.warmup, now, tag });
    const result =
      setting.kind === "closed"
        ? await measureClosedLevel(plan, setting.concurrency, run)
        : (await measureOpenLevel(plan, setting.requestRate, run)).result;
    // A level cut short is not a measurement of that concurrency or rate: it is left out.
    if (result === undefined) return { variant: variant.name, status: "interrupted", results };
    results.push(result);
    deps.log?.(`${tag}: ${levelLine(result)}`);
    for (const warning of result.figure_checks.warnings) deps.log?.(`${tag}: warning: ${warning}`);
    const lagWarning = result.send_lag === undefined ? undefined : sendLagWarning(result.send_lag);
    if (lagWarning !== undefined) deps.log?.(`${tag}: warning: ${lagWarning}`);
    const counted = clientCountedNote(result);
    if (counted !== undefined) deps.log?.(`${tag}: ${counted}`);
  }
  if (plan.maxRate === undefined || plan.slo === undefined || deps.rateSender === undefined)
    return { variant: variant.name, status: "done", results };
  const maxRate = await variantMaxRate({
    variant: variant.name,
    plan: plan.maxRate,
    slo: plan.slo,
    sender: deps.rateSender,
    send,
    firstIndex: levelsOf(plan).length * (plan.warmup + plan.requests),
    startRate: searchStartRate(
      results.map((r) => r.qps),
      plan.maxRate.startRate,
    ),
    now,
    signal: deps.signal,
    log: deps.log,
  });
  if (maxRate === "interrupted") return { variant: variant.name, status: "interrupted", results };
  return { variant: variant.name, status: "done", results, maxRate };
}

/**
 * One open-loop level of one variant at `requestRate` (plan.openLoop's burstiness, cap and seed), on a server that
 * is up, without warm-up: for a caller that picks its own rates (a max-rate search). Prompts from `firstIndex` on.
 * `result` is undefined when the signal cut the level short; `loop` has every request's outcome and send times.
 */
export async function runOpenLoopLevel(
  variant: VariantConfig,
  plan: BenchPlan,
  requestRate: number,
  deps: BenchDeps,
  firstIndex = 0,
): Promise<{ result: BenchResult | undefined; loop: OpenLoopResult }> {
  const endpoint = endpointFor(variant, plan, deps);
  const send = requestSender(endpoint, plan, variant);
  const now = deps.now ?? preciseNow;
  const tag = `[${variant.name}] r=${rateLabel(requestRate)}`;
  prepareRequests(plan.prompts, firstIndex, plan.requests, variant.name);
  return await measureOpenLevel(
    plan,
    requestRate,
    levelRun(variant, endpoint, deps, { send, first: firstIndex, now, tag }),
  );
}

function levelRun(
  variant: VariantConfig,
  endpoint: Endpoint,
  deps: BenchDeps,
  level: Pick<LevelRun, "send" | "first" | "now"> & { tag: string },
): LevelRun {
  return {
    send: level.send,
    first: level.first,
    now: level.now,
    signal: deps.signal,
    log: (line) => deps.log?.(`${level.tag}: ${line}`),
    variant: variant.name,
    model: variant.model,
    baseUrl: endpoint.baseUrl,
  };
}

function endpointFor(variant: VariantConfig, plan: BenchPlan, deps: BenchDeps): Endpoint {
  const apiKey = deps.apiKeys?.[variant.name];
  // With --tokenizer, a reply whose server sent no usage is counted with it, as this variant's template renders it.
  const tokenizer = plan.prompts.tokenizer;
  const kwargs = variant.extraBody?.chat_template_kwargs;
  const templateKwargs = isRecord(kwargs) ? kwargs : {};
  return new Endpoint({
    baseUrl: variant.baseUrl,
    replicas: variant.replicas,
    model: variant.model,
    extraBody: plan.ignoreEos ? { ...variant.extraBody, ignore_eos: true } : variant.extraBody,
    stream: plan.stream,
    recordChunkTimes: plan.stream,
    countMissingUsage: plan.stream,
    ...(tokenizer === undefined
      ? {}
      : {
          usageTokenizer: {
            countPrompt: (m: readonly Message[]) => tokenizer.countAs(m, templateKwargs),
            countText: tokenizer.countText,
          },
        }),
    timeoutMs: plan.timeoutSec * 1000,
    retry: plan.retry,
    now: deps.now ?? preciseNow,
    log: (line: string) => deps.log?.(`[${variant.name}] ${line}`),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}),
  });
}

function levelLine(r: BenchResult): string {
  const s = (v: number | null) => (v === null ? "—" : `${v.toFixed(3)}s`);
  const achieved = typeof r.achieved_rate === "number" ? `arrivals at ${r.achieved_rate.toFixed(2)} req/s, ` : "";
  return (
    achieved +
    `${r.ok} ok, ${r.errors} error(s) in ${r.total_time_s.toFixed(2)}s: ${r.qps.toFixed(2)} req/s, decode ${r.derived.decode_tps.toFixed(1)} tok/s${r.figure_checks.warnings.length > 0 ? " (⚠ see warnings)" : ""}, ` +
    `latency p50 ${s(r.latency_s.p50)}, TTFT p50 ${s(r.ttft_s.p50)}`
  );
}

/** A typed error fails the variant (the others go on); anything else is a bug and propagates. */
function failed(variant: VariantConfig, results: BenchResult[], error: unknown, deps: BenchDeps): VariantBench {
  if (!(error instanceof QuantevalError)) throw error;
  deps.log?.(`[${variant.name}] failed: error[${error.code}]: ${error.message}`);
  return {
    variant: variant.name,
    status: "failed",
    results,
    error: { code: error.code, message: error.message, hint: error.hint },
  };
}

/** The up-front check's errors, with fixes that name bench's flags and fields rather than `run --resume`. */
function benchCheckError(error: unknown, index: number): unknown {
  if (error instanceof ModelNotServedError) {
    return new ConfigError(
      [`variants[${index}].model (--model): ${error.message}`],
      "pass --model (or set variants[].model) to a name the server lists in GET /v1/models: the one vLLM was started with (--served-model-name)",
      "bench settings",
    );
  }
  if (error instanceof EndpointUnreachableError) {
    return new QuantevalError(
      error.code,
      error.message,
      "start the server (e.g. `vllm serve <model> --port 8000`) or fix --base-url / variants[].baseUrl, then run the bench again",
      { cause: error },
    );
  }
  return error;
}
