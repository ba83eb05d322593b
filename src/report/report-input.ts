/** A run's manifest and journal records → the report's input: variants, tasks, sampling and bootstrap settings. */
import type { Manifest, UnreadableLine } from "../journal/index.ts";
import { resumeCommand } from "../journal/index.ts";
import { type ScoringInfo, scoringOf } from "../tasks/index.ts";
import type { ReportRecord } from "./report-record.ts";
import type { ReportInput } from "./report-types.ts";

/** Statistics options of `quanteval report`, over the run config's `report` block. */
export interface ReportStatsOptions {
  /** Bootstrap resamples per delta (--resamples); default: the run config's report.bootstrapResamples. */
  resamples?: number;
  /** Bootstrap seed (--bootstrap-seed); default: the run config's report.bootstrapSeed. */
  bootstrapSeed?: number;
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
        endpoint: variant.baseUrl,
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
      };
    }),
    tasks: manifest.tasks.map((t) => ({
      name: t.name,
      breakdowns: t.breakdowns,
      itemCount: t.itemCount,
      maxTokens: t.maxTokens,
      files: t.files,
      notices: [...t.notices, ...(journalNotes.get(t.name) ?? [])],
      samples: t.samples,
      ...(t.unavailable !== undefined ? { unavailable: t.unavailable } : {}),
      ...scoringEntry(t.name, t.options),
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
  };
}

/** The scoring mode the manifest's task options name, described by the task (runs from before the option: strict). */
function scoringEntry(task: string, options: Record<string, unknown>): { scoring: ScoringInfo } | undefined {
  const scoring = scoringOf(task, options);
  return scoring === undefined ? undefined : { scoring };
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
