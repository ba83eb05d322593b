/** The report's API: journals → report files, for `run`, `report`, `regrade` and `compare`. */

// `report --bench` and `bench --run`: a max-rate bench attached to a run.
export { attachBench, detachBench } from "./attach-bench.ts";
export { benchFileOf } from "./capacity-bench.ts";
export { checkCapacityMatch, runVariantsOf } from "./capacity-match.ts";
export { capacityClaim } from "./capacity-text.ts";
// For the bench command and the load generator's sweep table and chart.
export { TABLEAU_10 } from "./chart-data.ts";
export { svgToPng, toSvg } from "./charts.ts";
export { comparabilityProblems } from "./comparability.ts";
export { compareRuns } from "./compare-runs.ts";
export { marginLabel } from "./decision-text.ts";
export { fixed, integer, percent, perSecond, qps, seconds } from "./format.ts";
export { type Column, markdownTable } from "./markdown-table.ts";
export { type PrecisionTableFormat, renderPrecisionTable } from "./precision-table-format.ts";
export { type ReportStatsOptions, reportInputFromRun } from "./report-input.ts";
export type { ReportData } from "./report-types.ts";
export { type WrittenReport, writeReport } from "./write-report.ts";
