/**
 * `quanteval bench`: throughput only, against any OpenAI-compatible endpoint. Flags and config become a BenchPlan
 * (checked: bad input is a ConfigError, exit 2), src/loadgen runs it, and the results are written to
 * <reports>/bench-<id>/ (bench.json, sweep.md, sweep.svg, sweep.png). stdout gets the sweep table, or with --json
 * the bench.json document (the table then goes to stderr), so `quanteval bench ... --json | jq` works. With
 * --find-max-rate --run <run-id>, the result is attached to that run's report (bench-attach.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseRunConfig, type RunConfig, readConfigFile, resolveApiKeys } from "../../config.ts";
import { ConfigError } from "../../core/errors.ts";
import { dataAccessFor } from "../../datasets/index.ts";
import {
  type BenchPlan,
  benchDocument,
  checkBenchEndpoints,
  maxRateTable,
  type OpenLoopPlan,
  type OpenLoopSender,
  openLoopRateSender,
  rateLabel,
  renderRateLatencyChart,
  renderSweepChart,
  runThroughputBench,
  sweepTable,
  type TokenizerField,
  type VariantBench,
  variantTokenizerField,
} from "../../loadgen/index.ts";
import { svgToPng } from "../../report/index.ts";
import { newRunId } from "../../runner/index.ts";
import { ServerRegistry } from "../../runner/serve/index.ts";
import { applyFlags } from "../config-flags.ts";
import type { BenchFlags, RunFlags } from "../flags.ts";
import { whileInterruptible } from "../interrupts.ts";
import { type CliIo, EXIT, type ExitCode } from "../io.ts";
import { attachToRun, runToAttach } from "./bench-attach.ts";
import { parseCount } from "./bench-numbers.ts";
import { openLoopFromFlags } from "./bench-open-loop.ts";
import {
  describePrompts,
  holdsWithIgnoreEos,
  promptSourceOf,
  promptsWithTokenizer,
  scenarioFromFlags,
} from "./bench-prompts.ts";
import { sloPlanFromFlags, sloStreamProblems } from "./bench-slo.ts";

/** bench_openai.py's runs in the users' reports: c=16, r=64, max_tokens=256. */
export const BENCH_DEFAULTS = { requests: 64, maxTokens: 256, promptTokens: 128 } as const;
const MAX_CONCURRENCY = 4096;
const MAX_REQUESTS = 1_000_000;
const MAX_PROMPT_TOKENS = 131_072;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const BENCH_HINT = "fix the flags or fields named above; `quanteval bench --help` lists every flag";

export interface BenchSettings {
  config: RunConfig;
  plan: BenchPlan;
}

/**
 * Config file (optional) + flags → the run config (variants with their serve blocks, timeouts, retries, output)
 * and the bench plan. Tasks are not needed: the run config's schema wants some, so a placeholder stands in when
 * the config has none; the bench never reads them. Relative --config and --prompt-file are read from `cwd`.
 */
