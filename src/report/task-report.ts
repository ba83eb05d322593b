/** One task's part of the report: its rows, pass@k, repeats, throughput and what its journals say. */

import { awaitsGrading } from "../journal/index.ts";
import { type Margin, summarizeThroughput } from "../metrics/index.ts";
import { clientCounted } from "./client-counts.ts";
import { runFigureChecks } from "./figure-checks-input.ts";
import type { JournalIndex } from "./journal-index.ts";
import type { TaskReplicates } from "./overall-score.ts";
import { passAtKOf } from "./pass-at-k.ts";
import { problemRates } from "./problem-rates.ts";
import { repeatStats } from "./repeat-stats.ts";
import type { ReportRecord } from "./report-record.ts";
import type { BootstrapSettings, ScoreRow, TaskInput, TaskReport } from "./report-types.ts";
import { ALL } from "./report-types.ts";
import { breakdownGroups, type KeptReplicates, makeRow, type RowContext } from "./score-row.ts";
import { type SpeedDraws, taskSpeed } from "./speed-accuracy.ts";

/**
 * What a task's journals say that its tables cannot, per variant: replies not yet graded (a run stopped before grading
 * them: they count as missing), and items asked with different max_tokens (a resumed run changed the setting).
 */
function journalNotes(task: string, variants: readonly string[], journal: JournalIndex, runId: string): string[] {
  const notes: string[] = [];
  for (const variant of variants) {
    const units = [...(journal.get(variant)?.get(task)?.bySample.values() ?? [])].flatMap((samples) => [
      ...samples.values(),
    ]);
    const ungraded = units.filter(awaitsGrading).length;
    if (ungraded > 0) {
      notes.push(
        `${variant}: ${ungraded} repl${ungraded === 1 ? "y" : "ies"} received but not yet graded (counted as missing); ` +
          `\`quanteval run --resume ${runId}\` grades them without asking again`,
      );
    }
    const limits = new Map<number, number>();
    for (const r of units) {
      const asked = r.fit?.requested ?? r.request.params.max_tokens;
      if (r.reply !== undefined && typeof asked === "number") limits.set(asked, (limits.get(asked) ?? 0) + 1);
    }
    if (limits.size < 2) continue;
    const shown = [...limits]
      .sort((a, b) => b[0] - a[0])
      .map(([limit, count]) => `${limit} (${count} item${count === 1 ? "" : "s"})`)
      .join(", ");
    notes.push(
      `${variant}: asked with different max_tokens: ${shown}; a resumed run changed the setting, so these items are not comparable on truncation`,
    );
  }
  return notes;
}

export function buildTask(
  task: TaskInput,
  variants: readonly string[],
  reference: string,
  journal: JournalIndex,
  bootstrap: BootstrapSettings,
  replicates: TaskReplicates,
  runId: string,
  margin: Margin,
  speedDraws: SpeedDraws,
): TaskReport {
  const outcomes = new Map(
    variants.map((v) => [v, journal.get(v)?.get(task.name)?.last ?? new Map<string, ReportRecord>()]),
  );
  const context: RowContext = {
    task: task.name,
    variants,
    reference,
    outcomes,
    bootstrap,
    samples: task.samples ?? 1,
    bySample: new Map(variants.map((v) => [v, journal.get(v)?.get(task.name)?.bySample ?? new Map()])),
    margin,
  };
  const taskReplicates = new Map<string, KeptReplicates>();
  replicates.set(task.name, taskReplicates);
  const rows: ScoreRow[] = [
    makeRow(context, { breakdown: ALL, value: ALL, label: task.name, n: task.itemCount }, () => true, taskReplicates),
  ];
  for (const key of task.breakdowns) {
    for (const [value, itemIds] of breakdownGroups(key, outcomes)) {
      const label = task.breakdowns.length > 1 ? `${task.name} / ${key}=${value}` : `${task.name} / ${value}`;
      rows.push(makeRow(context, { breakdown: key, value, label, n: itemIds.size }, (id) => itemIds.has(id)));
    }
  }
  const throughput = variants.map((variant) => {
    const records = journal.get(variant)?.get(task.name)?.all ?? [];
    const checks = runFigureChecks(records);
    const counted = clientCounted(records);
    return {
      variant,
      summary: summarizeThroughput(records),
      ...(checks === undefined ? {} : { checks }),
      ...(counted === undefined ? {} : { clientCounted: counted }),
    };
  });
  return {
    name: task.name,
    itemCount: task.itemCount,
    breakdowns: [...task.breakdowns],
    ...(task.maxTokens !== undefined ? { maxTokens: task.maxTokens } : {}),
    files: (task.files ?? []).map((f) => ({
      ...(f.dataset !== undefined ? { dataset: f.dataset } : {}),
      ...(f.revision !== undefined ? { revision: f.revision } : {}),
      path: f.path,
      sha256: f.sha256,
    })),
    notices: [...(task.notices ?? []), ...journalNotes(task.name, variants, journal, runId)],
    ...(task.unavailable !== undefined ? { unavailable: { ...task.unavailable } } : {}),
    ...(task.scoring !== undefined ? { scoring: { ...task.scoring } } : {}),
    samples: task.samples ?? 1,
    passAtK:
      (task.samples ?? 1) > 1
        ? variants.map((variant) =>
            passAtKOf(variant, task.samples ?? 1, journal.get(variant)?.get(task.name)?.bySample),
          )
        : [],
    repeats:
      (task.samples ?? 1) > 1
        ? variants.map((variant) =>
            repeatStats(variant, task.samples ?? 1, journal.get(variant)?.get(task.name)?.bySample),
          )
        : [],
    rows,
    ...(task.problemLabel !== undefined ? { problemRates: problemRates(task.problemLabel, variants, outcomes) } : {}),
    throughput,
    speed: taskSpeed({ variants, reference, journal, bootstrap }, task.name, throughput, speedDraws),
  };
}
