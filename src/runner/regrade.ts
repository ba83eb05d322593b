/**
 * Re-scoring stored replies with the current graders, without I/O: given a journal's records and the task's
 * items, grade every reply again and keep the new verdict where it differs, with the old one in `regradedFrom`.
 * Records keep their order and count (throughput and resume read the same lines); only verdicts change.
 * `quanteval regrade` (src/cli/commands/regrade.ts) reads and rewrites the files around this.
 */
import { availableParallelism } from "node:os";
import PQueue from "p-queue";
import type { Item, Reply } from "../core/types.ts";
import { awaitsGrading, type JournalRecord } from "../journal/index.ts";

/** What a grading produced: a grade, or an error when grading itself failed. Exactly one is set. */
export type { Verdict } from "./grade-safely.ts";

import type { Verdict } from "./grade-safely.ts";

/**
 * How a verdict moved. "right" means graded correct; anything else (wrong, unanswered, a grader error) is "not
 * right", so wrong→right minus right→wrong is exactly the change in the correct count. "other": correctness
 * stayed, but answered, the rule or the error did not.
 */
export type VerdictChange = "unchanged" | "right-to-wrong" | "wrong-to-right" | "other";

export interface JournalRegradeCounts {
  /** Records with a reply whose item was found, graded again. */
  rescored: number;
  /** Of those, replies that had no verdict yet (a run stopped before grading them): graded for the first time. */
  firstGraded: number;
  changed: number;
  rightToWrong: number;
  wrongToRight: number;
  other: number;
  /** Records with a reply whose item is no longer in the task: left as they were. */
  missingItems: number;
  /** Their item ids, in journal order, without repeats. */
  missingIds: string[];
}

export interface JournalRegrade {
  /** The journal's records, same order and count; changed ones carry `regradedFrom`. */
  records: JournalRecord[];
  counts: JournalRegradeCounts;
}

/** Same verdict: same correct, answered and rule, and the same error (code and message), or neither. */
export function sameVerdict(a: Verdict, b: Verdict): boolean {
  const sameGrade =
    a.grade === undefined || b.grade === undefined
      ? a.grade === b.grade
      : a.grade.correct === b.grade.correct && a.grade.answered === b.grade.answered && a.grade.rule === b.grade.rule;
  const sameError =
    a.error === undefined || b.error === undefined
      ? a.error === b.error
      : a.error.code === b.error.code && a.error.message === b.error.message;
  return sameGrade && sameError;
}

export function classifyChange(before: Verdict, after: Verdict): VerdictChange {
  if (sameVerdict(before, after)) return "unchanged";
  const wasRight = before.grade?.correct === true;
  const isRight = after.grade?.correct === true;
  if (wasRight && !isRight) return "right-to-wrong";
  if (!wasRight && isRight) return "wrong-to-right";
  return "other";
}

/**
 * The record with the new verdict and the replaced one in `regradedFrom`; the record itself when the verdict is
 * the same (a detail or extracted string that reads differently is not a new verdict).
 */
export function withVerdict(record: JournalRecord, fresh: Verdict, at: number): JournalRecord {
  if (sameVerdict(record, fresh)) return record;
  const { grade: oldGrade, error: oldError, regradedFrom: _replaced, ...rest } = record;
  return {
    ...rest,
    ...(fresh.grade !== undefined ? { grade: fresh.grade } : {}),
    ...(fresh.error !== undefined ? { error: fresh.error } : {}),
    regradedFrom: {
      ...(oldGrade !== undefined ? { grade: oldGrade } : {}),
      ...(oldError !== undefined ? { error: oldError } : {}),
      at,
    },
  };
}

export interface RegradeOptions {
  /** Grades one reply; tests pass a stub, the command `gradeSafely` with the task and the GradeContext it owns. */
  grade: (item: Item, reply: Reply) => Promise<Verdict>;
  now: () => number;
  /** Gradings in flight at once (code runs in a worker pool); default: the machine's cores. */
  concurrency?: number;
}

/** Grades every record that has a reply again; records without one (failed requests) are left alone. */
export async function regradeJournal(
  records: readonly JournalRecord[],
  items: ReadonlyMap<string, Item>,
  options: RegradeOptions,
): Promise<JournalRegrade> {
  const counts: JournalRegradeCounts = {
    rescored: 0,
    firstGraded: 0,
    changed: 0,
    rightToWrong: 0,
    wrongToRight: 0,
    other: 0,
    missingItems: 0,
    missingIds: [],
  };
  const out = [...records];
  const queue = new PQueue({ concurrency: options.concurrency ?? availableParallelism() });
  const gradings: Promise<void>[] = [];
  records.forEach((record, index) => {
    if (record.reply === undefined) return;
    const item = items.get(record.itemId);
    if (item === undefined) {
      counts.missingItems += 1;
      if (!counts.missingIds.includes(record.itemId)) counts.missingIds.push(record.itemId);
      return;
    }
    const reply = record.reply;
    gradings.push(
      queue.add(async () => {
        const fresh = await options.grade(item, reply);
        counts.rescored += 1;
        if (awaitsGrading(record)) {
          // No verdict to replace: this is the reply's first, not a change.
          counts.firstGraded += 1;
          out[index] = { ...record, ...fresh };
          return;
        }
        const change = classifyChange(record, fresh);
        if (change === "unchanged") return;
        counts.changed += 1;
        if (change === "right-to-wrong") counts.rightToWrong += 1;
        else if (change === "wrong-to-right") counts.wrongToRight += 1;
        else counts.other += 1;
        out[index] = withVerdict(record, fresh, options.now());
      }),
    );
  });
  // A grading that throws (gradeSafely never does) fails the whole journal: nothing is written half-graded.
  await Promise.all(gradings);
  return { records: out, counts };
}
