/**
 * mmlu_pro: MMLU-Pro (TIGER-Lab/MMLU-Pro, test split: 12,032 questions, 3–10 options A–J, 14 categories).
 * Prompt: the official chain-of-thought format of TIGER-AI-Lab/MMLU-Pro's evaluate_from_api.py — a header naming
 * the subject and asking for "The answer is (X)" at the end, then "Question: …\nOptions: A. …\nAnswer: Let's think
 * step by step." — zero-shot by default; `shots: 5` puts the category's five validation questions with their
 * chain of thought in front, as the official script does. Options "N/A" are dropped, as its preprocess does.
 * Grading: the letter the reply states last ("the answer is (X)", an `Answer:` line, or a boxed letter); with
 * `scoring: official`, evaluate_from_api.py's own three regexes and its random guess (`officialRandomGuess`).
 * Subsets: `mmlu_pro:law`, `mmlu_pro:computer_science` (one category).
 * Gold: the row's `answer` letter. Where `answer` and `answer_index` disagree (one real row, question 3983), the
 * letter is trusted, as the official script scores against it; the loader says so once.
 */
import { z } from "zod";
import { extractMmluProOfficial } from "../../graders/index.ts";
import { DatasetFormatError } from "../core/errors.ts";
import type { Item } from "../core/types.ts";
import { parseRow, readParquetRows } from "../datasets/index.ts";
import {
  choiceAnswerKey,
  gradeChoice,
  gradeOfficialChoice,
  LETTERS,
  lettersFor,
  officialGuess,
  recordedScoring,
  ScoringModeSchema,
  STRICT_SCORING,
} from "./choice.ts";
import type { LoadOptions, ScoringInfo, Task } from "./types.ts";

const DATASET = "TIGER-Lab/MMLU-Pro";
const TEST_FILE = "data/test-00000-of-00001.parquet";
const VALIDATION_FILE = "data/validation-00000-of-00001.parquet";
/** Built once: a schema built per graded item cost more than the grading (`npm run bench`, overhead). */
const GoldSchema = z.object({
  gold: z.string(),
  options: z.array(z.string()),
  scoring: ScoringModeSchema,
  guess: z.boolean().default(false),
});

export const MMLU_PRO_CATEGORIES = [
  "biology",
  "business",
  "chemistry",
  "computer science",
  "economics",
  "engineering",
  "health",
  "history",
  "law",
  "math",
  "other",
  "philosophy",
  "physics",
  "psychology",
] as const;

const OptionsSchema = z
  .strictObject({
    /** 0: zero-shot CoT (default); 5: the official five validation examples per category with their CoT. */
    shots: z.union([z.literal(0), z.literal(5)]).default(0),
    scoring: ScoringModeSchema,
    /** Official mode: a reply with no letter scores a seeded random guess, as the official script does (default). */
    officialRandomGuess: z.boolean().optional(),
  })
  .refine((o) => o.officialRandomGuess === undefined || o.scoring === "official", {
    path: ["officialRandomGuess"],
    message: "applies only with scoring: official",
  });

const RowSchema = z.object({
  question_id: z.number().int(),
  question: z.string().min(1),
  options: z.array(z.string()).min(2).max(10),
  answer: z.string().regex(/^[A-J]$/),
  answer_index: z.number().int().min(0).max(9),
  cot_content: z.string(),
  category: z.string().min(1),
  src: z.string(),
});
type Row = z.infer<typeof RowSchema>;

// Verbatim from evaluate_from_api.py (TIGER-AI-Lab/MMLU-Pro), the official script for chat APIs: the header,
// then the examples, then the question, all in one user message.
const HEADER =
  'The following are multiple choice questions (with answers) about {subject}. Think step by step and then output the answer in the format of "The answer is (X)" at the end.\n\n';

/** One example as the official `format_example` writes it; `cot` empty for the question being asked. */
function formatExample(row: Pick<Row, "question" | "options">, cot: string): string {
  let text = `Question: ${row.question}\nOptions: `;
  row.options.forEach((option, i) => {
    text += `${LETTERS[i]}. ${option}\n`;
  });
  // The validation CoT starts with "A: Let's think step by step."; the official script drops the "A: ".
  const thought = cot === "" ? "Let's think step by step." : cot.startsWith("A: ") ? cot.slice(3) : cot;
  return `${text}Answer: ${thought}\n\n`;
}

export function buildPrompt(row: Row, examples: readonly Row[]): string {
  const shots = examples.map((e) => formatExample(e, e.cot_content)).join("");
  return `${HEADER.replace("{subject}", row.category)}${shots}${formatExample(row, "")}`;
}

function normaliseCategory(subset: string): string {
  return subset.replace(/_/g, " ").toLowerCase();
}

