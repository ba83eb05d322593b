/**
 * Journal lines (DESIGN.md "journal"). A reply record is written the moment a request ends (the reply, or the
 * error after retries); a grade record follows when grading ends, naming the unit it grades. Reading folds each
 * grade into its reply (readJournal), so the report, `regrade` and `compare` see one record per attempt, with its
 * verdict when it has one. Format 1 (before grades were written apart) has the grade inside the reply record, as
 * `regrade` still writes it. Parsed with zod on read: a journal is outside data once written.
 */
import { z } from "zod";

/** The format this quanteval writes; it reads every format up to this one. */
export const JOURNAL_VERSION = 2;

export const MessageSchema = z.strictObject({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});

const ReplyFieldsSchema = z.strictObject({
  text: z.string(),
  reasoning: z.string().exactOptional(),
  finishReason: z.string(),
  /** The server's counts, or the client's when usageCountedBy says so; promptTokens null: not known (chunks). */
  usage: z.strictObject({
    promptTokens: z.number().int().nonnegative().nullable(),
    completionTokens: z.number().int().nonnegative(),
  }),
  timing: z.strictObject({
    sentAt: z.number(),
    firstTokenAt: z.number().exactOptional(),
    firstAnswerTokenAt: z.number().exactOptional(),
    doneAt: z.number(),
  }),
  /** The server that answered, when the variant has replicas (variants[].replicas); absent with one server. */
  replica: z.string().exactOptional(),
  /**
   * Set when the server sent no usage and quanteval counted: "tokenizer" (the model's tokenizer: the prompt through
   * its chat template, the completion from the streamed text) or "chunks" (token-carrying chunks; prompt unknown).
   * Absent: usage is the server's, as in every journal written before this field.
   */
  usageCountedBy: z.enum(["tokenizer", "chunks"]).exactOptional(),
});

// Unknown only when quanteval counted: by chunks, or with a tokenizer whose template could not render the prompt.
export const ReplySchema = ReplyFieldsSchema.refine(
  (r) => r.usage.promptTokens !== null || r.usageCountedBy !== undefined,
  { path: ["usage", "promptTokens"], message: "null (not known) only when usageCountedBy is set" },
);

export const GradeSchema = z.strictObject({
  correct: z.boolean(),
  answered: z.boolean(),
  rule: z.string(),
  extracted: z.string().exactOptional(),
  detail: z.string().exactOptional(),
});

export const RecordErrorSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  status: z.number().int().exactOptional(),
});

export const JournalRecordSchema = z.strictObject({
  v: z.union([z.literal(1), z.literal(JOURNAL_VERSION)]),
  runId: z.string(),
  /** One id per process that ran (a resumed run has several); throughput sums each session's span. */
  session: z.string(),
  variant: z.string(),
  task: z.string(),
  itemId: z.string(),
  /** Which sample of the item this is, when a task draws several per item (`samples`); absent means 0. */
  sample: z.int().nonnegative().exactOptional(),
  /** How many chat requests this outcome took (retries and a refused over-long request included; 0: not asked). */
  attempts: z.number().int().nonnegative(),
  /** Exactly what was sent, minus secrets (no API key is ever part of a request body). */
  request: z.strictObject({
    model: z.string(),
    messages: z.array(MessageSchema),
    params: z.record(z.string(), z.unknown()),
  }),
  gold: z.unknown(),
  /** Breakdown labels copied from the item (e.g. { category: "algebra" }). */
  labels: z.record(z.string(), z.string()),
  /**
   * Set when max_tokens was lowered to fit the server's context (contextPolicy "fit"): what was asked for, what was
   * sent (request.params.max_tokens), and how the prompt was counted.
   */
  fit: z
    .strictObject({
      requested: z.int().positive(),
      sent: z.int().positive(),
      contextLength: z.int().positive(),
      promptTokens: z.int().nonnegative(),
      source: z.enum(["tokenize", "server-error", "probe"]),
    })
    .exactOptional(),
  reply: ReplySchema.exactOptional(),
  grade: GradeSchema.exactOptional(),
  /** Set when the request failed after retries, or grading itself failed (a gold that will not parse). */
  error: RecordErrorSchema.exactOptional(),
  recordedAt: z.number(),
  /** Set by `quanteval regrade` when it re-scored this reply: the verdict it replaced, and when. */
  regradedFrom: z
    .strictObject({
      grade: GradeSchema.exactOptional(),
      error: RecordErrorSchema.exactOptional(),
      at: z.number(),
    })
    .exactOptional(),
});

/**
 * The verdict on the unit's latest reply, written when grading ends: grade, or error when grading itself failed.
 * Kept small (no request, no reply): those are in the reply record it follows.
 */
export const GradeRecordSchema = z
  .strictObject({
    v: z.literal(JOURNAL_VERSION),
    kind: z.literal("grade"),
    session: z.string(),
    itemId: z.string(),
    sample: z.int().nonnegative().exactOptional(),
    grade: GradeSchema.exactOptional(),
    error: RecordErrorSchema.exactOptional(),
    recordedAt: z.number(),
  })
  .refine(
    (r) => (r.grade === undefined) !== (r.error === undefined),
    "a grade record has exactly one of grade and error",
  );

export type JournalRecord = z.infer<typeof JournalRecordSchema>;
export type GradeRecord = z.infer<typeof GradeRecordSchema>;

/**
 * An item is done (not asked again on resume) once the model replied. A failed request has no reply and is
 * asked again; a reply whose grading failed (a gold that will not parse) is kept and fixed by `regrade`.
 */
export function isFinished(record: JournalRecord): boolean {
  return record.reply !== undefined;
}

/** A reply on disk whose verdict is not: graded on resume (or by `regrade`), never asked again. */
export function awaitsGrading(record: Pick<JournalRecord, "grade" | "error"> & { reply?: unknown }): boolean {
  return record.reply !== undefined && record.grade === undefined && record.error === undefined;
}
