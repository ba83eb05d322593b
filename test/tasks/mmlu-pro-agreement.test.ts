/**
 * mmlu_pro's two scoring modes against the official script on real model outputs: 240 replies of four models from
 * TIGER-AI-Lab/MMLU-Pro's eval_results (Apache-2.0), each stored with the letter evaluate_from_api.py's own functions
 * extract (python3). The excerpt is not kept in this repository: `node bench/mmlu-pro-excerpt.ts <file>` writes it,
 * QUANTEVAL_MMLU_PRO_EXCERPT names it, and without it these tests are skipped. bench/choice-agreement.bench.ts does
 * the same on whole files (BENCHMARKS.md, "Choice extraction against MMLU-Pro's own").
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { type Compared, compareStored, type DisagreementKind } from "../../bench/choice-agreement.ts";
import { extractMmluProOfficial } from "../../graders/official-choice.ts";

const RowSchema = z.strictObject({
  model: z.string(),
  questionId: z.number().int(),
  answer: z.string(),
  options: z.array(z.string()),
  reply: z.string(),
  official: z.string().nullable(),
});
const EXCERPT = process.env.QUANTEVAL_MMLU_PRO_EXCERPT;
const rows =
  EXCERPT === undefined || EXCERPT === ""
    ? []
    : readFileSync(EXCERPT, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => RowSchema.parse(JSON.parse(line)));
const compared: { row: z.infer<typeof RowSchema>; c: Compared }[] = await Promise.all(
  rows.map(async (row) => ({ row, c: await compareStored(row, row.official ?? undefined) })),
);

/**
 * Where the strict reader may differ from the official script: the official script guessed from a stray letter,
 * or a rule of the strict reader that differs on purpose (bench/choice-agreement.ts says which). Never "other".
 */
const EXPLAINED: readonly DisagreementKind[] = [
  "stray-letter",
  "stray-letter-vs-stated",
  "several-letters",
  "first-vs-last-stated",
  "letter-text-mismatch",
  "later-statement-unreadable",
  "not-an-option",
  "none-vs-stated",
];

describe.skipIf(rows.length === 0)("the MMLU-Pro excerpt (QUANTEVAL_MMLU_PRO_EXCERPT)", () => {
  test("holds 240 replies of four models, every official level and the common disagreement kinds", () => {
    expect(rows.length).toBe(240);
    expect(new Set(rows.map((r) => r.model)).size).toBe(4);
    const levels = new Set(compared.map(({ c }) => c.level));
    expect([...levels].sort()).toEqual(["answer-colon", "answer-is", "last-letter", "none"]);
    const kinds = new Set(compared.map(({ c }) => c.kind));
    for (const kind of ["stray-letter", "several-letters", "first-vs-last-stated"] as const) {
      expect(kinds).toContain(kind);
    }
  });

  test("our port of the official extraction returns the official script's letter on every reply", () => {
    const differing = rows.filter((r) => (extractMmluProOfficial(r.reply)?.letter ?? null) !== r.official);
    expect(differing.map((r) => `${r.model} #${r.questionId}`)).toEqual([]);
  });

  test("scoring: official agrees with the official script's verdict on >= 99.5% of replies", () => {
    const agree = compared.filter(({ c }) => c.officialMode.verdict === c.official.verdict).length;
    expect(agree / rows.length).toBeGreaterThanOrEqual(0.995);
  });

  test("scoring: strict differs only where the official script guessed from a stray letter, or by a rule", () => {
    const differs = compared.filter(({ c }) => c.strict.verdict !== c.official.verdict);
    const unexplained = differs.filter(({ c }) => !EXPLAINED.includes(c.kind ?? "other"));
    expect(unexplained.map(({ row, c }) => `${row.model} #${row.questionId}: ${c.kind}`)).toEqual([]);
    // A stray letter the official script took is never right for the strict reader by a guess of its own.
    const stray = compared.filter(({ c }) => c.kind === "stray-letter");
    expect(stray.length).toBeGreaterThan(0);
    for (const { c } of stray) expect(c.strict).toMatchObject({ verdict: "none", rule: "none/no-answer" });
  });

  test("the disagreements by kind, as reviewed reply by reply (a change in the strict reader moves them)", () => {
    const counts: Record<string, number> = {};
    for (const { c } of compared) if (c.kind !== undefined) counts[c.kind] = (counts[c.kind] ?? 0) + 1;
    // first-vs-last-stated: gemini-1.5-pro-002 answers the five examples again before the question (6 of 15; the
    // last is right), Qwen1.5-72B-Chat closes with an answer for an example ("Final Answer: The answer is (E).").
    // stray-letter-vs-stated: the official script took a letter from prose where the reply states another one
    // ("the correct answer is:\n\nA. 10 READ I …").
    expect(counts).toEqual({
      "stray-letter": 22,
      "stray-letter-vs-stated": 6,
      "several-letters": 10,
      "first-vs-last-stated": 15,
      "later-statement-unreadable": 5,
      "not-an-option": 4,
      "letter-text-mismatch": 4,
    });
  });
});
