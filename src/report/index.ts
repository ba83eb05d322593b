/** The report's API: journals → report files, for `run`, `report`, `regrade` and `compare`. */
export { type CompareOptions, compareRuns } from "./compare-runs.ts";
export { type PromptPrint, comparabilityProblems, promptPrint } from "./comparability.ts";
export { joinManifests } from "./join-manifests.ts";
export { type JournalFile, type RunRecords, readFlipRecords, readRunRecords, runJournals } from "./read-journals.ts";
export { type ReportStatsOptions, type UnreadableJournal, reportInputFromRun } from "./report-input.ts";
export { type ReportRecord, toReportRecord } from "./report-record.ts";
export { type WrittenReport, writeReport, writeReportFiles } from "./write-report.ts";
