/**
 * Measurement fidelity: does `quanteval bench` report what the server really did? The simulator runs in a child
 * process at known rates (TTFT 50 ms + 0.1 ms per prompt token, 40 tokens/s per stream, 2,000 tokens/s in all), and
 * the measured TTFT, decode tok/s and QPS are divided by the truth. Target: within 2% (ratios 0.98–1.02).
 *
 * The truth, closed loop with c requests in flight, every reply exactly N tokens (ignore_eos), P prompt tokens:
 * - below saturation (c × 40 ≤ 2,000 tok/s) each stream decodes at 40 tok/s, so a request takes
 *   L = TTFT + (N − 1) / 40 s with TTFT = 50 ms + 0.1 ms × P; the c requests of a wave start and end together,
 *   so QPS = c / L and decode tok/s = QPS × N, exactly;
 * - TTFT is also set against a minimal client on the same requests: the simulator spends a few milliseconds on a
 *   request (body, JSON, tokens) before its engine admits it, which the model above does not count, and which any
 *   client sees; quanteval's TTFT over the raw client's is what quanteval itself adds;
 * - at saturation the 2,000 tok/s are shared by the streams decoding at that moment, which depends on how many
 *   are still in prefill: the truth is the simulator's own engine run on a virtual clock (no timers, no HTTP,
 *   no client), which is what a perfect client would see.
 */
import { tmpdir } from "node:os";
import { VariantSchema } from "../src/config.ts";
import { runThroughputBench, syntheticPrompt } from "../src/loadgen/index.ts";
import { DecodeEngine, type EngineClock, prefillMs } from "../src/sim/engine.ts";
import type { SimSpeed, SimVariantProfile } from "../src/sim/index.ts";
import type { Bench, Figure } from "./figures.ts";
import { runRawClient } from "./raw-client.ts";
import { startSimChild } from "./sim-child.ts";

const SPEED: SimSpeed = {
  ttftMs: 50,
  ttftPerPromptTokenMs: 0.1,
  decodeTokensPerSec: 40,
  maxDecodeTokensPerSec: 2000,
  maxNumSeqs: 256,
};
const MODEL = "fidelity-sim";
const PROMPT_WORDS = 500;
const MAX_TOKENS = 128;
/** c = 1 and 16 are below saturation (16 × 40 = 640 tok/s); 64 × 40 = 2,560 > 2,000 is above it. */
const LEVELS = [
  { concurrency: 1, requests: 16 },
  { concurrency: 16, requests: 64 },
  { concurrency: 64, requests: 256 },
];

interface Truth {
  ttftS: number;
  qps: number;
  decodeTps: number;
  method: string;
}

/** Analytic truth below saturation (see the file comment). */
function analyticTruth(concurrency: number, promptTokens: number): Truth {
  const ttftS = prefillMs(SPEED, promptTokens) / 1000;
  const latencyS = ttftS + (MAX_TOKENS - 1) / SPEED.decodeTokensPerSec;
  const qps = concurrency / latencyS;
  return { ttftS, qps, decodeTps: qps * MAX_TOKENS, method: "analytic" };
}

/** The engine on a virtual clock, fed by a perfect closed-loop client: the truth at any concurrency. */
function engineTruth(concurrency: number, requests: number, promptTokens: number): Truth {
  let now = 0;
  const timers: { at: number; callback: () => void; live: boolean }[] = [];
  const clock: EngineClock = {
    now: () => now,
    setTimer: (callback, delayMs) => {
      const timer = { at: now + delayMs, callback, live: true };
      timers.push(timer);
      return () => {
        timer.live = false;
      };
    },
  };
  const engine = new DecodeEngine(SPEED, clock);
  let sent = 0;
  let done = 0;
  const ttfts: number[] = [];
  const send = (): void => {
    if (sent >= requests) return;
    sent += 1;
    const startedAt = now;
    engine.submit({
      promptTokens,
      completionTokens: MAX_TOKENS,
      onToken: (index) => {
        if (index === 0) ttfts.push(now - startedAt);
      },
      onDone: () => {
        done += 1;
        send();
      },
    });
  };
  for (let i = 0; i < concurrency; i++) send();
  while (done < requests) {
    timers.sort((a, b) => a.at - b.at);
    const next = timers.shift();
    if (next === undefined) throw new Error("engine truth: no timer left before every request finished");
    if (!next.live) continue;
    now = Math.max(now, next.at);
    next.callback();
  }
  engine.close();
  const totalS = now / 1000;
  const qps = requests / totalS;
  return {
    ttftS: ttfts.reduce((a, b) => a + b, 0) / ttfts.length / 1000,
    qps,
    decodeTps: qps * MAX_TOKENS,
    method: "engine on a virtual clock",
  };
}

