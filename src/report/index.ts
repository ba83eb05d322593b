/** The report's API: journals → report files, for `run`, `report`, `regrade` and `compare`. */

export { comparabilityProblems } from "./comparability.ts";
export { type CompareOptions, compareRuns } from "./compare-runs.ts";
export { type ReportStatsOptions, reportInputFromRun, type UnreadableJournal } from "./report-input.ts";
export { type WrittenReport, writeReport } from "./write-report.ts";
