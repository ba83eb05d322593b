/**
 * The report's data: what buildReport computes from journal records and every renderer reads (report.md, scores.csv,
 * scores.json, index.html, charts). scores.json is this object, so its field names are part of the output format.
 */

import type { ContextLength, ManifestEngine } from "../journal/index.ts";
import type {
  FigureChecks,
  Margin,
  NonInferiorityBasis,
  PairedDelta,
  ThroughputSummary,
  Verdict,
} from "../metrics/index.ts";
import type { ScoringInfo } from "../tasks/index.ts";
import type { CapacityReport } from "./capacity.ts";
import type { CapacityAttachment } from "./capacity-attachment.ts";
import type { DivergenceReport, RunDivergence } from "./divergence-types.ts";
import type { ErrorGroup } from "./error-groups.ts";
import type { ReportRecord } from "./report-record.ts";

export const REPORT_SCHEMA_VERSION = 1;
/** Below this McNemar p the report calls a delta distinguishable from noise. */
export const SIGNIFICANCE_LEVEL = 0.05;
/** The breakdown and value of a task's own row, as scores.csv spells them. */
export const ALL = "all";
/** The value for an item that lacks a breakdown label (a task whose items do not all carry it). */
export const UNLABELLED = "(none)";

export interface ReportInput {
  runId: string;
  reference: string;
  /** In config order. batchInvariant: what the variant's config says (absent: not recorded). */
  variants: {
    name: string;
    model: string;
    endpoint: string;
    status: "done" | "failed" | "pending";
    error?: string;
    batchInvariant?: boolean;
    serverStartupsSec?: readonly number[];
    /** The context length max_tokens was fitted to, and where it was read (GET /v1/models, the config, a 400). */
    contextLength?: ContextLength;
    /** The serving engine and its version, as the server or the serve command said (manifest: engine). */
    engine?: ManifestEngine;
  }[];
  /** itemCount = items the run meant to ask per variant. */
  tasks: TaskInput[];
  /** maxTokens: the global setting, or undefined when each task used its own (see tasks[].maxTokens). */
  /** preset: the model card settings named in the config (absent in older manifests); the rest are the values sent. */
  sampling: {
    preset?: string;
    temperature: number;
    maxTokens?: number;
    topP?: number;
    topK?: number;
    minP?: number;
    seed?: number;
  };
  concurrency: number;
  stream: boolean;
  records: readonly ReportRecord[];
  /** The paired bootstrap behind each delta's interval; default DEFAULT_RESAMPLES resamples, seed 0. */
  bootstrap?: BootstrapSettings;
  /** The non-inferiority margin (default 1 pp) and, when `--fail-below` asked for one, the gate. */
  decision?: DecisionInput;
  /** The divergence journals' paired items (issue 18); absent when the run has none. */
  divergence?: RunDivergence;
  /** A `bench --find-max-rate` attached to the run (artifacts/<run-id>/capacity.json); absent when none is. */
  capacity?: CapacityAttachment;
}

export interface DecisionInput {
  margin: Margin;
  marginSource: DecisionSettings["marginSource"];
  /** Set by `--fail-below`: the tasks to gate (the config's report.gate; absent: every task). */
  gate?: { tasks?: readonly string[] | undefined };
}

export interface BootstrapSettings {
  resamples: number;
  seed: number;
}

export interface TaskInput {
  name: string;
  breakdowns: readonly string[];
  itemCount: number;
  maxTokens?: number;
  /** Data files read: hub dataset, revision, path, sha256. */
  files?: readonly { dataset?: string | undefined; revision?: string | undefined; path: string; sha256: string }[];
  /** What the loader said about the data. */
  notices?: readonly string[];
  /** The task's data could not be had: N/A, with why and the fix. */
  unavailable?: { code: string; message: string; hint: string };
  /** Samples drawn per item (pass@k); 1 when absent. */
  samples?: number;
  /** How replies were read, for tasks with a `scoring` option (strict, or the benchmark's own extraction). */
  scoring?: ScoringInfo;
  /** The label that groups items into main problems (SciCode), when the task has one. */
  problemLabel?: string;
}

/** One variant's main-problem pass rate: a problem passes when every one of its items was graded correct. */
export interface ProblemRate {
  variant: string;
  /** Problems seen in any variant's journal (their items: the sub-steps). */
  problems: number;
  passed: number;
  /** passed ÷ problems; null with no problem. */
  rate: number | null;
}