export function benchSettingsFromFlags(flags: BenchFlags, cwd: string): BenchSettings {
  const problems: string[] = [];
  const concurrencies = flags.concurrency === undefined ? undefined : parseConcurrencyList(flags.concurrency, problems);
  const requests =
    flags.requests === undefined
      ? BENCH_DEFAULTS.requests
      : parseCount("--requests", flags.requests, 1, MAX_REQUESTS, "e.g. --requests 64", problems);
  const warmup =
    flags.warmup === undefined
      ? undefined
      : parseCount("--warmup", flags.warmup, 0, MAX_REQUESTS, "e.g. --warmup 16 (0 for none)", problems);
  const scenario = scenarioFromFlags(flags, problems);
  const scenarioSeed =
    flags.scenarioSeed === undefined
      ? 0
      : (parseCount("--scenario-seed", flags.scenarioSeed, 0, 2 ** 31 - 1, "e.g. --scenario-seed 1", problems) ?? 0);
  if (flags.promptFile !== undefined && flags.promptTokens !== undefined) {
    problems.push(
      "flags: --prompt-file and --prompt-tokens: give one (a file of prompts, or synthetic prompts of that many tokens)",
    );
  }
  const promptTokens =
    flags.promptTokens === undefined
      ? BENCH_DEFAULTS.promptTokens
      : parseCount("--prompt-tokens", flags.promptTokens, 1, MAX_PROMPT_TOKENS, "e.g. --prompt-tokens 128", problems);
  const openLoop = openLoopFromFlags(flags, problems);
  if (flags.benchId !== undefined && !ID_PATTERN.test(flags.benchId)) {
    problems.push(
      `flags: --bench-id: must be letters, digits, '.', '_' or '-' (it names a folder) (got ${JSON.stringify(flags.benchId)})`,
    );
  }
  const sloPlan = sloPlanFromFlags(flags, requests ?? BENCH_DEFAULTS.requests, problems);
  if (problems.length > 0 || requests === undefined || promptTokens === undefined)
    throw new ConfigError(problems, BENCH_HINT, "bench flags");

  const raw = applyFlags(flags.config === undefined ? {} : readConfigFile(flags.config, cwd), runFlagsOf(flags));
  raw.tasks ??= ["(bench: no tasks)"];
  const config = parseBenchConfig(raw, flags.config ?? "flags");
  const prompts = promptSourceOf(flags, scenario, { promptTokens, seed: scenarioSeed }, config.variants, cwd);
  const streamProblems = sloStreamProblems(sloPlan.slo, config.stream);
  if (streamProblems.length > 0) throw new ConfigError(streamProblems, BENCH_HINT, "bench flags");
  return {
    config,
    plan: {
      variants: config.variants,
      // An open loop has rate levels instead; the config's concurrency would only mislead in bench.json.
      concurrencies: openLoop === undefined ? (concurrencies ?? [config.concurrency]) : [],
      requests,
      maxTokens: config.sampling.maxTokens ?? BENCH_DEFAULTS.maxTokens,
      temperature: config.sampling.temperature,
      stream: config.stream,
      // A scenario's output length is held: every reply runs to its drawn max_tokens.
      ignoreEos: flags.ignoreEos === true || holdsWithIgnoreEos(prompts),
      warmup: warmup ?? config.warmup.requests,
      prompts,
      timeoutSec: config.timeoutSec,
      retry: config.retry,
      openLoop,
      ...sloPlan,
    },
  };
}

/**
 * --tokenizer, else the config's first `variants[].tokenizer` (the variants are one model, so one tokenizer shapes
 * the prompts every variant is sent), with where it was given, for messages.
 */
function tokenizerRef(flags: BenchFlags, config: RunConfig): { ref: string; field?: TokenizerField } | undefined {
  if (flags.tokenizer !== undefined) return { ref: flags.tokenizer };
  const index = config.variants.findIndex((variant) => variant.tokenizer !== undefined);
  const ref = config.variants[index]?.tokenizer;
  if (ref === undefined) return undefined;
  return { ref, field: variantTokenizerField(flags.config ?? "config", index, "bench") };
}

