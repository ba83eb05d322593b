/** The public graders: extraction, exact numbers and grading by answer type. Other modules import from here. */
export {
  MAX_TEXT_CHARS, cleanAnswer, extractAnswerLine, extractBoxed, extractChoice, extractFinalAnswer, readLetter,
  type ChoiceRule, type FinalAnswerRule,
} from "./extract.ts";
export { extractMmluProOfficial, extractSimpleEvalsChoice, type MmluProOfficialRule } from "./official-choice.ts";
export {
  decimalPlaces, formatDecimal, formatRational, isInteger, makeRational, parseNumericAnswer, parseRational,
  rationalEqual, withinTolerance, type Rational,
} from "./number.ts";
export {
  ANSWER_TYPES, SuiteGoldSchema, choiceLetters, gradeByAnswerType, normaliseString, parseGold, wrongAnswersFor,
  type AnswerType, type GoldContext, type SuiteGold, type SuiteRule, type SuiteVerdict,
} from "./answer-type.ts";
