/**
 * `quanteval bench`'s core, callable in-process (the CLI and benchmarks call it alike): for each variant in turn,
 * start its server when it has a serve block (exactly as `quanteval run` does), then for each concurrency send
 * warm-up requests (not counted) and a closed loop of `requests` requests, and summarise them. Variants never run
 * at once: their throughputs would share the machine. Requests go through the same Endpoint as `quanteval run`
 * (retries, replicas, API key, extraBody); with `ignoreEos` the body carries vLLM's `ignore_eos: true`.
 */
import { join } from "node:path";
import type { RetryPolicy } from "../client/index.ts";
import { detectEngine, Endpoint, type EngineInfo, engineLabel } from "../client/index.ts";
import type { VariantConfig } from "../config.ts";
import {
  ConfigError,
  EndpointUnreachableError,
  ModelNotServedError,
  QuantevalError,
  RequestFailedError,
} from "../core/errors.ts";
import { type ServerHandle, ServerRegistry, startServer, whileServerUp } from "../runner/serve/index.ts";
import { type BenchResult, clientCountedNote, summarizeBenchLevel } from "./bench-summary.ts";
import { type RequestOutcome, runClosedLoop } from "./closed-loop.ts";
import { type PromptSource, prepareRequests, requestShape } from "./prompt-source.ts";
import { promptTokensCheck, promptTokensLine } from "./prompt-tokens-check.ts";

export interface BenchPlan {
  variants: readonly VariantConfig[];
  /** One value, or a sweep in the order given. */
  concurrencies: readonly number[];
  /** Requests measured per variant and concurrency (warm-up not included). */
  requests: number;
  maxTokens: number;
  temperature: number;
  stream: boolean;
  ignoreEos: boolean;
  /** Warm-up requests before each concurrency level, at that concurrency; not counted. */
  warmup: number;
  prompts: PromptSource;
  timeoutSec: number;
  retry?: Partial<RetryPolicy> | undefined;
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
}

export interface VariantBench {
  variant: string;
  status: "done" | "failed" | "interrupted";
  /** One per concurrency level that ran to the end, in plan order. */
  results: BenchResult[];
  error?: { code: string; message: string; hint: string };
  /** Seconds the server quanteval started took to be ready (serve blocks only). */
  serverStartupSec?: number;
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
  const params = { temperature: plan.temperature, maxTokens: plan.maxTokens };
  const now = deps.now ?? preciseNow;
  const send = async (index: number, signal: AbortSignal | undefined): Promise<RequestOutcome> => {
    try {
      const shape = requestShape(plan.prompts, index, variant.name);
      const asked = {
        ...params,
        ...(shape.maxTokens === undefined ? {} : { maxTokens: shape.maxTokens }),
        ...(shape.minTokens === undefined ? {} : { minTokens: shape.minTokens }),
      };
      const { reply, attempts, chunkTimes } = await endpoint.chat(shape.messages, asked, signal);
      const heldTo = heldLength(asked, plan.ignoreEos, variant.extraBody);
      const counted = reply.usageCountedBy === "client";
      return {
        ok: true,
        // No usage from the server: the prompt as the tokenizer counts it (0 without --tokenizer).
        usage: counted ? { ...reply.usage, promptTokens: shape.expectedPromptTokens ?? 0 } : reply.usage,
        ...(counted ? { countedByClient: true as const } : {}),
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
  for (const [level, concurrency] of plan.concurrencies.entries()) {
    // Each level (and its warm-up) sends prompts of its own, so a server's prefix cache does not flatter later levels.
    const first = level * (plan.warmup + plan.requests);
    const tag = `[${variant.name}] c=${concurrency}`;
    prepareRequests(plan.prompts, first, plan.warmup + plan.requests, variant.name);
    if (plan.warmup > 0) {
      deps.log?.(`${tag}: warm-up, ${plan.warmup} request(s) (not counted)`);
      await runClosedLoop({
        requests: plan.warmup,
        concurrency,
        now,
        signal: deps.signal,
        send: (i, s) => send(first + i, s),
      });
    }
    if (deps.signal?.aborted === true) return { variant: variant.name, status: "interrupted", results };
    deps.log?.(`${tag}: ${plan.requests} request(s), ${Math.min(concurrency, plan.requests)} in flight`);
    const loop = await runClosedLoop({
      requests: plan.requests,
      concurrency,
      now,
      signal: deps.signal,
      send: (i, s) => send(first + plan.warmup + i, s),
    });
    // A level cut short is not a measurement of that concurrency: it is left out.
    if (!loop.complete) return { variant: variant.name, status: "interrupted", results };
    const result = summarizeBenchLevel(loop.outcomes, loop.finishedAt - loop.startedAt, {
      variant: variant.name,
      endpoint: endpoint.baseUrl,
      model: variant.model,
      concurrency,
      maxTokens: plan.maxTokens,
      temperature: plan.temperature,
      stream: plan.stream,
      ignoreEos: plan.ignoreEos,
      warmupRequests: plan.warmup,
    });
    const check = promptTokensCheck(loop.outcomes, (i) =>
      requestShape(plan.prompts, first + plan.warmup + i, variant.name),
    );
    results.push(check === undefined ? result : { ...result, prompt_tokens_check: check });
    deps.log?.(`${tag}: ${levelLine(result)}`);
    for (const warning of result.figure_checks.warnings) deps.log?.(`${tag}: warning: ${warning}`);
    if (result.client_counted !== undefined) deps.log?.(`${tag}: ${clientCountedNote(result.client_counted)}`);
    if (check !== undefined) deps.log?.(`${tag}: ${promptTokensLine(check)}`);
  }
  return { variant: variant.name, status: "done", results };
}

function endpointFor(variant: VariantConfig, plan: BenchPlan, deps: BenchDeps): Endpoint {
  const apiKey = deps.apiKeys?.[variant.name];
  return new Endpoint({
    baseUrl: variant.baseUrl,
    replicas: variant.replicas,
    model: variant.model,
    extraBody: plan.ignoreEos ? { ...variant.extraBody, ignore_eos: true } : variant.extraBody,
    stream: plan.stream,
    recordChunkTimes: plan.stream,
    countMissingUsage: plan.stream,
    timeoutMs: plan.timeoutSec * 1000,
    retry: plan.retry,
    now: deps.now ?? preciseNow,
    log: (line: string) => deps.log?.(`[${variant.name}] ${line}`),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}),
  });
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

function levelLine(r: BenchResult): string {
  const s = (v: number | null) => (v === null ? "—" : `${v.toFixed(3)}s`);
  return (
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
