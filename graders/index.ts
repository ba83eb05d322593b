/** The public graders: extraction, exact numbers and grading by answer type. Other modules import from here. */

export {
  ANSWER_TYPES,
  type AnswerType,
  choiceLetters,
  type GoldContext,
  gradeByAnswerType,
  normaliseString,
  parseGold,
  type SuiteGold,
  SuiteGoldSchema,
  type SuiteRule,
  type SuiteVerdict,
  wrongAnswersFor,
} from "./answer-type.ts";
export {
  type ChoiceRule,
  cleanAnswer,
  extractAnswerLine,
  extractBoxed,
  extractChoice,
  extractFinalAnswer,
  type FinalAnswerRule,
  MAX_TEXT_CHARS,
  readLetter,
} from "./extract.ts";
export {
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
export { extractMmluProOfficial, extractSimpleEvalsChoice, type MmluProOfficialRule } from "./official-choice.ts";
