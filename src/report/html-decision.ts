/**
 * How index.html prints the ship decision. The words and numbers are decision-text.ts's, as report.md and the
 * terminal print them; this adds the markup (escaped, the verdict coloured) and what only the verdicts table shows:
 * the interval a verdict read and its threshold. A Decision absent (a report written before verdicts existed) and
 * one that is null (nothing paired, or nothing to decide) both print "—". Pure.
 */
import type { Margin } from "../metrics/index.ts";
import { recoveryCell, verdictCell } from "./decision-text.ts";
import { fixed, NONE, signedPp } from "./format.ts";
import { escapeHtml } from "./html-escape.ts";
import type { Decision, NonInferiorityFigure, RecoveryFigure } from "./report-types.ts";

/** `97.1% [93.0, ∞)`: recovery, then its paired bootstrap 95% interval as a note (on a line of its own in a table). */
export function recoveryHtml(recovery: RecoveryFigure | null | undefined): string {
  const [value, interval] = recoveryCell(recovery).split(/ (?=\[)/);
  return interval === undefined
    ? escapeHtml(value ?? NONE)
    : `${escapeHtml(value ?? "")} <span class="ci note">${escapeHtml(interval)}</span>`;
}

/** The verdict in words, coloured by kind; an inconclusive one says how many items would decide. */
export function verdictHtml(decision: Decision | null | undefined): string {
  const figure = decision?.nonInferiority;
  if (figure === null || figure === undefined) return NONE;
  return `<span class="ni ${figure.verdict}">${escapeHtml(verdictCell(decision))}</span>`;
}

/** A ratio as a percent, "∞" for an end that is unbounded (a recovery interval's high, null). */
function ratioPercent(ratio: number | null): string {
  return ratio === null ? "∞" : `${fixed(ratio * 100, 1)}%`;
}

/** What the margin asks of the interval's lower end: "Δ above -1.0 pp" or "recovery above 99.0%". */
export function marginRule(margin: Margin): string {
  return margin.kind === "pp" ? `Δ above ${signedPp(-margin.pp)} pp` : `recovery above ${ratioPercent(margin.ratio)}`;
}

/** The interval a verdict read, on its margin's scale: "-2.1 to +0.5 pp" or "96.0% to ∞". */
export function verdictIntervalHtml(figure: NonInferiorityFigure, margin: Margin): string {
  const { low, high } = figure.interval;
  const text =
    margin.kind === "pp"
      ? `${signedPp(low)} to ${high === null ? "∞" : signedPp(high)} pp`
      : `${ratioPercent(low)} to ${ratioPercent(high)}`;
  if (figure.basis === "no-item-differs") return `${text} <span class="ci note">(exact: no item differs)</span>`;
  if (figure.basis === "unseen-direction")
    return `${text} <span class="ci note">(exact on the side no item went)</span>`;
  return text;
}

/** The threshold the interval was compared with: "-1.0 pp" or "99.0%". */
export function thresholdText(figure: NonInferiorityFigure, margin: Margin): string {
  return margin.kind === "pp" ? `${signedPp(figure.threshold)} pp` : ratioPercent(figure.threshold);
}
