/**
 * `quanteval import lm-eval <output_dir>`: lm-evaluation-harness's results and --log_samples files for one model,
 * written as one variant of a quanteval run. Import each precision under its own run id, then `quanteval compare`
 * joins them into the paired report.
 */
import { resolve } from "node:path";
import { importLmEval, parseMetricFlags } from "../../import/index.ts";
import { splitList } from "../config-flags.ts";
import type { CommandContext } from "../io.ts";

export interface ImportFlags {
  variant?: string;
  runId?: string;
  artifacts: string;
  tasks?: string;
  metric: string[];
}

export function importLmEvalCommand(outputDir: string, flags: ImportFlags, { root, io }: CommandContext): void {
  const result = importLmEval(resolve(io.cwd, outputDir), {
    artifacts: resolve(io.cwd, flags.artifacts),
    metrics: parseMetricFlags(flags.metric),
    root,
    now: Date.now,
    ...(flags.variant !== undefined ? { variant: flags.variant } : {}),
    ...(flags.runId !== undefined ? { runId: flags.runId } : {}),
    ...(flags.tasks !== undefined ? { tasks: splitList(flags.tasks) } : {}),
  });
  for (const t of result.tasks) {
    const how = t.metric.source === "flag" ? "--metric" : "default";
    io.stdout(`${t.name}: ${t.items} items, ${t.correct} correct by ${t.metric.metric},${t.metric.filter} (${how})\n`);
  }
  const artifacts = flags.artifacts !== "artifacts" ? ` --artifacts ${flags.artifacts}` : "";
  io.stderr(
    `imported ${result.resultsFile} as variant ${result.variant} of run ${result.runId}; ` +
      `\`quanteval report ${result.runId}${artifacts}\` reports it, ` +
      `\`quanteval compare ${result.runId} <other run ids>${artifacts}\` pairs it with other precisions\n`,
  );
}
