/** One row of the tables: every variant's counts and accuracy, and every paired delta against the reference. */
import {
  deltaReplicates,
  itemMeansFromCounts,
  type Margin,
  minimumDetectableDifference,
  type PairedItemMeans,
  type PairedReplicates,
  pairedBootstrapReplicates,
  pairedCountReplicates,
  pairedDelta,
  pairedReplicates,
  pairItemMeans,
  percentileInterval,
  sampledMde,
  seededRng,
  varianceComponents,
  wilsonInterval,
} from "../metrics/index.ts";
import { decide } from "./decision.ts";
import { deltaReading } from "./delta-reading.ts";
import type { ReportRecord } from "./report-record.ts";
import {
  type BootstrapSettings,
  type Delta,
  type Score,
  type ScoreRow,
  SIGNIFICANCE_LEVEL,
  UNLABELLED,
} from "./report-types.ts";

/** Item ids per label value, over every variant's outcomes (an item carries the same labels in every variant). */
export function breakdownGroups(
  key: string,
  outcomes: ReadonlyMap<string, ReadonlyMap<string, ReportRecord>>,
): [string, Set<string>][] {
  const groups = new Map<string, Set<string>>();
  const seen = new Set<string>();
  for (const byItem of outcomes.values()) {
    for (const [itemId, record] of byItem) {
      if (seen.has(itemId)) continue;
      seen.add(itemId);
      const value = record.labels[key] ?? UNLABELLED;
      let ids = groups.get(value);
      if (ids === undefined) {
        ids = new Set();
        groups.set(value, ids);
      }
      ids.add(itemId);
    }
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
}

export interface RowContext {
  task: string;
  variants: readonly string[];
  reference: string;
  /** Per variant: item id → the item's last record. */
  outcomes: ReadonlyMap<string, ReadonlyMap<string, ReportRecord>>;
  bootstrap: BootstrapSettings;
  /** Samples per item the task draws; above 1 the decision figures are on item means over every sample. */
  samples: number;
  /** Per variant: item id → sample → that sample's last record. */
  bySample: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<number, ReportRecord>>>;
  margin: Margin;
}

/** What a task row's resamples are kept for: the overall (macro) delta and recovery over tasks. */
export interface KeptReplicates {
  /** Sample 0's Δ pp per resample. */
  delta: Float64Array;
  /** The decision's paired item means, both sides' resampled sums (every sample) and its MDE in pp. */
  decision: { pair: PairedItemMeans; replicates: PairedReplicates; mdePp: number | null } | null;
}

/**
 * One table row. Each delta's bootstrap draws from its own stream, named by task, breakdown, value and variant, so
 * an interval does not move when tasks or variants are added. `keepReplicates` receives the task row's draws.
 */
export function makeRow(
  context: RowContext,
  { breakdown, value, label, n }: Pick<ScoreRow, "breakdown" | "value" | "label"> & { n: number },
  includes: (itemId: string) => boolean,
  keepReplicates?: Map<string, KeptReplicates>,
): ScoreRow {
  const { task, variants, reference, outcomes, bootstrap } = context;
  const rowOutcomes = new Map(
    variants.map((v) => [v, [...(outcomes.get(v)?.values() ?? [])].filter((r) => includes(r.itemId))]),
  );
  const correctness = (variant: string) =>
    new Map(
      (rowOutcomes.get(variant) ?? []).flatMap((r) =>
        r.grade === undefined ? [] : [[r.itemId, r.grade.correct] as const],
      ),
    );
  const referenceCorrectness = correctness(reference);
  return {
    task,
    breakdown,
    value,
    label,
    scores: variants.map((variant) => score(variant, n, rowOutcomes.get(variant) ?? [])),
    deltas: variants
      .filter((v) => v !== reference)
      .map((variant): Delta => {
        const delta = pairedDelta(referenceCorrectness, correctness(variant));
        const counts = {
          paired: delta.paired,
          down: delta.referenceRightVariantWrong,
          up: delta.referenceWrongVariantRight,
        };
        const stream = JSON.stringify([task, breakdown, value, variant]);
        const mde = delta.paired === 0 ? null : minimumDetectableDifference(delta.paired, counts.down + counts.up);
        const mdePp = mde === null ? null : mde.value * 100;
        let ci95Pp: Delta["ci95Pp"] = null;
        let kept: KeptReplicates | undefined;
        if (context.samples === 1 && delta.paired > 0) {
          // One sample: the decision's resamples are sample 0's, so the Δ interval and the recovery share draws.
          const pairCounts = { ...counts, bothRight: delta.referenceCorrect - counts.down };
          const pair = itemMeansFromCounts(pairCounts);
          const replicates = pairedCountReplicates(pairCounts, bootstrap.resamples, seededRng(bootstrap.seed, stream));
          kept = { delta: deltaReplicates(replicates, delta.paired), decision: { pair, replicates, mdePp } };
        } else if (delta.paired > 0) {
          const draws = pairedBootstrapReplicates(counts, bootstrap.resamples, seededRng(bootstrap.seed, stream));
          kept = { delta: draws, decision: sampledPair(context, variant, includes, stream) };
        }
        if (kept !== undefined) {
          keepReplicates?.set(variant, kept);
          if (counts.down + counts.up > 0) ci95Pp = percentileInterval(kept.delta, 0.95);
        }
        const decision =
          kept?.decision == null
            ? null
            : decide(
                kept.decision.pair,
                kept.decision.replicates,
                context.margin,
                context.samples,
                kept.decision.mdePp,
              );
        return {
          variant,
          ...delta,
          significant: delta.pValue === null ? null : delta.pValue < SIGNIFICANCE_LEVEL,
          ci95Pp,
          mdePp,
          mdeBasis: mde?.basis ?? null,
          reading: deltaReading(delta.pValue, ci95Pp),
          decision,
        };
      }),
  };
}

/** Per item of the row: the verdicts of its graded samples. */
function sampleVerdicts(
  context: RowContext,
  variant: string,
  includes: (itemId: string) => boolean,
): Map<string, boolean[]> {
  const out = new Map<string, boolean[]>();
  for (const [itemId, samples] of context.bySample.get(variant) ?? []) {
    if (!includes(itemId)) continue;
    const verdicts = [...samples.values()].flatMap((r) => (r.grade === undefined ? [] : [r.grade.correct]));
    if (verdicts.length > 0) out.set(itemId, verdicts);
  }
  return out;
}

/**
 * Several samples: item means over every graded sample, resampled by item on a stream of their own, and the MDE at
 * that many samples per item, both from one reading of each side's sample verdicts.
 */
function sampledPair(
  context: RowContext,
  variant: string,
  includes: (itemId: string) => boolean,
  stream: string,
): KeptReplicates["decision"] {
  const referenceVerdicts = sampleVerdicts(context, context.reference, includes);
  const variantVerdicts = sampleVerdicts(context, variant, includes);
  const pair = pairItemMeans(referenceVerdicts, variantVerdicts);
  if (pair.itemIds.length === 0) return null;
  const replicates = pairedReplicates(pair, { ...context.bootstrap, stream: `${stream}#avg@${context.samples}` });
  const components = varianceComponents(referenceVerdicts, variantVerdicts);
  const mde = components === null ? null : sampledMde(components, context.samples);
  return { pair, replicates, mdePp: mde === null ? null : mde.value * 100 };
}

function score(variant: string, n: number, outcomes: readonly ReportRecord[]): Score {
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
    variant,
    n,
    graded,
    correct,
    unanswered,
    truncated,
    capped,
    errors,
    // A record with neither grade nor error is not an outcome yet, so it stays missing. More items recorded than
    // the run meant to ask (a --limit lowered on resume) leaves nothing missing rather than a negative count.
    missing: Math.max(0, n - graded - errors),
    accuracy: graded === 0 ? null : correct / graded,
    ci95: graded === 0 ? null : wilsonInterval(correct, graded),
  };
}
