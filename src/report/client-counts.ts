/**
 * Replies whose server sent no usage, so quanteval counted their tokens (Reply.usageCountedBy): per variant and task,
 * how many and how, and the note the report prints beside the throughput figures that rest on those counts. A run
 * whose servers sent usage has none, and its report is as before. Pure.
 */
import type { ReportRecord } from "./report-record.ts";
import type { ClientCounted, ReportData } from "./report-types.ts";

/** Undefined when the server counted every reply. */
export function clientCounted(records: readonly Pick<ReportRecord, "reply">[]): ClientCounted | undefined {
  const counted: ClientCounted = { tokenizer: 0, chunks: 0 };
  for (const { reply } of records) if (reply?.usageCountedBy !== undefined) counted[reply.usageCountedBy] += 1;
  return counted.tokenizer + counted.chunks === 0 ? undefined : counted;
}

/** Whether any reply of the run was counted by quanteval: only then do the reports say so anywhere. */
export function hasClientCounts(report: ReportData): boolean {
  return report.tasks.some((task) => task.throughput.some((t) => t.clientCounted !== undefined));
}

/** Marks the figures of a throughput row that rest on client counts, as ⚠ marks those a check failed. */
export const CLIENT_MARK = "†";

/** "† task, variant: …" for each throughput row with client-counted replies, to print under the throughput table. */
export function clientCountedNotes(report: ReportData): string[] {
  return report.tasks.flatMap((task) =>
    task.throughput.flatMap(({ variant, summary, clientCounted: counted }) =>
      counted === undefined
        ? []
        : [`${CLIENT_MARK} ${task.name}, ${variant}: ${clientCountedText(counted, summary.ok)}.`],
    ),
  );
}

function clientCountedText(counted: ClientCounted, ok: number): string {
  const n = counted.tokenizer + counted.chunks;
  const ways = [
    ...(counted.tokenizer === 0
      ? []
      : [
          `${counted.tokenizer} with the model's tokenizer (variants[].tokenizer: the prompt through its chat ` +
            "template, the completion from the streamed text)",
        ]),
    ...(counted.chunks === 0
      ? []
      : [
          `${counted.chunks} by the streamed chunks that carried a token, their prompt tokens unknown, so no prompt ` +
            "tok/s is given (set variants[].tokenizer to count them)",
        ]),
  ];
  return `token counts of ${n} of ${ok} replies are client-side, not the server's (it sent no usage): ${ways.join("; ")}`;
}
