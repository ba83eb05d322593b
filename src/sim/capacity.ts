/**
 * The simulator's known capacity: the highest Poisson arrival rate at which a share `quantile` of requests meets
 * latency targets, computed from a speed profile rather than measured, so `bench --find-max-rate` can be checked
 * against it (docs/sim-capacity.md).
 *
 * It holds for a profile whose engine never shares decode capacity (maxDecodeTokensPerSec ≥ maxNumSeqs ×
 * decodeTokensPerSec) and a workload of fixed prompt and completion lengths (ignore_eos). Every request then holds
 * one of c = maxNumSeqs slots for the same time D = prefill + (T − 1) / decode rate, and waits in a FIFO queue for
 * a slot: the engine is an M/D/c queue. TTFT = wait + prefill and E2E = wait + D, so a TTFT or E2E target is a
 * bound on the wait; TPOT is the fixed (T − 1)-token decode time, met at every rate or at none.
 *
 * The wait distribution is Crommelin's (1932): with Q the stationary number in system (the chain
 * Q' = max(Q − c, 0) + Poisson(λD) at any instant and the instant D later), a customer waits at most kD + u
 * (0 ≤ u < D) iff max(Q − c, 0) + Poisson(λ(D − u)) < (k + 1)c.
 */
import { prefillMs } from "./engine.ts";
import type { SimSpeed } from "./profiles.ts";

export interface CapacityWorkload {
  promptTokens: number;
  /** Every reply's length (ignore_eos with max_tokens), at least 1. */
  completionTokens: number;
}

/** Latency targets in ms, as `--slo` gives them; absent targets do not bind. */
export interface CapacityTargets {
  ttft?: number | undefined;
  tpot?: number | undefined;
  e2e?: number | undefined;
}

// Probability mass left out of a truncated distribution; far below what any trial of requests can resolve.
const TAIL = 1e-12;
// The chain's states at most (a dense N × N matrix: 2,000 states are 32 MB).
const MAX_STATES = 2000;

/** The time each request holds its slot, ms; throws when the profile shares decode capacity (no M/D/c). */
export function slotHoldMs(speed: SimSpeed, workload: CapacityWorkload): number {
  if (speed.maxDecodeTokensPerSec < speed.maxNumSeqs * speed.decodeTokensPerSec) {
    throw new RangeError(
      `the known capacity needs maxDecodeTokensPerSec >= maxNumSeqs × decodeTokensPerSec ` +
        `(${speed.maxDecodeTokensPerSec} < ${speed.maxNumSeqs} × ${speed.decodeTokensPerSec}): shared decode has no closed form`,
    );
  }
  if (!Number.isInteger(workload.completionTokens) || workload.completionTokens < 1)
    throw new RangeError(`completionTokens must be a whole number >= 1 (got ${workload.completionTokens})`);
  return prefillMs(speed, workload.promptTokens) + ((workload.completionTokens - 1) * 1000) / speed.decodeTokensPerSec;
}

/** P(wait ≤ waitMs) in an M/D/c queue with Poisson arrivals at `ratePerSec`; needs λD < c (a stable queue). */
export function waitWithinProbability(ratePerSec: number, slots: number, holdMs: number, waitMs: number): number {
  if (waitMs < 0) return 0;
  const load = (ratePerSec * holdMs) / 1000;
  if (load >= slots) return 0;
  const queue = stationaryInSystem(load, slots);
  const k = Math.floor(waitMs / holdMs);
  const arrivals = poissonPmf((ratePerSec * (holdMs - (waitMs - k * holdMs))) / 1000);
  const limit = (k + 1) * slots; // the customer is served by then iff fewer than this are ahead of it
  let probability = 0;
  // Ahead of the customer at D − u before it arrives: max(Q − c, 0) still queued, plus the arrivals since.
  for (let queued = 0; queued < limit; queued++) {
    const pQueued = queued === 0 ? sum(queue.subarray(0, slots + 1)) : (queue[queued + slots] ?? 0);
    let pArrivals = 0;
    for (let n = 0; n < limit - queued && n < arrivals.length; n++) pArrivals += arrivals[n] ?? 0;
    probability += pQueued * pArrivals;
  }
  return Math.min(1, probability);
}

/**
 * The highest arrival rate (req/s) at which a share `quantile` of requests meets every target: the known capacity.
 * 0 when a target cannot be met even by an idle engine.
 */
