/** Answers made elsewhere, brought in as quanteval runs: lm-evaluation-harness's --log_samples output. */

export { parseMetricFlags } from "./lm-eval-metric.ts";
export { importLmEval } from "./lm-eval-run.ts";
export { comparableTaskConfig } from "./lm-eval-task-config.ts";
