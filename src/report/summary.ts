/**
 * Journal records → ReportData: per variant × task (and per breakdown value) counts, accuracy with a Wilson 95%
 * interval, paired deltas against the reference with a paired bootstrap 95% interval, McNemar's exact test and the
 * minimum detectable difference at this n, a macro mean over tasks (with a stratified bootstrap interval), the
 * spread between repeats of a task asked several times per item, and throughput from the same requests. Pure
 * (the bootstrap draws from a seeded generator): reading journals and writing files is commands/report.ts's job.
 *
 * Counting rules (the legends in tables.ts state them to the reader):
 * - Several records for one (variant, task, itemId) happen when a failed request is asked again on resume: the
 *   last one in input order is the item's outcome.
 * - accuracy = correct / graded. Errors (request or grading failures) and missing items are not graded, so they
 *   are never counted as wrong; unanswered replies are graded and are not correct.
 */
import { ConfigError } from "../core/errors.ts";
import { DEFAULT_BOOTSTRAP_SEED, DEFAULT_RESAMPLES, meanOfReplicates, pairedBootstrapReplicates, percentileInterval, seededRng } from "../metrics/bootstrap.ts";
import { type PairedDelta, pairedDelta } from "../metrics/paired.ts";
import { MDE_ALPHA, MDE_POWER, minimumDetectableDifference } from "../metrics/power.ts";
import { mean, sampleStandardDeviation, wilsonInterval } from "../metrics/stats.ts";
import { type ThroughputSummary, summarizeThroughput } from "../metrics/throughput.ts";
import { passAtK } from "../../graders/code/pass-at-k.ts";
import type { ContextLength } from "../runner/context-length.ts";
import { type JournalRecord, awaitsGrading } from "../runner/record.ts";
import type { ScoringInfo } from "../tasks/types.ts";
import { type ErrorGroup, errorGroups } from "./error-groups.ts";

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
    name: string; model: string; endpoint: string; status: "done" | "failed" | "pending"; error?: string; batchInvariant?: boolean;
    serverStartupsSec?: readonly number[];
    /** The context length max_tokens was fitted to, and where it was read (GET /v1/models, the config, a 400). */
    contextLength?: ContextLength;
  }[];
  /** itemCount = items the run meant to ask per variant. */
  tasks: TaskInput[];
  /** maxTokens: the global setting, or undefined when each task used its own (see tasks[].maxTokens). */
  sampling: { temperature: number; maxTokens?: number; topP?: number; seed?: number };
  concurrency: number;
  stream: boolean;
  records: readonly JournalRecord[];
  /** The paired bootstrap behind each delta's interval; default DEFAULT_RESAMPLES resamples, seed 0. */
  bootstrap?: BootstrapSettings;
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
}

/** pass@k of one variant on one task, from the items whose every sample was graded. */
export interface PassAtK {
  variant: string;
  /** Items with all samples graded: the mean is over these. */
  problems: number;
  samplesPerProblem: number;
  /** Unbiased estimator (Chen et al. 2021), averaged over problems; k = 1 is the mean accuracy over all samples. */
  values: { k: number; value: number | null }[];
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
}

/**
 * "noise": the interval covers 0 and p ≥ α; "difference": the interval excludes 0 and p < α; "borderline": the two
 * disagree, so nothing is established (report.md says "not established"). That happens with few flips, all or nearly all one way: the percentile interval then excludes 0 from about
 * 4 one-way flips ((1 − 4/n)ⁿ ≈ e⁻⁴ < 2.5% of resamples keep none), the exact test only from 6 (2/2⁶ < 0.05).
 * "nothing-paired": no item was graded by both.
 */
export type DeltaReading = "noise" | "difference" | "borderline" | "nothing-paired";

export function deltaReading(pValue: number | null, ci95Pp: { low: number; high: number } | null, alpha: number = SIGNIFICANCE_LEVEL): DeltaReading {
  if (pValue === null) return "nothing-paired";
  const testSaysNoise = pValue >= alpha;
  // No interval (no item flipped) is Δ = 0 on every resample: it covers 0.
  const intervalSaysNoise = ci95Pp === null || (ci95Pp.low <= 0 && ci95Pp.high >= 0);
  if (testSaysNoise && intervalSaysNoise) return "noise";
  if (!testSaysNoise && !intervalSaysNoise) return "difference";
  return "borderline";
}

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
  /** Per variant, from every request recorded for this task, failed attempts included. */
  throughput: { variant: string; summary: ThroughputSummary }[];
}

