/**
 * Speed × accuracy from the same requests, per variant against the reference: speedups of decode tok/s, QPS and
 * latency p50; the paired change in completion tokens per item (reasoning length moves with precision and can eat a
 * speedup) and in the truncation rate; tokens and seconds per correct answer. Per task from its journal and
 * throughput, and pooled over tasks. Pure: the bootstrap draws from seeded generators.
 */
import { summarizeReplies, type ThroughputSummary } from "../metrics/index.ts";
import type { JournalIndex } from "./journal-index.ts";
import {
  type ChangeDraws,
  changeDraws,
  type ItemSamples,
  macroChange,
  pairedChange,
  pairValues,
  tokenChange,
  withRelative,
} from "./paired-change.ts";
import type { ReportRecord } from "./report-record.ts";
import type { BootstrapSettings, OverallSpeed, PairedChange, SpeedComparison, TaskReport } from "./report-types.ts";

/** Per task, per variant: the resamples behind its token and truncation changes (for the stratified overall). */
export type SpeedDraws = Map<string, Map<string, { tokens: ChangeDraws; truncation: ChangeDraws }>>;

export interface SpeedContext {
  variants: readonly string[];
  reference: string;
  journal: JournalIndex;
  bootstrap: BootstrapSettings;
}

/** One task's comparisons, in variant order; `keep` receives each variant's draws. */
export function taskSpeed(
  { variants, reference, journal, bootstrap }: SpeedContext,
  task: string,
  throughput: readonly { variant: string; summary: ThroughputSummary }[],
  keep: SpeedDraws,
): SpeedComparison[] {
  const summaryOf = (variant: string) => throughput.find((t) => t.variant === variant)?.summary;
  const referenceSummary = summaryOf(reference);
  const referenceSamples = itemSamples(journal.get(reference)?.get(task)?.bySample);
  const kept = new Map<string, { tokens: ChangeDraws; truncation: ChangeDraws }>();
  keep.set(task, kept);
  return variants.map((variant) => {
    const summary = summaryOf(variant);
    const bySample = journal.get(variant)?.get(task)?.bySample;
    const base = comparison(variant, variant === reference, summary, referenceSummary, correctIn(bySample));
    if (variant === reference) return base;
    const samples = itemSamples(bySample);
    const tokens = pairValues(referenceSamples.tokens, samples.tokens);
    const truncation = pairValues(referenceSamples.truncated, samples.truncated);
    if (tokens.reference.length === 0) return base;
    // Stream named by task and variant, as score-row.ts names a delta's, so adding a task moves no other interval.
    const [tokenDraws, truncationDraws] = changeDraws(
      [tokens, truncation],
      bootstrap,
      JSON.stringify([task, "speed", variant]),
    );
    if (tokenDraws === undefined || truncationDraws === undefined) return base;
    kept.set(variant, { tokens: tokenDraws, truncation: truncationDraws });
    return {
      ...base,
      completionTokens: tokenChange(tokens, tokenDraws),
      truncation: pairedChange(truncation, truncationDraws),
    };
  });
}

/**
 * Pooled over tasks. Speedups and per-correct figures come from summed tokens, wall time and correct answers (a
 * rate over the whole workload); latency p50 from every reply of the pooled tasks. The token and truncation changes
 * are the unweighted mean of the task changes, as the overall accuracy delta is: each task counts once, so a task of
 * 12,000 short items does not drown one of 30 long ones.
 */
export function overallSpeed(
  { variants, reference, journal }: SpeedContext,
  tasks: readonly TaskReport[],
  draws: SpeedDraws,
): OverallSpeed[] {
  const referenceTasks = tasks
    .filter((t) => (t.throughput.find((x) => x.variant === reference)?.summary.ok ?? 0) > 0)
    .map((t) => t.name);
  return variants.map((variant) => {
    const isReference = variant === reference;
    const pooled = isReference
      ? referenceTasks
      : tasks.filter((t) => (speedOf(t, variant)?.completionTokens ?? null) !== null).map((t) => t.name);
    const summary = pooledSummary(journal, variant, tasks, pooled);
    const correct = tasks
      .filter((t) => pooled.includes(t.name))
      .reduce((total, t) => total + (speedOf(t, variant)?.correct ?? 0), 0);
    const base = comparison(
      variant,
      isReference,
      summary,
      isReference ? undefined : pooledSummary(journal, reference, tasks, pooled),
      correct,
    );
    if (isReference) return { ...base, tasks: pooled };
    const tokens = macroChange(taskChanges(tasks, pooled, variant, draws, "tokens"));
    const truncation = macroChange(taskChanges(tasks, pooled, variant, draws, "truncation"));
    return {
      ...base,
      tasks: pooled,
      completionTokens: tokens === null ? null : withRelative(tokens.change, tokens.draws),
      truncation: truncation?.change ?? null,
    };
  });
}