export function knownMaxRate(
  speed: SimSpeed,
  workload: CapacityWorkload,
  targets: CapacityTargets,
  quantile: number,
): number {
  if (!(quantile > 0 && quantile < 1)) throw new RangeError(`quantile must be in (0, 1) (got ${quantile})`);
  const holdMs = slotHoldMs(speed, workload);
  const decodeMs = holdMs - prefillMs(speed, workload.promptTokens);
  const tpotMs = workload.completionTokens > 1 ? decodeMs / (workload.completionTokens - 1) : 0;
  if (targets.tpot !== undefined && tpotMs > targets.tpot) return 0;
  const waitBounds = [
    targets.ttft === undefined ? Infinity : targets.ttft - prefillMs(speed, workload.promptTokens),
    targets.e2e === undefined ? Infinity : targets.e2e - holdMs,
  ];
  const waitMs = Math.min(...waitBounds);
  const saturation = (speed.maxNumSeqs * 1000) / holdMs;
  if (waitMs === Infinity) return saturation; // only TPOT binds: any stable rate meets it
  if (waitWithinProbability(0, speed.maxNumSeqs, holdMs, waitMs) < quantile) return 0;
  // Bisection on λ: the share meeting the bound falls as the rate rises. A rate too near saturation to compute
  // counts as failing; if the answer ends up beside one, it is not known to the precision asked, and we say so.
  let low = 0;
  let high = saturation;
  let clipped = false;
  while (high - low > saturation * 1e-7) {
    const mid = (low + high) / 2;
    const share = computable((mid * holdMs) / 1000, speed.maxNumSeqs)
      ? waitWithinProbability(mid, speed.maxNumSeqs, holdMs, waitMs)
      : undefined;
    if (share !== undefined && share >= quantile) low = mid;
    else {
      high = mid;
      clipped = share === undefined;
    }
  }
  if (clipped) throw new RangeError(`the known capacity lies too close to saturation (${saturation} req/s) to compute`);
  return low;
}

/**
 * Stationary distribution of the number in system of M/D/c at offered load `load` = λD (< c): the chain
 * Q' = max(Q − c, 0) + Poisson(λD), truncated where its geometric tail (decay 1/z₀, z₀ > 1 the root of
 * z^c = e^{λD(z − 1)}) is below TAIL, its overflow lumped in the last state, and solved by Grassmann–Taksar–Heyman
 * state reduction: subtraction-free, so stable however close to saturation. The chain jumps down by at most c, so
 * each reduction touches c columns: O(N²c).
 */
function stationaryInSystem(load: number, slots: number): Float64Array {
  if (load <= 0) return Float64Array.of(1);
  const size = statesNeeded(load, slots);
  if (size > MAX_STATES)
    throw new RangeError(`λD = ${load} is too close to saturation (${slots}) for the known capacity to be computed`);
  const arrivals = poissonPmf(load);
  const p = new Float64Array(size * size);
  for (let q = 0; q < size; q++) {
    const base = Math.max(q - slots, 0);
    let kept = 0;
    for (let a = 0; a < arrivals.length && base + a < size - 1; a++) {
      p[q * size + base + a] = arrivals[a] ?? 0;
      kept += arrivals[a] ?? 0;
    }
    p[q * size + size - 1] = Math.max(0, 1 - kept);
  }
  const leave = new Float64Array(size);
  for (let k = size - 1; k > 0; k--) {
    const from = Math.max(0, k - slots);
    let out = 0;
    for (let j = from; j < k; j++) out += p[k * size + j] ?? 0;
    leave[k] = out;
    for (let i = 0; i < k; i++) {
      const factor = (p[i * size + k] ?? 0) / out;
      if (factor === 0) continue;
      for (let j = from; j < k; j++) p[i * size + j] = (p[i * size + j] ?? 0) + factor * (p[k * size + j] ?? 0);
    }
  }
  const dist = new Float64Array(size);
  dist[0] = 1;
  let total = 1;
  for (let k = 1; k < size; k++) {
    let inflow = 0;
    for (let i = 0; i < k; i++) inflow += (dist[i] ?? 0) * (p[i * size + k] ?? 0);
    dist[k] = inflow / (leave[k] ?? 1);
    total += dist[k] ?? 0;
  }
  return dist.map((x) => x / total);
}

function statesNeeded(load: number, slots: number): number {
  return slots + poissonPmf(load).length + Math.ceil(-Math.log(TAIL) / Math.log(tailRoot(load, slots)));
}

function computable(load: number, slots: number): boolean {
  return load <= 0 || (load < slots && statesNeeded(load, slots) <= MAX_STATES);
}

/** z₀ > 1 with z₀^c = e^{λD(z₀ − 1)}, by bisection: the number in system decays as z₀^−n. */
function tailRoot(load: number, slots: number): number {
  const f = (z: number): number => slots * Math.log(z) - load * (z - 1); // > 0 just above 1, < 0 far out
  let low = 1;
  let high = 2;
  while (f(high) > 0) high *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (f(mid) > 0) low = mid;
    else high = mid;
  }
  return low;
}

/** Poisson(mean) probabilities from 0 up to where the tail is below TAIL. */
function poissonPmf(mean: number): number[] {
  if (mean <= 0) return [1];
  const out: number[] = [];
  let p = Math.exp(-mean);
  let cumulative = 0;
  for (let n = 0; cumulative < 1 - TAIL && (n <= mean || p > TAIL); n++) {
    out.push(p);
    cumulative += p;
    p *= mean / (n + 1);
  }
  return out;
}

function sum(values: Float64Array): number {
  return values.reduce((a, b) => a + b, 0);
}
