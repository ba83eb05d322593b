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
 *
 * Each level is then sent to a timed server (bench/timed-sse-server.ts, another child: first token after 5 ms, then
 * 2,000 tok/s per stream), which records when each request reached it. The same figures are taken twice: at the
 * client's send times, and at the server's arrival times (rate and gaps over the n − 1 gaps after the first arrival,
 * since the server does not know when the level started). A minimal client (bench/raw-client.ts: node:http with
 * keep-alive, the reply drained) then sends the same schedule, and its arrivals at the server are the floor that the
 * server and the machine set for any client. The 1-minute load average is taken before and after.
 */
import { Agent } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { VariantSchema } from "../src/config.ts";
import { arrivalSchedule } from "../src/loadgen/arrival-schedule.ts";
import { type BenchPlan, runOpenLoopLevel } from "../src/loadgen/index.ts";
import { runOpenLoop } from "../src/loadgen/open-loop.ts";
import { exponentialCdf, ksTest, mean, sampleStandardDeviation } from "../src/metrics/index.ts";
import { parseSimProfiles } from "../src/sim/index.ts";
import { type Bench, type Figure, quantile } from "./figures.ts";
import { postWithHttp } from "./raw-client.ts";
import { startSimChild } from "./sim-child.ts";
import { startTimedServer } from "./timed-server-child.ts";

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
// The timed server's reply speed: as fast as the simulator's above.
const TIMED_TTFT_MS = 5;
const TIMED_TOKENS_PER_SEC = 2000;
// The minimal client's request: the same length of reply, streamed.
const RAW_BODY = JSON.stringify({
  model: MODEL,
  messages: [{ role: "user", content: "word ".repeat(32) }],
  max_tokens: 16,
  stream: true,
});
const LEVELS = [
  { requestRate: 20, burstiness: 1 },
  { requestRate: 100, burstiness: 1 },
  { requestRate: 100, burstiness: 0.5 },
];

