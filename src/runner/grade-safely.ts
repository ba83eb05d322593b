/** Grading a reply for the journal: a grader failure becomes the record's `error`, never a wrong answer. */
import { QuantevalError } from "../core/errors.ts";
import type { GradeContext, Item, Reply } from "../core/types.ts";
import type { JournalRecord } from "../journal/index.ts";
import type { Task } from "../tasks/index.ts";

export type Verdict = Pick<JournalRecord, "grade" | "error">;

/** Used by `run` and `regrade` alike, so a reply re-scored gets exactly the shape it would have had. */
export async function gradeSafely(task: Task, item: Item, reply: Reply, ctx: GradeContext): Promise<Verdict> {
  try {
    return { grade: await task.grade(item, reply, ctx) };
  } catch (error) {
    if (error instanceof QuantevalError) return { error: { code: error.code, message: error.message } };
    return {
      error: {
        code: "E_GRADER_FAILED",
        message: `grader for ${task.name} threw on ${item.id}: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
}
