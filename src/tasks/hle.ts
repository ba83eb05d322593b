/**
 * hle: Humanity's Last Exam (cais/hle, gated: accept its terms on the hub and set HF_TOKEN), the text-only
 * questions: items whose `image` is set are left out and counted in a notice. 2,500 questions in all, about
 * 2,150 of them text-only.
 * Prompt: HLE's own system prompt (hle_eval/run_model_predictions.py: "Explanation: … Answer: … Confidence: …")
 * and the question as the user message; choice questions carry their "Answer Choices:" in the text.
 * Grading: deterministic, where HLE's official pipeline asks an LLM judge (o3-mini) instead. Multiple choice:
 * the letter on the last `Answer:` line. Exact match: the `Answer:` line equals the gold after normalisation
 * (case, spacing, LaTeX delimiters, a final period), or is mathematically equal (graders/math). This is stricter
 * than the judge (a correct answer in other words is marked wrong), so absolute scores read lower than the
 * leaderboard; the paired deltas between precisions, graded the same way, are what this task is for.
 * Subset: one category (`hle:math`, `hle:computer_science_ai`, …).
 */
import { z } from "zod";
import { extractAnswerLine } from "../../graders/index.ts";
import type { Grade, Item, MathEngine, Reply } from "../core/types.ts";
import { parseRow, readParquetRows } from "../datasets/index.ts";
import { choiceAnswerKey, gradeChoice, LETTERS } from "./choice.ts";
import type { LoadOptions, Task } from "./types.ts";

const DATASET = "cais/hle";
const FILE = "data/test-00000-of-00001.parquet";

export const HLE_CATEGORIES = [
  "Math",
  "Physics",
  "Computer Science/AI",
  "Biology/Medicine",
  "Humanities/Social Science",
  "Chemistry",
  "Engineering",
  "Other",
] as const;

// hle_eval/run_model_predictions.py SYSTEM_PROMPT (the later upstream version, one prompt for both answer types).
export const SYSTEM_PROMPT =
  "Your response should be in the following format:\nExplanation: {your explanation for your answer choice}\nAnswer: {your chosen answer}\nConfidence: {your confidence score between 0% and 100% for your answer}";

const RowSchema = z.object({
  id: z.string().min(1),
  question: z.string().min(1),
  image: z.string().nullable(),
  answer: z.string().min(1),
  answer_type: z.enum(["exactMatch", "multipleChoice"]),
  category: z.string(),
  raw_subject: z.string().nullable().optional(),
});

/** "Computer Science/AI" and "computer_science_ai" both become "computerscienceai". */
function categoryKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** The choice letters a question offers: the "A." / "B)" lines after "Answer Choices:", or A–E if none are found. */
export function choiceLetters(question: string): string {
  const at = question.search(/answer choices\s*:/i);
  const tail = at < 0 ? question : question.slice(at);
  const found = [...tail.matchAll(/^\s*\(?([A-Z])[.)]\s/gm)].map((m) => m[1] as string);
  const last = found.reduce((max, l) => (l > max ? l : max), "");
  return last === "" ? LETTERS.slice(0, 5) : LETTERS.slice(0, LETTERS.indexOf(last) + 1);
}

async function load(opts: LoadOptions): Promise<Item[]> {
  const path = await opts.data.path(DATASET, FILE, "hle");
  const rows = await readParquetRows(path, {
    columns: ["id", "question", "image", "answer", "answer_type", "category", "raw_subject"],
  });
  const wanted = opts.subset === undefined ? undefined : categoryKey(opts.subset);
  const items: Item[] = [];
  let withImage = 0;
  rows.forEach((raw, index) => {
    const row = parseRow(RowSchema, raw, `${DATASET}/${FILE} row ${index}`);
    if (wanted !== undefined && categoryKey(row.category) !== wanted) return;
    if (row.image !== null && row.image !== "") {
      withImage += 1;
      return;
    }
    items.push({
      id: row.id,
      task: "hle",
      messages: [
        { role: "system", content: SYSTEM_PROMPT },
        { role: "user", content: row.question },
      ],
      gold: { answer: row.answer, answerType: row.answer_type },
      meta: {
        category: row.category,
        answer_type: row.answer_type,
        ...(row.answer_type === "multipleChoice" ? { letters: choiceLetters(row.question) } : {}),
      },
    });
  });
  if (withImage > 0)
    opts.notice(
      `${withImage} question(s) need an image and were left out (text-only evaluation); ${items.length} remain`,
    );
  return items;
}

const LettersSchema = z.string();
const GoldSchema = z.object({ answer: z.string(), answerType: z.enum(["exactMatch", "multipleChoice"]) });

/** Case, spacing, `$…$`, `\text{}` braces and a final period do not make an answer different. */
export function normaliseExact(s: string): string {
  return s
    .replace(/\\text\{([^{}]*)\}/g, "$1")
    .replace(/[$]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/\.$/, "")
    .toLowerCase();
}

function gradeExact(reply: Reply, gold: string, engine: MathEngine): Grade {
  const extracted = extractAnswerLine(reply.text);
  if (extracted === undefined) return { correct: false, answered: false, rule: "none/no-answer" };
  if (normaliseExact(extracted) === normaliseExact(gold))
    return { correct: true, answered: true, rule: "answer-line/normalised-equal", extracted };
  const math = engine.equal(gold, extracted);
  if (math.equal) return { correct: true, answered: true, rule: `answer-line/${math.rule}`, extracted };
  return { correct: false, answered: true, rule: "answer-line/not-equal", extracted };
}

function goldOf(item: Item): z.infer<typeof GoldSchema> {
  return GoldSchema.parse(item.gold);
}

export const hle: Task = {
  name: "hle",
  family: "hle",
  description:
    "Humanity's Last Exam, text-only questions (exact match and multiple choice), graded without an LLM judge (gated on the hub)",
  source: { kind: "hub", datasets: [DATASET] },
  defaults: { maxTokens: 32768 },
  size: "≈2,150 text-only of 2,500",
  gated: true,
  subsets: {
    describe: `one category: ${HLE_CATEGORIES.map((c) => c.toLowerCase().replace(/[^a-z0-9]+/g, "_")).join(", ")}`,
    check: (subset) =>
      HLE_CATEGORIES.some((c) => categoryKey(c) === categoryKey(subset)) ? undefined : `no category "${subset}"`,
  },
  files: () => [{ dataset: DATASET, path: FILE }],
  breakdowns: ["category", "answer_type"],
  load,
  grade: async (item, reply, ctx) => {
    const gold = goldOf(item);
    if (gold.answerType === "multipleChoice")
      return gradeChoice(reply, gold.answer.trim(), LettersSchema.parse(item.meta.letters));
    return gradeExact(reply, gold.answer, ctx.math);
  },
  answerKey: (item, math) => {
    const gold = goldOf(item);
    if (gold.answerType === "multipleChoice")
      return choiceAnswerKey(
        gold.answer.trim(),
        LettersSchema.parse(item.meta.letters),
        (l) => `Answer: ${l}\nConfidence: 80%`,
      );
    // A candidate the grader would accept for this gold ("0" for "0.0") is not a wrong answer.
    const wrong = ["0", "none of the above", "42"].filter(
      (w) => normaliseExact(w) !== normaliseExact(gold.answer) && !math.equal(gold.answer, w).equal,
    );
    return {
      correct: `Answer: ${gold.answer}\nConfidence: 80%`,
      wrong: wrong.map((w) => `Answer: ${w}\nConfidence: 40%`),
    };
  },
};