/** pass@k of one variant on one task, from the items whose every sample was graded. */
export interface PassAtK {
  variant: string;
  /** Items with all samples graded: the mean is over these. */
  problems: number;
  samplesPerProblem: number;
  /** Unbiased estimator (Chen et al. 2021), averaged over problems; k = 1 is the mean accuracy over all samples. */
  values: { k: number; value: number | null }[];
  /**
   * maj@n: the share of problems whose most-voted extracted answer was graded correct (metrics/majority.ts). `ties`
   * were settled by the first-seen answer; `inconsistent` problems (the winner's samples graded differently) are left
   * out of value; null when the grader records no extracted answer to vote on (code). Absent: older report.
   */
  majority?: { value: number | null; ties: number; inconsistent: number };
  /**
   * avg@n: each item's share of its graded samples that are correct, averaged over the items with any graded sample
   * (averageItems): the headline score of a sampled task, on the items the decision pairs. Absent: older report.
   */
  average?: number | null;
  averageItems?: number;
}

export interface Counts {
  /** Items the run meant to ask (for a breakdown row: items seen with that label in any variant's journal). */
  n: number;
  /** Items whose last record has a grade. */
  graded: number;
  correct: number;
  /** Graded, but no answer could be extracted (counted in graded, not correct). */
  unanswered: number;
  /** The reply was cut at max_tokens (finish reason "length"). */
  truncated: number;
  /** max_tokens was lowered to fit the server's context (the record's `fit`); such a reply may be truncated too. */
  capped: number;
  /** The last record is an error: the request failed after retries, or grading itself failed. */
  errors: number;
  /** Never recorded (e.g. the run was interrupted): n − graded − errors. */
  missing: number;
}

export interface Score extends Counts {
  variant: string;
  /** correct / graded; null when nothing was graded. */
  accuracy: number | null;
  /** Wilson score interval, 95%; null when nothing was graded. */
  ci95: { low: number; high: number } | null;
}

export interface Delta extends PairedDelta {
  variant: string;
  /** pValue < SIGNIFICANCE_LEVEL; null when nothing is paired. */
  significant: boolean | null;
  // The fields below are always set by buildReport; they are optional only so that a Delta built by hand (a chart
  // test, a scores.json written before they existed) still type-checks. Readers treat absent as null.
  /**
   * Paired bootstrap 95% percentile interval of Δ, in pp (ReportData.bootstrap says how many resamples and the seed).
   * Null when nothing is paired, or when no item is discordant: then every resample is 0 and there is no interval.
   */
  ci95Pp?: { low: number; high: number } | null;
  /**
   * Minimum detectable difference at this paired n, in pp: the smallest |Δ| McNemar's test would detect with 80%
   * power at α = 0.05 two-sided (Connor 1987), at the discordance observed or, when fewer items flipped than that
   * needs, at the best case (every flip one way; mdeBasis "floor"). Null when nothing is paired or n ≤ 3.
   */
  mdePp?: number | null;
  mdeBasis?: "observed" | "floor" | null;
  /** The p-value and the interval read together: see deltaReading. */
  reading?: DeltaReading;
  /** Recovery and the non-inferiority verdict, on every sample; null when nothing is paired. Absent: older report. */
  decision?: Decision | null;
}

/**
 * What the ship decision rests on, for one variant against the reference on one row. With one sample per item these
 * are sample 0's figures (deltaPp and ci95Pp equal the Delta's own, drawn from the same stream); with k samples per
 * item they are on each item's mean correctness over its samples (avg@k), with the bootstrap clustered by item.
 */
export interface Decision {
  /** Samples per item the figures average over (1: sample 0). */
  samples: number;
  /** Items graded on both sides (on at least one sample each). */
  paired: number;
  /** Mean of the item means over the paired items, as fractions. */
  referenceMean: number;
  variantMean: number;
  deltaPp: number;
  /** Item-clustered bootstrap 95% percentile interval of Δ, in pp; null when no item differs. */
  ci95Pp: { low: number; high: number } | null;
  /**
   * Smallest |Δ| detectable at 80% power, α = 0.05 two-sided, in pp: McNemar's (Delta.mdePp) for one sample, the
   * design-effect MDE for k samples per item. Null when it cannot be computed (too few items, no variance).
   */
  mdePp: number | null;
  /** variantMean ÷ referenceMean; null when the reference scored 0. */
  recovery: RecoveryFigure | null;
  /** Against ReportData.decision.margin; null when there is nothing to decide (a recovery margin with reference 0). */
  nonInferiority: NonInferiorityFigure | null;
}

