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
export { type MaxRatePlan, trialWarmupFor } from "./max-rate-run.ts";
export { maxRateTable } from "./max-rate-table.ts";
export { readPromptFile } from "./prompt-file.ts";
export { type PromptSource, withTokenizer } from "./prompt-source.ts";
export { renderRateLatencyChart } from "./rate-latency-chart.ts";
export { type OpenLoopSender, openLoopRateSender } from "./rate-trial.ts";
export { readRunPrompts } from "./run-prompts.ts";
export { parseScenario, type Scenario, scenarioLabel } from "./scenario.ts";
export { parseSloInto, type Slo } from "./slo.ts";
export { renderSweepChart } from "./sweep-chart.ts";
export { sweepTable } from "./sweep-table.ts";
export { syntheticPrompt } from "./synthetic-prompt.ts";
export { type TokenizerField, variantTokenizerField } from "./tokenizer.ts";
export { resolveTokenizer } from "./tokenizer-source.ts";
