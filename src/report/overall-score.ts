/** The macro mean over tasks per variant, with a stratified bootstrap interval of its delta. */
import { mean, meanOfReplicates, percentileInterval } from "../metrics/index.ts";
import type { OverallScore, TaskReport } from "./report-types.ts";

/** Per task, per variant: the bootstrap Δs of the task's own row, in the order drawn (for the stratified overall). */
export type TaskReplicates = Map<string, Map<string, Float64Array>>;

export function overallScore(
  variant: string,
  isReference: boolean,
  tasks: readonly TaskReport[],
  replicates: TaskReplicates,
): OverallScore {
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
  const ci =
    !isReference && discordant > 0 && draws.length === deltas.length
      ? percentileInterval(meanOfReplicates(draws), 0.95)
      : null;
  return {
    variant,
    macroAccuracy: mean(accuracies),
    tasksScored: accuracies.length,
    macroDeltaPp: isReference ? null : mean(deltas),
    deltaTasks: isReference ? 0 : deltas.length,
    deltaPaired: isReference ? 0 : paired,
    macroDeltaCi95Pp: ci,
  };
}