/** The named tasks' changes of one kind for this variant, with the draws behind each. */
function taskChanges(
  tasks: readonly TaskReport[],
  names: readonly string[],
  variant: string,
  draws: SpeedDraws,
  kind: "tokens" | "truncation",
): { change: PairedChange; draws: ChangeDraws }[] {
  return tasks.flatMap((task) => {
    const speed = speedOf(task, variant);
    const change = kind === "tokens" ? speed?.completionTokens : speed?.truncation;
    const taskDraws = draws.get(task.name)?.get(variant)?.[kind];
    return names.includes(task.name) && change !== undefined && change !== null && taskDraws !== undefined
      ? [{ change, draws: taskDraws }]
      : [];
  });
}

function speedOf(task: TaskReport, variant: string): SpeedComparison | undefined {
  return task.speed.find((s) => s.variant === variant);
}

/** Every reply of the tasks named, with their wall times summed (each task's span is its own; see throughput.ts). */
function pooledSummary(
  journal: JournalIndex,
  variant: string,
  tasks: readonly TaskReport[],
  names: readonly string[],
): ThroughputSummary {
  const chosen = tasks.filter((t) => names.includes(t.name));
  const summaries = chosen.flatMap((t) => t.throughput.filter((x) => x.variant === variant).map((x) => x.summary));
  const replies = chosen.flatMap((t) =>
    (journal.get(variant)?.get(t.name)?.all ?? []).flatMap((r) => (r.reply === undefined ? [] : [r.reply])),
  );
  const total = (pick: (s: ThroughputSummary) => number) => summaries.reduce((sum, s) => sum + pick(s), 0);
  return summarizeReplies(replies, {
    requests: total((s) => s.requests),
    errors: total((s) => s.errors),
    totalTimeS: total((s) => s.total_time_s),
  });
}

/** The fields every comparison has, the reference's included (its ratios null). */
function comparison(
  variant: string,
  isReference: boolean,
  summary: ThroughputSummary | undefined,
  referenceSummary: ThroughputSummary | undefined,
  correct: number,
): SpeedComparison {
  const tokensTotal = summary?.token_usage.completion_tokens_total ?? 0;
  const wallTimeS = summary?.total_time_s ?? 0;
  const compared = !isReference && summary !== undefined && referenceSummary !== undefined && summary.ok > 0;
  const ratio = (numerator: number | null | undefined, denominator: number | null | undefined) =>
    compared && typeof numerator === "number" && typeof denominator === "number" && denominator > 0
      ? numerator / denominator
      : null;
  return {
    variant,
    isReference,
    decodeTps: summary?.derived.decode_tps ?? 0,
    qps: summary?.qps ?? 0,
    latencyP50S: summary?.latency_s.p50 ?? null,
    decodeSpeedup: ratio(summary?.derived.decode_tps, referenceSummary?.derived.decode_tps),
    qpsSpeedup: ratio(summary?.qps, referenceSummary?.qps),
    latencyP50Speedup: ratio(referenceSummary?.latency_s.p50, summary?.latency_s.p50),
    completionTokens: null,
    truncation: null,
    correct,
    completionTokensTotal: tokensTotal,
    wallTimeS,
    tokensPerCorrect: correct > 0 ? tokensTotal / correct : null,
    secondsPerCorrect: correct > 0 ? wallTimeS / correct : null,
  };
}

/** Per item, each replied sample's completion tokens and whether it was cut at max_tokens (1) or not (0). */
function itemSamples(bySample: ReadonlyMap<string, ReadonlyMap<number, ReportRecord>> | undefined): {
  tokens: ItemSamples;
  truncated: ItemSamples;
} {
  const tokens = new Map<string, number[]>();
  const truncated = new Map<string, number[]>();
  for (const [itemId, samples] of bySample ?? []) {
    const replies = [...samples.values()].flatMap((r) => (r.reply === undefined ? [] : [r.reply]));
    if (replies.length === 0) continue;
    tokens.set(
      itemId,
      replies.map((r) => r.usage.completionTokens),
    );
    truncated.set(
      itemId,
      replies.map((r) => (r.finishReason === "length" ? 1 : 0)),
    );
  }
  return { tokens, truncated };
}

/** Correct answers over every sample's last record. */
function correctIn(bySample: ReadonlyMap<string, ReadonlyMap<number, ReportRecord>> | undefined): number {
  let correct = 0;
  for (const samples of bySample?.values() ?? []) for (const r of samples.values()) if (r.grade?.correct) correct += 1;
  return correct;
}
