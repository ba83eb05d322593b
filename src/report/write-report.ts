/** The report's files: report.md, scores.csv, scores.json, charts/*.svg|png and index.html, for one run or several. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isWriteFailure, type Manifest, readManifest, writeFailure } from "../journal/index.ts";
import { type CapacityAttachment, readCapacityAttachment } from "./capacity-attachment.ts";
import { checkCapacityMatch, runVariantsOf } from "./capacity-match.ts";
import { writeCharts } from "./charts.ts";
import { readRunDivergence } from "./divergence-input.ts";
import { divergencePoints } from "./divergence-report.ts";
import type { RunDivergence } from "./divergence-types.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";
import { type RunRecords, readFlipRecords, readRunRecords, runJournals } from "./read-journals.ts";
import { type ReportStatsOptions, reportInputFromRun } from "./report-input.ts";
import type { ReportData } from "./report-types.ts";
import { renderCsv } from "./scores-csv.ts";
import { renderJson } from "./scores-json.ts";
import { buildReport } from "./summary.ts";
import { renderTerminalSummary } from "./terminal-summary.ts";

export interface WrittenReport {
  dir: string;
  table: string;
  report: ReportData;
}

/** The report of one run, from its manifest and journals, into `<reportsDir>/<runId>/`. */
export async function writeReport(options: {
  artifactsDir: string;
  reportsDir: string;
  runId: string;
  stats?: ReportStatsOptions;
}): Promise<WrittenReport> {
  const manifest = readManifest(options.artifactsDir, options.runId);
  const run = readRunRecords(runJournals(options.artifactsDir, manifest));
  const divergence = readRunDivergence(options.artifactsDir, manifest);
  const capacity = readCapacityAttachment(options.artifactsDir, options.runId);
  if (capacity !== undefined)
    checkCapacityMatch(capacity.variants, `bench ${capacity.bench.id}`, runVariantsOf(manifest));
  return writeReportFiles(join(options.reportsDir, options.runId), manifest, run, options.stats, divergence, capacity);
}

/**
 * The report of a manifest and its journals' records (one run, or several joined by `compare`) into `dir`, with the
 * run's token divergence when it has divergence journals and the capacity at SLO of the bench attached to it.
 */
export async function writeReportFiles(
  dir: string,
  manifest: Manifest,
  run: RunRecords,
  stats?: ReportStatsOptions,
  divergence?: RunDivergence,
  capacity?: CapacityAttachment,
): Promise<WrittenReport> {
  const input = reportInputFromRun(manifest, run.records, stats, run.unreadable);
  const report = buildReport({
    ...input,
    ...(divergence === undefined ? {} : { divergence }),
    ...(capacity === undefined ? {} : { capacity }),
  });
  const flipRecords = readFlipRecords(run.journals, report.flips, report.reference);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "report.md"), renderMarkdown(report));
    writeFileSync(join(dir, "scores.csv"), renderCsv(report));
    writeFileSync(join(dir, "scores.json"), renderJson(report));
    const points = divergence === undefined ? [] : divergencePoints(divergence, report.flips);
    const charts = await writeCharts(dir, report, points);
    writeFileSync(join(dir, "index.html"), renderHtml(report, flipRecords, charts));
  } catch (error) {
    if (isWriteFailure(error)) {
      throw writeFailure(
        error.path ?? dir,
        error,
        "write the report again (`quanteval report <run-id> --reports <dir>`)",
      );
    }
    throw error;
  }
  return { dir, table: renderTerminalSummary(report), report };
}
