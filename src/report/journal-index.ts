/** Report records indexed per variant and task: every attempt, the last outcome per item, and per item and sample. */
import type { ReportRecord } from "./report-record.ts";

/**
 * Per (variant, task): every record in input order (for throughput), the last record per item of sample 0 (the
 * outcome the tables and paired tests use), and the last record per item and sample (for pass@k).
 */
export interface TaskJournal {
  all: ReportRecord[];
  last: Map<string, ReportRecord>;
  bySample: Map<string, Map<number, ReportRecord>>;
}
export type JournalIndex = Map<string, Map<string, TaskJournal>>;

export function indexRecords(records: readonly ReportRecord[]): JournalIndex {
  const index: JournalIndex = new Map();
  for (const record of records) {
    let byTask = index.get(record.variant);
    if (byTask === undefined) {
      byTask = new Map();
      index.set(record.variant, byTask);
    }
    let entry = byTask.get(record.task);
    if (entry === undefined) {
      entry = { all: [], last: new Map(), bySample: new Map() };
      byTask.set(record.task, entry);
    }
    entry.all.push(record);
    const sample = record.sample ?? 0;
    if (sample === 0) entry.last.set(record.itemId, record);
    let samples = entry.bySample.get(record.itemId);
    if (samples === undefined) {
      samples = new Map();
      entry.bySample.set(record.itemId, samples);
    }
    samples.set(sample, record);
  }
  return index;
}

export /** Every unit's last record (every sample of every item), across variants and tasks. */
function* lastOutcomes(journal: JournalIndex): Generator<ReportRecord> {
  for (const byTask of journal.values()) {
    for (const entry of byTask.values()) for (const samples of entry.bySample.values()) yield* samples.values();
  }
}
