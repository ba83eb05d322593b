/**
 * The errors behind a report's error counts, as the server or grader said them: per variant and task, each distinct
 * error (numbers and ids aside) with how many items ended in it and one message in full. An error count alone
 * says that something failed; this says what to fix. Pure.
 */
import { errorShape } from "../core/errors.ts";
import type { JournalRecord } from "../journal/index.ts";

/** What errorGroups reads of a record. */
type ErroredRecord = Pick<JournalRecord, "variant" | "task" | "error">;

export interface ErrorGroup {
  variant: string;
  task: string;
  code: string;
  /** The HTTP status, for a request the server refused. */
  status?: number;
  /** Items (units) whose outcome is this error. */
  count: number;
  /** One of the messages, as recorded. */
  example: string;
}

/** At most this many characters of an example: a proxy's error page can be a whole HTML document. */
const EXAMPLE_MAX_CHARS = 600;

/** `outcomes`: each unit's last record. Groups sorted by variant, task, then most items first. */
export function errorGroups(outcomes: Iterable<ErroredRecord>): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const record of outcomes) {
    const error = record.error;
    if (error === undefined) continue;
    const key = JSON.stringify([
      record.variant,
      record.task,
      error.code,
      error.status ?? null,
      errorShape(error.message),
    ]);
    const group = groups.get(key);
    if (group !== undefined) group.count += 1;
    else {
      const example =
        error.message.length > EXAMPLE_MAX_CHARS ? `${error.message.slice(0, EXAMPLE_MAX_CHARS)}…` : error.message;
      groups.set(key, {
        variant: record.variant,
        task: record.task,
        code: error.code,
        ...(error.status !== undefined ? { status: error.status } : {}),
        count: 1,
        example,
      });
    }
  }
  return [...groups.values()].sort(
    (a, b) => a.variant.localeCompare(b.variant) || a.task.localeCompare(b.task) || b.count - a.count,
  );
}
