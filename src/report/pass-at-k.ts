/** pass@k per variant on a task asked several times per item. */
import { passAtK } from "../../graders/code/index.ts";
import { majorityVote, mean } from "../metrics/index.ts";
import type { ReportRecord } from "./report-record.ts";
import type { PassAtK, TaskReport } from "./report-types.ts";

/** k = 1, 2, 5, 10, 20, 50, 100 up to n, and n itself. */
export function passKs(n: number): number[] {
  return [...new Set([1, 2, 5, 10, 20, 50, 100].filter((k) => k <= n).concat(n))].sort((a, b) => a - b);
}

export function passAtKOf(
  variant: string,
  n: number,
  bySample: ReadonlyMap<string, ReadonlyMap<number, ReportRecord>> | undefined,
): PassAtK {
  const correctCounts: number[] = [];
  const itemMeans: number[] = [];
  const majority = { correct: 0, decided: 0, ties: 0, inconsistent: 0, unvoted: false };
  for (const samples of bySample?.values() ?? []) {
    const graded = [...samples.values()].filter((r) => r.grade !== undefined && (r.sample ?? 0) < n);
    if (graded.length > 0) itemMeans.push(graded.filter((r) => r.grade?.correct === true).length / graded.length);
    if (graded.length < n) continue; // a problem with samples missing or failed would bias the estimate
    // A grader that records no extracted answer (code: the tests decide) gives maj@n nothing to vote on.
    if (graded.some((r) => r.grade?.answered === true && r.grade.extracted === undefined)) majority.unvoted = true;
    correctCounts.push(graded.filter((r) => r.grade?.correct === true).length);
    const vote = majorityVote(
      [...graded]
        .sort((a, b) => (a.sample ?? 0) - (b.sample ?? 0))
        .map((r) => ({
          answered: r.grade?.answered ?? false,
          correct: r.grade?.correct ?? false,
          ...(r.grade?.extracted !== undefined ? { extracted: r.grade.extracted } : {}),
        })),
    );
    if (vote.correct === null) majority.inconsistent += 1;
    else {
      majority.decided += 1;
      if (vote.correct) majority.correct += 1;
    }
    if (vote.rule === "tie") majority.ties += 1;
  }
  const values = passKs(n).map((k) => ({
    k,
    value: correctCounts.length === 0 ? null : mean(correctCounts.map((c) => passAtK(n, c, k))),
  }));
  return {
    variant,
    problems: correctCounts.length,
    samplesPerProblem: n,
    values,
    average: mean(itemMeans),
    averageItems: itemMeans.length,
    majority: {
      value: majority.decided === 0 || majority.unvoted ? null : majority.correct / majority.decided,
      ties: majority.ties,
      inconsistent: majority.inconsistent,
    },
  };
}

/**
 * A task's headline score for a variant: its accuracy, or with k > 1 samples per item avg@k: each item's share of
 * its graded samples that are correct, averaged over the items with any graded sample, as the decision's item means
 * are (the rows' Score reads sample 0 only). Null when nothing was graded.
 */
export function headlineScore(task: TaskReport, variant: string): number | null {
  if (task.samples > 1) {
    const p = task.passAtK.find((x) => x.variant === variant);
    // Reports written before `average` existed: pass@1, the same figure when every sample was graded.
    return p?.average !== undefined ? p.average : (p?.values.find((v) => v.k === 1)?.value ?? null);
  }
  return task.rows[0]?.scores.find((s) => s.variant === variant)?.accuracy ?? null;
}
