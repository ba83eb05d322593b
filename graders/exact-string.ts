/**
 * Exact-string answers with the normalisations a user chooses (a custom task's `answer: { type: exact }`). Pure.
 * Always: the final-answer cleaning the reply gets (`cleanAnswer`: `**`, `$…$`, one trailing period), so a gold
 * ending in "." can match; Unicode NFC, trimmed, one pair of quotes around the whole answer dropped, whitespace runs
 * as one space.
 * Options: case, all whitespace, punctuation. Nothing else: "1,000" and "1000" differ unless punctuation is ignored.
 */
import type { Grade } from "../src/core/types.ts";
import { normaliseString } from "./answer-type.ts";
import { cleanAnswer, extractFinalAnswer, type FinalAnswerRule } from "./extract.ts";

export interface ExactOptions {
  ignoreCase: boolean;
  ignoreWhitespace: boolean;
  ignorePunctuation: boolean;
}

export type ExactRule = `${FinalAnswerRule}/${"string-equal" | "not-equal"}` | "none/no-answer";

export interface ExactVerdict extends Grade {
  rule: ExactRule;
}

/** A minus that starts a number, a point between digits (captured, to keep), or other punctuation (to drop). */
const NUMBER_PUNCTUATION = /((?<![\p{L}\p{N}])-(?=\d)|(?<=\d)\.(?=\d))|\p{P}/gu;

export function normaliseExact(s: string, options: ExactOptions): string {
  // Cleaned again after the quotes go: the reply's `"D.C."` is cleaned while still quoted.
  let t = cleanAnswer(normaliseString(cleanAnswer(s), options.ignoreCase));
  // \p{P} is Unicode punctuation (., ', “, ¿, …); symbols such as $ or + are not punctuation and are kept.
  // A number's own sign and decimal point are kept, so -5 is not 5 and 3.14 is not 314.
  if (options.ignorePunctuation)
    t = t
      .replace(NUMBER_PUNCTUATION, (_mark, ownedByNumber: string | undefined) => ownedByNumber ?? "")
      .replace(/\s+/g, " ")
      .trim();
  if (options.ignoreWhitespace) t = t.replace(/\s+/g, "");
  return t;
}

/** The final answer (answer line, then `\boxed{}`) compared with the gold after `normaliseExact` on both. */
export function gradeExact(text: string, gold: string, options: ExactOptions): ExactVerdict {
  const found = extractFinalAnswer(text);
  if (found === undefined) return { correct: false, answered: false, rule: "none/no-answer" };
  const equal = normaliseExact(found.value, options) === normaliseExact(gold, options);
  return equal
    ? { correct: true, answered: true, rule: `${found.rule}/string-equal`, extracted: found.value }
    : {
        correct: false,
        answered: true,
        rule: `${found.rule}/not-equal`,
        extracted: found.value,
        detail: `expected ${JSON.stringify(gold)}`,
      };
}