export interface OverallDecision {
  /** Tasks in the means (those with paired items) and the paired items summed over them. */
  tasks: number;
  paired: number;
  /** Unweighted means over those tasks of each side's task mean (Decision.referenceMean / variantMean). */
  referenceMean: number;
  variantMean: number;
  deltaPp: number;
  /** Stratified bootstrap 95% percentile interval of deltaPp; null when no item of any task differs. */
  ci95Pp: { low: number; high: number } | null;
}

export interface RecoveryFigure {
  /** 0.97 = 97% of the reference's accuracy recovered. */
  value: number;
  /** Paired bootstrap 95% percentile interval of the ratio; high null = unbounded above (see recovery.ts). */
  ci95: { low: number; high: number | null };
  /** Resamples whose reference and variant both scored 0, left out of the interval. */
  undefinedResamples: number;
  /**
   * "no-item-differs": every paired item scored alike, so the bootstrap interval would be [1, 1]; ci95 is instead
   * the exact one, 1 ± ψ_U / reference mean (ψ_U = 1 − 0.025^(1/n)). Absent: the bootstrap's.
   */
  basis?: "no-item-differs";
}

export interface NonInferiorityFigure {
  /** "inconclusive": the interval straddles the threshold; more items (itemsNeeded) would decide. */
  verdict: Verdict;
  /**
   * "bootstrap"; "no-item-differs": the exact Clopper–Pearson bound, since the bootstrap has no width then;
   * "unseen-direction": no item went one way, so the bootstrap's bound on that side is widened by the exact one.
   */
  basis: NonInferiorityBasis;
  /** The interval the verdict read, on the margin's scale: Δ in pp, or recovery as a ratio. */
  interval: { low: number; high: number | null };
  /** −M pp, or the recovery ratio m. */
  threshold: number;
  /** Paired items needed in all to decide at 80% power, if the observed differences held; null: no n decides. */
  itemsNeeded: number | null;
}

/**
 * "noise": the interval covers 0 and p ≥ α; "difference": the interval excludes 0 and p < α; "borderline": the two
 * disagree, so nothing is established (report.md says "not established"). That happens with few flips, all or nearly all one way: the percentile interval then excludes 0 from about
 * 4 one-way flips ((1 − 4/n)ⁿ ≈ e⁻⁴ < 2.5% of resamples keep none), the exact test only from 6 (2/2⁶ < 0.05).
 * "nothing-paired": no item was graded by both.
 */
export type DeltaReading = "noise" | "difference" | "borderline" | "nothing-paired";

export interface ScoreRow {
  task: string;
  /** The label key, or "all" for the task's own row. */
  breakdown: string;
  /** The label value, or "all" for the task's own row. */
  value: string;
  /** As tables show it: "suite40", "suite40 / algebra" (with the key too when a task has several breakdowns). */
  label: string;
  /** One per variant, in config order. */
  scores: Score[];
  /** One per variant other than the reference, in config order. */
  deltas: Delta[];
}

export interface TaskReport {
  name: string;
  itemCount: number;
  breakdowns: string[];
  maxTokens?: number;
  files: { dataset?: string | undefined; revision?: string | undefined; path: string; sha256: string }[];
  notices: string[];
  /** N/A: the data could not be had (gated, offline and not cached, …); nothing was asked. */
  unavailable?: { code: string; message: string; hint: string };
  /** Strict (quanteval's reader) or official (the benchmark's own extraction); absent: the task scores one way. */
  scoring?: ScoringInfo;
  /** Samples per item; when above 1, `rows` use sample 0 only (so the paired tests stay valid) and `passAtK` all. */
  samples: number;
  passAtK: PassAtK[];
  /** Per variant, when samples > 1: the spread between the repeats (the run-to-run noise floor at temperature 0). */
  repeats: RepeatStats[];
  /** The task's own row first, then one row per breakdown value, sorted. */
  rows: ScoreRow[];
  /** Per variant, for a task with main problems (TaskInput.problemLabel): the share of problems passed. */
  problemRates?: ProblemRate[];
  /** Per variant, from every request recorded for this task, failed attempts included. */
  /** checks: whether the server's counts can be trusted (metrics/figure-checks.ts); absent when none applies. */
  /** clientCounted: replies whose server sent no usage, counted by quanteval, by how; absent when none. */
  throughput: { variant: string; summary: ThroughputSummary; checks?: FigureChecks; clientCounted?: ClientCounted }[];
  /** Per variant (the reference too): speedups, paired token and truncation changes, cost per correct answer. */
  speed: SpeedComparison[];
}

/** Replies whose server sent no usage, counted client-side, by how: the model's tokenizer, or streamed chunks. */
export interface ClientCounted {
  tokenizer: number;
  /** Their prompt tokens are unknown. */
  chunks: number;
}

