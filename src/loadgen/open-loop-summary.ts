/** An open-loop level's own bench.json fields, from its schedule's spec and what the loop recorded. Pure. */
import type { ArrivalSpec } from "./arrival-schedule.ts";
import { describeTails, type OpenLoopFields } from "./bench-summary.ts";
import type { OpenLoopResult } from "./open-loop.ts";

export function summarizeOpenLoop(
  loop: OpenLoopResult,
  spec: ArrivalSpec,
  maxConcurrency: number | undefined,
): OpenLoopFields {
  return {
    request_rate: finiteOrInf(spec.requestRate),
    achieved_rate: spec.requestRate === Number.POSITIVE_INFINITY ? null : achievedRate(loop),
    burstiness: finiteOrInf(spec.burstiness),
    max_concurrency: maxConcurrency ?? null,
    send_delay_ms: describeTails(loop.timings.map((t) => t.sentAt - t.dueAt)),
    send_lag: sendLag(loop, spec),
  };
}

/**
 * A timer lag whose p90 reaches this share of the mean gap between arrivals reshapes the gaps: in BENCHMARKS.md's
 * runs, every level whose gaps passed the KS test (or kept the gamma CV) had a p90 of at most 0.36 of the mean gap,
 * and every one that failed, the timer-only control included, at least 0.70.
 */
const SEND_LAG_WARN_SHARE = 0.5;

/** The timer's lag (scheduled → let in, the wait for a slot excluded) against the mean gap the rate asks for. */
export function sendLag(
  loop: Pick<OpenLoopResult, "timings">,
  spec: Pick<ArrivalSpec, "requestRate">,
): OpenLoopFields["send_lag"] {
  const lags = loop.timings.map((t) => t.arrivedAt - t.dueAt).sort((a, b) => a - b);
  const p90 = lags.length === 0 ? 0 : (lags[Math.ceil(0.9 * lags.length) - 1] ?? 0);
  const meanGapMs = Number.isFinite(spec.requestRate) ? 1000 / spec.requestRate : null;
  return {
    timer_p90_ms: p90,
    mean_gap_ms: meanGapMs,
    flagged: meanGapMs !== null && p90 >= SEND_LAG_WARN_SHARE * meanGapMs,
  };
}

/** What `quanteval bench` prints for a flagged level; undefined when the arrivals kept their times. */
export function sendLagWarning(lag: OpenLoopFields["send_lag"]): string | undefined {
  if (!lag.flagged || lag.mean_gap_ms === null) return undefined;
  return (
    `arrivals went out late: the timer's lag p90 ${lag.timer_p90_ms.toFixed(1)} ms is ` +
    `${((lag.timer_p90_ms / lag.mean_gap_ms) * 100).toFixed(0)}% of the ${lag.mean_gap_ms.toFixed(1)} ms mean gap ` +
    `(warned from ${SEND_LAG_WARN_SHARE * 100}%), so the gaps the server saw are not the ones asked; ` +
    "run on a less loaded machine or at a lower rate"
  );
}

/**
 * Arrivals per second: requests over the time from the level's start to the last arrival, the span the schedule
 * spreads them over (its last arrival falls at requests / rate, as in vLLM). Null when they all arrived at once.
 */
export function achievedRate(loop: Pick<OpenLoopResult, "startedAt" | "timings">): number | null {
  const last = Math.max(...loop.timings.map((t) => t.arrivedAt));
  const spanS = (last - loop.startedAt) / 1000;
  return loop.timings.length === 0 || !(spanS > 0) ? null : loop.timings.length / spanS;
}

/** JSON has no Infinity: vLLM prints it as "inf", and so does bench.json. */
function finiteOrInf(value: number): number | "inf" {
  return value === Number.POSITIVE_INFINITY ? "inf" : value;
}
