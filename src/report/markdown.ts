/**
 * ReportData → report.md (the terminal summary is terminal-summary.ts). Every table carries a legend (legends/*.md) that says what each
 * number is, its n and how it was computed: a statistic without its method is not a result.
 * report.md: header, accuracy, deltas (bootstrap interval, McNemar, MDE, reading), what this n can show, repeats,
 * counts, throughput, speed × accuracy, capacity at SLO (with a bench attached), pass@k, token divergence (when the
 * run has it), tasks and data, incomplete variants, and last the flipped items linked to index.html.
 */
import { renderScoreTable } from "./markdown-accuracy.ts";
import { capacitySection } from "./markdown-capacity.ts";
import { countsTable, errorsTable } from "./markdown-counts.ts";
import { decisionSection } from "./markdown-decision.ts";
import { deltaTable, detectableSection } from "./markdown-delta.ts";
import { divergenceSection } from "./markdown-divergence.ts";
import { flipsSection } from "./markdown-flips.ts";
import { problemRatesTable } from "./markdown-problems.ts";
import { header, incompleteVariants, tasksTable } from "./markdown-run.ts";
import { passAtKTable, repeatsTable } from "./markdown-samples.ts";
import { speedSection } from "./markdown-speed.ts";
import { servingTable, throughputTable } from "./markdown-throughput.ts";
import type { ReportData } from "./report-types.ts";

export function renderMarkdown(report: ReportData): string {
  const sections = [
    header(report),
    ...(report.variants.length > 1
      ? [`## Decision vs reference (${report.reference})\n\n${decisionSection(report)}`]
      : []),
    `## Accuracy\n\n${renderScoreTable(report)}`,
    ...(report.tasks.some((t) => t.problemRates !== undefined)
      ? [`## Main problems (all sub-steps passed)\n\n${problemRatesTable(report)}`]
      : []),
    `## Delta vs reference (${report.reference})\n\n${deltaTable(report)}`,
    ...(report.variants.length > 1 ? [`## What this n can show\n\n${detectableSection(report)}`] : []),
    ...(report.tasks.some((t) => t.samples > 1) ? [`## Repeats (noise floor)\n\n${repeatsTable(report)}`] : []),
    `## Counts\n\n${countsTable(report)}`,
    ...(report.errors.length > 0 ? [`## Errors\n\n${errorsTable(report)}`] : []),
    `## Throughput\n\n${throughputTable(report)}`,
    ...(report.serving.length > 0 ? [`## Server start-up (with / without load time)\n\n${servingTable(report)}`] : []),
    ...(report.variants.length > 1 ? [`## Speed × accuracy (vs ${report.reference})\n\n${speedSection(report)}`] : []),
    ...(report.capacity === undefined
      ? []
      : [`## Capacity at SLO (vs ${report.reference})\n\n${capacitySection(report.capacity, report.reference)}`]),
    ...(report.tasks.some((t) => t.samples > 1)
      ? [`## pass@k (several samples per item)\n\n${passAtKTable(report)}`]
      : []),
    ...(report.divergence === undefined
      ? []
      : [`## Token divergence vs reference (${report.reference})\n\n${divergenceSection(report.divergence)}`]),
    `## Tasks and data\n\n${tasksTable(report)}`,
  ];
  const incomplete = incompleteVariants(report);
  if (incomplete !== "") sections.push(incomplete);
  if (report.variants.length > 1) sections.push(`## Flipped items\n\n${flipsSection(report)}`);
  return `${sections.join("\n\n")}\n`;
}
