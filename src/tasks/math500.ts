/**
 * math500: MATH-500 (HuggingFaceH4/MATH-500, 500 problems: OpenAI's PRM800K test subset of Hendrycks MATH),
 * with subject and level kept for the breakdown.
 * Prompt: the problem, then "Please reason step by step, and put your final answer within \boxed{}."
 * Grading: the last `\boxed{}` (else an `Answer:` line) against the row's `answer` by graders/math's
 * equivalence (LaTeX normalised; numbers, expressions, tuples, intervals, sets), the rule that decided recorded.
 */
import { z } from "zod";
import type { Item } from "../core/types.ts";
import { parseRow, readJsonl } from "../datasets/index.ts";
import { boxedPrompt, gradeMathAnswer } from "./math-answer.ts";
import type { LoadOptions, Task } from "./types.ts";

const DATASET = "HuggingFaceH4/MATH-500";
/** Built once: a schema built per graded item cost more than the grading (`npm run bench`, overhead). */
const GoldSchema = z.string();
const FILE = "test.jsonl";

const RowSchema = z.object({
  problem: z.string().min(1),
  solution: z.string(),
  answer: z.string().min(1),
  subject: z.string().min(1),
  level: z.number().int().min(1).max(5),
  unique_id: z.string().min(1),
});

async function load(opts: LoadOptions): Promise<Item[]> {
  const path = await opts.data.path(DATASET, FILE, "math500");
  const rows = await readJsonl(path);
  return rows.map((raw, index) => {
    const row = parseRow(RowSchema, raw, `${DATASET}/${FILE} line ${index + 1}`);
    return {
      id: row.unique_id,
      task: "math500",
      messages: [{ role: "user" as const, content: boxedPrompt(row.problem) }],
      gold: row.answer,
      meta: { subject: row.subject, level: String(row.level) },
    };
  });
}

export const math500: Task = {
  name: "math500",
  family: "math500",
  description:
    "MATH-500: 500 competition math problems (7 subjects, levels 1–5), boxed answers graded by math equivalence",
  source: { kind: "hub", datasets: [DATASET] },
  defaults: { maxTokens: 32768 },
  size: "500",
  files: () => [{ dataset: DATASET, path: FILE }],
  breakdowns: ["subject", "level"],
  load,
  grade: async (item, reply, ctx) => gradeMathAnswer(reply, GoldSchema.parse(item.gold), ctx.math),
  answerKey: (item, math) => {
    const gold = GoldSchema.parse(item.gold);
    // Wrong answers a model plausibly gives: off by one where numeric, a sign flip, or a different expression.
    const numeric = /^-?\d+$/.test(gold) ? Number(gold) : undefined;
    const candidates =
      numeric !== undefined
        ? [String(numeric + 1), String(numeric - 1), String(-numeric - 2)]
        : [`${gold}+1`, `2(${gold})`, "0", "1", "-1"];
    // A candidate the grader would accept (\infty+1 for \infty) is not a wrong answer.
    const wrong = candidates.filter((w) => !math.equal(gold, w).equal).slice(0, 3);
    return { correct: `\\boxed{${gold}}`, wrong: wrong.map((w) => `\\boxed{${w}}`) };
  },
};
