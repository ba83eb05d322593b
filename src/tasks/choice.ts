/** What the multiple-choice tasks (MMLU-Pro, GPQA, HLE's choice questions) share: letters, grading, answer keys. */
import { extractChoice } from "../../graders/extract.ts";
import type { AnswerKey, Grade, Reply } from "./types.ts";

export const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

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
  return { correct: found.letter === gold, answered: true, rule: `${found.rule}/letter-equal`, extracted: found.letter };
}

/** The correct letter and every other valid letter, each written by `say` as the prompt asks. */
export function choiceAnswerKey(gold: string, letters: string, say: (letter: string) => string): AnswerKey {
  return { correct: say(gold), wrong: [...letters].filter((l) => l !== gold).map(say) };
}
