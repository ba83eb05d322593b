/** `quanteval bench`'s load generator: closed-loop requests per variant and concurrency, summarised as bench_openai.py does. */

export { type BenchDocument, type BenchMeta, benchDocument } from "./bench-document.ts";
export {
  type BenchDeps,
  type BenchPlan,
  checkBenchEndpoints,
  runThroughputBench,
  type VariantBench,
} from "./bench-run.ts";
export { type BenchResult, summarizeBenchLevel, type TailStats } from "./bench-summary.ts";
export { type RequestOutcome, runClosedLoop } from "./closed-loop.ts";
export { readPromptFile } from "./prompt-file.ts";
export { type PromptSource, promptMessages } from "./prompt-source.ts";
export { renderSweepChart } from "./sweep-chart.ts";
export { sweepTable } from "./sweep-table.ts";
export { syntheticPrompt } from "./synthetic-prompt.ts";