export const bench: Bench = async () => {
  const figures: Figure[] = [];
  const sim = await startSimChild({ profiles: PROFILES });
  try {
    const variant = VariantSchema.parse({ name: "sim", baseUrl: sim.baseUrl, model: MODEL });
    for (const level of LEVELS) {
      const loop = await runLevel(variant, level);
      figures.push(...withLoad(levelFigures(level, "", loop.startedAt, loop.timings), loop.load));
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
  const timed = await startTimedServer(TIMED_TTFT_MS, TIMED_TOKENS_PER_SEC);
  const agent = new Agent({ keepAlive: true });
  try {
    const variant = VariantSchema.parse({ name: "timed", baseUrl: timed.baseUrl, model: MODEL });
    const arrivalsUrl = `${timed.baseUrl}/arrivals`;
    const chatUrl = new URL(`${timed.baseUrl}/chat/completions`);
    for (const level of LEVELS) {
      await fetch(arrivalsUrl, { method: "DELETE" });
      const loop = await runLevel(variant, level);
      const arrivals = ((await (await fetch(arrivalsUrl)).json()) as { arrivals: number[] }).arrivals;
      if (arrivals.length !== REQUESTS)
        throw new Error(`open-loop: the timed server saw ${arrivals.length} of ${REQUESTS} requests`);
      figures.push(...withLoad(levelFigures(level, ", timed server, sent", loop.startedAt, loop.timings), loop.load));
      // The server cannot know when the level started: its first arrival starts the clock for the n − 1 after it.
      const seen = [...arrivals].sort((a, b) => a - b);
      const atServer = arrivalFigures(level, ", timed server, arrived", seen[0] ?? 0, seen.slice(1));
      figures.push(...withLoad(atServer, loop.load));
      // The floor for any client: the same schedule from a minimal one.
      await fetch(arrivalsUrl, { method: "DELETE" });
      const rawBefore = loadavg()[0] ?? Number.NaN;
      await runOpenLoop({
        schedule: arrivalSchedule({ ...level, seed: 0 }, REQUESTS),
        now: () => performance.timeOrigin + performance.now(),
        send: async () => {
          await postWithHttp(chatUrl, agent, RAW_BODY, false);
          return { ok: false, code: "raw", message: "not read" };
        },
      });
      const raw = ((await (await fetch(arrivalsUrl)).json()) as { arrivals: number[] }).arrivals.sort((a, b) => a - b);
      const rawLoad: [number, number] = [rawBefore, loadavg()[0] ?? Number.NaN];
      figures.push(
        ...withLoad(arrivalFigures(level, ", timed server, raw client, arrived", raw[0] ?? 0, raw.slice(1)), rawLoad),
      );
    }
  } finally {
    agent.destroy();
    await timed.stop();
  }
  return figures;
};

interface Level {
  requestRate: number;
  burstiness: number;
}

/** One open-loop level of REQUESTS requests to `variant`, as `quanteval bench --request-rate` sends it. */
async function runLevel(
  variant: ReturnType<typeof VariantSchema.parse>,
  level: Level,
): Promise<{ startedAt: number; timings: readonly { dueAt: number; sentAt: number }[]; load: [number, number] }> {
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
  const before = loadavg()[0] ?? Number.NaN;
  const { result, loop } = await runOpenLoopLevel(variant, plan, level.requestRate, deps);
  const after = loadavg()[0] ?? Number.NaN;
  if (result === undefined || result.ok !== REQUESTS)
    throw new Error(
      `open-loop: ${variant.name} r=${level.requestRate} did not finish: ${JSON.stringify(result?.error_samples)}`,
    );
  return { startedAt: loop.startedAt, timings: loop.timings, load: [before, after] };
}

/** The 1-minute load average before and after the level, appended to each figure's method. */
function withLoad(figures: Figure[], [before, after]: [number, number]): Figure[] {
  return figures.map((f) => ({
    ...f,
    measures: `${f.measures}; load average ${before.toFixed(2)} → ${after.toFixed(2)}`,
  }));
}

function levelFigures(
  level: Level,
  variant: string,
  startedAt: number,
  timings: readonly { dueAt: number; sentAt: number }[],
): Figure[] {
  const [achieved, ...gaps] = arrivalFigures(
    level,
    variant,
    startedAt,
    timings.map((t) => t.sentAt),
  );
  const lagMs = timings.map((t) => t.sentAt - t.dueAt).sort((a, b) => a - b);
  const lag: Figure = {
    name: `send lag, ${tagOf(level, variant)}`,
    measures: "per request, send − scheduled arrival (the timer's and event loop's lag), ms",
    n: lagMs.length,
    latency: { p50: quantile(lagMs, 0.5), p90: quantile(lagMs, 0.9), unit: "ms" },
  };
  return achieved === undefined ? [lag, ...gaps] : [achieved, lag, ...gaps];
}

function tagOf(level: Level, variant: string): string {
  return `r=${level.requestRate}${level.burstiness === 1 ? "" : `, burstiness ${level.burstiness}`}${variant}`;
}

/** The achieved rate and the gaps' fit of arrival instants `times` (ascending) counted from `startedAt`. */
function arrivalFigures(level: Level, variant: string, startedAt: number, times: readonly number[]): Figure[] {
  const tag = tagOf(level, variant);
  const spanS = ((times.at(-1) ?? startedAt) - startedAt) / 1000;
  const achieved = times.length / spanS;
  const gapsS = times.map((at, i) => (at - (times[i - 1] ?? startedAt)) / 1000);
  const figures: Figure[] = [
    {
      name: `achieved rate, ${tag}`,
      measures: `requests / (last − first instant): ${achieved.toFixed(3)} req/s against ${level.requestRate} asked`,
      n: times.length,
      value: { value: achieved / level.requestRate, unit: "× asked" },
      target: "0.98–1.02",
    },
  ];
  if (level.burstiness === 1) {
    const ks = ksTest(gapsS, exponentialCdf(level.requestRate));
    figures.push({
      name: `KS p-value of gaps, ${tag}`,
      measures: `gaps against the exponential at ${level.requestRate}/s: D = ${ks.statistic.toFixed(4)}`,
      n: ks.n,
      value: { value: ks.pValue, unit: "p" },
      target: "> 0.05",
    });
  } else {
    const cv = (sampleStandardDeviation(gapsS) ?? Number.NaN) / (mean(gapsS) ?? Number.NaN);
    figures.push({
      name: `gap CV × √burstiness, ${tag}`,
      measures: `coefficient of variation of the gaps (${cv.toFixed(3)}) × √${level.burstiness}; 1 for gamma gaps`,
      n: gapsS.length,
      value: { value: cv * Math.sqrt(level.burstiness), unit: "× gamma" },
      target: "0.95–1.05",
    });
  }
  return figures;
}
