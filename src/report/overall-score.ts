/** The macro mean over tasks per variant, with stratified bootstrap intervals of its delta and its recovery. */
import {
  deltaReplicates,
  mean,
  meanOfReplicates,
  type PairedReplicates,
  percentileInterval,
  recoveryOfSums,
  type Verdict,
} from "../metrics/index.ts";
import { recoveryFigure } from "./decision.ts";
import { headlineScore } from "./pass-at-k.ts";
import type { OverallDecision, OverallScore, RecoveryFigure, TaskReport } from "./report-types.ts";
import type { KeptReplicates } from "./score-row.ts";

/** Per task, per variant: the resamples of the task's own row, in the order drawn (for the stratified overall). */
export type TaskReplicates = Map<string, Map<string, KeptReplicates>>;

export function overallScore(
  variant: string,
  isReference: boolean,
  tasks: readonly TaskReport[],
  replicates: TaskReplicates,
): OverallScore {
  const accuracies: number[] = [];
  const headline: number[] = [];
  const deltas: number[] = [];
  const draws: Float64Array[] = [];
  const verdicts: { task: string; verdict: Verdict }[] = [];
  let paired = 0;
  let discordant = 0;
  for (const task of tasks) {
    const row = task.rows[0];
    const accuracy = row?.scores.find((s) => s.variant === variant)?.accuracy;
    if (accuracy !== undefined && accuracy !== null) accuracies.push(accuracy);
    const score = headlineScore(task, variant);
    if (score !== undefined && score !== null) headline.push(score);
    const delta = row?.deltas.find((d) => d.variant === variant);
    const verdict = delta?.decision?.nonInferiority?.verdict;
    if (verdict !== undefined) verdicts.push({ task: task.name, verdict });
    if (delta === undefined || delta.deltaPp === null) continue;
    deltas.push(delta.deltaPp);
    paired += delta.paired;
    discordant += delta.referenceRightVariantWrong + delta.referenceWrongVariantRight;
    const taskDraws = replicates.get(task.name)?.get(variant)?.delta;
    if (taskDraws !== undefined) draws.push(taskDraws);
  }
  // Resample r of the mean = the mean of every task's resample r: items resampled within each task (stratified).
  const ci =
    !isReference && discordant > 0 && draws.length === deltas.length
      ? percentileInterval(meanOfReplicates(draws), 0.95)
      : null;
  return {
    variant,
    macroAccuracy: mean(accuracies),
    macroScore: mean(headline),
    tasksScored: accuracies.length,
    macroDeltaPp: isReference ? null : mean(deltas),
    deltaTasks: isReference ? 0 : deltas.length,
    deltaPaired: isReference ? 0 : paired,
    macroDeltaCi95Pp: ci,
    ...(isReference ? { decision: null, recovery: null } : macroDecision(variant, tasks, replicates)),
    verdicts: isReference ? [] : verdicts,
  };
}

/**
 * The macro means on every sample (each task's Decision means, averaged over the tasks where both have paired
 * items), their Δ and the recovery of the variant's: resample r of each side is the mean over tasks of that task's
 * resample r, each task's items resampled within it, as for the sample-0 macro delta.
 */
function macroDecision(
  variant: string,
  tasks: readonly TaskReport[],
  replicates: TaskReplicates,
): { decision: OverallDecision | null; recovery: RecoveryFigure | null } {
  const perTask = tasks.flatMap((task) => {
    const kept = replicates.get(task.name)?.get(variant)?.decision;
    return kept == null || kept.pair.itemIds.length === 0 ? [] : [kept];
  });
  if (perTask.length === 0) return { decision: null, recovery: null };
  const means = (side: "reference" | "variant") =>
    meanOfReplicates(perTask.map(({ pair, replicates: r }) => scaled(r[side], 1 / pair.itemIds.length)));
  const point = (side: "reference" | "variant") =>
    mean(perTask.map(({ pair }) => pair[side].reduce((sum, x) => sum + x, 0) / pair.itemIds.length)) ?? 0;
  const resampled: PairedReplicates = { reference: means("reference"), variant: means("variant") };
  const anyDiffers = perTask.some(({ pair }) => pair.reference.some((r, i) => r !== pair.variant[i]));
  const referenceMean = point("reference");
  const variantMean = point("variant");
  return {
    decision: {
      tasks: perTask.length,
      paired: perTask.reduce((sum, { pair }) => sum + pair.itemIds.length, 0),
      referenceMean,
      variantMean,
      deltaPp: (variantMean - referenceMean) * 100,
      ci95Pp: anyDiffers ? percentileInterval(deltaReplicates(resampled, 1), 0.95) : null,
    },
    recovery: recoveryFigure(recoveryOfSums({ reference: referenceMean, variant: variantMean }, resampled)),
  };
}

function scaled(values: Float64Array, factor: number): Float64Array {
  return values.map((x) => x * factor);
}
