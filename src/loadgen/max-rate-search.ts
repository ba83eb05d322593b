/**
 * `bench --find-max-rate`: the highest request rate at which a chosen percentile (default p90) of every latency
 * target holds, as evalscope's --sla-auto-tune and vLLM's request-rate sweeps answer it by hand. The search
 * brackets (doubling the rate while the targets hold, halving while they do not), then bisects the bracket until
 * its width is within a relative tolerance. It only decides; the requests come from the injected `trial`, so the
 * core is pure and tests drive it with deterministic fakes.
 *
 * "The p-th percentile of a target holds" is read as: at least p% of the requests sent met it, a failed request
 * counting as a miss (the nearest-rank percentile, with failures as +∞, is within the target). It avoids
 * interpolating between ranks, and a trial of n requests decides it exactly.
 *
 * Repeated trials: the whole search runs `repetitions` times, each over fresh arrivals (the trial gets the
 * repetition's number for its seed). The figure is the median of the repetitions' estimates, and the interval is
 * their range [min, max]: a distribution-free confidence interval for that median, of confidence 1 − 2 × 0.5^n
 * (75% for 3, 94% for 5). Later repetitions start from the median so far, so their brackets close in fewer trials.
 *
 * Warm-up: every trial starts with an idle server, so its first requests meet no queue and a short trial reads the
 * percentile low and the max rate high (+26% over HTTP with 100-request trials, against the simulator's known
 * capacity).
 * With `warmup` w (a count, or a count per rate), the first w requests of each trial by arrival (its outcomes are in
 * arrival order) are left out of the judging: the trial sends w + n requests at the same rate, as aiperf's warm-up
 * phase runs at the profiling rate, and n are judged. docs/sim-capacity.md measures what it buys.
 *
 * Cool-down: an engine that batches decodes each request with those in flight, later arrivals included, so when a
 * trial's arrivals stop its last requests finish in a draining batch and read fast. With `cooldown` c, the trial
 * sends c more requests after the judged ones, at the same rate, and does not judge them. (Under FIFO with no shared
 * decode, as in the simulator's capacity profile, a request's wait depends only on earlier arrivals and the tail is
 * not biased; the cool-down then changes nothing but the cost.)
 */
import type { RequestOutcome } from "./closed-loop.ts";
import { type Slo, type SloMetric, sloMetricsOf, sloVerdict } from "./slo.ts";

export interface RateTrialContext {
  /** 0-based: which search this trial belongs to (seed the arrivals with it, so repetitions differ). */
  repetition: number;
  /** 0-based trial number within the repetition. */
  step: number;
}

/** Sends a trial's requests at `ratePerSec` and resolves to every request's outcome, failures included. */
export type RateTrial = (ratePerSec: number, context: RateTrialContext) => Promise<readonly RequestOutcome[]>;

export interface MaxRateOptions {
  trial: RateTrial;
  slo: Slo;
  /** Percentile of each target that must hold, in (0, 100); default 90. */
  percentile?: number | undefined;
  /** Independent searches; default 1. */
  repetitions?: number | undefined;
  /** First rate tried, req/s; default 1. */
  startRate?: number | undefined;
  /** Stop bisecting when (high − low) / low is at most this; default 0.02. */
  relativeTolerance?: number | undefined;
  /** Bracketing gives up below this rate (the targets hold at no rate tried) or above the max; default 1/64 and 10⁵. */
  minRate?: number | undefined;
  maxRate?: number | undefined;
  /** Trials per repetition at most, bracketing included; default 30. */
  maxSteps?: number | undefined;
  /**
   * Requests at the head of each trial's outcomes, by arrival, left out of the judging (the warm-up), or that count
   * for a trial's rate; default 0.
   */
  warmup?: number | ((ratePerSec: number) => number) | undefined;
  /**
   * Requests at the tail of each trial's outcomes, by arrival, left out of the judging (the cool-down: arrivals that
   * keep the load up while the last judged requests finish), or that count for a trial's rate; default 0.
   */
  cooldown?: number | ((ratePerSec: number) => number) | undefined;
  /** Told of every trial as it ends (for the log). */
  onStep?: ((step: MaxRateStep) => void) | undefined;
}

