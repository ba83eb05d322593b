/**
 * suite40: our own 40-question "decidable answers" suite (evalsets/accuracy-suite-v1.jsonl), written for
 * quanteval and not taken from any public benchmark. Six categories: arithmetic, algebra, logic, science and
 * general_knowledge (multiple choice), code_reading (the printed output of a short Python or JavaScript program).
 * Every answer was computed (arithmetic exactly, logic by brute force, code by running it), not typed in, and
 * test/tasks/suite40.test.ts recomputes each one independently.
 * Protocol: zero-shot chain of thought, one attempt per item, no shuffling (the option order is part of the file
 * and letters are spread over A–E). The reply's final line must be `Answer: <answer>`; grading is by the row's
 * answer_type (graders/answer-type.ts). Run: `quanteval run --tasks suite40 …`.
 *
 * Row format, one JSON object per line: id, category, question, answer, answer_type ("integer" | "fraction" |
 * "choice" | "string" | "number"), choices (choice only), tolerance (number only, absolute), and two optional
 * fields: case_insensitive (string only; the question then says "case does not matter") and distractors
 * (required for string rows: plausible wrong outputs the simulator may answer with).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import {
  ANSWER_TYPES,
  gradeByAnswerType,
  type SuiteGold,
  SuiteGoldSchema,
  wrongAnswersFor,
} from "../../graders/index.ts";
import { DatasetFormatError, GoldParseError } from "../core/errors.ts";
import type { Item } from "../core/types.ts";
import type { AnswerKey, Task } from "./types.ts";

const SUITE_PATH = "evalsets/accuracy-suite-v1.jsonl";

// Based on simple-evals' math QUERY_TEMPLATE ("The last line of your response should be of the form Answer: $ANSWER").
const QUERY_TEMPLATE = `Solve the following problem. Think step by step, then end your reply with a final line of the form "Answer: <answer>", where <answer> is only the final answer{format}.

{question}`;

// Based on simple-evals' multiple-choice template (MMLU/GPQA): options as "A) …", the letter alone on the last line.
const CHOICE_TEMPLATE = `Answer the following multiple-choice question. Think step by step, then end your reply with a final line of the form "Answer: <letter>", where <letter> is one of {letters} and nothing else.

{question}

{options}`;

// How the final answer should be written, per answer type; the grader accepts more than this, the prompt asks for one form.
const FORMAT_HINT: Record<Exclude<SuiteGold["answerType"], "choice">, string> = {
  integer: " (an integer, without units)",
  fraction: " (a fraction a/b in lowest terms, or an integer; without units)",
  number: " (a decimal number, without units)",
  string: " (exactly as asked, with nothing added)",
};

const RowSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
  category: z.string().min(1),
  question: z.string().min(1),
  answer: z.string().min(1),
  answer_type: z.enum(ANSWER_TYPES),
  choices: z.array(z.string().min(1)).min(2).max(26).optional(),
  tolerance: z.number().nonnegative().optional(),
  case_insensitive: z.boolean().optional(),
  distractors: z.array(z.string().min(1)).min(2).max(3).optional(),
});
type Row = z.infer<typeof RowSchema>;

const MetaSchema = z.object({ distractors: z.array(z.string()).optional() });

export const suite40: Task = {
  name: "suite40",
  family: "suite40",
  description:
    "40 decidable questions in six categories (arithmetic, algebra, logic, science, general knowledge, code reading)",
  source: { kind: "bundled", path: SUITE_PATH },
  defaults: { maxTokens: 4096 },
  size: "40",
  files: () => [],
  breakdowns: ["category"],
  load: async ({ root }) => parseSuite(await readSuite(root), SUITE_PATH).map(rowToItem),
  grade: async (item, reply) => gradeByAnswerType(reply.text, goldOf(item), { task: "suite40", itemId: item.id }),
  answerKey,
};

async function readSuite(root: string): Promise<string> {
  const path = join(root, SUITE_PATH);
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    // The file ships with quanteval: a missing one means a broken install or a wrong root, not an empty suite.
    throw new DatasetFormatError(
      path,
      `cannot read the bundled suite (${cause instanceof Error ? cause.message : String(cause)})`,
      { cause },
    );
  }
}

/** Parses the JSONL text; a bad line throws DatasetFormatError naming `file:line` and the field. */
export function parseSuite(text: string, file: string): Row[] {
  const rows: Row[] = [];
  const ids = new Set<string>();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `${file}:${index + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (cause) {
      throw new DatasetFormatError(where, "not valid JSON", { cause });
    }
    const parsed = RowSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DatasetFormatError(where, `${issue?.path.join(".") || "(row)"}: ${issue?.message ?? "invalid"}`);
    }
    const row = parsed.data;
    const problem = rowProblem(row, ids);
    if (problem !== undefined) throw new DatasetFormatError(where, problem);
    ids.add(row.id);
    rows.push(row);
  });
  return rows;
}

/** Cross-field rules zod's per-field schema does not express. */
function rowProblem(row: Row, seen: ReadonlySet<string>): string | undefined {
  if (seen.has(row.id)) return `id: duplicate id "${row.id}"`;
  if ((row.answer_type === "choice") !== (row.choices !== undefined))
    return 'choices: present exactly when answer_type is "choice"';
  if ((row.answer_type === "number") !== (row.tolerance !== undefined))
    return 'tolerance: present exactly when answer_type is "number"';
  if (row.answer_type !== "string" && (row.case_insensitive !== undefined || row.distractors !== undefined)) {
    return 'case_insensitive/distractors: only for answer_type "string"';
  }
  if (row.answer_type === "string" && row.distractors === undefined)
    return 'distractors: required for answer_type "string"';
  return undefined;
}

function rowToItem(row: Row): Item {
  const gold: SuiteGold = { answer: row.answer, answerType: row.answer_type };
  if (row.choices !== undefined) gold.choices = row.choices;
  if (row.tolerance !== undefined) gold.tolerance = row.tolerance;
  if (row.case_insensitive !== undefined) gold.caseInsensitive = row.case_insensitive;
  const meta: Record<string, unknown> = { category: row.category, answerType: row.answer_type };
  if (row.distractors !== undefined) meta.distractors = row.distractors;
  return { id: row.id, task: "suite40", messages: [{ role: "user", content: promptFor(row) }], gold, meta };
}

function promptFor(row: Row): string {
  if (row.answer_type === "choice") {
    const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".slice(0, row.choices?.length ?? 0);
    const options = (row.choices ?? []).map((text, i) => `${letters[i]}) ${text}`).join("\n");
    return fill(CHOICE_TEMPLATE, { letters: [...letters].join(", "), question: row.question, options });
  }
  return fill(QUERY_TEMPLATE, { format: FORMAT_HINT[row.answer_type], question: row.question });
}

/** One pass with a replacer function: a "$&" or "{options}" inside a question stays literal text. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (slot: string, key: string) => values[key] ?? slot);
}

/** The gold as journalled; parsed again because a regrade reads it back from outside. */
function goldOf(item: Item): SuiteGold {
  const parsed = SuiteGoldSchema.safeParse(item.gold);
  if (!parsed.success)
    throw new GoldParseError(
      "suite40",
      item.id,
      JSON.stringify(item.gold),
      parsed.error.issues[0]?.message ?? "invalid",
    );
  return parsed.data;
}

function answerKey(item: Item): AnswerKey {
  const gold = goldOf(item);
  const wrong =
    gold.answerType === "string" ? distractorsOf(item) : wrongAnswersFor(gold, { task: "suite40", itemId: item.id });
  return { correct: `Answer: ${gold.answer}`, wrong: wrong.slice(0, 3).map((w) => `Answer: ${w}`) };
}

function distractorsOf(item: Item): string[] {
  const meta = MetaSchema.safeParse(item.meta);
  if (!meta.success) throw new DatasetFormatError(`suite40/${item.id}`, "meta.distractors: not a list of strings");
  return meta.data.distractors ?? [];
}
