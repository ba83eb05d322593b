/** The runner's API: evaluate variants into journals (`run`, `demo`), and grade journals again (`regrade`). */

export { type DivergePlan, forcedOfRecord, runDivergence, type VariantDivergence } from "./diverge.ts";
export { withGradeContext } from "./grade-context.ts";
export { gradeSafely } from "./grade-safely.ts";
export { type LoadedTask, loadTasks } from "./load-tasks.ts";
export { createProgress } from "./progress.ts";
export { type JournalRegradeCounts, regradeJournal } from "./regrade.ts";
export {
  GRADING_GRACE_MS,
  newRunId,
  type RunActivity,
  type RunOutcome,
  runEvaluation,
  type VariantTokenizer,
} from "./run.ts";
export { RunLock } from "./run-lock.ts";
