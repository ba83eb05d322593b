/**
 * What the multiple-choice tasks (MMLU-Pro, GPQA, HLE's choice questions) share: letters, grading in either
 * scoring mode, seeded shuffles and guesses, answer keys.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { extractChoice } from "../../graders/index.ts";
import type { Grade, Reply } from "../core/types.ts";
import type { AnswerKey, ScoringInfo } from "./types.ts";

export const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * `taskOptions.<task>.scoring`: "strict" is quanteval's reader (graders/extract.ts `extractChoice`, the last stated
 * answer, no stray letters); "official" reproduces the benchmark's own extraction, to match published numbers.
 */
export const ScoringModeSchema = z.enum(["strict", "official"]).default("strict");

/** The scoring part of a task's recorded options; other keys are the task's own. */
const RecordedScoringSchema = z.object({ scoring: ScoringModeSchema, officialRandomGuess: z.boolean().optional() });

/**
 * The scoring options recorded in a manifest (absent in runs made before the option: strict), or `undefined` when
 * they name a mode this version does not know: the report then says nothing rather than something wrong.
 */
export function recordedScoring(options: Record<string, unknown>): z.infer<typeof RecordedScoringSchema> | undefined {
  const parsed = RecordedScoringSchema.safeParse(options);
  return parsed.success ? parsed.data : undefined;
}

export const STRICT_SCORING: ScoringInfo = {
  mode: "strict",
  description: "quanteval's strict reader: the answer stated last, no stray letters; none is unanswered",
};

/** "ABCD" for four options. */
export function lettersFor(count: number): string {
  return LETTERS.slice(0, count);
}

/** Options as "A. text" lines (MMLU-Pro's format) or "A) text" (simple-evals' GPQA format). */
export function formatOptions(options: readonly string[], style: "A." | "A)"): string {
  const mark = style === "A." ? "." : ")";
  return options.map((option, i) => `${LETTERS[i]}${mark} ${option}`).join("\n");
}

/** Grade a reply against the gold letter; rule `<extraction>/letter-equal`, or `none/no-answer`. */
export function gradeChoice(reply: Reply, gold: string, letters: string, options?: readonly string[]): Grade {
  const found = extractChoice(reply.text, letters, options);
  if (found === undefined) return { correct: false, answered: false, rule: "none/no-answer" };
  return {
    correct: found.letter === gold,
    answered: true,
    rule: `${found.rule}/letter-equal`,
    extracted: found.letter,
  };
}

/**
 * Grade what a benchmark's own extractor found (graders/official-choice.ts): rule `official/<rule>/letter-equal`,
 * compared as the official script compares (exactly, so a lower-case letter is wrong). Nothing found is
 * `official/no-answer`, or with `guess` (MMLU-Pro's scripts score a random letter then) `official/random-guess`:
 * still unanswered, but correct when the guess is the gold letter, as the official score counts it.
 */
export function gradeOfficialChoice(
  found: { letter: string; rule: string } | undefined,
  gold: string,
  guess?: string,
): Grade {
  if (found !== undefined) {
    const { letter, rule } = found;
    return { correct: letter === gold, answered: true, rule: `official/${rule}/letter-equal`, extracted: letter };
  }
  if (guess === undefined) return { correct: false, answered: false, rule: "official/no-answer" };
  return {
    correct: guess === gold,
    answered: false,
    rule: "official/random-guess",
    extracted: guess,
    detail: "no letter found; scored as the official script does, by a random guess (seeded by the item id)",
  };
}

/**
 * The official scripts' random guess, made reproducible: one letter per item, fixed by its id, so a resumed run,
 * a regrade and every variant guess the same (the official script draws from one `random.seed(12345)` stream in
 * file order, which no other run order can reproduce).
 */
export function officialGuess(itemId: string, letters: string): string {
  return letters[seededPermutation(`official-guess:${itemId}`, letters.length)[0] ?? 0] ?? "A";
}

/**
 * A permutation of 0..n-1 from a SHA-256-seeded Fisher–Yates shuffle: stable across platforms and releases
 * (unlike Math.random or a language's own RNG), and independent per question. A hash of the key, deliberately not
 * core/seeded-random.ts's generator: GPQA's option order is in every journalled prompt, and `compare` joins runs
 * only when their prompts are the same bytes, so this stream must never change.
 */
export function seededPermutation(key: string, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let pool = createHash("sha256").update(key).digest();
  let at = 0;
  const next = (): number => {
    if (at + 4 > pool.length) {
      pool = createHash("sha256").update(pool).digest();
      at = 0;
    }
    const value = pool.readUInt32BE(at);
    at += 4;
    return value;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/** The correct letter and every other valid letter, each written by `say` as the prompt asks. */
export function choiceAnswerKey(gold: string, letters: string, say: (letter: string) => string): AnswerKey {
  return { correct: say(gold), wrong: [...letters].filter((l) => l !== gold).map(say) };
}
