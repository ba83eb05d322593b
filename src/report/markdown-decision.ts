/**
 * report.md's headline: can each variant replace the reference? Per task, Δ and recovery with their intervals
 * (on every sample) and the non-inferiority verdict at the margin, with the items that would decide an
 * inconclusive one; then the overall recovery, the capacity at SLO when a bench is attached and, when
 * `--fail-below` asked for it, the gate.
 */
import { marginLabel, recoveryCell, verdictCell, verdictSummary } from "./decision-text.ts";
import { deltaCell, fixed, integer, NONE } from "./format.ts";
import { legendLines } from "./legend-text.ts";
import { OVERALL_LABEL } from "./markdown-accuracy.ts";
import { capacityDecisionLines } from "./markdown-capacity.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";
import type { ReportData } from "./report-types.ts";

const MARGIN_SOURCE = { default: "the default", config: "report.margin", flag: "--fail-below" } as const;

export function decisionSection(report: ReportData): string {
  const margin = marginLabel(report.decision?.margin);
  const columns: Column[] = [
    { header: "Task", align: "left" },
    { header: "Variant", align: "left" },
    { header: "Paired n", align: "right" },
    { header: "Δ pp [95% CI]", align: "right" },
    { header: "Recovery [95% CI]", align: "right" },
    { header: "MDE pp", align: "right" },
    { header: `Verdict (margin ${margin})`, align: "left" },
  ];
  const rows = report.tasks.flatMap((task) =>
    (task.rows[0]?.deltas ?? []).map((d) => {
      const decision = d.decision;
      const samples = task.samples > 1 ? ` (avg@${task.samples})` : "";
      return [
        task.name,
        d.variant,
        decision == null ? String(d.paired) : String(decision.paired),
        decision == null ? NONE : `${deltaCell(decision.deltaPp, decision.ci95Pp)}${samples}`,
        recoveryCell(decision?.recovery),
        fixed(decision?.mdePp ?? null, 1),
        task.unavailable !== undefined && d.paired === 0 ? "N/A" : verdictCell(decision),
      ];
    }),
  );
  for (const o of report.overall) {
    if (o.variant === report.reference) continue;
    rows.push([
      OVERALL_LABEL,
      o.variant,
      o.decision == null ? NONE : String(o.decision.paired),
      o.decision == null ? NONE : deltaCell(o.decision.deltaPp, o.decision.ci95Pp),
      recoveryCell(o.recovery),
      NONE,
      verdictSummary(
        o.verdicts ?? [],
        report.tasks.map((t) => t.name),
      ),
    ]);
  }
  const legend = legendLines("markdown/decision", {
    reference: report.reference,
    margin,
    "margin-source": MARGIN_SOURCE[report.decision?.marginSource ?? "default"],
    resamples: integer(report.bootstrap.resamples),
    seed: report.bootstrap.seed,
    sampled: report.tasks.some((t) => t.samples > 1),
  });
  return [markdownTable(columns, rows), ...capacityDecisionLines(report), ...gateLines(report), quote(legend)].join(
    "\n\n",
  );
}

function gateLines(report: ReportData): string[] {
  const gate = report.decision?.gate;
  if (gate === undefined) return [];
  const margin = marginLabel(report.decision?.margin);
  if (gate.passed)
    return [`**Gate passed** (\`--fail-below\` ${margin}): every variant is non-inferior on ${gate.tasks.join(", ")}.`];
  const failures = gate.failures.map((f) => `${f.variant} on ${f.task} (${f.verdict})`).join("; ");
  return [
    `**Gate failed** (\`--fail-below\` ${margin}, tasks ${gate.tasks.join(", ")}): ${failures}. ` +
      `${gate.failures.length} pair(s) not shown non-inferior; the exit code is 4.`,
  ];
}
