/**
 * `quanteval regrade <run-id>`: re-scores every stored reply of a run with the current graders, without asking
 * any model. The run's tasks are loaded as the run loaded them (its stored tasks, taskOptions, limit and data
 * settings), each journal with a changed verdict is rewritten atomically under the run lock (so it cannot race
 * a `run` of the same id), and the report is rebuilt. `--dry-run` only prints what would change.
 */
import { renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DataConfig } from "../../config.ts";
import type { GradeContext } from "../../core/types.ts";
import { dataAccessFor, openDatasets } from "../../datasets/index.ts";
import type { JournalRecord } from "../../journal/index.ts";
import {
  isWriteFailure,
  journalPath,
  type Manifest,
  quarantineLines,
  quarantineWarning,
  readJournal,
  readManifest,
  refuseImported,
  writeFailure,
} from "../../journal/index.ts";
import { writeReport } from "../../report/index.ts";
import {
  gradeSafely,
  type JournalRegradeCounts,
  type LoadedTask,
  loadTasks,
  RunLock,
  regradeJournal,
  withGradeContext,
} from "../../runner/index.ts";
import { createDownloadDisplay } from "../download-progress.ts";
import type { RegradeFlags } from "../flags.ts";
import { type CommandContext, EXIT, type ExitCode } from "../io.ts";
import { renderPlainTable } from "../plain-table.ts";

export interface RegradeRow extends Omit<JournalRegradeCounts, "missingIds"> {
  variant: string;
  task: string;
}

export interface RegradeOutcome {
  rows: RegradeRow[];
  /** Tasks whose data cannot be had now: not re-scored, their journals untouched. */
  skipped: { task: string; code: string; message: string; hint: string }[];
  reportDir: string | undefined;
}

export async function regradeCommand(runId: string, flags: RegradeFlags, ctx: CommandContext): Promise<ExitCode> {
  const { io } = ctx;
  const artifactsDir = resolve(io.cwd, flags.artifacts);
  const manifest = readManifest(artifactsDir, runId);
  refuseImported(manifest, "regrade");
  const dryRun = flags.dryRun === true;
  // Taken before the (possibly long) data loading so a busy run is refused at once; a dry run writes nothing, lock included.
  const lock = dryRun ? undefined : RunLock.acquire(join(artifactsDir, runId), runId);
  let outcome: RegradeOutcome;
  try {
    const tasks = await loadRunTasks(manifest, flags, ctx);
    outcome = await withGradeContext({}, (grading) =>
      regradeRun(manifest, tasks, { artifactsDir, dryRun, ctx, grading }),
    );
    if (!dryRun) {
      const written = await writeReport({
        artifactsDir,
        reportsDir: resolve(io.cwd, flags.reports ?? manifest.config.output.reports),
        runId,
      });
      outcome.reportDir = written.dir;
    }
  } finally {
    lock?.release();
  }
  printSummary(runId, outcome, dryRun, ctx);
  // As `run`: 3 when a task was N/A, so a script notices that part of the run was not re-scored.
  return outcome.skipped.length > 0 ? EXIT.skipped : EXIT.ok;
}

/** The run's tasks as it loaded them: its stored selection and data settings, flags overriding where data is read from. */
async function loadRunTasks(manifest: Manifest, flags: RegradeFlags, ctx: CommandContext): Promise<LoadedTask[]> {
  const { io } = ctx;
  const data: DataConfig = { ...manifest.config.data };
  if (flags.cacheDir !== undefined) data.cacheDir = flags.cacheDir;
  if (flags.dataDir !== undefined) data.dataDir = flags.dataDir;
  if (flags.offline === true) data.offline = true;
  const downloads = createDownloadDisplay(io.isTty, (line) => io.stderr(`${line}\n`));
  try {
    const datasets = openDatasets(
      ctx.root,
      dataAccessFor(data, io.env, flags.hfToken !== undefined ? { hfToken: flags.hfToken } : {}, (e) =>
        downloads.onProgress(e),
      ),
    );
    return await loadTasks(manifest.config, ctx.root, datasets, (message) => io.stderr(`${message}\n`));
  } finally {
    downloads.stop();
  }
}

interface RegradeRunOptions {
  artifactsDir: string;
  dryRun: boolean;
  ctx: CommandContext;
  grading: GradeContext;
}