export interface MaxRateStep {
  repetition: number;
  rate: number;
  holds: boolean;
  /** Requests judged (the trial's requests after its warm-up). */
  requests: number;
  /** Requests sent first and not judged; absent when there was no warm-up. */
  warmup?: number;
  /** Requests sent after the judged ones and not judged; absent when there was no cool-down. */
  cooldown?: number;
  /** Share of the judged requests that met each target. */
  share_met: Partial<Record<SloMetric, number>>;
}

export type MaxRateStop = "tolerance" | "max-steps" | "above-max-rate" | "below-min-rate";

export interface MaxRateRepetition {
  /** The highest rate tried at which every target held; 0 when none did. */
  max_rate: number;
  /** The lowest rate tried at which a target failed; null when none did (stopped at max_rate). */
  failed_at: number | null;
  stopped: MaxRateStop;
  steps: MaxRateStep[];
}

export interface MaxRateResult {
  percentile: number;
  /** Median of the repetitions' max_rate, req/s. */
  max_rate: number;
  /** [min, max] of the repetitions' max_rate and its confidence for the median; null for a single repetition. */
  interval: { low: number; high: number; confidence: number } | null;
  repetitions: MaxRateRepetition[];
}

const DEFAULTS = {
  percentile: 90,
  repetitions: 1,
  startRate: 1,
  relativeTolerance: 0.02,
  minRate: 1 / 64,
  maxRate: 100_000,
  maxSteps: 30,
} as const;

export async function findMaxRate(options: MaxRateOptions): Promise<MaxRateResult> {
  const settings = settingsOf(options);
  const repetitions: MaxRateRepetition[] = [];
  for (let repetition = 0; repetition < settings.repetitions; repetition++) {
    const sofar = median(repetitions.map((r) => r.max_rate).filter((rate) => rate > 0));
    const startRate = sofar ?? settings.startRate;
    repetitions.push(await searchOnce(options, settings, repetition, startRate));
  }
  const estimates = repetitions.map((r) => r.max_rate);
  return {
    percentile: settings.percentile,
    max_rate: median(estimates) ?? 0,
    interval:
      estimates.length < 2
        ? null
        : {
            low: Math.min(...estimates),
            high: Math.max(...estimates),
            confidence: 1 - 2 * 0.5 ** estimates.length,
          },
    repetitions,
  };
}

/**
 * Whether every target held at the percentile over a trial's outcomes (in arrival order), and each target's share
 * met. The first `warmup` outcomes are the trial's warm-up and the last `cooldown` its cool-down: neither is judged.
 */
export function judgeTrial(
  trialOutcomes: readonly RequestOutcome[],
  slo: Slo,
  percentile: number,
  warmup = 0,
  cooldown = 0,
): { holds: boolean; shareMet: Partial<Record<SloMetric, number>> } {
  const outcomes = trialOutcomes.slice(warmup, Math.max(warmup, trialOutcomes.length - cooldown));
  const verdicts = outcomes.map((outcome) => sloVerdict(outcome, slo));
  const shareMet: Partial<Record<SloMetric, number>> = {};
  let holds = outcomes.length > 0;
  for (const metric of sloMetricsOf(slo)) {
    const share = outcomes.length === 0 ? 0 : verdicts.filter((v) => v[metric] === true).length / outcomes.length;
    shareMet[metric] = share;
    // A share exactly at the percentile holds: the nearest-rank percentile is then within the target.
    holds &&= share >= percentile / 100 - 1e-12;
  }
  return { holds, shareMet };
}

type Settings = { [K in keyof typeof DEFAULTS]: number };

