/**
 * `quanteval bench`'s SLO flags (--slo, --find-max-rate, --slo-percentile, --trials, --trial-warmup) → the plan's slo
 * and maxRate, every problem gathered for bench's ConfigError. Kept apart from bench.ts so that file stays about load.
 */
import type { MaxRatePlan, Slo } from "../../loadgen/index.ts";
import { parseSloInto, trialWarmupFor } from "../../loadgen/index.ts";
import type { BenchFlags } from "../flags.ts";

const DEFAULT_PERCENTILE = 90;
const DEFAULT_TRIALS = 3;
const MAX_TRIALS = 100;
/** docs/sim-capacity.md: 5 s of arrivals let the simulator's queue fill at the rates its capacity is found at. */
const DEFAULT_WARMUP_SECONDS = 5;
const MAX_WARMUP_SECONDS = 3600;
/** The search doubles from here, so a low start costs a few short trials, never a wrong bracket. */
const START_RATE = 1;

export interface SloPlan {
  slo?: Slo;
  maxRate?: MaxRatePlan;
}

/** The flags' SLO plan; `requests` is each trial's size (--requests). Problems go to `problems`. */
export function sloPlanFromFlags(flags: BenchFlags, requests: number, problems: string[]): SloPlan {
  const slo = flags.slo === undefined ? undefined : parseSloInto(flags.slo, problems);
  if (flags.artifacts !== undefined && flags.run === undefined)
    problems.push(
      `flags: --artifacts: only with --run, where the run to attach to is (got ${JSON.stringify(flags.artifacts)})`,
    );
  if (flags.findMaxRate !== true) {
    for (const [flag, value] of [
      ["--slo-percentile", flags.sloPercentile],
      ["--trials", flags.trials],
      ["--trial-warmup", flags.trialWarmup],
      ["--run", flags.run],
    ] as const) {
      if (value !== undefined)
        problems.push(`flags: ${flag}: only with --find-max-rate (got ${JSON.stringify(value)})`);
    }
    return slo === undefined ? {} : { slo };
  }
  if (slo === undefined) {
    problems.push("flags: --find-max-rate: needs --slo, the targets the rate must meet, e.g. --slo ttft=500ms,e2e=20s");
    return {};
  }
  const percentile = flags.sloPercentile === undefined ? DEFAULT_PERCENTILE : Number(flags.sloPercentile);
  if (!(percentile > 0 && percentile < 100)) {
    problems.push(
      `flags: --slo-percentile: must be a number between 0 and 100, exclusive (got ${JSON.stringify(flags.sloPercentile)}); e.g. --slo-percentile 90`,
    );
  }
  const trials = flags.trials === undefined ? DEFAULT_TRIALS : Number(flags.trials);
  if (!Number.isInteger(trials) || trials < 1 || trials > MAX_TRIALS) {
    problems.push(
      `flags: --trials: must be a whole number from 1 to ${MAX_TRIALS} (got ${JSON.stringify(flags.trials)}); e.g. --trials 3`,
    );
  }
  const warmupSeconds = flags.trialWarmup === undefined ? DEFAULT_WARMUP_SECONDS : Number(flags.trialWarmup);
  if (!(warmupSeconds >= 0 && warmupSeconds <= MAX_WARMUP_SECONDS)) {
    problems.push(
      `flags: --trial-warmup: must be a number of seconds from 0 to ${MAX_WARMUP_SECONDS} (got ${JSON.stringify(flags.trialWarmup)}); e.g. --trial-warmup 5, or 0 for none`,
    );
  }
  // The cool-down keeps the load up while the last judged requests finish: for the e2e target's time when there is
  // one (a judged request that meets it is done by then), else for the warm-up's. --trial-warmup 0 turns both off.
  const cooldownSeconds = slo.e2e === undefined ? warmupSeconds : slo.e2e / 1000;
  const ends =
    warmupSeconds > 0
      ? { warmup: trialWarmupFor(requests, warmupSeconds), cooldown: { seconds: cooldownSeconds } }
      : {};
  return { slo, maxRate: { percentile, trials, requests, startRate: START_RATE, ...ends } };
}

/** TTFT and TPOT are timed from streamed tokens: without streaming every request would miss them. */
export function sloStreamProblems(slo: Slo | undefined, stream: boolean): string[] {
  if (stream || slo === undefined) return [];
  return (["ttft", "tpot"] as const)
    .filter((metric) => slo[metric] !== undefined)
    .map(
      (metric) =>
        `flags: --slo: ${metric} needs streamed requests (no token arrival is seen without them): drop --no-stream (or stream: false), or keep only e2e`,
    );
}
