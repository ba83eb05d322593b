/**
 * `quanteval compare <run-id…>`'s library: one report from runs made at different times, e.g. one variant per run on a
 * single GPU. The runs must have asked the same questions the same way — same tasks and items, same data
 * (file sha256), same task options, max_tokens, samples and sampling — and byte-identical prompts; otherwise
 * the paired comparison would compare different experiments, so compare refuses and names every difference.
 */
import { join } from "node:path";
import { ConfigError } from "../core/errors.ts";
import { readManifest } from "../journal/index.ts";
import { comparabilityProblems, type PromptPrint, promptPrint } from "./comparability.ts";
import { joinManifests } from "./join-manifests.ts";
import { type RunRecords, readRunRecords, runJournals } from "./read-journals.ts";
import type { ReportStatsOptions } from "./report-input.ts";
import { type WrittenReport, writeReportFiles } from "./write-report.ts";

export interface CompareOptions {
  artifacts: string;
  reports: string;
  name?: string;
  reference?: string;
}

export async function compareRuns(
  runIds: readonly string[],
  options: CompareOptions,
  stats?: ReportStatsOptions,
): Promise<WrittenReport> {
  if (runIds.length < 2)
    throw new ConfigError(
      [`compare: ${runIds.length} run id given`],
      "name two or more runs to join, e.g. `quanteval compare qwen3-nvfp4 qwen3-bf16`",
    );
  const manifests = runIds.map((id) => readManifest(options.artifacts, id));
  const prompts = new Map<string, PromptPrint[]>();
  const runs = manifests.map((m) => {
    const prints: PromptPrint[] = [];
    prompts.set(m.runId, prints);
    return readRunRecords(runJournals(options.artifacts, m), (record) => prints.push(promptPrint(record)));
  });
  const problems = comparabilityProblems(manifests, prompts);
  if (problems.length > 0) {
    throw new ConfigError(
      problems,
      "join only runs that asked the same items the same way: same --tasks, task options, --limit, sampling and data; rerun a variant with the other run's settings (`quanteval run --resume <id>` keeps them)",
      "comparison",
    );
  }
  const name = options.name ?? `compare-${runIds.join("+")}`.slice(0, 120).replace(/[^A-Za-z0-9._+-]/g, "_");
  const joined = joinManifests(manifests, name, options.reference);
  const joinedRun: RunRecords = {
    journals: runs.flatMap((r) => r.journals),
    records: runs.flatMap((r) => r.records),
    unreadable: runs.flatMap((r) => r.unreadable),
  };
  return writeReportFiles(join(options.reports, name), joined, joinedRun, stats);
}