async function readRows(file: string): Promise<Row[]> {
  const rows = await readParquetRows(file);
  return rows.map((raw, index) => {
    const row = parseRow(RowSchema, raw, `${file} row ${index}`);
    // Some upstream rows pad `options` with "N/A"; they are not choices (the official loader drops them).
    return { ...row, options: row.options.filter((o) => o !== "N/A") };
  });
}

async function load(opts: LoadOptions): Promise<Item[]> {
  const { shots, scoring, officialRandomGuess } = OptionsSchema.parse(opts.options);
  const guess = scoring === "official" && officialRandomGuess !== false;
  const category = opts.subset === undefined ? undefined : normaliseCategory(opts.subset);
  const test = await readRows(await opts.data.path(DATASET, TEST_FILE, "mmlu_pro"));
  const validation = shots === 0 ? [] : await readRows(await opts.data.path(DATASET, VALIDATION_FILE, "mmlu_pro"));
  const rows = category === undefined ? test : test.filter((r) => r.category === category);

  const disagreeing = rows.filter((r) => LETTERS[r.answer_index] !== r.answer);
  if (disagreeing.length > 0) {
    opts.notice(
      `${disagreeing.length} row(s) have an answer letter that disagrees with answer_index ` +
        `(question_id ${disagreeing
          .slice(0, 5)
          .map((r) => `${r.question_id}: ${r.answer} vs index ${r.answer_index}`)
          .join(", ")}); ` +
        "the letter is trusted, as the official evaluation scores against it",
    );
  }
  return rows.map((row) => {
    const examples = validation.filter((v) => v.category === row.category).slice(0, shots);
    if (shots > 0 && examples.length < shots) {
      throw new DatasetFormatError(
        `${DATASET}/${VALIDATION_FILE}`,
        `category "${row.category}" has ${examples.length} validation examples, ${shots} needed for the ${shots}-shot prompt`,
      );
    }
    return {
      id: String(row.question_id),
      task: "mmlu_pro",
      messages: [{ role: "user" as const, content: buildPrompt(row, examples) }],
      gold: row.answer,
      meta: { category: row.category, src: row.src, options: row.options, scoring, guess },
    };
  });
}

function goldOf(item: Item) {
  const { gold, options, scoring, guess } = GoldSchema.parse({ gold: item.gold, ...item.meta });
  return { letter: gold, letters: lettersFor(options.length), options, scoring, guess };
}

const OFFICIAL =
  'TIGER-AI-Lab/MMLU-Pro evaluate_from_api.py: the first "answer is (X)", else the first line\'s ' +
  'last "Answer: X", else the last standalone letter A–J (stray letters included)';

function scoring(options: Record<string, unknown>): ScoringInfo | undefined {
  const recorded = recordedScoring(options);
  if (recorded === undefined) return undefined;
  const { scoring: mode, officialRandomGuess } = recorded;
  if (mode === "strict") return STRICT_SCORING;
  const none =
    officialRandomGuess === false
      ? "no letter is unanswered (officialRandomGuess: false)"
      : "no letter scores a random guess seeded by the item id";
  return { mode, description: `${OFFICIAL}; ${none}` };
}

export const mmluPro: Task = {
  name: "mmlu_pro",
  family: "mmlu_pro",
  description:
    "MMLU-Pro: 12,032 multiple-choice questions, up to 10 options, 14 categories (0-shot CoT; shots: 5 for the official prompt)",
  source: { kind: "hub", datasets: [DATASET] },
  // Thinking models write long chains of thought even on MMLU-Pro; 32k is what Qwen3's card recommends.
  defaults: { maxTokens: 32768 },
  size: "12,032",
  subsets: {
    describe: `one category: ${MMLU_PRO_CATEGORIES.map((c) => c.replace(/ /g, "_")).join(", ")}`,
    check: (subset) =>
      MMLU_PRO_CATEGORIES.includes(normaliseCategory(subset) as (typeof MMLU_PRO_CATEGORIES)[number])
        ? undefined
        : `no category "${subset}"`,
  },
  options: OptionsSchema,
  files: (_subset, options) => [
    { dataset: DATASET, path: TEST_FILE },
    ...(OptionsSchema.parse(options).shots > 0 ? [{ dataset: DATASET, path: VALIDATION_FILE }] : []),
  ],
  breakdowns: ["category"],
  load,
  grade: async (item, reply) => {
    const gold = goldOf(item);
    if (gold.scoring === "strict") return gradeChoice(reply, gold.letter, gold.letters, gold.options);
    const guess = gold.guess ? officialGuess(item.id, gold.letters) : undefined;
    return gradeOfficialChoice(extractMmluProOfficial(reply.text), gold.letter, guess);
  },
  scoring,
  answerKey: (item) => {
    const gold = goldOf(item);
    return choiceAnswerKey(gold.letter, gold.letters, (letter) => `the answer is (${letter})`);
  },
};
