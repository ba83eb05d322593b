/**
 * The divergence journal (issue 18): artifacts/<run-id>/divergence/<variant>/<task>.jsonl, one "forced" record per
 * item and variant, written the moment a teacher-forcing request ends. The reference's records are the cache the
 * variants are compared against (its server may be down by then: variants often share one GPU), and every
 * variant's server-given logprobs are kept as they came, so the report computes divergence from disk, as it
 * computes scores from replies. Separate from the reply journals: `run`, `regrade` and `report` read those by
 * task, and a forced record is no reply.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { FormatTooNewError } from "../core/errors.ts";
import { forEachLineSync } from "../datasets/index.ts";
import { QUANTEVAL_VERSION } from "../version.ts";
import type { UnreadableLine } from "./journal.ts";
import { RecordErrorSchema } from "./record.ts";

/** The format this quanteval writes; it reads every format up to this one. */
export const FORCED_JOURNAL_VERSION = 1 as const;

/** One reply position as the server listed it: the own token's logprob, and the top-k (token id → logprob). */
export const ForcedPositionSchema = z.strictObject({
  lp: z.number(),
  top: z.record(z.string(), z.number()),
});

export const ForcedRecordSchema = z
  .strictObject({
    v: z.literal(FORCED_JOURNAL_VERSION),
    kind: z.literal("forced"),
    runId: z.string(),
    session: z.string(),
    variant: z.string(),
    task: z.string(),
    itemId: z.string(),
    /** The reference reply's sample (0: divergence is measured on each item's first sample). */
    sample: z.int().nonnegative(),
    /** The variant this sequence's reply came from: the run's reference. */
    replyFrom: z.string(),
    /** prompt_logprobs asked for. */
    topK: z.int().positive(),
    /** The server asked, as shown to the user (no credentials). */
    url: z.string(),
    model: z.string(),
    /** The forced sequence's token ids: the prompt as it was generated from, then the reply (maybe cut). */
    ids: z.array(z.int().nonnegative()).exactOptional(),
    /** Index in `ids` of the reply's first token. */
    replyStart: z.int().nonnegative().exactOptional(),
    /** The reply's length in tokens before any cut (maxPositions), so the report can say how much was scored. */
    replyTokens: z.int().nonnegative().exactOptional(),
    /** One per scored reply position, in order. */
    positions: z.array(ForcedPositionSchema).exactOptional(),
    /** How many tries this took (each: two /tokenize requests and the scoring one), the last included. */
    attempts: z.int().positive(),
    /** Set when the request failed after retries: the item is asked again on resume. */
    error: RecordErrorSchema.exactOptional(),
    recordedAt: z.number(),
  })
  .refine(
    (r) => (r.error === undefined) === (r.positions !== undefined && r.ids !== undefined && r.replyStart !== undefined),
    "a forced record has either ids, replyStart and positions, or an error",
  );

export type ForcedRecord = z.infer<typeof ForcedRecordSchema>;

export function forcedJournalPath(artifactsDir: string, runId: string, variant: string, task: string): string {
  return join(artifactsDir, runId, "divergence", variant, `${task}.jsonl`);
}

export interface ForcedJournalContents {
  /** The latest record per item (a retried item's success replaces its failure). */
  records: Map<string, ForcedRecord>;
  tornBytes: number;
  unreadable: UnreadableLine[];
}

/**
 * Reads a divergence journal; an absent file reads as empty. Throws only FormatTooNewError; an unreadable line is
 * listed (its item is asked again), never fatal.
 */
export function readForcedJournal(file: string): ForcedJournalContents {
  const contents: ForcedJournalContents = { records: new Map(), tornBytes: 0, unreadable: [] };
  if (!existsSync(file)) return contents;
  const torn = forEachLineSync(file, ({ number, bytes }) => {
    const line = bytes.toString("utf8");
    if (line.trim() === "") return;
    const parsed = parseForcedLine(file, line);
    if ("reason" in parsed) contents.unreadable.push({ line: number, reason: parsed.reason, text: line });
    else contents.records.set(parsed.record.itemId, parsed.record);
  });
  contents.tornBytes = torn?.bytes.length ?? 0;
  return contents;
}

function parseForcedLine(file: string, line: string): { record: ForcedRecord } | { reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { reason: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const version = typeof json === "object" && json !== null && "v" in json ? json.v : undefined;
  if (typeof version === "number" && version > FORCED_JOURNAL_VERSION)
    throw new FormatTooNewError(file, "journal", version, FORCED_JOURNAL_VERSION, undefined, QUANTEVAL_VERSION);
  const parsed = ForcedRecordSchema.safeParse(json);
  if (parsed.success) return { record: parsed.data };
  const first = parsed.error.issues[0];
  return {
    reason: `not a forced record: ${first === undefined ? "invalid" : `${first.path.join(".") || "(line)"}: ${first.message}`}`,
  };
}
