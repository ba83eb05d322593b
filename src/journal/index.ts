/**
 * The journal's API: the on-disk format of a run (manifest, one JSONL journal per variant and task, records),
 * written by the runner and read by the report, so the report can read runs without importing the runner.
 */

export { type ContextLength, describeSource } from "./context-length.ts";
export {
  FORCED_JOURNAL_VERSION,
  type ForcedHead,
  type ForcedRecord,
  forcedJournalPath,
  type LineAt,
  readForcedHeads,
  readForcedJournal,
  readForcedRecordAt,
} from "./forced-record.ts";
export {
  JournalWriter,
  journalPath,
  quarantineLines,
  quarantineWarning,
  readJournal,
  readJournalAs,
  type UnreadableLine,
  unitKey,
} from "./journal.ts";
export {
  type Manifest,
  type ManifestEngine,
  type ManifestTask,
  type ManifestTokenizer,
  manifestExists,
  newManifest,
  readManifest,
  refuseImported,
  resumeManifest,
  setVariantStatus,
  writeManifest,
} from "./manifest.ts";
export { awaitsGrading, isFinished, JOURNAL_VERSION, type JournalRecord } from "./record.ts";
export { artifactsFlag, resumeCommand } from "./resume-command.ts";
export { isWriteFailure, writeFailure } from "./write-failure.ts";
