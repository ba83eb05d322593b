/** The spread between repeats of a task asked several times per item: the run-to-run noise floor. */
import { mean, sampleStandardDeviation } from "../metrics/index.ts";
import type { ReportRecord } from "./report-record.ts";
import type { RepeatStats } from "./report-types.ts";

/**
 * Repeat i = every item's sample i (its last record). Only items whose k samples were all graded count, so each
 * repeat's accuracy is over the same items and agreement compares like with like.
 */
export function repeatStats(
  variant: string,
  repeats: number,
  bySample: ReadonlyMap<string, ReadonlyMap<number, ReportRecord>> | undefined,
): RepeatStats {
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
    verdicts.forEach((correct, i) => {
      if (correct) correctPerRepeat[i] = (correctPerRepeat[i] ?? 0) + 1;
    });
    if (verdicts.every((v) => v === verdicts[0])) agreeingItems += 1;
  }
  const accuracies = correctPerRepeat.map((c) => (items === 0 ? null : c / items));
  const known = accuracies.filter((a): a is number => a !== null);
  return {
    variant,
    repeats,
    items,
    accuracies,
    mean: mean(known),
    sd: sampleStandardDeviation(known),
    agreement: items === 0 ? null : agreeingItems / items,
    agreeingItems,
  };
}
