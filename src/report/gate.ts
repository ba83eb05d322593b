/**
 * The release gate of `--fail-below`: every variant must be non-inferior to the reference on every gated task. An
 * inferior or inconclusive verdict fails it, and so does a gated task with no verdict at all (not run, N/A, nothing
 * paired): a gate that cannot see a task must not pass it. Pure.
 */
import type { Gate, TaskReport } from "./report-types.ts";

export function gateOf(tasks: readonly TaskReport[], variants: readonly string[], gatedTasks: readonly string[]): Gate {
  const failures: Gate["failures"] = [];
  for (const name of gatedTasks) {
    const row = tasks.find((t) => t.name === name)?.rows[0];
    for (const variant of variants) {
      const verdict = row?.deltas.find((d) => d.variant === variant)?.decision?.nonInferiority?.verdict;
      if (verdict !== "non-inferior") failures.push({ variant, task: name, verdict: verdict ?? "no verdict" });
    }
  }
  return { tasks: [...gatedTasks], failures, passed: failures.length === 0 };
}
