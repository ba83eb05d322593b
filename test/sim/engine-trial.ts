/**
 * A trial of Poisson arrivals against one DecodeEngine on a manual clock: what an open-loop bench against the
 * simulator measures, without HTTP or waiting. Arrivals are seeded, so a trial is the same on every run.
 */
import { seededRandom } from "../../src/core/seeded-random.ts";
import type { RequestOutcome } from "../../src/loadgen/closed-loop.ts";
import { DecodeEngine, type SimSpeed } from "../../src/sim/index.ts";
import { ManualClock } from "./manual-clock.ts";

/**
 * A profile with a known capacity (src/sim/capacity.ts): 16 slots, each held 50 ms (10 ms prefill, then one token
 * after the first at 25 tok/s) by the workload below, with decode never shared: saturation at 320 req/s.
 */
export const CAPACITY_SPEED: SimSpeed = {
  ttftMs: 10,
  ttftPerPromptTokenMs: 0,
  decodeTokensPerSec: 25,
  maxDecodeTokensPerSec: 400,
  maxNumSeqs: 16,
};
export const CAPACITY_WORKLOAD = { promptTokens: 8, completionTokens: 2 } as const;

/**
 * The slower profile the HTTP check uses (docs/sim-capacity.md, bench/max-rate.bench.ts): 16 slots, each held 200 ms
 * (20 ms prefill, then one token after the first at 1000/180 tok/s) by CAPACITY_WORKLOAD; saturation at 80 req/s and
 * a known capacity of 75.00 req/s at p90 of e2e ≤ 400 ms.
 */
export const HTTP_CAPACITY_SPEED: SimSpeed = {
  ttftMs: 20,
  ttftPerPromptTokenMs: 0,
  decodeTokensPerSec: 1000 / 180,
  maxDecodeTokensPerSec: 1000,
  maxNumSeqs: 16,
};

export interface EngineTrialOptions {
  speed: SimSpeed;
  ratePerSec: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  seed: number;
}

export function engineTrial(options: EngineTrialOptions): RequestOutcome[] {
  const clock = new ManualClock();
  const engine = new DecodeEngine(options.speed, clock);
  const random = seededRandom("engine-trial", options.seed);
  const outcomes: RequestOutcome[] = [];
  let at = 0;
  for (let i = 0; i < options.requests; i++) {
    at += (-Math.log(1 - random()) * 1000) / options.ratePerSec;
    clock.advanceTo(at);
    const sentAt = at;
    let firstTokenAt: number | undefined;
    engine.submit({
      arrivedAt: sentAt,
      promptTokens: options.promptTokens,
      completionTokens: options.completionTokens,
      onToken: (index) => {
        if (index === 0) firstTokenAt = clock.now();
      },
      onDone: () => {
        outcomes[i] = {
          ok: true,
          usage: { promptTokens: options.promptTokens, completionTokens: options.completionTokens },
          timing: { sentAt, ...(firstTokenAt === undefined ? {} : { firstTokenAt }), doneAt: clock.now() },
          finishReason: "length",
          attempts: 1,
        };
      },
    });
  }
  clock.runAll();
  engine.close();
  return outcomes;
}
