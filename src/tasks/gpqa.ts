/**
 * gpqa_diamond (198), gpqa_main (448), gpqa_extended (546): graduate-level science questions with four options
 * (Idavidrein/gpqa, gated: accept its terms on the hub and set HF_TOKEN). Its authors ask that examples stay out
 * of plain text, so no row of it is in this repository; test fixtures are rows we wrote under the real header.
 * The CSV's fields hold newlines, so it is parsed as records, not lines.
 * Prompt: simple-evals' multiple-choice template (openai/simple-evals common.py QUERY_TEMPLATE_MULTICHOICE).
 * Options: the correct answer and the three incorrect ones, shuffled with a seed derived from the question's
 * Record ID (and `shuffleSeed`), so the order does not depend on which rows or subsets are loaded; the
 * permutation is kept in the item (`meta.permutation[i]` = the CSV column shown as letter i, 0 = correct).
 * Grading: the last stated letter (an `Answer:` line, "the answer is X", or a boxed letter); with
 * `scoring: official`, simple-evals' own pattern (the first `Answer: X`).
 */
import { z } from "zod";
import { extractSimpleEvalsChoice } from "../../graders/index.ts";
import type { Item } from "../core/types.ts";
import { parseRow, readCsvRecords } from "../datasets/index.ts";
import {
  choiceAnswerKey,
  formatOptions,
  gradeChoice,
  gradeOfficialChoice,
  LETTERS,
  recordedScoring,
  ScoringModeSchema,
  STRICT_SCORING,
  seededPermutation,
} from "./choice.ts";
import type { LoadOptions, ScoringInfo, Task } from "./types.ts";

const DATASET = "Idavidrein/gpqa";
/** Built once: a schema built per graded item cost more than the grading (`npm run bench`, overhead). */
const GoldSchema = z.object({ gold: z.string(), options: z.array(z.string()), scoring: ScoringModeSchema });

// simple-evals' QUERY_TEMPLATE_MULTICHOICE, verbatim.
const QUERY_TEMPLATE = `Answer the following multiple choice question. The last line of your response should be of the following format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by step before answering.

{question}

{options}`;

const OptionsSchema = z.strictObject({
  /** Mixed into every question's shuffle; change it to measure how much the option order matters. */
  shuffleSeed: z.int().nonnegative().default(0),
  scoring: ScoringModeSchema,
});

function scoring(options: Record<string, unknown>): ScoringInfo | undefined {
  const mode = recordedScoring(options)?.scoring;
  if (mode === undefined) return undefined;
  return mode === "strict"
    ? STRICT_SCORING
    : {
        mode,
        description:
          'openai/simple-evals gpqa_eval.py: the first "Answer: X" (any case; a lower-case letter is wrong); ' +
          "none is unanswered",
      };
}

const RowSchema = z.object({
  "Record ID": z.string().min(1),
  Question: z.string().min(1),
  "Correct Answer": z.string().min(1),
  "Incorrect Answer 1": z.string().min(1),
  "Incorrect Answer 2": z.string().min(1),
  "Incorrect Answer 3": z.string().min(1),
  "High-level domain": z.string(),
  Subdomain: z.string(),
});

function clean(text: string): string {
  return text.trim();
}

function gpqaTask(config: "diamond" | "main" | "extended", size: string): Task {
  const name = `gpqa_${config}`;
  const file = `gpqa_${config}.csv`;
  const load = async (opts: LoadOptions): Promise<Item[]> => {
    const { shuffleSeed, scoring: mode } = OptionsSchema.parse(opts.options);
    const path = await opts.data.path(DATASET, file, name);
    const records = await readCsvRecords(path);
    return records.map((record, index) => {
      const row = parseRow(RowSchema, record, `${DATASET}/${file} record ${index + 1}`);
      const answers = [
        row["Correct Answer"],
        row["Incorrect Answer 1"],
        row["Incorrect Answer 2"],
        row["Incorrect Answer 3"],
      ].map(clean);
      const permutation = seededPermutation(`${row["Record ID"]}:${shuffleSeed}`, 4);
      const options = permutation.map((k) => answers[k] as string);
      const gold = LETTERS[permutation.indexOf(0)] as string;
      return {
        id: row["Record ID"],
        task: name,
        messages: [
          {
            role: "user" as const,
            content: QUERY_TEMPLATE.replace("{question}", clean(row.Question)).replace(
              "{options}",
              formatOptions(options, "A)"),
            ),
          },
        ],
        gold,
        meta: { domain: row["High-level domain"], subdomain: row.Subdomain, permutation, options, scoring: mode },
      };
    });
  };
  const goldOf = (item: Item) => {
    const { gold, options, scoring: mode } = GoldSchema.parse({ gold: item.gold, ...item.meta });
    return { letter: gold, options, scoring: mode };
  };
  return {
    name,
    family: "gpqa",
    description: `GPQA ${config}: ${size} graduate-level science questions, 4 options shuffled per question (gated on the hub)`,
    source: { kind: "hub", datasets: [DATASET] },
    defaults: { maxTokens: 32768 },
    size,
    gated: true,
    options: OptionsSchema,
    files: () => [{ dataset: DATASET, path: file }],
    breakdowns: ["domain"],
    load,
    grade: async (item, reply) => {
      const gold = goldOf(item);
      if (gold.scoring === "official") return gradeOfficialChoice(extractSimpleEvalsChoice(reply.text), gold.letter);
      return gradeChoice(reply, gold.letter, "ABCD", gold.options);
    },
    scoring,
    answerKey: (item) => choiceAnswerKey(goldOf(item).letter, "ABCD", (letter) => `Answer: ${letter}`),
  };
}

export const gpqaDiamond = gpqaTask("diamond", "198");
export const gpqaMain = gpqaTask("main", "448");
export const gpqaExtended = gpqaTask("extended", "546");
