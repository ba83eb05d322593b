/** The report's I/O edge: read the manifest and journals, build the report, write report.md, scores.csv, scores.json. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ReportConfigSchema } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { type ReportData, type ReportInput, buildReport } from "../report/summary.ts";
import { writeCharts } from "../report/charts.ts";
import { renderHtml } from "../report/html.ts";
import { renderCsv, renderJson, renderMarkdown, renderTerminalSummary } from "../report/tables.ts";
import { journalPath, readJournal } from "../runner/journal.ts";
import { type Manifest, readManifest } from "../runner/manifest.ts";
import type { JournalRecord } from "../runner/record.ts";

export interface WrittenReport { dir: string; table: string; report: ReportData }

/** Statistics options of `quanteval report`, over the run config's `report` block. */
export interface ReportStatsOptions {
  /** Bootstrap resamples per delta (--resamples); default: the run config's report.bootstrapResamples. */
  resamples?: number;
  /** Bootstrap seed (--bootstrap-seed); default: the run config's report.bootstrapSeed. */
  bootstrapSeed?: number;
}

export function reportInputFromRun(manifest: Manifest, records: readonly JournalRecord[], options: ReportStatsOptions = {}): ReportInput {
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
        ...(variant.batchInvariant !== undefined ? { batchInvariant: variant.batchInvariant } : {}),
        // Runs from before the list was kept recorded only the latest start-up.
        ...(state?.serverStartupsSec !== undefined ? { serverStartupsSec: state.serverStartupsSec }
          : state?.serverStartupSec !== undefined ? { serverStartupsSec: [state.serverStartupSec] } : {}),
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
    bootstrap: {
      resamples: options.resamples ?? config.report.bootstrapResamples,
      seed: options.bootstrapSeed ?? config.report.bootstrapSeed,
    },
  };
}

/**
 * `--resamples <n>` and `--bootstrap-seed <n>` as commander hands them over (strings), checked by the same schema as
 * the config's `report` block, so the limits and messages agree.
 */
export function reportStatsFromFlags(flags: { resamples?: string; bootstrapSeed?: string }): ReportStatsOptions {
  const raw: Record<string, unknown> = {};
  if (flags.resamples !== undefined) raw.bootstrapResamples = asNumber(flags.resamples);
  if (flags.bootstrapSeed !== undefined) raw.bootstrapSeed = asNumber(flags.bootstrapSeed);
  // The whole block is parsed (the absent field takes its default, which is valid); only the given flags are kept.
  const parsed = ReportConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const flagOf: Record<string, string> = { bootstrapResamples: "--resamples", bootstrapSeed: "--bootstrap-seed" };
    throw new ConfigError(parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      return `flags: ${flagOf[key] ?? key} ${String(raw[key])}: ${issue.message}`;
    }), "give --resamples a whole number from 100 to 1000000 (default 10000) and --bootstrap-seed a whole number >= 0", "report options");
  }
  return {
    ...(flags.resamples !== undefined ? { resamples: parsed.data.bootstrapResamples } : {}),
    ...(flags.bootstrapSeed !== undefined ? { bootstrapSeed: parsed.data.bootstrapSeed } : {}),
  };
}

function asNumber(text: string): number | string {
  const value = Number(text.replace(/_/g, ""));
  return text.trim() === "" || Number.isNaN(value) ? text : value;
}

export function readRunRecords(artifactsDir: string, manifest: Manifest): JournalRecord[] {
  const records: JournalRecord[] = [];
  // Every variant was sent the same prompts: one copy of each kept, not one per variant and sample.
  const prompts = new Map<string, string>();
  for (const variant of manifest.config.variants) {
    for (const task of manifest.tasks) {
      // A loop, not push(...): a spread of a 100k-record journal (12k items × samples) overflows the call stack.
      for (const record of readJournal(journalPath(artifactsDir, manifest.runId, variant.name, task.name)).records) {
        for (const message of record.request.messages) {
          const kept = prompts.get(message.content);
          if (kept === undefined) prompts.set(message.content, message.content);
          else message.content = kept;
        }
        records.push(record);
      }
    }
  }
  return records;
}

export async function writeReport(options: { artifactsDir: string; reportsDir: string; runId: string; stats?: ReportStatsOptions }): Promise<WrittenReport> {
  const manifest = readManifest(options.artifactsDir, options.runId);
  const records = readRunRecords(options.artifactsDir, manifest);
  return writeReportFiles(join(options.reportsDir, options.runId), manifest, records, options.stats);
}

/**
 * report.md, scores.csv, scores.json, charts/*.svg|png and index.html for a manifest and its records (one run,
 * or several joined by `compare`).
 */
export async function writeReportFiles(dir: string, manifest: Manifest, records: readonly JournalRecord[], stats?: ReportStatsOptions): Promise<WrittenReport> {
  const report = buildReport(reportInputFromRun(manifest, records, stats));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "report.md"), renderMarkdown(report));
  writeFileSync(join(dir, "scores.csv"), renderCsv(report));
  writeFileSync(join(dir, "scores.json"), renderJson(report));
  const charts = await writeCharts(dir, report);
  writeFileSync(join(dir, "index.html"), renderHtml(report, records, charts));
  return { dir, table: renderTerminalSummary(report), report };
}
