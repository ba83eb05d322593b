/**
 * `--find-max-rate` against a known capacity (issue 19: recovered within 5%). The simulator runs in a child process
 * with a profile whose capacity is computed, not measured (src/sim/capacity.ts, docs/sim-capacity.md): 16 slots
 * held 200 ms each by 8-token prompts and 2 tokens out, so 75.00 req/s at p90 of e2e ≤ 400 ms. Each case runs the
 * search as `quanteval bench --find-max-rate --trials 3` does (open-loop Poisson trials from 60 req/s), at 100, 300
 * and 500 judged requests per trial, without a warm-up and with the default one (half the trial and at least 5 s of
 * arrivals, not judged).
 * Figures per case: the median of the 3 searches ÷ the known capacity (target 0.95–1.05), with their range and the
 * 1-minute load average before and after.
 *
 * The same cases on the simulator's engine driven by a manual clock (no HTTP, no timers, seeded arrivals) give the
 * bias of the method itself, free of machine load: the mean over 30 seeded runs of 3 searches each, also with the
 * first half of each trial left unjudged and with half the trial sent first as warm-up but no 5 s floor.
 * QE_MAX_RATE_SIZES=100,300 runs only those trial sizes.
 */
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { VariantSchema } from "../src/config.ts";
import { type BenchPlan, openLoopRateSender, runThroughputBench, trialWarmupFor } from "../src/loadgen/index.ts";
import { type TrialWarmup, warmupRequests } from "../src/loadgen/max-rate-run.ts";
import { findMaxRate } from "../src/loadgen/max-rate-search.ts";
import { knownMaxRate } from "../src/sim/capacity.ts";
import { parseSimProfiles } from "../src/sim/index.ts";
import { CAPACITY_WORKLOAD, engineTrial, HTTP_CAPACITY_SPEED } from "../test/sim/engine-trial.ts";
import type { Bench, Figure } from "./figures.ts";
import { startSimChild } from "./sim-child.ts";

const MODEL = "capacity";
const PROFILES = parseSimProfiles([{ model: MODEL, accuracy: 1, speed: HTTP_CAPACITY_SPEED }]);
const SLO = { e2e: 400 };
const PERCENTILE = 90;
const TRIALS = 3;
const START_RATE = 60;
const SIZES = (process.env.QE_MAX_RATE_SIZES ?? "100,300,500").split(",").map(Number);
const SEEDED_RUNS = 30;
const KNOWN = knownMaxRate(HTTP_CAPACITY_SPEED, CAPACITY_WORKLOAD, SLO, PERCENTILE / 100);

interface Case {
  requests: number;
  warmup: TrialWarmup | undefined;
}
const CASES: Case[] = SIZES.flatMap((requests) => [
  { requests, warmup: undefined },
  { requests, warmup: trialWarmupFor(requests) },
]);

// On the manual clock also what each part of the default buys: the trial's first half left unjudged (the same
// requests sent), half the trial sent first without the 5 s floor, and the default.
const SEEDED_CASES: Case[] = SIZES.flatMap((requests) => [
  { requests, warmup: undefined },
  { requests: requests / 2, warmup: { requests: requests / 2, seconds: 0 } },
  { requests, warmup: { requests: Math.ceil(requests / 2), seconds: 0 } },
  { requests, warmup: trialWarmupFor(requests) },
]);

export const bench: Bench = async () => {
  const figures: Figure[] = [];
  for (const c of SEEDED_CASES) figures.push(await seededBias(c));
  const sim = await startSimChild({ profiles: PROFILES });
  try {
    const variant = VariantSchema.parse({ name: "sim", baseUrl: sim.baseUrl, model: MODEL });
    for (const c of CASES) figures.push(await overHttp(variant, c));
  } finally {
    await sim.stop();
  }
  return figures;
};

function label(c: Case): string {
  const warmup =
    c.warmup === undefined
      ? "no warm-up"
      : `warm-up ≥ ${c.warmup.requests}${c.warmup.seconds > 0 ? ` and ≥ ${c.warmup.seconds} s` : ""}`;
  return `${c.requests}-request trials, ${warmup}`;
}

async function overHttp(variant: ReturnType<typeof VariantSchema.parse>, c: Case): Promise<Figure> {
  const plan: BenchPlan = {
    variants: [variant],
    concurrencies: [],
    requests: c.requests,
    maxTokens: CAPACITY_WORKLOAD.completionTokens,
    temperature: 0,
    stream: true,
    ignoreEos: true,
    warmup: 0,
    prompts: { kind: "synthetic", tokens: CAPACITY_WORKLOAD.promptTokens },
    timeoutSec: 60,
    slo: SLO,
    maxRate: { percentile: PERCENTILE, trials: TRIALS, requests: c.requests, startRate: START_RATE, warmup: c.warmup },
  };
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const [outcome] = await runThroughputBench(plan, {
    cwd: process.cwd(),
    outDir: mkdtempSync(join(tmpdir(), "qe-bench-max-rate-")),
    rateSender: openLoopRateSender(undefined),
  });
  const loadAfter = loadavg()[0] ?? Number.NaN;
  const result = outcome?.maxRate;
  if (result === undefined) throw new Error(`max-rate: ${label(c)}: the search did not finish (${outcome?.status})`);
  const range =
    result.interval === null ? "" : ` (${result.interval.low.toFixed(2)}–${result.interval.high.toFixed(2)})`;
  return {
    name: `over HTTP, ${label(c)}`,
    measures:
      `median of ${TRIALS} searches ${result.max_rate.toFixed(2)} req/s${range} against the known ` +
      `${KNOWN.toFixed(2)}; load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`,
    n: result.repetitions.reduce((sum, r) => sum + r.steps.length, 0),
    value: { value: result.max_rate / KNOWN, unit: "× known" },
    target: "0.95–1.05",
  };
}

/** The method's own bias: the same search over the engine on a manual clock, seeded, so no machine load enters. */
async function seededBias(c: Case): Promise<Figure> {
  const errors: number[] = [];
  for (let run = 0; run < SEEDED_RUNS; run++) {
    const result = await findMaxRate({
      trial: async (ratePerSec, { repetition }) =>
        engineTrial({
          speed: HTTP_CAPACITY_SPEED,
          ratePerSec,
          requests: warmupRequests(c.warmup, ratePerSec, c.requests) + c.requests,
          ...CAPACITY_WORKLOAD,
          seed: 1000 * run + repetition,
        }),
      slo: SLO,
      percentile: PERCENTILE,
      repetitions: TRIALS,
      startRate: START_RATE,
      warmup: (ratePerSec) => warmupRequests(c.warmup, ratePerSec, c.requests),
    });
    errors.push(result.max_rate / KNOWN - 1);
  }
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  const sd = Math.sqrt(errors.reduce((a, b) => a + (b - mean) ** 2, 0) / (errors.length - 1));
  const within = errors.filter((e) => Math.abs(e) < 0.05).length;
  return {
    name: `manual clock, ${label(c)}`,
    measures:
      `mean error of the median of ${TRIALS} searches over ${SEEDED_RUNS} seeded runs, sd ${(sd * 100).toFixed(1)} ` +
      `points; ${within} of ${SEEDED_RUNS} within 5%`,
    n: SEEDED_RUNS,
    value: { value: mean * 100, unit: "% vs known" },
    target: "within ±5",
  };
}