export interface OverallScore {
  variant: string;
  /** Unweighted mean of the task accuracies this variant has (macro mean over tasks). */
  macroAccuracy: number | null;
  /** Tasks that entered the mean (those with at least one graded item). */
  tasksScored: number;
  /**
   * Unweighted mean over tasks of each task's headline score: avg@k (pass@1 over every sample) for a task with k > 1
   * samples per item, else its accuracy (so equal to macroAccuracy when no task samples). Absent: older report.
   */
  macroScore?: number | null;
  /** Unweighted mean of the per-task paired deltas vs the reference, in pp; null for the reference. */
  macroDeltaPp: number | null;
  /** Tasks that entered macroDeltaPp (those with at least one paired item); 0 for the reference. */
  deltaTasks: number;
  /** Paired items summed over those tasks; 0 for the reference. */
  deltaPaired: number;
  /**
   * Stratified paired bootstrap 95% interval of macroDeltaPp, in pp: each resample resamples the items within every
   * task and averages the task deltas. Null for the reference and when no item of any task is discordant.
   */
  macroDeltaCi95Pp: { low: number; high: number } | null;
  /**
   * Macro mean of the variant's task scores ÷ the reference's, over the tasks with paired items (on every sample, as
   * Decision), with a stratified bootstrap interval (items resampled within each task). Null for the reference, when
   * nothing is paired, or when the reference scored 0. Absent: older report.
   */
  recovery?: RecoveryFigure | null;
  /**
   * The macro Δ on every sample (avg@k for tasks with k samples, sample 0 otherwise), as the task Decisions: the
   * headline overall. macroDeltaPp stays sample 0's. Null for the reference and when nothing is paired.
   */
  decision?: OverallDecision | null;
  /** Per task (in report order) with a verdict: what it was. Empty for the reference. */
  verdicts?: { task: string; verdict: Verdict }[];
}

/** The spread between repeats of one variant on a task asked several times per item (samples > 1). */
export interface RepeatStats {
  variant: string;
  /** Samples per item (k): repeat i is every item's sample i. */
  repeats: number;
  /** Items whose every repeat was graded: every figure below is over these, so all repeats score the same items. */
  items: number;
  /** Accuracy of each repeat (sample index 0 … k−1) on those items; null when items is 0. */
  accuracies: (number | null)[];
  /** Mean and sample standard deviation (n − 1) of the per-repeat accuracies, as fractions; sd null below 2 repeats. */
  mean: number | null;
  sd: number | null;
  /** Share of the items whose verdict is the same in every repeat; null when items is 0. */
  agreement: number | null;
  /** How many items that is. */
  agreeingItems: number;
}

export interface ReportData {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  runId: string;
  reference: string;
  sampling: ReportInput["sampling"];
  concurrency: number;
  stream: boolean;
  significanceLevel: number;
  /** How the delta intervals were computed: a paired percentile bootstrap with this many resamples and seed. */
  bootstrap: BootstrapSettings & { level: number; method: "paired percentile bootstrap"; generator: "xoshiro128**" };
  /** The power and two-sided α of the minimum detectable differences (Delta.mdePp), by Connor (1987). */
  mde: { power: number; alpha: number; method: "Connor 1987" };
  /** The margin the non-inferiority verdicts test, and the gate when one was asked for. Absent: older report. */
  decision?: DecisionSettings;
  variants: (ReportInput["variants"][number] & { isReference: boolean })[];
  tasks: TaskReport[];
  /** Per variant whose server quanteval started (variants[].serve): serving time with and without the start-ups. */
  serving: ServingTime[];
  overall: OverallScore[];
  /** Items graded by both the reference and a variant with different verdicts (sample 0), task by task. */
  flips: Flip[];
  /** What the errors in Counts were: each distinct error per variant and task, with its count and a message. */
  errors: ErrorGroup[];
  /** Speed × accuracy per variant, pooled over tasks. */
  speed: OverallSpeed[];
  /** Capacity at SLO per variant, from the bench attached to the run; absent when none is (capacity.ts). */
  capacity?: CapacityReport;
  /** Token-level divergence from the reference under teacher forcing; absent when the run has no such journals. */
  divergence?: DivergenceReport;
}

/**
 * A served variant's time, like the users' TensorRT-LLM figures "with / without load time": the requests' own wall
 * time (the throughput tables' denominator, summed over tasks) and the same plus every server start-up it took.
 */
