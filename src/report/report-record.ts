/**
 * What the report's statistics read of a journal record: who, which item and sample, labels, the verdict, the
 * request's params and the reply's finish, tokens and instants. No prompt, gold, reasoning or reply text: a run of
 * 36,096 requests is counted from these, and only the flipped items index.html shows are read again whole.
 */
import type { JournalRecord } from "../journal/index.ts";

type Counted = "variant" | "task" | "itemId" | "sample" | "session" | "labels" | "fit" | "grade" | "error";

export type ReportRecord = Pick<JournalRecord, Counted> & {
  /** promptChars: the messages' length, kept in place of them for the prompt-growth check (figure-checks-input.ts). */
  request: { params: Record<string, unknown>; promptChars?: number };
  reply?: Omit<NonNullable<JournalRecord["reply"]>, "text" | "reasoning">;
};

/** A new object holding only ReportRecord's fields, so the record's texts can be collected. */
export function toReportRecord(record: JournalRecord): ReportRecord {
  const { reply } = record;
  return {
    variant: record.variant,
    task: record.task,
    itemId: record.itemId,
    session: record.session,
    labels: record.labels,
    request: {
      params: record.request.params,
      promptChars: record.request.messages.reduce((sum, m) => sum + m.content.length, 0),
    },
    ...(record.sample !== undefined ? { sample: record.sample } : {}),
    ...(record.fit !== undefined ? { fit: record.fit } : {}),
    ...(record.grade !== undefined ? { grade: record.grade } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(reply !== undefined
      ? {
          reply: {
            finishReason: reply.finishReason,
            usage: reply.usage,
            timing: reply.timing,
            ...(reply.replica !== undefined ? { replica: reply.replica } : {}),
            ...(reply.usageCountedBy !== undefined ? { usageCountedBy: reply.usageCountedBy } : {}),
          },
        }
      : {}),
  };
}
