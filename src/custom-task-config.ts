/**
 * The schema of a user-defined task (`customTasks:` in the run config, or a YAML file it names): where the rows
 * come from, how a row becomes a prompt, which field is the gold, and how a reply is compared with it. Field names
 * follow lm-evaluation-harness where one exists (its `doc_to_text` is our `prompt`, `doc_to_target` our `gold`,
 * `num_fewshot` our `fewShot.count`), in the config's camelCase. It sits beside config.ts, on the config layer:
 * the run config's schema includes it, and src/tasks/custom/ builds tasks from what it parses.
 */
import { z } from "zod";

/** How a reply is compared with the gold; the names users write as `answer.type`. */
export const CUSTOM_ANSWER_TYPES = ["choice", "integer", "number", "math", "exact", "code"] as const;

/** Data files by extension; `format` overrides when the name does not say (`.txt` holding JSON Lines). */
export const DATA_FORMATS = ["jsonl", "csv", "parquet"] as const;

const FIELD = z.string().min(1, "name a field of the data");

/**
 * A local file, its path relative to the file that names it (made absolute when the config is read); or, with
 * `hub`, a file of a Hugging Face dataset repo at a revision, read through src/datasets (cache, data dir, offline,
 * gated access and sha256 as for the built-in tasks). A config/split is a file in the repo: `data/test-*.parquet`.
 */
export const DataFileSchema = z
  .strictObject({
    file: z.string().min(1),
    format: z.enum(DATA_FORMATS).optional(),
    hub: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, "must be a hub dataset id, owner/name")
      .optional(),
    /** A commit hash (pins the bytes) or a branch. */
    revision: z.string().min(1).optional(),
  })
  .refine((d) => (d.hub === undefined) === (d.revision === undefined), {
    path: ["revision"],
    message: "give hub and revision together (a commit hash pins the data)",
  });
export type DataFile = z.infer<typeof DataFileSchema>;

/** A choice gold as a letter (B), a 0-based index (1, as lm-eval's integer doc_to_target) or an option's text. */
export const GOLD_KINDS = ["letter", "index", "text"] as const;

const ChoiceAnswerSchema = z.strictObject({
  type: z.literal("choice"),
  /** A field holding the list of options, or the columns holding one option each ([A, B, C, D]). */
  options: z.union([FIELD, z.array(FIELD).min(2).max(10, "at most 10 option columns (A–J)")]),
  /** How the gold is written; unset, any of the three, and a gold two of them read differently is refused. */
  goldIs: z.enum(GOLD_KINDS).optional(),
});

const NumberAnswerSchema = z.strictObject({
  type: z.literal("number"),
  /** Absolute: |answer − gold| ≤ tolerance, decided exactly on the decimals as written. */
  tolerance: z.number().nonnegative().default(0),
});

const ExactAnswerSchema = z.strictObject({
  type: z.literal("exact"),
  ignoreCase: z.boolean().default(false),
  /** Removes every whitespace character ("New York" = "NewYork"); runs of spaces are always one space. */
  ignoreWhitespace: z.boolean().default(false),
  /** Removes Unicode punctuation ("U.S.A." = "USA", "don't" = "dont"). */
  ignorePunctuation: z.boolean().default(false),
});

/**
 * Generated code run against the row's tests in the sandbox (graders/code, as LiveCodeBench): every test must pass.
 * "stdin" tests are `{ input, output }` (standard input, expected standard output); "functional" tests are
 * `{ args: [...], output }`, the function named `functionName` called with args must return output.
 */
const CodeAnswerSchema = z
  .strictObject({
    type: z.literal("code"),
    /** A field holding the list of tests, or that list as JSON text (as a CSV cell holds it). */
    tests: FIELD,
    mode: z.enum(["stdin", "functional"]).default("stdin"),
    /** The function functional tests call: a name, or a `{field}` template (`"{entry_point}"`). */
    functionName: z.string().min(1).optional(),
    language: z.enum(["python", "javascript"]).default("python"),
    timeoutSec: z.number().positive().max(120).default(6),
    memoryMb: z.int().min(64).max(4096).default(1024),
  })
  .refine((a) => (a.mode === "functional") === (a.functionName !== undefined), {
    path: ["functionName"],
    message: 'give functionName exactly when mode is "functional"',
  });

export const AnswerSchema = z.discriminatedUnion(
  "type",
  [
    ChoiceAnswerSchema,
    z.strictObject({ type: z.literal("integer") }),
    NumberAnswerSchema,
    z.strictObject({ type: z.literal("math") }),
    ExactAnswerSchema,
    CodeAnswerSchema,
  ],
  {
    // The config's issue formatter adds what was written: `answer.type: unknown answer type: … (got "int")`.
    error: (issue) =>
      issue.code === "invalid_union" && issue.note === "No matching discriminator"
        ? `unknown answer type: use one of ${CUSTOM_ANSWER_TYPES.join(", ")}`
        : undefined,
  },
);
export type CustomAnswer = z.infer<typeof AnswerSchema>;

export const CustomTaskSchema = z
  .strictObject({
    /** As users type it in `tasks:`; no ":" (that selects a subset). */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, '.', '_' or '-'"),
    description: z.string().min(1).optional(),
    /** Set by the config reader when the definition came from its own YAML file (absolute path). */
    definedIn: z.string().min(1).optional(),
    data: DataFileSchema,
    /** A field holding a unique item id; default the row number ("row-1", …). */
    id: FIELD.optional(),
    system: z.string().min(1).optional(),
    /** The user message: `{field}` is replaced by the row's field; `{options}` by lettered options (choice). */
    prompt: z.string().min(1),
    /** Appended to the prompt to say how to give the answer; default per answer type; "" for none. */
    instruction: z.string().optional(),
    /** The field holding the answer; code answers take theirs from `answer.tests` instead. */
    gold: FIELD.optional(),
    answer: AnswerSchema,
    /** Solved examples asked before each item as earlier turns: the first `count` rows of `data`. */
    fewShot: z.strictObject({ data: DataFileSchema, count: z.int().positive().max(64) }).optional(),
    /** Fields the report breaks accuracy down by. */
    breakdowns: z.array(FIELD).default([]),
    maxTokens: z.int().positive().default(4096),
  })
  .refine((d) => d.answer.type === "code" || d.gold !== undefined, {
    path: ["gold"],
    message: "name the field holding the answer",
  })
  .refine((d) => d.answer.type !== "code" || d.fewShot === undefined, {
    path: ["fewShot"],
    message: "not for code answers: a test list is no example reply to show",
  });
export type CustomTaskDefinition = z.infer<typeof CustomTaskSchema>;