export const bench: Bench = async () => {
  const profile: SimVariantProfile = {
    model: MODEL,
    accuracy: 1,
    unansweredRate: 0,
    reasoning: "none",
    reasoningTokens: 0,
    speed: SPEED,
  };
  const sim = await startSimChild({ profiles: [profile] });
  const figures: Figure[] = [];
  try {
    const variant = VariantSchema.parse({ name: "sim", baseUrl: sim.baseUrl, model: MODEL });
    for (const level of LEVELS) {
      // Warm-up (not timed) gets the JIT and the connections warm first.
      const [outcome] = await runThroughputBench(
        {
          variants: [variant],
          concurrencies: [level.concurrency],
          requests: level.requests,
          maxTokens: MAX_TOKENS,
          temperature: 0,
          stream: true,
          ignoreEos: true,
          warmup: Math.max(4, Math.min(level.concurrency, 16)),
          prompts: { kind: "synthetic", tokens: PROMPT_WORDS },
          timeoutSec: 120,
        },
        { cwd: process.cwd(), outDir: tmpdir() },
      );
      const result = outcome?.results[0];
      if (result === undefined || result.ok !== level.requests)
        throw new Error(
          `fidelity: c=${level.concurrency} did not finish cleanly: ${JSON.stringify(outcome?.error ?? result?.error_samples)}`,
        );
      const promptTokens = result.token_usage.prompt_tokens_mean ?? PROMPT_WORDS;
      const saturated = level.concurrency * SPEED.decodeTokensPerSec > SPEED.maxDecodeTokensPerSec;
      const truth = saturated
        ? engineTruth(level.concurrency, level.requests, promptTokens)
        : analyticTruth(level.concurrency, promptTokens);
      const measures = (what: string, measured: number, true_: number, unit: string) =>
        `${what}: measured ${measured.toFixed(unit === "s" ? 4 : 1)} ${unit} / truth ${true_.toFixed(unit === "s" ? 4 : 1)} ${unit} (${truth.method}; P=${promptTokens} prompt tokens, N=${MAX_TOKENS}, ignore_eos, streamed)`;
      const ratio = (name: string, what: string, measured: number, true_: number, unit: string): Figure => ({
        name: `${name}, c=${level.concurrency}`,
        n: level.requests,
        value: { value: measured / true_, unit: "× truth" },
        target: "0.98–1.02",
        measures: measures(what, measured, true_, unit),
      });
      // What a minimal client sees on the same simulator: the gap between it and the model is the simulator's (its
      // timers fire late, and tokens wait for its busy event loop; its handling of the request before the engine
      // takes it is inside the modelled prefill); the gap between quanteval and it is quanteval's.
      const bodies = Array.from({ length: level.requests }, (_v, i) =>
        JSON.stringify({
          model: MODEL,
          messages: [{ role: "user", content: syntheticPrompt(PROMPT_WORDS, i) }],
          max_tokens: MAX_TOKENS,
          temperature: 0,
          ignore_eos: true,
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      const raw = await runRawClient({ baseUrl: sim.baseUrl, bodies, concurrency: level.concurrency });
      const rawTtfts = raw.replies.flatMap((r) =>
        r.firstTokenAt === undefined ? [] : [(r.firstTokenAt - r.sentAt) / 1000],
      );
      const rawTtft = rawTtfts.reduce((a, b) => a + b, 0) / rawTtfts.length;
      figures.push(
        ratio("TTFT mean", "TTFT mean", result.ttft_s.mean ?? Number.NaN, truth.ttftS, "s"),
        {
          name: `TTFT vs raw client, c=${level.concurrency}`,
          n: level.requests,
          value: { value: (result.ttft_s.mean ?? Number.NaN) / rawTtft, unit: "× raw client" },
          target: "0.98–1.02",
          measures: `quanteval's TTFT mean ${(result.ttft_s.mean ?? Number.NaN).toFixed(4)} s / a minimal node:http client's ${rawTtft.toFixed(4)} s on the same requests (the raw client is ${((rawTtft / truth.ttftS - 1) * 1000 * truth.ttftS).toFixed(1)} ms over the model: the simulator's timer lateness and busy event loop)`,
        },
        ratio("decode tok/s", "decode_tps", result.derived.decode_tps, truth.decodeTps, "tok/s"),
        ratio("QPS", "qps", result.qps, truth.qps, "req/s"),
      );
    }
  } finally {
    await sim.stop();
  }
  return figures;
};
