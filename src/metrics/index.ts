/** The statistics' API: intervals, paired deltas, power and throughput over numbers and verdicts. */

export {
  DEFAULT_BOOTSTRAP_SEED,
  DEFAULT_RESAMPLES,
  meanOfReplicates,
  pairedBootstrapReplicates,
  percentileInterval,
  seededRng,
} from "./bootstrap.ts";
export { type PairedDelta, pairedDelta } from "./paired.ts";
export { MDE_ALPHA, MDE_POWER, mdeFloor, minimumDetectableDifference } from "./power.ts";
export { mean, percentile, sampleStandardDeviation, wilsonInterval, Z_95 } from "./stats.ts";
export { summarizeReplies, summarizeThroughput, type ThroughputSummary, tpotMs } from "./throughput.ts";
