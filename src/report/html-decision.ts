/**
 * How index.html prints the ship decision: recovery with its interval, the non-inferiority verdict, the margin and
 * the interval the verdict read. Returns escaped HTML. A Decision absent (a report written before verdicts existed)
 * and one that is null (nothing paired, or nothing to decide) both print "—". Pure.
 */
import type { Margin } from "../metrics/index.ts";
import { fixed, integer, NONE, signedPp } from "./format.ts";
import type { NonInferiorityFigure, RecoveryFigure } from "./report-types.ts";

/** A ratio as a percent, "∞" for an end that is unbounded (a recovery interval's high, null). */
function ratioPercent(ratio: number | null): string {
  return ratio === null ? "∞" : `${fixed(ratio * 100, 1)}%`;
}

/** `97.1% [93.0–∞]`: recovery and its paired bootstrap 95% interval. */
export function recoveryCell(recovery: RecoveryFigure | null | undefined): string {
  if (recovery === null || recovery === undefined) return NONE;
  const { low, high } = recovery.ci95;
  const interval = `${fixed(low * 100, 1)}–${high === null ? "∞" : fixed(high * 100, 1)}`;
  return `${ratioPercent(recovery.value)} <span class="ci">[${interval}]</span>`;
}

/** The verdict in words, coloured; "inconclusive at this n" says how many paired items would decide. */
export function verdictCell(figure: NonInferiorityFigure | null | undefined): string {
  if (figure === null || figure === undefined) return NONE;
  const word = figure.verdict === "inconclusive" ? "inconclusive at this n" : figure.verdict;
  return `<span class="ni ${figure.verdict}">${word}</span>${figure.verdict === "inconclusive" ? ` <span class="ci">(${itemsNeededText(figure.itemsNeeded)})</span>` : ""}`;
}

export function itemsNeededText(itemsNeeded: number | null): string {
  return itemsNeeded === null ? "no n decides at the observed difference" : `${integer(itemsNeeded)} items needed`;
}

/** The margin as the user set it: "1.0 pp" or "99.0% recovery". */
export function marginText(margin: Margin): string {
  return margin.kind === "pp" ? `${fixed(margin.pp, 1)} pp` : `${ratioPercent(margin.ratio)} recovery`;
}

/** What the margin asks of the interval's lower end: "Δ above -1.0 pp" or "recovery above 99.0%". */
export function marginRule(margin: Margin): string {
  return margin.kind === "pp" ? `Δ above ${signedPp(-margin.pp)} pp` : `recovery above ${ratioPercent(margin.ratio)}`;
}

/** The interval a verdict read, on its margin's scale: "-2.1 to +0.5 pp" or "96.0% to ∞". */
export function verdictIntervalText(figure: NonInferiorityFigure, margin: Margin): string {
  const { low, high } = figure.interval;
  const text =
    margin.kind === "pp"
      ? `${signedPp(low)} to ${high === null ? "∞" : signedPp(high)} pp`
      : `${ratioPercent(low)} to ${ratioPercent(high)}`;
  return figure.basis === "no-item-differs" ? `${text} <span class="ci">(exact: no item differs)</span>` : text;
}

/** The threshold the interval was compared with: "-1.0 pp" or "99.0%". */
export function thresholdText(figure: NonInferiorityFigure, margin: Margin): string {
  return margin.kind === "pp" ? `${signedPp(figure.threshold)} pp` : ratioPercent(figure.threshold);
}
