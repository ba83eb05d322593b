/** The public graders: extraction, exact numbers and grading by answer type. Other modules import from here. */

export {
  ANSWER_TYPES,
  choiceLetters,
  gradeByAnswerType,
  parseGold,
  type SuiteGold,
  SuiteGoldSchema,
  wrongAnswersFor,
} from "./answer-type.ts";
export { type ExactOptions, gradeExact, normaliseExact } from "./exact-string.ts";
export {
  extractAnswerLine,
  extractChoice,
} from "./extract.ts";
export {} from "./number.ts";
export { extractMmluProOfficial, extractSimpleEvalsChoice } from "./official-choice.ts";
