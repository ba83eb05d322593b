/**
 * How the report prints numbers, one rule per kind so every table agrees: percent and tok/s with 1 decimal,
 * seconds and QPS with 3, p-values with 3 (or "<0.001"), "—" for a value that does not exist.
 */
import type { Score, TaskReport } from "./report-types.ts";

export const NONE = "—";

/** Fixed decimals, never "-0.0": a tiny negative that rounds to zero is zero. */
export function fixed(value: number | null, digits: number): string {
  if (value === null) return NONE;
  const text = value.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** A fraction in [0, 1] as a percent: 0.85 → "85.0%". */
export function percent(fraction: number | null): string {
  return fraction === null ? NONE : `${fixed(fraction * 100, 1)}%`;
}

/** Percentage points with an explicit sign: "+2.5", "-10.0", "0.0". */
export function signedPp(pp: number | null): string {
  if (pp === null) return NONE;
  const text = fixed(pp, 1);
  return text === fixed(0, 1) || text.startsWith("-") ? text : `+${text}`;
}

export function pValue(p: number | null): string {
  if (p === null) return NONE;
  return p < 0.001 ? "<0.001" : fixed(p, 3);
}

export const seconds = (value: number | null): string => fixed(value, 3);
export const perSecond = (value: number | null): string => fixed(value, 1);
export const qps = (value: number | null): string => fixed(value, 3);

/** An accuracy cell: `85.0% (34/40) [70.9–92.9]`, the interval being the Wilson 95% one, in percent. */
export function scoreCell(score: Score): string {
  if (score.accuracy === null || score.ci95 === null) return `${NONE} (0 graded)`;
  const { low, high } = score.ci95;
  return `${percent(score.accuracy)} (${score.correct}/${score.graded}) [${fixed(low * 100, 1)}–${fixed(high * 100, 1)}]`;
}

/** A whole number with thousands separators: 10000 → "10,000" (no locale involved). */
export function integer(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A paired delta with its bootstrap interval, in pp: `-2.5 [-7.5, +2.5]`; `0.0 [no flips]` when nothing was
 * discordant (the bootstrap has no interval then); "—" when nothing is paired.
 */
export function deltaCell(deltaPp: number | null, ci95Pp: { low: number; high: number } | null): string {
  if (deltaPp === null) return NONE;
  if (ci95Pp === null) return `${signedPp(deltaPp)} [no flips]`;
  return `${signedPp(deltaPp)} [${signedPp(ci95Pp.low)}, ${signedPp(ci95Pp.high)}]`;
}

/** A minimum detectable difference in pp: `12.3`, or `18.5 (best case)` when it is the one-way floor. */
export function mdeCell(mdePp: number | null, basis: "observed" | "floor" | null): string {
  if (mdePp === null) return NONE;
  return basis === "floor" ? `${fixed(mdePp, 1)} (best case)` : fixed(mdePp, 1);
}

/** The Scoring cell of the tasks table: "strict", or "official: <what it reproduces>"; "—" for a task with one way. */
export function scoringCell(task: Pick<TaskReport, "scoring">): string {
  if (task.scoring === undefined) return NONE;
  return task.scoring.mode === "strict" ? "strict" : `official: ${task.scoring.description}`;
}
