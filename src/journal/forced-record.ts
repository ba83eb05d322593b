/**
 * The divergence journal (issue 18): artifacts/<run-id>/divergence/<variant>/<task>.jsonl, one "forced" record per
 * item and variant, written the moment a teacher-forcing request ends. The reference's records are the cache the
 * variants are compared against (its server may be down by then: variants often share one GPU), and every
 * variant's server-given logprobs are kept as they came, so the report computes divergence from disk, as it
 * computes scores from replies. Separate from the reply journals: `run`, `regrade` and `report` read those by
 * task, and a forced record is no reply.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
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

/**
 * A variant's divergence from the reference on this item, computed when its scores arrived (runner/diverge.ts, by
 * metrics/divergence.ts), so the report reads it from the record's head without parsing any position.
 */
export const ItemDivergenceSchema = z.strictObject({
  meanKl: z.number().nonnegative(),
  maxKl: z.number().nonnegative(),
  top1Agreement: z.number().min(0).max(1),
  firstDivergence: z.int().nonnegative().nullable(),
  positions: z.int().positive(),
  /**
   * ln(PPL(variant)/PPL(reference)) of the reference's reply: the mean over positions of log p − log q of the
   * reference's own token (llama.cpp's "ln(PPL(Q)/PPL(base))"); > 0 when the variant finds the reply less likely.
   */
  lnPplRatio: z.number(),
});

/**
 * Everything of a record but its token ids and positions. A writer puts those two last on the line, so a reader
 * parses the head alone (readForcedHeads): the line up to `,"ids":[` (a quote preceded by a comma is never inside
 * a JSON string) closed with `}`.
 */
const HEAD_FIELDS = {
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
  /** Index in `ids` of the reply's first token. */
  replyStart: z.int().nonnegative().exactOptional(),
  /** The reply's length in tokens before any cut (maxPositions), so the report can say how much was scored. */
  replyTokens: z.int().nonnegative().exactOptional(),
  /** Reply positions scored (the first ones; fewer than replyTokens when cut). */
  scored: z.int().nonnegative().exactOptional(),
  /** Set on a variant's record (not the reference's): its divergence on this item. */
  divergence: ItemDivergenceSchema.exactOptional(),
  /** How many tries this took (each: two /tokenize requests and the scoring one), the last included. */
  attempts: z.int().positive(),
  /** Set when the request failed after retries: the item is asked again on resume. */
  error: RecordErrorSchema.exactOptional(),
  recordedAt: z.number(),
};

export const ForcedHeadSchema = z.strictObject(HEAD_FIELDS);

export const ForcedRecordSchema = z
  .strictObject({
    ...HEAD_FIELDS,
    /** The forced sequence's token ids: the prompt as it was generated from, then the reply (maybe cut). */
    ids: z.array(z.int().nonnegative()).exactOptional(),
    /** One per scored reply position, in order. */
    positions: z.array(ForcedPositionSchema).exactOptional(),
  })
  .refine(
    (r) =>
      (r.error === undefined) ===
      (r.positions !== undefined && r.ids !== undefined && r.replyStart !== undefined && r.scored !== undefined),
    "a forced record has either ids, replyStart, scored and positions, or an error",
  );

export type ForcedRecord = z.infer<typeof ForcedRecordSchema>;
export type ForcedHead = z.infer<typeof ForcedHeadSchema>;

export function forcedJournalPath(artifactsDir: string, runId: string, variant: string, task: string): string {
  return join(artifactsDir, runId, "divergence", variant, `${task}.jsonl`);
}

export interface ForcedJournalContents<R> {
  /** The latest record per item (a retried item's success replaces its failure). */
  records: Map<string, R>;
  tornBytes: number;
  unreadable: UnreadableLine[];
}

/** Where a record's line is, to read it whole later (readForcedRecordAt). */
export interface LineAt {
  offset: number;
  length: number;
}

/**
 * Reads a divergence journal whole; an absent file reads as empty. For small journals and tests: a run's journals
 * can hold gigabytes of positions, which readForcedHeads and readForcedRecordAt never hold at once.
 */
export function readForcedJournal(file: string): ForcedJournalContents<ForcedRecord> {
  return readLines(file, (bytes) => parseWith(ForcedRecordSchema, bytes.toString("utf8")));
}

/**
 * The head of every record (no ids, no positions) and where its line is. Throws only FormatTooNewError; an
 * unreadable line is listed (its item is asked again), never fatal.
 */
export function readForcedHeads(file: string): ForcedJournalContents<ForcedHead & { at: LineAt }> {
  return readLines(file, (bytes, at) => {
    // Cut in the bytes: a line of positions (hundreds of kB) is never decoded.
    const cut = bytes.indexOf(IDS_FIELD);
    const head = cut === -1 ? bytes.toString("utf8") : `${bytes.subarray(0, cut).toString("utf8")}}`;
    const parsed = parseWith(ForcedHeadSchema, head);
    return "reason" in parsed ? parsed : { record: { ...parsed.record, at } };
  });
}

/** One whole record, from where readForcedHeads found its line. */
export function readForcedRecordAt(file: string, at: LineAt): ForcedRecord {
  const bytes = Buffer.alloc(at.length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, bytes, 0, at.length, at.offset);
  } finally {
    closeSync(fd);
  }
  const parsed = parseWith(ForcedRecordSchema, bytes.toString("utf8"));
  if ("reason" in parsed) throw new Error(`${file}: the line at byte ${at.offset} changed: ${parsed.reason}`);
  return parsed.record;
}

type Parsed<R> = { record: R } | { reason: string };

const IDS_FIELD = Buffer.from(',"ids":[');

function readLines<R extends { itemId: string }>(
  file: string,
  parse: (bytes: Buffer, at: LineAt) => Parsed<R>,
): ForcedJournalContents<R> {
  const contents: ForcedJournalContents<R> = { records: new Map(), tornBytes: 0, unreadable: [] };
  if (!existsSync(file)) return contents;
  const torn = forEachLineSync(file, ({ number, offset, bytes }) => {
    const start = bytes.subarray(0, 200).toString("utf8");
    if (start.trim() === "" && bytes.toString("utf8").trim() === "") return;
    const parsed = checkVersion(file, start) ?? parse(bytes, { offset, length: bytes.length });
    // The line's start only: a quarantine note need not copy a whole line of positions.
    if ("reason" in parsed) contents.unreadable.push({ line: number, reason: parsed.reason, text: start });
    else contents.records.set(parsed.record.itemId, parsed.record);
  });
  contents.tornBytes = torn?.bytes.length ?? 0;
  return contents;
}

/** Throws on a newer format (guessing could lose records); undefined otherwise. */
function checkVersion(file: string, line: string): undefined {
  const version = /^\{"v":(\d+)/.exec(line)?.[1];
  if (version !== undefined && Number(version) > FORCED_JOURNAL_VERSION)
    throw new FormatTooNewError(file, "journal", Number(version), FORCED_JOURNAL_VERSION, undefined, QUANTEVAL_VERSION);
  return undefined;
}

function parseWith<R>(schema: z.ZodType<R>, line: string): Parsed<R> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { reason: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { record: parsed.data };
  const first = parsed.error.issues[0];
  const where = first === undefined ? "invalid" : `${first.path.join(".") || "(line)"}: ${first.message}`;
  return { reason: `not a forced record: ${where}` };
}
