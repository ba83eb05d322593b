/**
 * The seam between the max-rate search and the open-loop sender: a RateTrial for one variant, built from whatever
 * sends requests at a Poisson rate (the open-loop sender `--request-rate` uses) and the variant's own `send`. Each
 * trial sends prompts of its own, as each concurrency level does, so a server's prefix cache does not flatter
 * later trials. Each trial's arrivals are seeded with the search's repetition number, so repetitions see fresh
 * arrivals while a rerun of the bench sees the same ones.
 */
import type { ClosedLoopResult, RequestOutcome } from "./closed-loop.ts";
import type { RateTrial } from "./max-rate-search.ts";

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
  /** Requests per trial. */
  requests: number;
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
    next += options.requests;
    const loop = await options.sender({
      ratePerSec,
      requests: options.requests,
      seed: repetition,
      send: (index, signal) => options.send(first + index, signal),
      now: options.now,
      signal: options.signal,
    });
    if (!loop.complete) throw new TrialInterruptedError(`trial at ${ratePerSec} req/s was interrupted`);
    return loop.outcomes;
  };
}
