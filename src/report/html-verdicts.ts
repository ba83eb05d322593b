/**
 * The section index.html opens with: per variant, whether it is non-inferior to the reference on each task at the
 * margin, with recovery (and the capacity ratio when a bench is attached); then the gate when one was asked for,
 * and a table of the figures each verdict read. The verdicts are on each task's own row (breakdown rows have theirs
 * in the delta table). Pure.
 */
import { capacityClaim } from "./capacity-text.ts";
import { marginLabel } from "./decision-text.ts";
import { NONE } from "./format.ts";
import { marginRule, recoveryHtml, thresholdText, verdictHtml, verdictIntervalHtml } from "./html-decision.ts";
import { escapeHtml } from "./html-escape.ts";
import { filterAttributes } from "./html-flips.ts";
import { legend, type Row, table } from "./html-table.ts";
import { legendLines } from "./legend-text.ts";
import type { Decision, DecisionSettings, Gate, ReportData } from "./report-types.ts";

const SOURCE: Record<DecisionSettings["marginSource"], string> = {
  flag: "from --fail-below",
  config: "from the config's report.margin",
  default: "the default",
};

interface TaskDecision {
  task: string;
  variant: string;
  /** Null: nothing paired (or nothing to decide); undefined: a report from before verdicts. */
  decision: Decision | null | undefined;
  /** The task's data could not be had: N/A rather than "no verdict". */
  unavailable: boolean;
}

export function verdictsSection(report: ReportData): string {
  const settings = report.decision;
  if (settings === undefined)
    return '<p class="missing">No verdicts: this report predates them (run <code>quanteval report</code> again).</p>';
  const variants = report.variants.filter((v) => !v.isReference).map((v) => v.name);
  if (variants.length === 0) return '<p class="missing">Only the reference was run: there is nothing to compare.</p>';
  const decisions: TaskDecision[] = variants.flatMap((variant) =>
    report.tasks.map((t) => ({
      task: t.name,
      variant,
      decision: t.rows[0]?.deltas.find((d) => d.variant === variant)?.decision,
      unavailable: t.unavailable !== undefined,
    })),
  );
  const marginLine =
    `<p class="margin"><b>Margin</b>: ${escapeHtml(marginLabel(settings.margin))} (${SOURCE[settings.marginSource]}): ` +
    `a variant is non-inferior to <b>${escapeHtml(report.reference)}</b> on a task when the lower end of the 95% ` +
    `interval has ${escapeHtml(marginRule(settings.margin))}.</p>`;
  const list = variants.map((variant) => variantLine(report, variant, decisions));
  return [
    marginLine,
    ...(settings.gate === undefined ? [] : [gateLine(settings.gate)]),
    `<ul class="verdicts">${list.join("")}</ul>`,
    verdictsTable(settings, decisions),
    legend(
      legendLines("html/verdicts", {
        reference: report.reference,
        pp: settings.margin.kind === "pp",
        recovery: settings.margin.kind === "recovery",
        rule: marginRule(settings.margin),
        "one-sided": `${(settings.oneSidedLevel * 100).toFixed(1)}%`,
        resamples: report.bootstrap.resamples,
        seed: report.bootstrap.seed,
        samples: decisions.some((d) => (d.decision?.samples ?? 1) > 1),
        gate: settings.gate !== undefined,
      }),
    ),
  ].join("\n");
}

/** "fp8: overall recovery 98.2% [95.0, 101.3]; suite40 non-inferior; gpqa inconclusive at n = 198 (~370 …)". */
function variantLine(report: ReportData, variant: string, decisions: readonly TaskDecision[]): string {
  const tasks = decisions
    .filter((d) => d.variant === variant)
    .map((d) => `${escapeHtml(d.task)} ${d.decision?.nonInferiority == null ? noVerdict(d) : verdictHtml(d.decision)}`);
  const overall = report.overall.find((o) => o.variant === variant)?.recovery;
  const recovery = overall == null ? [] : [`overall recovery ${recoveryHtml(overall)}`];
  const claim = report.capacity === undefined ? undefined : capacityClaim(report.capacity, variant, report.reference);
  const link = '<a class="note" href="#capacity">(Capacity at SLO)</a>';
  const capacity = claim === undefined ? [] : [`${escapeHtml(claim)} ${link}`];
  const parts = [...recovery, ...tasks, ...capacity].join("; ");
  return `<li ${filterAttributes(undefined, variant)}><b>${escapeHtml(variant)}</b>: ${parts}</li>`;
}

function noVerdict(d: TaskDecision): string {
  return `<span class="ni no-verdict">${d.unavailable ? "N/A" : "no verdict"}</span>`;
}

function gateLine(gate: Gate): string {
  const tasks = escapeHtml(gate.tasks.join(", "));
  const failures = gate.failures.map((f) => escapeHtml(`${f.variant} on ${f.task} (${f.verdict})`));
  const outcome = gate.passed
    ? '<span class="ni non-inferior">passed</span>'
    : `<span class="ni inferior">failed</span>: ${failures.join(", ")}`;
  return `<p class="gate"><b>Gate</b> (--fail-below, tasks ${tasks}): ${outcome}.</p>`;
}

function verdictsTable(settings: DecisionSettings, decisions: readonly TaskDecision[]): string {
  const rows: Row[] = decisions.map(({ task, variant, decision, unavailable }): Row => {
    const figure = decision?.nonInferiority ?? null;
    const samples = decision !== null && decision !== undefined && decision.samples > 1 ? ` × ${decision.samples}` : "";
    return {
      attributes: filterAttributes(task, variant),
      cells: [
        escapeHtml(variant),
        escapeHtml(task),
        decision === null || decision === undefined ? NONE : `${decision.paired}${samples}`,
        figure === null ? NONE : verdictIntervalHtml(figure, settings.margin),
        figure === null ? NONE : thresholdText(figure, settings.margin),
        recoveryHtml(decision?.recovery),
        unavailable && figure === null ? "N/A" : verdictHtml(decision),
      ],
    };
  });
  const interval = settings.margin.kind === "pp" ? "#Δ 95% interval" : "#Recovery 95% interval";
  return table(["Variant", "Task", "#Paired n", interval, "#Threshold", "#Recovery [95%]", "Verdict"], rows);
}
