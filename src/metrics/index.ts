/**
 * The statistics' API: intervals, paired deltas (sample 0 and avg@n), recovery, non-inferiority, maj@n, power and
 * throughput over numbers and verdicts; token-level divergence between variants; a Kolmogorov–Smirnov test.
 */

export {
  DEFAULT_BOOTSTRAP_SEED,
  DEFAULT_RESAMPLES,
  itemSumReplicates,
  meanOfReplicates,
  pairedBootstrapReplicates,
  pairedCountReplicates,
  percentileInterval,
  seededRng,
} from "./bootstrap.ts";
export {
  type ItemDivergence,
  itemDivergence,
  itemLnPplRatio,
  MIN_TAIL_PROBABILITY,
  type PositionLogprobs,
  type TopLogprobs,
  tokenDivergence,
} from "./divergence.ts";
export {
  type DivergenceItem,
  type DivergenceSummary,
  type IntervalEstimate,
  pointBiserial,
  summarizeDivergence,
} from "./divergence-summary.ts";
export {
  type CheckedReply,
  checkFigures,
  type FigureChecks,
  tokensPerSecondWarning,
} from "./figure-checks.ts";
export {
  averageCorrect,
  clusteredDelta,
  deltaReplicates,
  itemMeansFromCounts,
  type PairedItemMeans,
  type PairedReplicates,
  pairedReplicates,
  pairItemMeans,
} from "./item-means.ts";
export { exponentialCdf, ksTest } from "./ks-test.ts";
export { majorityVote, type SampleVerdict } from "./majority.ts";
export {
  DEFAULT_MARGIN,
  exactUpperShare,
  itemsNeeded,
  type Margin,
  type NonInferiority,
  type NonInferiorityBasis,
  nonInferiority,
  ONE_SIDED_LEVEL,
  type Verdict,
  verdictOf,
} from "./non-inferiority.ts";
export { type PairedDelta, pairedDelta } from "./paired.ts";
export { MDE_ALPHA, MDE_POWER, mdeFloor, minimumDetectableDifference } from "./power.ts";
export { type Recovery, recovery, recoveryOfSums } from "./recovery.ts";
export { sampledMde, varianceComponents } from "./sampled-power.ts";
export { mean, percentile, sampleStandardDeviation, wilsonInterval, Z_95 } from "./stats.ts";
export { summarizeReplies, summarizeThroughput, type ThroughputSummary, tpotMs } from "./throughput.ts";
