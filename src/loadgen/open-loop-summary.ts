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
  };
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