/** `rateSender` sends requests at a rate: --find-max-rate's trials (default: the open loop, as --request-rate). */
export async function benchCommand(flags: BenchFlags, io: CliIo, rateSender?: OpenLoopSender): Promise<ExitCode> {
  const settings = benchSettingsFromFlags(flags, io.cwd);
  const { config } = settings;
  const tokenizer = tokenizerRef(flags, config);
  const plan =
    tokenizer === undefined
      ? settings.plan
      : {
          ...settings.plan,
          prompts: await promptsWithTokenizer(
            settings.plan.prompts,
            tokenizer,
            config.variants,
            dataAccessFor(config.data, io.env, {}),
            io.cwd,
          ),
        };
  const sender = rateSender ?? openLoopRateSender(plan.openLoop);
  const apiKeys = resolveApiKeys(config, io.env);
  const id = flags.benchId ?? newRunId(Date.now());
  const outDir = resolve(io.cwd, config.output.reports, `bench-${id}`);
  if (existsSync(outDir)) {
    throw new ConfigError(
      [`flags: --bench-id ${id}: ${outDir} already exists`],
      "pick another --bench-id, or leave it out for a new timestamped one",
      "bench flags",
    );
  }
  const attachTo = flags.run === undefined ? undefined : runToAttach(flags.run, flags.artifacts, config, io.cwd);
  const log = (line: string): void => io.stderr(`${line}\n`);
  const createdAt = new Date().toISOString();
  // Owned here, not by the bench: the interrupt handler kills these servers when a second Ctrl-C exits at once.
  const servers = new ServerRegistry();
  const outcomes = await whileInterruptible(
    io,
    servers,
    {
      first: () => "finished concurrency levels are written, the one in progress is dropped",
    },
    async (signal) => {
      const deps = { cwd: io.cwd, env: io.env, outDir, apiKeys, log, signal, servers, rateSender: sender };
      // Seconds now rather than a failure after the first variant's minutes: every endpoint already up must serve its model.
      await checkBenchEndpoints(plan, deps);
      return await runThroughputBench(plan, deps);
    },
  );

  const document = benchDocument(
    {
      id,
      createdAt,
      concurrencies: plan.concurrencies,
      requests: plan.requests,
      maxTokens: plan.maxTokens,
      temperature: plan.temperature,
      stream: plan.stream,
      ignoreEos: plan.ignoreEos,
      warmup: plan.warmup,
      prompts: plan.prompts,
      timeoutSec: plan.timeoutSec,
      openLoop: plan.openLoop,
      slo: plan.slo,
      maxRate: plan.maxRate,
      variants: plan.variants.map((v) => ({
        name: v.name,
        model: v.model,
        baseUrl: v.baseUrl,
        served: v.serve !== undefined,
      })),
    },
    outcomes,
  );
  const table =
    document.max_rate === undefined
      ? sweepTable(document.results)
      : `${sweepTable(document.results)}\n\n${maxRateTable(document.max_rate)}`;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "bench.json"), `${JSON.stringify(document, null, 2)}\n`);
  writeFileSync(join(outDir, "sweep.md"), `# quanteval bench ${id}\n\n${settingsLine(plan)}\n\n${table}\n`);
  const svg = await renderSweepChart(document.results);
  writeFileSync(join(outDir, "sweep.svg"), svg);
  writeFileSync(join(outDir, "sweep.png"), svgToPng(svg));
  // Open loop: latency against the arrival rate achieved, where each variant's knee (its capacity) shows.
  const rateChart = await renderRateLatencyChart(document.results);
  if (rateChart !== undefined) {
    writeFileSync(join(outDir, "latency-rate.svg"), rateChart);
    writeFileSync(join(outDir, "latency-rate.png"), svgToPng(rateChart));
  }

  if (flags.json === true) {
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
    io.stderr(`${table}\n`);
  } else {
    io.stdout(`${table}\n`);
  }
  const files = `bench.json, sweep.md, sweep.svg, sweep.png${rateChart === undefined ? "" : ", latency-rate.svg, .png"}`;
  io.stderr(`bench written to ${outDir}/ (${files})\n`);
  const exitCode = exitCodeOf(outcomes, io);
  if (attachTo === undefined) return exitCode;
  if (exitCode === EXIT.interrupted) {
    io.stderr(`interrupted: not attached; \`quanteval report ${attachTo.runId} --bench ${id}\` attaches it\n`);
    return exitCode;
  }
  await attachToRun(attachTo, join(outDir, "bench.json"), io);
  return exitCode;
}

function exitCodeOf(outcomes: readonly VariantBench[], io: CliIo): ExitCode {
  for (const o of outcomes) {
    if (o.status === "failed")
      io.stderr(
        `error[${o.error?.code ?? "E_VARIANT_FAILED"}]: variant ${o.variant}: ${o.error?.message ?? "failed"}\nfix: ${o.error?.hint ?? "see the log above"}\n`,
      );
  }
  const errors = outcomes.reduce((n, o) => n + o.results.reduce((m, r) => m + r.errors, 0), 0);
  if (errors > 0)
    io.stderr(
      `${errors} request(s) failed after retries; they count in requests and errors, not in any latency or token figure (see error_samples in bench.json)\n`,
    );
  if (outcomes.some((o) => o.status === "interrupted")) return EXIT.interrupted;
  return outcomes.some((o) => o.status === "failed") || errors > 0 ? EXIT.failed : EXIT.ok;
}

