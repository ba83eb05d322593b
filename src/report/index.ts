/** The report's API: journals → report files, for `run`, `report`, `regrade` and `compare`. */
export { type CompareOptions, compareRuns } from "./compare-runs.ts";
export { comparabilityProblems } from "./comparability.ts";
export { type ReportStatsOptions, type UnreadableJournal, reportInputFromRun } from "./report-input.ts";
export { type WrittenReport, writeReport } from "./write-report.ts";