async function regradeRun(
  manifest: Manifest,
  tasks: readonly LoadedTask[],
  options: RegradeRunOptions,
): Promise<RegradeOutcome> {
  const { io } = options.ctx;
  const outcome: RegradeOutcome = { rows: [], skipped: [], reportDir: undefined };
  for (const loaded of tasks) {
    const { task, items, info } = loaded;
    if (info.unavailable !== undefined) {
      outcome.skipped.push({ task: task.name, ...info.unavailable });
      continue;
    }
    warnIfDataChanged(manifest, loaded, io.stderr);
    const byId = new Map(items.map((item) => [item.id, item]));
    for (const variant of manifest.config.variants) {
      const file = journalPath(options.artifactsDir, manifest.runId, variant.name, task.name);
      const { records, tornBytes, unreadable } = readJournal(file);
      if (unreadable.length > 0) {
        const where = options.dryRun
          ? "left in place (dry run)"
          : `moved to ${quarantineLines(file, unreadable, "regrade again")}`;
        io.stderr(
          `${file}: ${quarantineWarning(unreadable, where)}: \`quanteval run --resume ${manifest.runId}\` does that\n`,
        );
      }
      if (records.length === 0) continue;
      const result = await regradeJournal(records, byId, {
        grade: (item, reply) => gradeSafely(task, item, reply, options.grading),
        now: Date.now,
      });
      const { missingIds, ...counts } = result.counts;
      outcome.rows.push({ variant: variant.name, task: task.name, ...counts });
      if (missingIds.length > 0) {
        io.stderr(
          `${variant.name}/${task.name}: ${counts.missingItems} record(s) whose item is no longer in the task were left as they were (${missingIds.slice(0, 5).join(", ")}${missingIds.length > 5 ? ", …" : ""})\n`,
        );
      }
      if ((counts.changed === 0 && counts.firstGraded === 0) || options.dryRun) continue;
      if (tornBytes > 0)
        io.stderr(`${file}: dropping a torn last line (${tornBytes} bytes, left by a crash; it holds no record)\n`);
      rewriteJournal(file, result.records);
    }
  }
  return outcome;
}

/** The run's data files are pinned by sha256: if they differ now, the gold may too, and the user should know. */
function warnIfDataChanged(manifest: Manifest, loaded: LoadedTask, warn: (text: string) => void): void {
  const before = manifest.tasks.find((t) => t.name === loaded.task.name && t.unavailable === undefined);
  if (before === undefined || JSON.stringify(before.files) === JSON.stringify(loaded.info.files)) return;
  warn(
    `${loaded.task.name}: the task's data changed since the run (sha256 differs): replies are graded against the current data\n`,
  );
}

/** Temp file + rename: a crash leaves the old journal or the new one, never a mix. */
function rewriteJournal(file: string, records: readonly JournalRecord[]): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, records.map((r) => `${JSON.stringify(r)}\n`).join(""), { flush: true });
    renameSync(temp, file);
  } catch (error) {
    // The old journal is untouched: a failed rewrite loses nothing.
    if (isWriteFailure(error)) throw writeFailure(file, error, "regrade again");
    throw error;
  }
}

function printSummary(runId: string, outcome: RegradeOutcome, dryRun: boolean, ctx: CommandContext): void {
  const { io } = ctx;
  const header = ["variant", "task", "rescored", "changed", "right→wrong", "wrong→right", "other", "missing-items"];
  const cells = (r: Omit<RegradeRow, "variant" | "task" | "firstGraded">) =>
    [r.rescored, r.changed, r.rightToWrong, r.wrongToRight, r.other, r.missingItems].map(String);
  const total = outcome.rows.reduce(
    (sum, r) => ({
      rescored: sum.rescored + r.rescored,
      changed: sum.changed + r.changed,
      rightToWrong: sum.rightToWrong + r.rightToWrong,
      wrongToRight: sum.wrongToRight + r.wrongToRight,
      other: sum.other + r.other,
      missingItems: sum.missingItems + r.missingItems,
    }),
    { rescored: 0, changed: 0, rightToWrong: 0, wrongToRight: 0, other: 0, missingItems: 0 },
  );
  io.stdout(`regrade of run ${runId}${dryRun ? " (dry run: nothing written)" : ""}\n`);
  io.stdout(
    renderPlainTable([
      header,
      ...outcome.rows.map((r) => [r.variant, r.task, ...cells(r)]),
      ["total", "", ...cells(total)],
    ]),
  );
  io.stdout(
    `${total.changed} verdict(s) changed: ${total.rightToWrong} right→wrong, ${total.wrongToRight} wrong→right, ${total.other} other\n`,
  );
  const firstGraded = outcome.rows.reduce((sum, r) => sum + r.firstGraded, 0);
  if (firstGraded > 0) io.stdout(`${firstGraded} reply(ies) a run left ungraded were graded for the first time\n`);
  for (const s of outcome.skipped)
    io.stderr(
      `N/A: task ${s.task} not re-scored: error[${s.code}]: ${s.message}\nfix: ${s.hint}; then regrade again\n`,
    );
  if (outcome.reportDir !== undefined)
    io.stdout(`report: ${outcome.reportDir}/report.md (also scores.csv, scores.json)\n`);
  else if (dryRun) io.stdout(`dry run: journals and report left as they were; run without --dry-run to apply\n`);
}
