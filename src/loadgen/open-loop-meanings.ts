/** What bench.json says of an open-loop bench (`--request-rate`): its method, settings and fields. Pure. */
import type { OpenLoopPlan } from "./bench-level.ts";
import { rateLabel } from "./bench-level.ts";

export const OPEN_LOOP_METHOD =
  "Open loop (--request-rate), as vllm bench serve: requests arrive at seeded times whatever the replies are " +
  "doing, gaps gamma distributed with shape = burstiness and mean 1/rate (burstiness 1: Poisson), rescaled so the " +
  "last of n arrives at n/rate; every variant gets the same arrival times. With max_concurrency a request that " +
  "arrives while that many are in flight waits for a slot; its wait is in send_delay_ms. Warm-up requests go all " +
  "at once, up to the cap. total_time_s runs from the level's start to the last reply.";

export function openLoopSettings(open: OpenLoopPlan): Record<string, unknown> {
  return {
    request_rate: open.requestRates.map((r) => (r === Number.POSITIVE_INFINITY ? rateLabel(r) : r)),
    burstiness: open.burstiness === Number.POSITIVE_INFINITY ? rateLabel(open.burstiness) : open.burstiness,
    max_concurrency: open.maxConcurrency ?? null,
    seed: open.seed,
  };
}

export const OPEN_LOOP_FIELDS: Record<string, string> = {
  concurrency: "open loop: the most requests that were in flight at once (what the arrivals made of the load)",
  request_rate: 'the arrival rate asked, requests per second ("inf": all at once)',
  achieved_rate:
    "arrivals per second achieved: requests / (last arrival − level start), s; the schedule puts the last arrival at " +
    'requests / request_rate, so this is request_rate but for the timer\'s lag (null with "inf")',
  burstiness: 'gamma shape of the arrival gaps: 1 Poisson, below 1 burstier, above 1 more even ("inf": constant gaps)',
  max_concurrency: "the most requests allowed in flight (--max-concurrency); null: no cap",
  send_delay_ms:
    "per request, scheduled arrival → sent, ms: the timer's lag plus, at max_concurrency, the wait for a slot " +
    "(p50/p90/p95/p99, mean, min, max over n requests)",
  send_lag:
    "the timer's lag alone (scheduled arrival → let in, without the wait for a slot): its p90 (timer_p90_ms) against " +
    'the mean gap the rate asks for (mean_gap_ms; null with "inf"). flagged when the p90 is at least half the ' +
    "mean gap: the gaps sent are then not the ones asked, and quanteval bench prints a warning",
};
