/** `quanteval bench`'s load generator: closed-loop requests per variant and concurrency, summarised as bench_openai.py does. */

export { benchDocument } from "./bench-document.ts";
export {
  type BenchPlan,
  checkBenchEndpoints,
  runThroughputBench,
  type VariantBench,
} from "./bench-run.ts";
export type { MaxRatePlan } from "./max-rate-run.ts";
export { maxRateTable } from "./max-rate-table.ts";
export { readPromptFile } from "./prompt-file.ts";
export type { PromptSource } from "./prompt-source.ts";
export type { OpenLoopSender } from "./rate-trial.ts";
export { parseSloInto, type Slo } from "./slo.ts";
export { renderSweepChart } from "./sweep-chart.ts";
export { sweepTable } from "./sweep-table.ts";
export { syntheticPrompt } from "./synthetic-prompt.ts";