function settingsLine(plan: BenchPlan): string {
  const prompt = describePrompts(plan.prompts);
  const maxTokens = plan.prompts.kind === "file" || plan.prompts.kind === "synthetic" ? plan.maxTokens : "per request";
  const level = plan.openLoop === undefined ? "concurrency" : "rate";
  return (
    (plan.openLoop === undefined ? "" : `${openLoopLine(plan.openLoop)} `) +
    `${plan.requests} requests per ${level} level, max_tokens ${maxTokens}${plan.ignoreEos ? " (ignore_eos)" : ""}, temperature ${plan.temperature}, ` +
    `${plan.stream ? "streamed" : "not streamed (no TTFT, TPOT or ITL)"}, ${prompt}, warm-up ${plan.warmup} request(s) per level.`
  );
}

/** The open loop's settings, as `vllm bench serve` prints them. */
function openLoopLine(open: OpenLoopPlan): string {
  const rates = open.requestRates.map(rateLabel).join(", ");
  const shape = open.burstiness === 1 ? "Poisson" : `gamma, burstiness ${open.burstiness}`;
  const cap =
    open.maxConcurrency === undefined ? "no cap on requests in flight" : `at most ${open.maxConcurrency} in flight`;
  return `Open loop: arrivals at ${rates} req/s (${shape}, seed ${open.seed}), ${cap}.`;
}

/** The run config's own check, with bench's hint: its `quanteval run --help` would point at the wrong flags. */
function parseBenchConfig(raw: Record<string, unknown>, source: string): RunConfig {
  try {
    return parseRunConfig(raw, source);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.issues, BENCH_HINT, "bench settings");
    throw error;
  }
}

/** The flags `quanteval run` shares, passed through its own merge so both commands name fields alike. */
function runFlagsOf(flags: BenchFlags): Partial<RunFlags> {
  const out: Partial<RunFlags> = {};
  if (flags.variant !== undefined) out.variant = flags.variant;
  if (flags.baseUrl !== undefined) out.baseUrl = flags.baseUrl;
  if (flags.model !== undefined) out.model = flags.model;
  if (flags.apiKeyEnv !== undefined) out.apiKeyEnv = flags.apiKeyEnv;
  if (flags.maxTokens !== undefined) out.maxTokens = flags.maxTokens;
  if (flags.temperature !== undefined) out.temperature = flags.temperature;
  if (flags.stream === false) out.stream = false;
  if (flags.timeoutSec !== undefined) out.timeoutSec = flags.timeoutSec;
  if (flags.maxAttempts !== undefined) out.maxAttempts = flags.maxAttempts;
  if (flags.retryDelayMs !== undefined) out.retryDelayMs = flags.retryDelayMs;
  if (flags.reports !== undefined) out.reports = flags.reports;
  if (flags.set !== undefined) out.set = flags.set;
  return out;
}

/** "1,2,4,8" → [1, 2, 4, 8]; each a whole number from 1 to MAX_CONCURRENCY, none twice. */
export function parseConcurrencyList(text: string, problems: string[]): number[] {
  const parts = text.split(",").map((p) => p.trim());
  const values: number[] = [];
  for (const part of parts) {
    const value = parseCount(
      "--concurrency",
      part,
      1,
      MAX_CONCURRENCY,
      "give one value or a comma-separated sweep, e.g. --concurrency 16 or --concurrency 1,2,4,8,16,32,64",
      problems,
    );
    if (value === undefined) continue;
    if (values.includes(value))
      problems.push(`flags: --concurrency: ${value} is listed twice (got ${JSON.stringify(text)})`);
    else values.push(value);
  }
  return values;
}
