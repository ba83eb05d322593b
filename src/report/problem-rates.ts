/**
 * Main-problem pass rates (SciCode's headline): a task's items are sub-steps grouped by a label; a problem passes
 * for a variant when every one of its items was graded correct there. An item the variant lacks, or whose grading
 * failed, leaves its problem unpassed, as an unanswered sub-step does in SciCode's own count.
 */
import type { ReportRecord } from "./report-record.ts";
import type { ProblemRate } from "./report-types.ts";
import { breakdownGroups } from "./score-row.ts";

export function problemRates(
  label: string,
  variants: readonly string[],
  outcomes: ReadonlyMap<string, ReadonlyMap<string, ReportRecord>>,
): ProblemRate[] {
  const problems = breakdownGroups(label, outcomes);
  return variants.map((variant) => {
    const byItem = outcomes.get(variant);
    const passed = problems.filter(([, ids]) => [...ids].every((id) => byItem?.get(id)?.grade?.correct === true));
    return {
      variant,
      problems: problems.length,
      passed: passed.length,
      rate: problems.length === 0 ? null : passed.length / problems.length,
    };
  });
}
