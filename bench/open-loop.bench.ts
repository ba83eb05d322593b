/**
 * Open-loop arrivals (issue 19): does `quanteval bench --request-rate` send at the rate asked, with the gaps asked?
 * The simulator runs in a child process with fast replies (TTFT 5 ms, 2,000 tok/s per stream, 16 tokens), so the
 * client is never short of slots; 1,000 requests per level, no concurrency cap, so a request's send time is its
 * arrival time. Figures per level:
 * - achieved rate ÷ asked: requests / (last send − level start), the span the schedule puts the last arrival at
 *   (requests / rate, as vLLM's schedule). Target within 2%.
 * - the Kolmogorov–Smirnov p-value of the achieved gaps between sends (the first from the level's start) against
 *   the exponential at the rate asked (Poisson levels); target > 0.05. For a gamma level, the achieved gaps'
 *   coefficient of variation × √burstiness, which is 1 for gamma gaps of that shape.
 * - how late requests went out (send − scheduled arrival): the timer's and event loop's lag.
 * Each level is repeated "timer only": the same schedule with a send that does nothing (no HTTP, no replies), the
 * floor the machine's timers and load set for any client at that moment.
 */
import { tmpdir } from "node:os";
import { VariantSchema } from "../src/config.ts";
import { arrivalSchedule } from "../src/loadgen/arrival-schedule.ts";
import { type BenchPlan, runOpenLoopLevel } from "../src/loadgen/index.ts";
import { runOpenLoop } from "../src/loadgen/open-loop.ts";
import { exponentialCdf, ksTest, mean, sampleStandardDeviation } from "../src/metrics/index.ts";
import { parseSimProfiles } from "../src/sim/index.ts";
import { type Bench, type Figure, quantile } from "./figures.ts";
import { startSimChild } from "./sim-child.ts";

const MODEL = "open-loop-sim";
const REQUESTS = 1000;
// The profile schema's defaults: always right, no reasoning. Fast replies, so the client is never short of slots.
const PROFILES = parseSimProfiles([
  {
    model: MODEL,
    accuracy: 1,
    speed: {
      ttftMs: 5,
      ttftPerPromptTokenMs: 0,
      decodeTokensPerSec: 2000,
      maxDecodeTokensPerSec: 2e5,
      maxNumSeqs: 256,
    },
  },
]);
const LEVELS = [
  { requestRate: 20, burstiness: 1 },
  { requestRate: 100, burstiness: 1 },
  { requestRate: 100, burstiness: 0.5 },
];

export const bench: Bench = async () => {
  const sim = await startSimChild({ profiles: PROFILES });
  const figures: Figure[] = [];
  try {
    const variant = VariantSchema.parse({ name: "sim", baseUrl: sim.baseUrl, model: MODEL });
    for (const level of LEVELS) {
      const plan: BenchPlan = {
        variants: [variant],
        concurrencies: [],
        requests: REQUESTS,
        maxTokens: 16,
        temperature: 0,
        stream: true,
        ignoreEos: true,
        warmup: 0,
        prompts: { kind: "synthetic", tokens: 32 },
        timeoutSec: 60,
        openLoop: { requestRates: [level.requestRate], burstiness: level.burstiness, seed: 0 },
      };
      const deps = { cwd: process.cwd(), outDir: tmpdir() };
      const { result, loop } = await runOpenLoopLevel(variant, plan, level.requestRate, deps);
      if (result === undefined || result.ok !== REQUESTS)
        throw new Error(
          `open-loop: r=${level.requestRate} did not finish cleanly: ${JSON.stringify(result?.error_samples)}`,
        );
      figures.push(...levelFigures(level, "", loop.startedAt, loop.timings));
      // The machine's floor: the same schedule with a send that does nothing, no HTTP and no replies to read.
      const bare = await runOpenLoop({
        schedule: arrivalSchedule({ ...level, seed: 0 }, REQUESTS),
        now: () => performance.timeOrigin + performance.now(),
        send: async () => ({ ok: false, code: "none", message: "not sent" }),
      });
      figures.push(...levelFigures(level, ", timer only", bare.startedAt, bare.timings).slice(1));
    }
  } finally {
    await sim.stop();
  }
  return figures;
};

function levelFigures(
  level: { requestRate: number; burstiness: number },
  variant: string,
  startedAt: number,
  timings: readonly { dueAt: number; sentAt: number }[],
): Figure[] {
  const tag = `r=${level.requestRate}${level.burstiness === 1 ? "" : `, burstiness ${level.burstiness}`}${variant}`;
  const sends = timings.map((t) => t.sentAt);
  const spanS = ((sends.at(-1) ?? startedAt) - startedAt) / 1000;
  const achieved = sends.length / spanS;
  const gapsS = sends.map((at, i) => (at - (sends[i - 1] ?? startedAt)) / 1000);
  const lagMs = timings.map((t) => t.sentAt - t.dueAt).sort((a, b) => a - b);
  const figures: Figure[] = [
    {
      name: `achieved rate, ${tag}`,
      measures: `requests / (last send − level start): ${achieved.toFixed(3)} req/s against ${level.requestRate} asked`,
      n: sends.length,
      value: { value: achieved / level.requestRate, unit: "× asked" },
      target: "0.98–1.02",
    },
    {
      name: `send lag, ${tag}`,
      measures: "per request, send − scheduled arrival (the timer's and event loop's lag), ms",
      n: lagMs.length,
      latency: { p50: quantile(lagMs, 0.5), p90: quantile(lagMs, 0.9), unit: "ms" },
    },
  ];
  if (level.burstiness === 1) {
    const ks = ksTest(gapsS, exponentialCdf(level.requestRate));
    figures.push({
      name: `KS p-value of gaps, ${tag}`,
      measures: `gaps between sends against the exponential at ${level.requestRate}/s: D = ${ks.statistic.toFixed(4)}`,
      n: ks.n,
      value: { value: ks.pValue, unit: "p" },
      target: "> 0.05",
    });
  } else {
    const cv = (sampleStandardDeviation(gapsS) ?? Number.NaN) / (mean(gapsS) ?? Number.NaN);
    figures.push({
      name: `gap CV × √burstiness, ${tag}`,
      measures: `coefficient of variation of the gaps between sends (${cv.toFixed(3)}) × √${level.burstiness}; 1 for gamma gaps`,
      n: gapsS.length,
      value: { value: cv * Math.sqrt(level.burstiness), unit: "× gamma" },
      target: "0.95–1.05",
    });
  }
  return figures;
}
