/** `quanteval bench`'s load generator: closed or open loops per variant and level, summarised as bench_openai.py. */

export { benchDocument } from "./bench-document.ts";
export { rateLabel } from "./bench-level.ts";
export {
  type BenchPlan,
  checkBenchEndpoints,
  type OpenLoopPlan,
  runOpenLoopLevel,
  runThroughputBench,
  type VariantBench,
} from "./bench-run.ts";
export { readPromptFile } from "./prompt-file.ts";
export type { PromptSource } from "./prompt-source.ts";
export { renderSweepChart } from "./sweep-chart.ts";
export { sweepTable } from "./sweep-table.ts";
export { syntheticPrompt } from "./synthetic-prompt.ts";
