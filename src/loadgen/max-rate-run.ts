/**
 * `bench --find-max-rate` for one variant: the search (max-rate-search.ts) over trials the open-loop sender runs
 * (rate-trial.ts), each step logged. The caller supplies the sender; bench-run.ts calls this after the variant's
 * concurrency levels.
 */
import { findMaxRate, type MaxRateResult, type MaxRateStep } from "./max-rate-search.ts";
import { type RateTrialOptions, rateTrialFor, TrialInterruptedError } from "./rate-trial.ts";
import { type Slo, sloMetricsOf } from "./slo.ts";

export interface MaxRatePlan {
  /** Percentile of every target that must hold, in (0, 100). */
  percentile: number;
  /** Independent searches (their range is the interval). */
  trials: number;
  /** Requests judged per trial. */
  requests: number;
  /** What each trial sends first, at the same rate, and does not judge (max-rate-search.ts); absent: none. */
  warmup?: TrialWarmup | undefined;
  /** What each trial sends after the judged requests, at the same rate, and does not judge; absent: none. */
  cooldown?: TrialCooldown | undefined;
  /** First rate tried, req/s, when the variant's levels measured no throughput to start from. */
  startRate: number;
}

/** A trial's warm-up: at least `requests`, and at least `seconds` of arrivals at the trial's rate. */
export interface TrialWarmup {
  requests: number;
  seconds: number;
}

/**
 * The warm-up `bench --find-max-rate` gives each trial: half its judged requests, and at least `seconds` of arrivals
 * (--trial-warmup, 5 by default). A queue filling from idle settles over a time, not a count, so the floor is in
 * seconds: it serves fast servers, whose trials are short, and half the trial serves slow ones. docs/sim-capacity.md
 * measures what each part buys.
 */
export function trialWarmupFor(requests: number, seconds = 5): TrialWarmup {
  return { requests: Math.ceil(requests / 2), seconds };
}

/**
 * At most this many times the judged requests go to a warm-up (and to a cool-down), whatever the rate: a bound on a
 * trial's cost.
 */
const MAX_WARMUP_PER_JUDGED = 10;

/** The requests a trial at `ratePerSec` sends as its warm-up before `requests` judged ones. */
export function warmupRequests(warmup: TrialWarmup | undefined, ratePerSec: number, requests: number): number {
  if (warmup === undefined) return 0;
  const forTime = Math.min(Math.ceil(ratePerSec * warmup.seconds), MAX_WARMUP_PER_JUDGED * requests);
  return Math.max(warmup.requests, forTime);
}

/**
 * A trial's cool-down: `seconds` of arrivals at the trial's rate after the judged requests. `bench --find-max-rate`
 * sets it to the e2e target when there is one: a judged request that meets it is done by then, so it finished under
 * sustained load; without an e2e target, to the warm-up's seconds.
 */
export interface TrialCooldown {
  seconds: number;
}

/** The requests a trial at `ratePerSec` sends as its cool-down after `requests` judged ones. */
export function cooldownRequests(cooldown: TrialCooldown | undefined, ratePerSec: number, requests: number): number {
  if (cooldown === undefined) return 0;
  return Math.min(Math.ceil(ratePerSec * cooldown.seconds), MAX_WARMUP_PER_JUDGED * requests);
}

/**
 * Where a variant's search starts: the highest throughput its levels reached (req/s), which the server can at least
 * serve back to back, else the plan's start rate. A trial costs requests / rate seconds, so starting near capacity
 * rather than doubling up from 1 req/s saves the longest trials.
 */
export function searchStartRate(levelQps: readonly number[], fallback: number): number {
  const best = Math.max(0, ...levelQps.filter((qps) => Number.isFinite(qps)));
  return best > 0 ? best : fallback;
}

/** The trial's sender, send, prompt numbers, clock and signal, with what the search needs. */
export interface VariantMaxRateOptions extends Omit<RateTrialOptions, "requests" | "warmup" | "cooldown"> {
  variant: string;
  plan: MaxRatePlan;
  slo: Slo;
  log?: ((line: string) => void) | undefined;
  /** Overrides plan.startRate (searchStartRate). */
  startRate?: number | undefined;
}

/** The variant's max rate, or "interrupted" when the signal stopped a trial. */
export async function variantMaxRate(options: VariantMaxRateOptions): Promise<MaxRateResult | "interrupted"> {
  const { plan, slo, log } = options;
  const warmup = (ratePerSec: number): number => warmupRequests(plan.warmup, ratePerSec, plan.requests);
  const cooldown = (ratePerSec: number): number => cooldownRequests(plan.cooldown, ratePerSec, plan.requests);
  log?.(
    `[${options.variant}] max rate: p${plan.percentile} of ${describeSlo(slo)}, ${plan.trials} search(es) ` +
      `of ${plan.requests}-request trials${describeWarmup(plan.warmup)}${describeCooldown(plan.cooldown)} ` +
      `from ${(options.startRate ?? plan.startRate).toFixed(2)} req/s`,
  );
  try {
    const result = await findMaxRate({
      trial: rateTrialFor({ ...options, requests: plan.requests, warmup, cooldown }),
      warmup,
      cooldown,
      slo,
      percentile: plan.percentile,
      repetitions: plan.trials,
      startRate: options.startRate ?? plan.startRate,
      onStep: (step) => log?.(`[${options.variant}] ${stepLine(step)}`),
    });
    const interval =
      result.interval === null ? "" : ` (${result.interval.low.toFixed(2)}–${result.interval.high.toFixed(2)})`;
    log?.(`[${options.variant}] max rate ${result.max_rate.toFixed(2)} req/s${interval}`);
    return result;
  } catch (error) {
    if (error instanceof TrialInterruptedError) return "interrupted";
    throw error;
  }
}

function describeWarmup(warmup: TrialWarmup | undefined): string {
  if (warmup === undefined) return "";
  return ` after a warm-up of at least ${warmup.requests} request(s) and ${warmup.seconds} s each`;
}

function describeCooldown(cooldown: TrialCooldown | undefined): string {
  return cooldown === undefined ? "" : `, then ${cooldown.seconds} s of cool-down arrivals`;
}

export function describeSlo(slo: Slo): string {
  return sloMetricsOf(slo)
    .map((metric) => `${metric} ≤ ${slo[metric]} ms`)
    .join(", ");
}

function stepLine(step: MaxRateStep): string {
  const shares = Object.entries(step.share_met)
    .map(([metric, share]) => `${metric} ${(share * 100).toFixed(1)}%`)
    .join(", ");
  return `search ${step.repetition + 1}: ${step.rate.toFixed(2)} req/s ${step.holds ? "holds" : "fails"} (${shares} met)`;
}
