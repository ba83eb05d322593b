/**
 * Grading by declared answer type, for evalsets whose rows say what kind of answer they expect (the 40-question
 * suite). Pure: text and gold in, verdict out. The verdict's `rule` names the extraction path, then the comparison.
 */
import { z } from "zod";
import { GoldParseError } from "../src/core/errors.ts";
import type { Grade } from "../src/core/types.ts";
import { type ChoiceRule, extractAnswerLine, extractBoxed, extractChoice, extractFinalAnswer } from "./extract.ts";
import {
  decimalPlaces,
  formatDecimal,
  formatRational,
  isInteger,
  makeRational,
  parseNumericAnswer,
  parseRational,
  type Rational,
  rationalEqual,
  withinTolerance,
} from "./number.ts";

export const ANSWER_TYPES = ["integer", "fraction", "choice", "string", "number"] as const;

/**
 * A gold answer with its type. `choices` (option texts, lettered A, B, …) is required for "choice";
 * `tolerance` (absolute) for "number"; `caseInsensitive` applies to "string" only and defaults to false,
 * because printed program output is case-sensitive.
 */
export const SuiteGoldSchema = z.strictObject({
  answer: z.string(),
  answerType: z.enum(ANSWER_TYPES),
  choices: z.array(z.string()).optional(),
  tolerance: z.number().optional(),
  caseInsensitive: z.boolean().optional(),
});
export type SuiteGold = z.infer<typeof SuiteGoldSchema>;

/** extractChoice's rules, which include extractFinalAnswer's ("answer-line", "boxed"). */
type ExtractRule = ChoiceRule;
type CompareRule =
  | "integer-equal"
  | "fraction-equal"
  | "number-within-tolerance"
  | "string-equal"
  | "letter-equal"
  | "not-equal"
  | "unparsed";
/** Every path `gradeByAnswerType` can take; part of the journal format, so only ever add to it. */
export type SuiteRule = `${ExtractRule}/${CompareRule}` | "none/no-answer";

export interface SuiteVerdict extends Grade {
  rule: SuiteRule;
}