function settingsOf(options: MaxRateOptions): Settings {
  const startRate = options.startRate ?? DEFAULTS.startRate;
  const settings: Settings = {
    percentile: options.percentile ?? DEFAULTS.percentile,
    repetitions: options.repetitions ?? DEFAULTS.repetitions,
    startRate,
    relativeTolerance: options.relativeTolerance ?? DEFAULTS.relativeTolerance,
    // The default bounds widen to take in any start rate given.
    minRate: options.minRate ?? Math.min(DEFAULTS.minRate, startRate),
    maxRate: options.maxRate ?? Math.max(DEFAULTS.maxRate, startRate),
    maxSteps: options.maxSteps ?? DEFAULTS.maxSteps,
  };
  if (!(settings.percentile > 0 && settings.percentile < 100))
    throw new RangeError(`percentile must be in (0, 100) (got ${settings.percentile})`);
  if (!Number.isInteger(settings.repetitions) || settings.repetitions < 1)
    throw new RangeError(`repetitions must be a whole number >= 1 (got ${settings.repetitions})`);
  if (!(settings.minRate > 0 && settings.minRate <= settings.startRate && settings.startRate <= settings.maxRate))
    throw new RangeError("rates must satisfy 0 < minRate <= startRate <= maxRate");
  if (typeof options.warmup === "number") countAt("warmup", options.warmup, settings.startRate);
  if (typeof options.cooldown === "number") countAt("cooldown", options.cooldown, settings.startRate);
  if (!(settings.relativeTolerance > 0)) throw new RangeError("relativeTolerance must be more than 0");
  if (sloMetricsOf(options.slo).length === 0) throw new RangeError("the search needs at least one latency target");
  return settings;
}

/** One search: bracket from `startRate`, then bisect. */
async function searchOnce(
  options: MaxRateOptions,
  settings: Settings,
  repetition: number,
  startRate: number,
): Promise<MaxRateRepetition> {
  const steps: MaxRateStep[] = [];
  let low = 0; // highest rate that held
  let high = Infinity; // lowest rate that failed
  const tryRate = async (rate: number): Promise<boolean> => {
    const outcomes = await options.trial(rate, { repetition, step: steps.length });
    const warmup = Math.min(countAt("warmup", options.warmup ?? 0, rate), outcomes.length);
    const cooldown = Math.min(countAt("cooldown", options.cooldown ?? 0, rate), outcomes.length - warmup);
    const { holds, shareMet } = judgeTrial(outcomes, options.slo, settings.percentile, warmup, cooldown);
    const step: MaxRateStep = {
      repetition,
      rate,
      holds,
      requests: outcomes.length - warmup - cooldown,
      ...(warmup > 0 ? { warmup } : {}),
      ...(cooldown > 0 ? { cooldown } : {}),
      share_met: shareMet,
    };
    steps.push(step);
    options.onStep?.(step);
    if (holds) low = Math.max(low, rate);
    else high = Math.min(high, rate);
    return holds;
  };
  const done = (stopped: MaxRateStop): MaxRateRepetition => ({
    max_rate: low,
    failed_at: high === Infinity ? null : high,
    stopped,
    steps,
  });

  // Bracketing: double while the targets hold, halve while they do not.
  let rate = startRate;
  const firstHolds = await tryRate(rate);
  while (high === Infinity || low === 0) {
    if (steps.length >= settings.maxSteps) return done("max-steps");
    rate = firstHolds ? rate * 2 : rate / 2;
    if (rate > settings.maxRate) return done("above-max-rate");
    if (rate < settings.minRate) return done("below-min-rate");
    await tryRate(rate);
  }
  // Bisection: the bracket [low, high] always has a rate that held below one that failed.
  while ((high - low) / low > settings.relativeTolerance) {
    if (steps.length >= settings.maxSteps) return done("max-steps");
    await tryRate((low + high) / 2);
  }
  return done("tolerance");
}

/** The warm-up or cool-down of a trial at `rate`, checked. */
function countAt(name: string, given: number | ((ratePerSec: number) => number), rate: number): number {
  const count = typeof given === "number" ? given : given(rate);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`${name} must be a whole number >= 0 (got ${count})`);
  return count;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
