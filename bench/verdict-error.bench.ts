/**
 * How often the non-inferiority verdict says "non-inferior" when the truth sits exactly on the margin (its type I
 * error; the one-sided level promises at most 2.5%): simulated paired outcomes at a true Δ of −1 pp against a 1 pp
 * margin (2% of items worse, 1% better, 60% right on both), and at −5 pp against 5 pp with no item ever better.
 */
import type { Figure } from "../bench/figures.ts";
import { seededRandom } from "../src/core/seeded-random.ts";
import {
  clusteredDelta,
  itemMeansFromCounts,
  type Margin,
  nonInferiority,
  pairedCountReplicates,
  seededRng,
} from "../src/metrics/index.ts";

const RUNS = 1000;
const RESAMPLES = 1000;

function nonInferiorShare(n: number, worse: number, better: number, margin: Margin): number {
  const uniform = seededRandom("verdict-error", n, worse, better);
  let nonInferior = 0;
  for (let run = 0; run < RUNS; run++) {
    const counts = { paired: n, down: 0, up: 0, bothRight: 0 };
    for (let i = 0; i < n; i++) {
      const x = uniform();
      if (x < worse) counts.down += 1;
      else if (x < worse + better) counts.up += 1;
      else if (x < worse + better + 0.6) counts.bothRight += 1;
    }
    const pair = itemMeansFromCounts(counts);
    const replicates = pairedCountReplicates(counts, RESAMPLES, seededRng(run, "verdict-error"));
    const interval = clusteredDelta(pair, replicates)?.ci95Pp ?? null;
    if (nonInferiority(pair, interval, margin)?.verdict === "non-inferior") nonInferior += 1;
  }
  return nonInferior / RUNS;
}

export async function bench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const n of [50, 100, 200, 400]) {
    figures.push({
      name: `true Δ −1 pp, margin 1 pp, n ${n}`,
      measures: `share of ${RUNS} simulated runs called non-inferior (${RESAMPLES} resamples each)`,
      n: RUNS,
      value: { value: nonInferiorShare(n, 0.02, 0.01, { kind: "pp", pp: 1 }), unit: "of runs" },
      target: "<= 0.025",
    });
  }
  for (const n of [30, 100]) {
    figures.push({
      name: `true Δ −5 pp, none better, margin 5 pp, n ${n}`,
      measures: `share of ${RUNS} simulated runs called non-inferior (${RESAMPLES} resamples each)`,
      n: RUNS,
      value: { value: nonInferiorShare(n, 0.05, 0, { kind: "pp", pp: 5 }), unit: "of runs" },
      target: "<= 0.025",
    });
  }
  return figures;
}