export interface OverallScore {
  variant: string;
  /** Unweighted mean of the task accuracies this variant has (macro mean over tasks). */
  macroAccuracy: number | null;
  /** Tasks that entered the mean (those with at least one graded item). */
  tasksScored: number;
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
  variants: (ReportInput["variants"][number] & { isReference: boolean })[];
  tasks: TaskReport[];
  /** Per variant whose server quanteval started (variants[].serve): serving time with and without the start-ups. */
  serving: ServingTime[];
  overall: OverallScore[];
  /** Items graded by both the reference and a variant with different verdicts (sample 0), task by task. */
  flips: Flip[];
  /** What the errors in Counts were: each distinct error per variant and task, with its count and a message. */
  errors: ErrorGroup[];
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

function servingTimes(variants: ReportInput["variants"], tasks: readonly TaskReport[]): ServingTime[] {
  return variants.flatMap((v) => {
    const startups = v.serverStartupsSec ?? [];
    if (startups.length === 0) return [];
    const summaries = tasks.flatMap((t) => t.throughput.filter((x) => x.variant === v.name).map((x) => x.summary));
    const servingSec = summaries.reduce((total, s) => total + s.total_time_s, 0);
    const completionTokens = summaries.reduce((total, s) => total + s.token_usage.completion_tokens_total, 0);
    const startupSec = startups.reduce((total, s) => total + s, 0);
    const rate = (seconds: number) => (seconds > 0 ? completionTokens / seconds : 0);
    return [{ variant: v.name, starts: startups.length, startupSec, servingSec, completionTokens, decodeTps: rate(servingSec), decodeTpsWithStartup: rate(servingSec + startupSec) }];
  });
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

/** A stable HTML id for an item of a task under a variant. */
export function flipAnchor(task: string, itemId: string, variant: string): string {
  const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `flip-${slug(task)}-${slug(itemId)}-${slug(variant)}`;
}

function flipsOf(task: string, variants: readonly string[], reference: string, journal: JournalIndex): Flip[] {
  const referenceOutcomes = journal.get(reference)?.get(task)?.last;
  if (referenceOutcomes === undefined) return [];
  const flips: Flip[] = [];
  for (const variant of variants) {
    if (variant === reference) continue;
    const outcomes = journal.get(variant)?.get(task)?.last;
    for (const [itemId, ref] of referenceOutcomes) {
      const mine = outcomes?.get(itemId);
      if (ref.grade === undefined || mine?.grade === undefined || ref.grade.correct === mine.grade.correct) continue;
      flips.push({ task, itemId, variant, direction: ref.grade.correct ? "lost" : "gained", anchor: flipAnchor(task, itemId, variant) });
    }
  }
  return flips.sort((a, b) => a.variant.localeCompare(b.variant) || a.itemId.localeCompare(b.itemId, undefined, { numeric: true }));
}

export function buildReport(input: ReportInput): ReportData {
  const variantNames = input.variants.map((v) => v.name);
  if (!variantNames.includes(input.reference)) {
    throw new ConfigError([`reference: "${input.reference}" is not one of the variants (${variantNames.join(", ")})`],
      "set reference to one of variants[].name");
  }
  const bootstrap = input.bootstrap ?? { resamples: DEFAULT_RESAMPLES, seed: DEFAULT_BOOTSTRAP_SEED };
  if (!Number.isInteger(bootstrap.resamples) || bootstrap.resamples < 1) throw new RangeError(`bootstrap resamples must be a positive integer (got ${bootstrap.resamples})`);
  const journal = indexRecords(input.records);
  const replicates: TaskReplicates = new Map();
  const tasks = input.tasks.map((task) => buildTask(task, input.variants.map((v) => v.name), input.reference, journal, bootstrap, replicates, input.runId));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: input.runId,
    reference: input.reference,
    sampling: { ...input.sampling },
    concurrency: input.concurrency,
    stream: input.stream,
    significanceLevel: SIGNIFICANCE_LEVEL,
    bootstrap: { resamples: bootstrap.resamples, seed: bootstrap.seed, level: 0.95, method: "paired percentile bootstrap", generator: "xoshiro128**" },
    mde: { power: MDE_POWER, alpha: MDE_ALPHA, method: "Connor 1987" },
    variants: input.variants.map((v) => ({ ...v, isReference: v.name === input.reference })),
    tasks,
    serving: servingTimes(input.variants, tasks),
    overall: variantNames.map((variant) => overallScore(variant, variant === input.reference, tasks, replicates)),
    flips: input.tasks.flatMap((task) => flipsOf(task.name, variantNames, input.reference, journal)),
    errors: errorGroups(lastOutcomes(journal)),
  };
}

/**
 * Per (variant, task): every record in input order (for throughput), the last record per item of sample 0 (the
 * outcome the tables and paired tests use), and the last record per item and sample (for pass@k).
 */
interface TaskJournal { all: JournalRecord[]; last: Map<string, JournalRecord>; bySample: Map<string, Map<number, JournalRecord>> }
type JournalIndex = Map<string, Map<string, TaskJournal>>;

function indexRecords(records: readonly JournalRecord[]): JournalIndex {
  const index: JournalIndex = new Map();
  for (const record of records) {
    let byTask = index.get(record.variant);
    if (byTask === undefined) index.set(record.variant, (byTask = new Map()));
    let entry = byTask.get(record.task);
    if (entry === undefined) byTask.set(record.task, (entry = { all: [], last: new Map(), bySample: new Map() }));
    entry.all.push(record);
    const sample = record.sample ?? 0;
    if (sample === 0) entry.last.set(record.itemId, record);
    let samples = entry.bySample.get(record.itemId);
    if (samples === undefined) entry.bySample.set(record.itemId, (samples = new Map()));
    samples.set(sample, record);
  }
  return index;
}

/** Every unit's last record (every sample of every item), across variants and tasks. */
function* lastOutcomes(journal: JournalIndex): Generator<JournalRecord> {
  for (const byTask of journal.values()) {
    for (const entry of byTask.values()) for (const samples of entry.bySample.values()) yield* samples.values();
  }
}

/** Per task, per variant: the bootstrap Δs of the task's own row, in the order drawn (for the stratified overall). */
type TaskReplicates = Map<string, Map<string, Float64Array>>;

/**
 * What a task's journals say that its tables cannot, per variant: replies not yet graded (a run stopped before grading
 * them: they count as missing), and items asked with different max_tokens (a resumed run changed the setting).
 */
function journalNotes(task: string, variants: readonly string[], journal: JournalIndex, runId: string): string[] {
  const notes: string[] = [];
  for (const variant of variants) {
    const units = [...(journal.get(variant)?.get(task)?.bySample.values() ?? [])].flatMap((samples) => [...samples.values()]);
    const ungraded = units.filter(awaitsGrading).length;
    if (ungraded > 0) {
      notes.push(`${variant}: ${ungraded} repl${ungraded === 1 ? "y" : "ies"} received but not yet graded (counted as missing); ` +
        `\`quanteval run --resume ${runId}\` grades them without asking again`);
    }
    const limits = new Map<number, number>();
    for (const r of units) {
      const asked = r.fit?.requested ?? r.request.params.max_tokens;
      if (r.reply !== undefined && typeof asked === "number") limits.set(asked, (limits.get(asked) ?? 0) + 1);
    }
    if (limits.size < 2) continue;
    const shown = [...limits].sort((a, b) => b[0] - a[0]).map(([limit, count]) => `${limit} (${count} item${count === 1 ? "" : "s"})`).join(", ");
    notes.push(`${variant}: asked with different max_tokens: ${shown}; a resumed run changed the setting, so these items are not comparable on truncation`);
  }
  return notes;
}

function buildTask(task: TaskInput, variants: readonly string[], reference: string, journal: JournalIndex, bootstrap: BootstrapSettings, replicates: TaskReplicates, runId: string): TaskReport {
  const outcomes = new Map(variants.map((v) => [v, journal.get(v)?.get(task.name)?.last ?? new Map<string, JournalRecord>()]));
  const context: RowContext = { task: task.name, variants, reference, outcomes, bootstrap };
  const taskReplicates = new Map<string, Float64Array>();
  replicates.set(task.name, taskReplicates);
  const rows: ScoreRow[] = [makeRow(context, { breakdown: ALL, value: ALL, label: task.name, n: task.itemCount }, () => true, taskReplicates)];
  for (const key of task.breakdowns) {
    for (const [value, itemIds] of breakdownGroups(key, outcomes)) {
      const label = task.breakdowns.length > 1 ? `${task.name} / ${key}=${value}` : `${task.name} / ${value}`;
      rows.push(makeRow(context, { breakdown: key, value, label, n: itemIds.size }, (id) => itemIds.has(id)));
    }
  }
  return {
    name: task.name,
    itemCount: task.itemCount,
    breakdowns: [...task.breakdowns],
    ...(task.maxTokens !== undefined ? { maxTokens: task.maxTokens } : {}),
    files: (task.files ?? []).map((f) => ({ ...(f.dataset !== undefined ? { dataset: f.dataset } : {}), ...(f.revision !== undefined ? { revision: f.revision } : {}), path: f.path, sha256: f.sha256 })),
    notices: [...(task.notices ?? []), ...journalNotes(task.name, variants, journal, runId)],
    ...(task.unavailable !== undefined ? { unavailable: { ...task.unavailable } } : {}),
    ...(task.scoring !== undefined ? { scoring: { ...task.scoring } } : {}),
    samples: task.samples ?? 1,
    passAtK: (task.samples ?? 1) > 1 ? variants.map((variant) => passAtKOf(variant, task.samples ?? 1, journal.get(variant)?.get(task.name)?.bySample)) : [],
    repeats: (task.samples ?? 1) > 1 ? variants.map((variant) => repeatStats(variant, task.samples ?? 1, journal.get(variant)?.get(task.name)?.bySample)) : [],
    rows,
    throughput: variants.map((variant) => ({ variant, summary: summarizeThroughput(journal.get(variant)?.get(task.name)?.all ?? []) })),
  };
}

/** k = 1, 2, 5, 10, 20, 50, 100 up to n, and n itself. */
export function passKs(n: number): number[] {
  return [...new Set([1, 2, 5, 10, 20, 50, 100].filter((k) => k <= n).concat(n))].sort((a, b) => a - b);
}

function passAtKOf(variant: string, n: number, bySample: ReadonlyMap<string, ReadonlyMap<number, JournalRecord>> | undefined): PassAtK {
  const correctCounts: number[] = [];
  for (const samples of bySample?.values() ?? []) {
    const graded = [...samples.values()].filter((r) => r.grade !== undefined && (r.sample ?? 0) < n);
    if (graded.length < n) continue; // a problem with samples missing or failed would bias the estimate
    correctCounts.push(graded.filter((r) => r.grade?.correct === true).length);
  }
  const values = passKs(n).map((k) => ({ k, value: correctCounts.length === 0 ? null : mean(correctCounts.map((c) => passAtK(n, c, k))) }));
  return { variant, problems: correctCounts.length, samplesPerProblem: n, values };
}

/**
 * Repeat i = every item's sample i (its last record). Only items whose k samples were all graded count, so each
 * repeat's accuracy is over the same items and agreement compares like with like.
 */
export function repeatStats(variant: string, repeats: number, bySample: ReadonlyMap<string, ReadonlyMap<number, JournalRecord>> | undefined): RepeatStats {
  const correctPerRepeat: number[] = Array.from({ length: repeats }, () => 0);
  let items = 0;
  let agreeingItems = 0;
  for (const samples of bySample?.values() ?? []) {
    const verdicts: boolean[] = [];
    for (let i = 0; i < repeats; i++) {
      const grade = samples.get(i)?.grade;
      if (grade === undefined) break;
      verdicts.push(grade.correct);
    }
    if (verdicts.length < repeats) continue;
    items += 1;
    verdicts.forEach((correct, i) => { if (correct) correctPerRepeat[i] = (correctPerRepeat[i] ?? 0) + 1; });
    if (verdicts.every((v) => v === verdicts[0])) agreeingItems += 1;
  }
  const accuracies = correctPerRepeat.map((c) => (items === 0 ? null : c / items));
  const known = accuracies.filter((a): a is number => a !== null);
  return {
    variant, repeats, items, accuracies,
    mean: mean(known), sd: sampleStandardDeviation(known),
    agreement: items === 0 ? null : agreeingItems / items, agreeingItems,
  };
}

/** Item ids per label value, over every variant's outcomes (an item carries the same labels in every variant). */
function breakdownGroups(key: string, outcomes: ReadonlyMap<string, ReadonlyMap<string, JournalRecord>>): [string, Set<string>][] {
  const groups = new Map<string, Set<string>>();
  const seen = new Set<string>();
  for (const byItem of outcomes.values()) {
    for (const [itemId, record] of byItem) {
      if (seen.has(itemId)) continue;
      seen.add(itemId);
      const value = record.labels[key] ?? UNLABELLED;
      let ids = groups.get(value);
      if (ids === undefined) groups.set(value, (ids = new Set()));
      ids.add(itemId);
    }
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
}

interface RowContext {
  task: string;
  variants: readonly string[];
  reference: string;
  /** Per variant: item id → the item's last record. */
  outcomes: ReadonlyMap<string, ReadonlyMap<string, JournalRecord>>;
  bootstrap: BootstrapSettings;
}

/**
 * One table row. Each delta's bootstrap draws from its own stream, named by task, breakdown, value and variant, so
 * an interval does not move when tasks or variants are added. `keepReplicates` receives the task row's draws.
 */
function makeRow(
  { task, variants, reference, outcomes, bootstrap }: RowContext,
  { breakdown, value, label, n }: Pick<ScoreRow, "breakdown" | "value" | "label"> & { n: number },
  includes: (itemId: string) => boolean,
  keepReplicates?: Map<string, Float64Array>,
): ScoreRow {
  const rowOutcomes = new Map(variants.map((v) => [v, [...(outcomes.get(v)?.values() ?? [])].filter((r) => includes(r.itemId))]));
  const correctness = (variant: string) =>
    new Map((rowOutcomes.get(variant) ?? []).flatMap((r) => (r.grade === undefined ? [] : [[r.itemId, r.grade.correct] as const])));
  const referenceCorrectness = correctness(reference);
  return {
    task, breakdown, value, label,
    scores: variants.map((variant) => score(variant, n, rowOutcomes.get(variant) ?? [])),
    deltas: variants.filter((v) => v !== reference).map((variant): Delta => {
      const delta = pairedDelta(referenceCorrectness, correctness(variant));
      const counts = { paired: delta.paired, down: delta.referenceRightVariantWrong, up: delta.referenceWrongVariantRight };
      let ci95Pp: Delta["ci95Pp"] = null;
      if (delta.paired > 0) {
        const draws = pairedBootstrapReplicates(counts, bootstrap.resamples, seededRng(bootstrap.seed, JSON.stringify([task, breakdown, value, variant])));
        keepReplicates?.set(variant, draws);
        if (counts.down + counts.up > 0) ci95Pp = percentileInterval(draws, 0.95);
      }
      const mde = delta.paired === 0 ? null : minimumDetectableDifference(delta.paired, counts.down + counts.up);
      return {
        variant, ...delta, significant: delta.pValue === null ? null : delta.pValue < SIGNIFICANCE_LEVEL,
        ci95Pp, mdePp: mde === null ? null : mde.value * 100, mdeBasis: mde?.basis ?? null, reading: deltaReading(delta.pValue, ci95Pp),
      };
    }),
  };
}

function score(variant: string, n: number, outcomes: readonly JournalRecord[]): Score {
  let graded = 0;
  let correct = 0;
  let unanswered = 0;
  let truncated = 0;
  let capped = 0;
  let errors = 0;
  for (const record of outcomes) {
    if (record.grade !== undefined) {
      graded += 1;
      if (record.grade.correct) correct += 1;
      if (!record.grade.answered) unanswered += 1;
    } else if (record.error !== undefined) {
      errors += 1;
    }
    if (record.reply?.finishReason === "length") truncated += 1;
    if (record.fit !== undefined && record.reply !== undefined) capped += 1;
  }
  return {
    variant, n, graded, correct, unanswered, truncated, capped, errors,
    // A record with neither grade nor error is not an outcome yet, so it stays missing. More items recorded than
    // the run meant to ask (a --limit lowered on resume) leaves nothing missing rather than a negative count.
    missing: Math.max(0, n - graded - errors),
    accuracy: graded === 0 ? null : correct / graded,
    ci95: graded === 0 ? null : wilsonInterval(correct, graded),
  };
}

function overallScore(variant: string, isReference: boolean, tasks: readonly TaskReport[], replicates: TaskReplicates): OverallScore {
  const accuracies: number[] = [];
  const deltas: number[] = [];
  const draws: Float64Array[] = [];
  let paired = 0;
  let discordant = 0;
  for (const task of tasks) {
    const row = task.rows[0];
    const accuracy = row?.scores.find((s) => s.variant === variant)?.accuracy;
    if (accuracy !== undefined && accuracy !== null) accuracies.push(accuracy);
    const delta = row?.deltas.find((d) => d.variant === variant);
    if (delta === undefined || delta.deltaPp === null) continue;
    deltas.push(delta.deltaPp);
    paired += delta.paired;
    discordant += delta.referenceRightVariantWrong + delta.referenceWrongVariantRight;
    const taskDraws = replicates.get(task.name)?.get(variant);
    if (taskDraws !== undefined) draws.push(taskDraws);
  }
  // Resample r of the mean = the mean of every task's resample r: items resampled within each task (stratified).
  const ci = !isReference && discordant > 0 && draws.length === deltas.length ? percentileInterval(meanOfReplicates(draws), 0.95) : null;
  return {
    variant, macroAccuracy: mean(accuracies), tasksScored: accuracies.length, macroDeltaPp: isReference ? null : mean(deltas),
    deltaTasks: isReference ? 0 : deltas.length, deltaPaired: isReference ? 0 : paired, macroDeltaCi95Pp: ci,
  };
}
