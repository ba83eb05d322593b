/**
 * The seam between the max-rate search and the open-loop sender: a RateTrial for one variant, built from whatever
 * sends requests at a Poisson rate (the open-loop sender `--request-rate` uses) and the variant's own `send`. Each
 * trial sends prompts of its own, as each concurrency level does, so a server's prefix cache does not flatter
 * later trials. Each trial's arrivals are seeded with the search's repetition number, so repetitions see fresh
 * arrivals while a rerun of the bench sees the same ones.
 */
import { arrivalSchedule } from "./arrival-schedule.ts";
import type { OpenLoopPlan } from "./bench-level.ts";
import type { ClosedLoopResult, RequestOutcome } from "./closed-loop.ts";
import type { RateTrial } from "./max-rate-search.ts";
import { runOpenLoop } from "./open-loop.ts";

export interface OpenLoopRequest {
  /** Mean arrivals per second (Poisson). */
  ratePerSec: number;
  requests: number;
  /** Seeds the arrival schedule. */
  seed: number;
  /** Sends request `index` (0-based within the trial); resolves to its outcome. May throw only once `signal` aborted. */
  send: (index: number, signal: AbortSignal | undefined) => Promise<RequestOutcome>;
  now: () => number;
  signal: AbortSignal | undefined;
}

/** Sends `requests` requests at Poisson arrivals of `ratePerSec`; its result reads as a closed loop's. */
export type OpenLoopSender = (request: OpenLoopRequest) => Promise<ClosedLoopResult>;

/** Thrown by a trial the signal cut short: the search stops and the variant is interrupted. */
export class TrialInterruptedError extends Error {}

export interface RateTrialOptions {
  sender: OpenLoopSender;
  /** Requests judged per trial. */
  requests: number;
  /** Requests a trial at this rate sends first (its warm-up, not judged); default none. */
  warmup?: ((ratePerSec: number) => number) | undefined;
  /** Requests a trial at this rate sends after the judged ones (its cool-down, not judged); default none. */
  cooldown?: ((ratePerSec: number) => number) | undefined;
  /** Sends the variant's prompt number `index` (the trial picks fresh indices from `firstIndex` on). */
  send: (index: number, signal: AbortSignal | undefined) => Promise<RequestOutcome>;
  firstIndex: number;
  now: () => number;
  signal: AbortSignal | undefined;
}

export function rateTrialFor(options: RateTrialOptions): RateTrial {
  let next = options.firstIndex;
  return async (ratePerSec, { repetition }) => {
    const first = next;
    const requests = (options.warmup?.(ratePerSec) ?? 0) + options.requests + (options.cooldown?.(ratePerSec) ?? 0);
    next += requests;
    const loop = await options.sender({
      ratePerSec,
      requests,
      seed: repetition,
      send: (index, signal) => options.send(first + index, signal),
      now: options.now,
      signal: options.signal,
    });
    if (!loop.complete) throw new TrialInterruptedError(`trial at ${ratePerSec} req/s was interrupted`);
    return loop.outcomes;
  };
}

/**
 * --find-max-rate's trials: the open loop at the asked rate, with the plan's --burstiness, --max-concurrency and
 * --seed (a Poisson process, no cap and seed 0 without an open-loop plan).
 */
export function openLoopRateSender(openLoop: OpenLoopPlan | undefined): OpenLoopSender {
  return ({ ratePerSec, requests, seed, send, now, signal }) =>
    runOpenLoop({
      schedule: arrivalSchedule(
        { requestRate: ratePerSec, burstiness: openLoop?.burstiness ?? 1, seed: (openLoop?.seed ?? 0) + seed },
        requests,
      ),
      maxConcurrency: openLoop?.maxConcurrency,
      send,
      now,
      signal,
    });
}
