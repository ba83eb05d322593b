/** A run's manifest and journal records → the report's input: variants, tasks, sampling and bootstrap settings. */

import { type MarginSetting, marginOf } from "../config.ts";
import { ConfigError } from "../core/errors.ts";
import type { Manifest, UnreadableLine } from "../journal/index.ts";
import { resumeCommand } from "../journal/index.ts";
import { problemLabelOf, type ScoringInfo, scoringOf } from "../tasks/index.ts";
import type { ReportRecord } from "./report-record.ts";
import type { DecisionInput, ReportInput } from "./report-types.ts";

/** Statistics options of `quanteval report`, over the run config's `report` block. */
export interface ReportStatsOptions {
  /** Bootstrap resamples per delta (--resamples); default: the run config's report.bootstrapResamples. */
  resamples?: number;
  /** Bootstrap seed (--bootstrap-seed); default: the run config's report.bootstrapSeed. */
  bootstrapSeed?: number;
  /** `--fail-below`: gate the report at this margin (it is also the verdicts' margin). */
  failBelow?: MarginSetting;
}

/** Unreadable lines found in one journal while reading a run: the report says so, `run --resume` quarantines them. */
export interface UnreadableJournal {
  variant: string;
  task: string;
  file: string;
  lines: readonly UnreadableLine[];
}

export function reportInputFromRun(
  manifest: Manifest,
  records: readonly ReportRecord[],
  options: ReportStatsOptions = {},
  unreadable: readonly UnreadableJournal[] = [],
): ReportInput {
  const { config } = manifest;
  const journalNotes = journalNotices(manifest, unreadable);
  return {
    runId: manifest.runId,
    reference: manifest.reference,
    variants: config.variants.map((variant) => {
      const state = manifest.variants.find((v) => v.name === variant.name);
      const status = state?.status === "done" || state?.status === "failed" ? state.status : "pending";
      return {
        name: variant.name,
        model: variant.model,
        // An imported variant was asked by lm-eval: its config holds a stand-in URL, not where it was served.
        endpoint:
          state?.imported === undefined
            ? variant.baseUrl
            : `imported from lm-eval ${state.imported.version ?? "(version not recorded)"}`,
        status,
        ...(state?.error !== undefined ? { error: `${state.error.code}: ${state.error.message}` } : {}),
        ...(variant.batchInvariant !== undefined ? { batchInvariant: variant.batchInvariant } : {}),
        // Runs from before the list was kept recorded only the latest start-up.
        ...(state?.serverStartupsSec !== undefined
          ? { serverStartupsSec: state.serverStartupsSec }
          : state?.serverStartupSec !== undefined
            ? { serverStartupsSec: [state.serverStartupSec] }
            : {}),
        ...(state?.contextLength !== undefined ? { contextLength: state.contextLength } : {}),
        ...(state?.engine !== undefined ? { engine: state.engine } : {}),
      };
    }),
    tasks: manifest.tasks.map((t) => ({
      name: t.name,
      breakdowns: t.breakdowns,
      itemCount: t.itemCount,
      maxTokens: t.maxTokens,
      files: t.files,
      notices: [...executorNote(t.executor), ...t.notices, ...(journalNotes.get(t.name) ?? [])],
      samples: t.samples,
      ...(t.unavailable !== undefined ? { unavailable: t.unavailable } : {}),
      // An imported task was scored by lm-eval (its notice says how), not by the quanteval task of that name.
      ...(t.lmEval === undefined ? scoringEntry(t.name, t.options) : {}),
      ...problemLabelEntry(t.name),
    })),
    // The config's sampling block holds only set fields, in a fixed order: copied as it is.
    sampling: { ...config.sampling },
    concurrency: config.concurrency,
    stream: config.stream,
    records,
    bootstrap: {
      resamples: options.resamples ?? config.report.bootstrapResamples,
      seed: options.bootstrapSeed ?? config.report.bootstrapSeed,
    },
    decision: decisionInput(manifest, options.failBelow),
  };
}

/** The margin (`--fail-below`, else report.margin, else 1 pp) and, with `--fail-below`, the gated tasks. */
export function decisionInput(manifest: Manifest, failBelow: MarginSetting | undefined): DecisionInput {
  const configured = manifest.config.report.margin === undefined ? undefined : marginOf(manifest.config.report.margin);
  // The manifest's config was checked when the run began; a margin it cannot read is a run from elsewhere.
  if (typeof configured === "string") throw new ConfigError([`report.margin: ${configured}`], "fix report.margin");
  const margin = failBelow ?? configured;
  const settings: DecisionInput =
    margin === undefined
      ? { margin: { kind: "pp", pp: 1 }, marginSource: "default" }
      : { margin, marginSource: failBelow !== undefined ? "flag" : "config" };
  if (failBelow === undefined) return settings;
  return { ...settings, gate: { tasks: gatedTasks(manifest, manifest.config.report.gate) } };
}

/** report.gate's names (tasks or families) as this run's task names; absent: every task (undefined). */
function gatedTasks(manifest: Manifest, gate: readonly string[] | undefined): string[] | undefined {
  if (gate === undefined) return undefined;
  const names = manifest.tasks.map((t) => t.name);
  const unknown = gate.filter((g) => !manifest.tasks.some((t) => t.name === g || t.family === g));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((g) => `report.gate: "${g}" is not a task or family of run ${manifest.runId} (${names.join(", ")})`),
      "name tasks of the run in report.gate, or leave report.gate out to gate every task",
    );
  }
  return manifest.tasks.filter((t) => gate.includes(t.name) || gate.includes(t.family)).map((t) => t.name);
}

/** The scoring mode the manifest's task options name, described by the task (runs from before the option: strict). */
function scoringEntry(task: string, options: Record<string, unknown>): { scoring: ScoringInfo } | undefined {
  const scoring = scoringOf(task, options);
  return scoring === undefined ? undefined : { scoring };
}

function problemLabelEntry(task: string): { problemLabel: string } | undefined {
  const problemLabel = problemLabelOf(task);
  return problemLabel === undefined ? undefined : { problemLabel };
}

/** Lines of a run's journals that could not be read: said per task, with the command that quarantines them. */
function journalNotices(manifest: Manifest, unreadable: readonly UnreadableJournal[]): Map<string, string[]> {
  const notes = new Map<string, string[]>();
  const resume = `\`${resumeCommand(manifest.config, manifest.runId)}\``;
  for (const u of unreadable) {
    const shown = u.lines
      .slice(0, 2)
      .map((l) => `line ${l.line}: ${l.reason}`)
      .join("; ");
    notes.set(u.task, [
      ...(notes.get(u.task) ?? []),
      `${u.variant}: WARNING: ${u.lines.length} unreadable journal line(s) skipped ` +
        `(${shown}); ${resume} moves them to a quarantine file and asks their items again`,
    ]);
  }
  return notes;
}

/** Which sandbox ran the task's Python, said among the task's notes (docs/code-executors.md). */
function executorNote(executor: "pyodide" | "native" | undefined): string[] {
  if (executor === undefined) return [];
  return [executor === "native" ? "Python graded natively (CPython in bubblewrap)" : "Python graded in Pyodide"];
}
