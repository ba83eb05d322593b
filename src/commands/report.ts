/** The report's I/O edge: read the manifest and journals, build the report, write report.md, scores.csv, scores.json. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ReportData, type ReportInput, buildReport } from "../report/summary.ts";
import { renderCsv, renderJson, renderMarkdown, renderTerminalSummary } from "../report/tables.ts";
import { journalPath, readJournal } from "../runner/journal.ts";
import { type Manifest, readManifest } from "../runner/manifest.ts";
import type { JournalRecord } from "../runner/record.ts";

export interface WrittenReport { dir: string; table: string; report: ReportData }

export function reportInputFromRun(manifest: Manifest, records: readonly JournalRecord[]): ReportInput {
  const { config } = manifest;
  return {
    runId: manifest.runId,
    reference: manifest.reference,
    variants: config.variants.map((variant) => {
      const state = manifest.variants.find((v) => v.name === variant.name);
      const status = state?.status === "done" || state?.status === "failed" ? state.status : "pending";
      return {
        name: variant.name, model: variant.model, endpoint: variant.baseUrl, status,
        ...(state?.error !== undefined ? { error: `${state.error.code}: ${state.error.message}` } : {}),
      };
    }),
    tasks: manifest.tasks.map((t) => ({
      name: t.name, breakdowns: t.breakdowns, itemCount: t.itemCount, maxTokens: t.maxTokens, files: t.files, notices: t.notices, samples: t.samples,
      ...(t.unavailable !== undefined ? { unavailable: t.unavailable } : {}),
    })),
    sampling: {
      temperature: config.sampling.temperature,
      ...(config.sampling.maxTokens !== undefined ? { maxTokens: config.sampling.maxTokens } : {}),
      ...(config.sampling.topP !== undefined ? { topP: config.sampling.topP } : {}),
      ...(config.sampling.seed !== undefined ? { seed: config.sampling.seed } : {}),
    },
    concurrency: config.concurrency,
    stream: config.stream,
    records,
  };
}

export function readRunRecords(artifactsDir: string, manifest: Manifest): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (const variant of manifest.config.variants) {
    for (const task of manifest.tasks) {
      records.push(...readJournal(journalPath(artifactsDir, manifest.runId, variant.name, task.name)).records);
    }
  }
  return records;
}

export function writeReport(options: { artifactsDir: string; reportsDir: string; runId: string }): WrittenReport {
  const manifest = readManifest(options.artifactsDir, options.runId);
  const report = buildReport(reportInputFromRun(manifest, readRunRecords(options.artifactsDir, manifest)));
  const dir = join(options.reportsDir, options.runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "report.md"), renderMarkdown(report));
  writeFileSync(join(dir, "scores.csv"), renderCsv(report));
  writeFileSync(join(dir, "scores.json"), renderJson(report));
  return { dir, table: renderTerminalSummary(report), report };
}
