/**
 * When each request of an open loop arrives: offsets in ms from the level's start, seeded, so every variant sees
 * the same arrival times. Pure.
 *
 * Semantics of `vllm bench serve` (vllm/benchmarks/serve.py, get_request): gaps between arrivals are gamma
 * distributed with shape = burstiness and mean 1/rate (scale 1/(rate × burstiness)), so burstiness 1 is a Poisson
 * process, below 1 burstier, above 1 more even; burstiness ∞ gives constant gaps; rate ∞ sends everything at once.
 * As vLLM does, the cumulative times are then rescaled so the last arrival falls at exactly requests/rate: the sum
 * of 1,000 random gaps alone misses it by 1–3%, which would make two seeds' throughputs differ by that much.
 */
import { seededRandom } from "../core/seeded-random.ts";

export interface ArrivalSpec {
  /** Requests per second; Infinity: all at once (vLLM's `--request-rate inf`). */
  requestRate: number;
  /** Gamma shape of the gaps: 1 Poisson; Infinity constant gaps. */
  burstiness: number;
  seed: number;
}

/** Arrival offsets in ms from the start, non-decreasing, one per request. */
export function arrivalSchedule(spec: ArrivalSpec, requests: number): number[] {
  const { requestRate, burstiness, seed } = spec;
  if (!Number.isInteger(requests) || requests < 0)
    throw new RangeError(`arrivalSchedule needs requests >= 0 (got ${requests})`);
  if (!(requestRate > 0)) throw new RangeError(`arrivalSchedule needs a rate > 0 (got ${requestRate})`);
  if (!(burstiness > 0)) throw new RangeError(`arrivalSchedule needs burstiness > 0 (got ${burstiness})`);
  if (requestRate === Number.POSITIVE_INFINITY) return new Array<number>(requests).fill(0);
  // The stream names neither variant nor level: the same (seed, rate, burstiness, n) gives the same schedule.
  const uniform = seededRandom(seed, "arrival-schedule", requestRate, burstiness, requests);
  const meanGapMs = 1000 / requestRate;
  const times: number[] = [];
  let at = 0;
  for (let i = 0; i < requests; i++) {
    at +=
      burstiness === Number.POSITIVE_INFINITY
        ? meanGapMs
        : gammaVariate(burstiness, uniform) * (meanGapMs / burstiness);
    times.push(at);
  }
  const last = times[times.length - 1] ?? 0;
  const scale = last > 0 ? (requests * meanGapMs) / last : 1;
  return times.map((t) => t * scale);
}

/**
 * One draw from Gamma(shape, 1). Shape 1 is the exponential, by inversion. Otherwise Marsaglia & Tsang (2000),
 * "A simple method for generating gamma variables", ACM TOMS 26(3); below shape 1 their boost
 * Gamma(a) = Gamma(a + 1) · U^(1/a). Normals by Box–Muller. Every draw comes from `uniform`, so it is seeded.
 */
export function gammaVariate(shape: number, uniform: () => number): number {
  if (shape === 1) return -Math.log(1 - uniform());
  if (shape < 1) return gammaVariate(shape + 1, uniform) * (1 - uniform()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(uniform);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - uniform(); // (0, 1]: log(u) is finite
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function standardNormal(uniform: () => number): number {
  const u1 = 1 - uniform(); // (0, 1]: log(u1) is finite
  const u2 = uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
