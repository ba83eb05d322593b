/**
 * How a decision reads in words and cells, shared by report.md, the terminal and the pasteable tables: recovery
 * with its interval, the verdict at the margin, and the margin itself. Pure.
 */
import { fixed, NONE } from "./format.ts";
import type { Decision, DecisionSettings, NonInferiorityFigure, RecoveryFigure } from "./report-types.ts";

/** "1 pp" or "99% recovery". */
export function marginLabel(margin: DecisionSettings["margin"] | undefined): string {
  const m = margin ?? { kind: "pp", pp: 1 };
  return m.kind === "pp" ? `${+m.pp.toFixed(4)} pp` : `${+(m.ratio * 100).toFixed(4)}% recovery`;
}

/** `97.5% [94.1, 100.0]`, `100.0% [90.0, ∞)` when unbounded above, "—" when there is none. */
export function recoveryCell(recovery: RecoveryFigure | null | undefined): string {
  if (recovery == null) return NONE;
  const high = recovery.ci95.high === null ? "∞)" : `${fixed(recovery.ci95.high * 100, 1)}]`;
  return `${fixed(recovery.value * 100, 1)}% [${fixed(recovery.ci95.low * 100, 1)}, ${high}`;
}

/** The verdict as a short cell: "non-inferior", "inferior", "inconclusive at n = 40 (~370 to decide)". */
export function verdictCell(decision: Decision | null | undefined): string {
  const figure = decision?.nonInferiority;
  if (figure == null) return NONE;
  if (figure.verdict !== "inconclusive") return figure.verdict;
  return `inconclusive at n = ${decision?.paired ?? 0}${itemsToDecide(figure, decision?.paired ?? 0)}`;
}

function itemsToDecide(figure: NonInferiorityFigure, paired: number): string {
  if (figure.itemsNeeded === null) return " (no n decides at this difference)";
  // The count is for 80% power: at or below the n asked, this run is among the 20% that miss.
  if (figure.itemsNeeded <= paired)
    return ` (~${figure.itemsNeeded.toLocaleString("en-US")} would decide 4 times in 5)`;
  return ` (~${figure.itemsNeeded.toLocaleString("en-US")} items to decide)`;
}

/**
 * "inconclusive on 1 (c); non-inferior on 2 (a, b)": a variant's verdicts over tasks, worst first; with the report's
 * task names, the tasks without a verdict (N/A, nothing paired) too, so a summary never hides one.
 */
export function verdictSummary(
  verdicts: readonly { task: string; verdict: string }[],
  tasks: readonly string[] = [],
): string {
  const missing = tasks.filter((t) => !verdicts.some((v) => v.task === t));
  if (verdicts.length === 0)
    return missing.length > 0 ? `no verdict on ${missing.length} (${missing.join(", ")})` : "no verdict";
  const groups = ["inferior", "inconclusive", "non-inferior"].flatMap((verdict) => {
    const named = verdicts.filter((v) => v.verdict === verdict).map((v) => v.task);
    return named.length === 0 ? [] : [`${verdict} on ${named.length} (${named.join(", ")})`];
  });
  if (missing.length > 0) groups.push(`no verdict on ${missing.length} (${missing.join(", ")})`);
  return groups.join("; ");
}