export interface ServingTime {
  variant: string;
  /** Start-ups, one per session that started the server (a resumed run starts it again). */
  starts: number;
  /** Seconds from spawning the server to it being ready, summed over starts. */
  startupSec: number;
  /** Sum over tasks of the requests' wall time (ThroughputSummary.total_time_s): serving only. */
  servingSec: number;
  completionTokens: number;
  /** completionTokens / servingSec (0 when no time). */
  decodeTps: number;
  /** completionTokens / (servingSec + startupSec): what a user waiting for the whole variant sees. */
  decodeTpsWithStartup: number;
}

export interface DecisionSettings {
  margin: Margin;
  /** Where the margin came from: `--fail-below`, the config's report.margin, or the default (1 pp). */
  marginSource: "flag" | "config" | "default";
  /** The verdict reads the lower bound of the two-sided 95% interval: a one-sided test at this level. */
  oneSidedLevel: number;
  /** Set when `--fail-below` asked for a gate: which tasks it covers and what failed it. */
  gate?: Gate;
}

/** `--fail-below`: every gated task of every variant must be non-inferior at the margin. */
export interface Gate {
  /** The gated tasks (report.gate in the config; default every task). */
  tasks: string[];
  /** Variant × task pairs that are inferior or inconclusive, or had no verdict (nothing paired). */
  failures: { variant: string; task: string; verdict: Verdict | "no verdict" }[];
  passed: boolean;
}

/** An item one variant got right and the reference wrong, or the other way round. */
export interface Flip {
  task: string;
  itemId: string;
  variant: string;
  /** "lost": the reference was right and the variant wrong (↓); "gained": the reverse (↑). */
  direction: "lost" | "gained";
  /** Fragment id of the item in index.html (`index.html#${anchor}`): letters, digits, '-' only. */
  anchor: string;
}

/**
 * A paired change of a per-item number, variant − reference, in the number's own unit: each item counts once, by its
 * mean over its samples that got a reply, and the bootstrap resamples items (clustered by item). Overall: the
 * unweighted mean over tasks of the task changes, with a stratified bootstrap (items resampled within each task).
 */
export interface PairedChange {
  /** Items both sides have a reply for (overall: summed over the tasks in the mean). */
  paired: number;
  /** Mean over the paired items of each side's item means (overall: the unweighted mean of the task means). */
  referenceMean: number;
  variantMean: number;
  /** variantMean − referenceMean. */
  change: number;
  /** Paired bootstrap 95% percentile interval of change; null when every item's difference is the same (no spread). */
  ci95: { low: number; high: number } | null;
}

/** The change in completion tokens per item, also relative to the reference's mean. */
export interface TokenChange extends PairedChange {
  /** change / referenceMean (0.12 = 12% more tokens); null when referenceMean is 0. */
  relative: number | null;
  /**
   * 95% percentile interval of relative, from the same resamples (each resample's change ÷ its reference mean); null
   * when ci95 is, or when a resample's reference mean is 0.
   */
  relativeCi95: { low: number; high: number } | null;
}

/**
 * Speed × accuracy of one variant against the reference on one task (TaskReport.speed) or pooled over tasks
 * (ReportData.speed), from the same requests that were graded. The reference has one too, with null ratios.
 */
export interface SpeedComparison {
  variant: string;
  isReference: boolean;
  /** The figures the ratios read: ThroughputSummary's on a task; overall from the summed tokens and wall time. */
  decodeTps: number;
  qps: number;
  latencyP50S: number | null;
  /** Variant ÷ reference decode tok/s and QPS; null for the reference, or when either side got no reply. */
  decodeSpeedup: number | null;
  qpsSpeedup: number | null;
  /** Reference latency p50 ÷ variant latency p50, so above 1 is faster; null as for the other ratios. */
  latencyP50Speedup: number | null;
  /** Paired change in completion tokens per item; null for the reference and when no item is paired. */
  completionTokens: TokenChange | null;
  /** Paired change in the share of an item's samples cut at max_tokens (finish reason "length"), as a fraction. */
  truncation: PairedChange | null;
  /** Every sample's last record graded correct (all samples, not sample 0 only). */
  correct: number;
  /** Completion tokens of every request and the requests' wall time (ThroughputSummary's, summed overall). */
  completionTokensTotal: number;
  wallTimeS: number;
  /** completionTokensTotal / correct and wallTimeS / correct; null when nothing is correct. */
  tokensPerCorrect: number | null;
  secondsPerCorrect: number | null;
}

/** SpeedComparison pooled over tasks: tokens, time and correct answers summed over `tasks`, changes macro-averaged. */
export interface OverallSpeed extends SpeedComparison {
  /**
   * The tasks pooled: for the reference, those where it got a reply; for a variant, those where it and the reference
   * have a paired item, its ratios set against the reference's figures on those same tasks.
   */
  tasks: string[];
}