/** Names the item in a GoldParseError. */
export interface GoldContext {
  task: string;
  itemId: string;
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** The letters of a choice question with `count` options: "ABCD" for four. */
export function choiceLetters(count: number): string {
  return LETTERS.slice(0, count);
}

/** A gold, checked and parsed once; the comparison then never meets a bad gold. */
type ParsedGold =
  | { type: "integer" | "fraction"; value: Rational }
  | { type: "number"; value: Rational; tolerance: Rational }
  | { type: "choice"; letter: string; letters: string; options: readonly string[] }
  | { type: "string"; value: string; caseInsensitive: boolean };

/**
 * String comparison after: Unicode NFC; trimming; dropping one pair of quotes or backticks around the whole
 * answer (`"Kim"`, `` `1,10,2,5` ``); collapsing runs of whitespace to one space; lower-casing only when the gold
 * says case does not matter. Nothing else: "1,10,2,5" and "1, 10, 2, 5" differ, as the printed outputs do.
 */
export function normaliseString(s: string, caseInsensitive: boolean): string {
  let t = s.normalize("NFC").trim();
  const m = /^(["'`“‘])([\s\S]*)(["'`”’])$/.exec(t);
  const pairs: Record<string, string> = { '"': '"', "'": "'", "`": "`", "“": "”", "‘": "’" };
  if (m && m[2] !== undefined && m[1] !== undefined && pairs[m[1]] === m[3]) t = m[2].trim();
  t = t.replace(/\s+/g, " ");
  return caseInsensitive ? t.toLowerCase() : t;
}

/** Checks and parses a gold; throws GoldParseError naming `context` when it cannot be graded against. */
export function parseGold(gold: SuiteGold, context: GoldContext): ParsedGold {
  const fail = (detail: string): never => {
    throw new GoldParseError(context.task, context.itemId, gold.answer, detail);
  };
  switch (gold.answerType) {
    case "integer": {
      const value = parseRational(gold.answer) ?? fail("not a number");
      return isInteger(value) ? { type: "integer", value } : fail("not an integer");
    }
    case "fraction":
      return { type: "fraction", value: parseRational(gold.answer) ?? fail("not a fraction a/b or an integer") };
    case "number": {
      const value = parseRational(gold.answer) ?? fail("not a decimal number");
      const tol = gold.tolerance;
      if (tol === undefined || !Number.isFinite(tol) || tol < 0) return fail("a number answer needs a tolerance ≥ 0");
      return {
        type: "number",
        value,
        tolerance: parseRational(String(tol)) ?? fail(`tolerance ${tol} does not parse`),
      };
    }
    case "choice": {
      const options = gold.choices ?? fail("a choice answer needs choices");
      if (options.length < 2 || options.length > LETTERS.length) fail(`needs 2–26 choices, has ${options.length}`);
      const letters = choiceLetters(options.length);
      const letter = gold.answer.trim();
      return /^[A-Z]$/.test(letter) && letters.includes(letter)
        ? { type: "choice", letter, letters, options }
        : fail(`not one of the letters ${letters}`);
    }
    case "string": {
      const value = normaliseString(gold.answer, gold.caseInsensitive ?? false);
      return value === "" ? fail("empty") : { type: "string", value, caseInsensitive: gold.caseInsensitive ?? false };
    }
  }
}

function verdict(extract: ExtractRule, compare: CompareRule, extracted: string, detail?: string): SuiteVerdict {
  const correct = compare !== "not-equal" && compare !== "unparsed";
  const v: SuiteVerdict = { correct, answered: compare !== "unparsed", rule: `${extract}/${compare}`, extracted };
  if (detail !== undefined) v.detail = detail;
  return v;
}

const NO_ANSWER: SuiteVerdict = { correct: false, answered: false, rule: "none/no-answer" };

function gradeChoice(text: string, gold: Extract<ParsedGold, { type: "choice" }>): SuiteVerdict {
  const found = extractChoice(text, gold.letters, gold.options);
  if (found === undefined) {
    // Tell apart "said something we cannot read as a letter" from "said nothing".
    const line = extractAnswerLine(text);
    if (line !== undefined)
      return verdict("answer-line", "unparsed", line, `not a letter ${gold.letters} or an option text`);
    const boxed = extractBoxed(text);
    return boxed === undefined ? { ...NO_ANSWER } : verdict("boxed", "unparsed", boxed, "not a letter");
  }
  return found.letter === gold.letter
    ? verdict(found.rule, "letter-equal", found.letter)
    : verdict(found.rule, "not-equal", found.letter, `expected ${gold.letter}, got ${found.letter}`);
}

/**
 * Grades a reply's final text against a typed gold. Extraction: `extractFinalAnswer` (answer line, then
 * `\boxed{}`), or `extractChoice` for choices. Comparison by type:
 * - integer: the answer's exact value equals the gold ("1,000" = "1000", "042" = "42", "25" ≠ "5", "4.5" ≠ "4");
 * - fraction: equal as rationals ("14/24", "\frac{7}{12}", "0.5" = "1/2"; "0.33" ≠ "1/3");
 * - number: |answer − gold| ≤ tolerance, decided exactly;
 * - string: equal after `normaliseString`;
 * - choice: the same letter.
 * An answer that does not read as its type is "…/unparsed" with `answered: false`; no answer is "none/no-answer".
 * Throws GoldParseError when the gold itself is unusable, before looking at the text.
 */
export function gradeByAnswerType(
  text: string,
  gold: SuiteGold,
  context: GoldContext = { task: "suite", itemId: "?" },
): SuiteVerdict {
  const parsed = parseGold(gold, context);
  if (parsed.type === "choice") return gradeChoice(text, parsed);
  const found = extractFinalAnswer(text);
  if (found === undefined) return { ...NO_ANSWER };
  const { value, rule } = found;
  if (parsed.type === "string") {
    return normaliseString(value, parsed.caseInsensitive) === parsed.value
      ? verdict(rule, "string-equal", value)
      : verdict(rule, "not-equal", value, `expected ${JSON.stringify(gold.answer)}`);
  }
  const got = parseNumericAnswer(value);
  if (got === undefined) return verdict(rule, "unparsed", value, `not a number`);
  const shown = `expected ${formatRational(parsed.value)}, got ${formatRational(got)}`;
  if (parsed.type === "number") {
    return withinTolerance(got, parsed.value, parsed.tolerance)
      ? verdict(rule, "number-within-tolerance", value)
      : verdict(rule, "not-equal", value, `${shown} (tolerance ${formatRational(parsed.tolerance)})`);
  }
  const equalRule = parsed.type === "integer" ? "integer-equal" : "fraction-equal";
  return rationalEqual(got, parsed.value) ? verdict(rule, equalRule, value) : verdict(rule, "not-equal", value, shown);
}

/**
 * Plausible wrong answers for the simulator and for grader self-tests: nearby integers, a changed fraction,
 * a value just outside the tolerance, other letters. Empty for strings, which need data-specific distractors.
 * Never contains a value that grades correct (the suite test checks that for every item).
 */
export function wrongAnswersFor(gold: SuiteGold, context: GoldContext = { task: "suite", itemId: "?" }): string[] {
  const parsed = parseGold(gold, context);
  const out: string[] = [];
  const push = (s: string | undefined): void => {
    if (s !== undefined && !out.includes(s) && out.length < 3) out.push(s);
  };
  switch (parsed.type) {
    case "integer": {
      const g = parsed.value.num;
      for (const d of [1n, -1n, 10n]) push(`${g + d}`);
      break;
    }
    case "fraction": {
      const { num: p, den: q } = parsed.value;
      const candidates = [
        makeRational(p + 1n, q),
        makeRational(p, q + 1n),
        makeRational(-p, q),
        makeRational(p - 1n, q),
      ];
      for (const c of candidates) if (c && !rationalEqual(c, parsed.value)) push(formatRational(c));
      break;
    }
    case "number": {
      const places = decimalPlaces(parsed.value) ?? 0;
      const tol = parsed.tolerance;
      // Ten tolerances away is clearly wrong yet close; with a zero tolerance, step in the gold's last digit.
      const step = tol.num === 0n ? { num: 1n, den: 10n ** BigInt(places) } : { num: tol.num * 10n, den: tol.den };
      for (const k of [1n, -1n, 3n]) {
        const r = makeRational(
          parsed.value.num * step.den + k * step.num * parsed.value.den,
          parsed.value.den * step.den,
        );
        if (r) push(formatDecimal(r, places));
      }
      break;
    }
    case "choice":
      for (const l of parsed.letters) if (l !== parsed.letter) push(l);
      break;
    case "string":
      break;
  }
  return out;
}
