/**
 * A run's journals, read for the report in two passes. The first keeps of each record only what the statistics
 * count (ReportRecord: no prompt, gold or reply text), one journal line at a time; the second, once the flipped
 * items are known, reads again only the journals that hold them and keeps those items' records whole, for
 * index.html. Memory then grows with the items, not with the length of their replies.
 */

import type { JournalRecord, Manifest } from "../journal/index.ts";
import { journalPath, readJournalAs } from "../journal/index.ts";
import type { UnreadableJournal } from "./report-input.ts";
import { type ReportRecord, toReportRecord } from "./report-record.ts";
import type { Flip } from "./report-types.ts";

/** One journal of a report: a variant's answers to one task (compare joins journals of several runs). */
export interface JournalFile {
  variant: string;
  task: string;
  file: string;
}

/** Every variant × task journal of a run, in config order. */
export function runJournals(artifactsDir: string, manifest: Manifest): JournalFile[] {
  return manifest.config.variants.flatMap((variant) =>
    manifest.tasks.map((task) => ({
      variant: variant.name,
      task: task.name,
      file: journalPath(artifactsDir, manifest.runId, variant.name, task.name),
    })),
  );
}

export interface RunRecords {
  journals: JournalFile[];
  records: ReportRecord[];
  unreadable: UnreadableJournal[];
}

/** The first pass. `observe` sees each record whole before it is cut down (compare fingerprints prompts so). */
export function readRunRecords(
  journals: readonly JournalFile[],
  observe?: (record: JournalRecord) => void,
): RunRecords {
  const records: ReportRecord[] = [];
  const unreadable: UnreadableJournal[] = [];
  for (const { variant, task, file } of journals) {
    const contents = readJournalAs(file, (record) => {
      observe?.(record);
      return toReportRecord(record);
    });
    if (contents.unreadable.length > 0) unreadable.push({ variant, task, file, lines: contents.unreadable });
    // A loop, not push(...): a spread of a 100k-record journal (12k items × samples) overflows the call stack.
    for (const record of contents.records) records.push(record);
  }
  return { journals: [...journals], records, unreadable };
}

/**
 * The second pass: the sample-0 records, whole, of every flipped item under its variant and under the reference,
 * in journal order (the last one of an item is the one its tables counted).
 */
export function readFlipRecords(
  journals: readonly JournalFile[],
  flips: readonly Flip[],
  reference: string,
): JournalRecord[] {
  const wanted = new Map<string, Set<string>>();
  const want = (variant: string, task: string, itemId: string) => {
    const key = JSON.stringify([variant, task]);
    const ids = wanted.get(key) ?? new Set<string>();
    ids.add(itemId);
    wanted.set(key, ids);
  };
  for (const flip of flips) {
    want(flip.variant, flip.task, flip.itemId);
    want(reference, flip.task, flip.itemId);
  }
  const records: JournalRecord[] = [];
  for (const { variant, task, file } of journals) {
    const ids = wanted.get(JSON.stringify([variant, task]));
    if (ids === undefined) continue;
    const contents = readJournalAs(file, (record) =>
      (record.sample ?? 0) === 0 && ids.has(record.itemId) ? record : undefined,
    );
    for (const record of contents.records) records.push(record);
  }
  return records;
}
