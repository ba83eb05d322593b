/**
 * One stored MMLU-Pro reply scored three ways: by the official script (its letter, given), and by the mmlu_pro
 * task in each scoring mode, through the task's own grade(). Shared by bench/choice-agreement.bench.ts and the
 * excerpt's test (test/graders/choice-agreement.test.ts).
 */
import { extractMmluProOfficial, type MmluProOfficialRule } from "../graders/official-choice.ts";
import { matchOptionText } from "../graders/option-text.ts";
import type { Grade, GradeContext, Item, Reply } from "../src/core/types.ts";
import { withGradeContext } from "../src/runner/grade-context.ts";
import { mmluPro } from "../src/tasks/mmlu-pro.ts";

/** A verdict as accuracy sees it. The official random guess is "none": what it draws is not the reply's. */
export type Verdict = "right" | "wrong" | "none";
/** Where the official extraction found its letter: its three levels, or nowhere (it would guess). */
export type OfficialLevel = MmluProOfficialRule | "none";
export const OFFICIAL_LEVELS: readonly OfficialLevel[] = ["answer-is", "answer-colon", "last-letter", "none"];

/**
 * Why the strict reader's verdict differs from the official one, tried in this order. The official script "guessed
 * from a stray letter" in the first two: "stray-letter" (it took the last standalone capital of prose, the initial
 * of a word after "answer is (", as in "(Cannot be determined)", or the pronoun in "(I don't know)"; the strict
 * reader found no answer) and
 * "stray-letter-vs-stated" (the strict reader found the answer the reply states). The others are rules that differ
 * on purpose: "not-an-option" (a letter beyond the item's options: wrong there, no answer here), "several-letters"
 * ("(B) and (D)": the official script takes the first, two letters are no answer), "letter-text-mismatch" ("(B)
 * 18" where 18 is option I's text: no answer), "first-vs-last-stated" (a reply that states different answers: the
 * official script takes the first, the strict reader the last), "later-statement-unreadable" (the reply's last
 * answer statement names no letter, e.g. "Final Answer: (1) F, (2) D, …" or "Answer: None of the options": the
 * strict reader does not go back to an earlier one), "none-vs-stated" (the official script finds no letter at all,
 * e.g. a lower-case "(c)").
 */
export type DisagreementKind =
  | "stray-letter"
  | "stray-letter-vs-stated"
  | "not-an-option"
  | "several-letters"
  | "letter-text-mismatch"
  | "first-vs-last-stated"
  | "later-statement-unreadable"
  | "none-vs-stated"
  | "other";
export const DISAGREEMENT_KINDS: readonly DisagreementKind[] = [
  "stray-letter",
  "stray-letter-vs-stated",
  "not-an-option",
  "several-letters",
  "letter-text-mismatch",
  "first-vs-last-stated",
  "later-statement-unreadable",
  "none-vs-stated",
  "other",
];

export interface StoredItem {
  questionId: number;
  options: readonly string[];
  answer: string;
  reply: string;
}

export interface Compared {
  level: OfficialLevel;
  official: { letter: string | undefined; verdict: Verdict };
  officialMode: { letter: string | undefined; verdict: Verdict; rule: string };
  strict: { letter: string | undefined; verdict: Verdict; rule: string };
  /** Set when the strict verdict differs from the official one. */
  kind?: DisagreementKind;
}

function reply(text: string): Reply {
  const timing = { sentAt: 0, doneAt: 0 };
  return { text, finishReason: "stop", usage: { promptTokens: 0, completionTokens: 0 }, timing };
}

function verdictOf(grade: Grade): Verdict {
  if (grade.rule === "official/random-guess" || !grade.answered) return "none";
  return grade.correct ? "right" : "wrong";
}

async function gradeAs(stored: StoredItem, scoring: "strict" | "official", grading: GradeContext) {
  // The options as the task loads them ("N/A" padding dropped), so the letters are the item's own.
  const options = stored.options.filter((o) => o !== "N/A");
  const item: Item = {
    id: String(stored.questionId),
    task: "mmlu_pro",
    messages: [],
    gold: stored.answer,
    meta: { options, scoring, guess: scoring === "official" },
  };
  const grade = await mmluPro.grade(item, reply(stored.reply), grading);
  const letter = grade.rule === "official/random-guess" ? undefined : grade.extracted;
  return { letter, verdict: verdictOf(grade), rule: grade.rule };
}

/** `officialLetter`: what the official script extracted (from python3, or our port when python3 is not there). */
export async function compareStored(stored: StoredItem, officialLetter: string | undefined): Promise<Compared> {
  const level = extractMmluProOfficial(stored.reply)?.rule ?? "none";
  const verdict: Verdict = officialLetter === undefined ? "none" : officialLetter === stored.answer ? "right" : "wrong";
  const compared: Compared = {
    level,
    official: { letter: officialLetter, verdict },
    // Choice grading starts no sandbox: the context is there for Task.grade's signature, and closed at once.
    ...(await withGradeContext({}, async (grading) => ({
      officialMode: await gradeAs(stored, "official", grading),
      strict: await gradeAs(stored, "strict", grading),
    }))),
  };
  if (compared.strict.verdict !== verdict) compared.kind = kindOf(stored, compared.strict.letter);
  return compared;
}

// After the official letter: a second one ("(B) and (D)", "(E, F)", "(B), (C)"), or more of a word ("(Cannot").
const SECOND_LETTER = /^\)?\s*(?:,|and\b|or\b|&|\/|-)\s*(?:and\s+)?\(?[A-J]\b/;
const WORD_GOES_ON = /^[\p{L}\p{N}]/u;
// Option text after the letter: "(B) 18", "B. 18", up to the end of its clause.
const OPTION_TEXT_AFTER = /^[).:]?\s+([^\n]*?)(?:\.\s|\.?$|\n)/;

function kindOf(stored: StoredItem, strictLetter: string | undefined): DisagreementKind {
  const found = extractMmluProOfficial(stored.reply);
  if (found === undefined) return strictLetter === undefined ? "other" : "none-vs-stated";
  const text = stored.reply.replaceAll("**", "");
  const after = text.slice(found.at + 1, found.at + 300);
  if (found.rule === "last-letter" || WORD_GOES_ON.test(after)) {
    return strictLetter === undefined ? "stray-letter" : "stray-letter-vs-stated";
  }
  const options = stored.options.filter((o) => o !== "N/A");
  const letters = "ABCDEFGHIJ".slice(0, options.length);
  if (!letters.includes(found.letter)) return "not-an-option";
  if (strictLetter !== undefined) {
    // Only when the strict letter is written after the official one: otherwise the two read the reply differently
    // in some other way, and that is not this kind.
    const later = new RegExp(`(?<![\\p{L}\\p{N}])\\(?${strictLetter}(?![\\p{L}\\p{N}])`, "u");
    return later.test(text.slice(found.at + 1)) ? "first-vs-last-stated" : "other";
  }
  if (SECOND_LETTER.test(after)) return "several-letters";
  const optionText = OPTION_TEXT_AFTER.exec(after)?.[1] ?? "";
  if (matchOptionText(optionText, found.letter, letters, options) === "other") return "letter-text-mismatch";
  // "The answer is (I don't know)", "(I and II only)": the pronoun, or a Roman numeral, read as option I.
  if (found.letter === "I" && /^ +[a-z]/.test(after)) return "stray-letter";
  return /answer/i.test(text.slice(found.at + 1)) ? "later-statement-unreadable" : "other";
}
