/**
 * A custom task's answer types: the gold read from a row (checked there, naming the row), the instruction appended
 * to the prompt, grading, and the simulator's answer key. Grading reuses graders/: choice letters and numbers by
 * answer type (as suite40), math by the GradeContext's engine (as MATH-500), exact strings by graders/exact-string.
 */
import {
  choiceLetters,
  gradeByAnswerType,
  gradeExact,
  normaliseExact,
  parseGold,
  type SuiteGold,
  wrongAnswersFor,
} from "../../../graders/index.ts";
import { GoldParseError } from "../../core/errors.ts";
import type { Grade, GradeContext, MathEngine, Reply } from "../../core/types.ts";
import type { CustomAnswer } from "../../custom-task-config.ts";
import { choiceAnswerKey, formatOptions } from "../choice.ts";
import { codeAnswerKey, gradeCode } from "../code-answer.ts";
import { BOXED_INSTRUCTION, gradeMathAnswer } from "../math-answer.ts";
import type { AnswerKey } from "../types.ts";
import { choiceGold, optionsOf } from "./choice-gold.ts";
import { codeSpec } from "./code-gold.ts";
import type { CustomGold } from "./gold.ts";
import { rowError, type SourcedRow } from "./rows.ts";
import { fieldText } from "./template.ts";

/** Names the item in errors. */
export interface GoldWhere {
  task: string;
  itemId: string;
}

/** The gold of a row; throws CustomDataError naming the row and field when it is missing or not of the type. */
export function goldFromRow(answer: CustomAnswer, row: SourcedRow, goldField: string, where: GoldWhere): CustomGold {
  const value = row.fields[goldField];
  if (value === undefined || value === null || value === "")
    throw rowError(row, `field "${goldField}" (the gold) is missing`);
  const text = fieldText(value).trim();
  const bad = (why: string): never => {
    throw rowError(row, `field "${goldField}" (the gold): ${JSON.stringify(value)} ${why}`);
  };
  switch (answer.type) {
    case "choice": {
      const options = optionsOf(answer.options, row);
      return { answer: choiceGold(value, text, options, answer.goldIs, bad), options };
    }
    case "integer":
    case "number":
      try {
        parseGold(suiteGold(answer, { answer: text }), where);
      } catch (error) {
        if (error instanceof GoldParseError) bad(answer.type === "integer" ? "is not an integer" : "is not a number");
        throw error;
      }
      return { answer: text };
    case "math":
      return { answer: text };
    case "exact":
      return normaliseExact(text, answer) === "" ? bad("is empty after normalisation") : { answer: text };
    case "code":
      throw new Error("code golds are read by codeGoldFromRow"); // unreachable: goldFromRow's caller branches
  }
}

function suiteGold(answer: Extract<CustomAnswer, { type: "integer" | "number" }>, gold: CustomGold): SuiteGold {
  return answer.type === "integer"
    ? { answer: gold.answer, answerType: "integer" }
    : { answer: gold.answer, answerType: "number", tolerance: answer.tolerance };
}

const ANSWER_LINE = 'Think step by step, then end your reply with a final line of the form "Answer: <answer>", where';

/** The default instruction after the prompt: the format the grader reads first. */
export function defaultInstruction(answer: CustomAnswer, gold: CustomGold): string {
  switch (answer.type) {
    case "choice":
      return `${ANSWER_LINE.replace("<answer>", "<letter>")} <letter> is one of ${[...choiceLetters(gold.options?.length ?? 0)].join(", ")}.`;
    case "integer":
      return `${ANSWER_LINE} <answer> is an integer, without units.`;
    case "number":
      return `${ANSWER_LINE} <answer> is a decimal number, without units.`;
    case "math":
      return BOXED_INSTRUCTION;
    case "exact":
      return `${ANSWER_LINE} <answer> is only the final answer, exactly as asked.`;
    case "code": {
      const language = answer.language === "python" ? "Python" : "JavaScript";
      const what =
        gold.funcName === undefined
          ? `a complete ${language} program that reads standard input and writes the answer to standard output`
          : `a ${language} function named ${gold.funcName} that returns the answer`;
      return `Write ${what}. Give the code in one fenced block (\`\`\`${answer.language}).`;
    }
  }
}

/** The options as "A) text" lines, for `{options}` (or after the prompt when it has no `{options}`). */
export function optionLines(gold: CustomGold): string {
  return formatOptions(gold.options ?? [], "A)");
}

export function gradeCustom(
  answer: CustomAnswer,
  gold: CustomGold,
  reply: Reply,
  ctx: GradeContext,
  where: GoldWhere,
): Promise<Grade> | Grade {
  const { math, code } = ctx;
  switch (answer.type) {
    case "choice":
      return gradeByAnswerType(
        reply.text,
        { answer: gold.answer, answerType: "choice", choices: gold.options ?? [] },
        where,
      );
    case "integer":
    case "number":
      return gradeByAnswerType(reply.text, suiteGold(answer, gold), where);
    case "math":
      return gradeMathAnswer(reply, gold.answer, math);
    case "exact":
      return gradeExact(reply.text, gold.answer, answer);
    case "code":
      return gradeCode(reply, codeSpec(answer, gold), () => gold.tests ?? [], code);
  }
}

/** The right answer written as the instruction asks: a few-shot example's reply, and the simulator's. */
export function correctText(answer: CustomAnswer, gold: CustomGold): string {
  return answer.type === "math" ? `\\boxed{${gold.answer}}` : `Answer: ${gold.answer}`;
}

/** Wrong answers the grader rejects; exact strings take other rows' golds (`distractors`), as no rule makes one. */
export function customAnswerKey(
  answer: CustomAnswer,
  gold: CustomGold,
  math: MathEngine,
  distractors: readonly string[],
  where: GoldWhere,
): AnswerKey {
  const say = (text: string) => `Answer: ${text}`;
  switch (answer.type) {
    case "choice":
      return choiceAnswerKey(gold.answer, choiceLetters(gold.options?.length ?? 0), say);
    case "integer":
    case "number":
      return { correct: say(gold.answer), wrong: wrongAnswersFor(suiteGold(answer, gold), where).map(say) };
    case "math": {
      const candidates = [`${gold.answer}+1`, `2(${gold.answer})`, "0", "1", "-1"];
      const wrong = candidates.filter((w) => !math.equal(gold.answer, w).equal).slice(0, 3);
      return { correct: correctText(answer, gold), wrong: wrong.map((w) => `\\boxed{${w}}`) };
    }
    case "exact": {
      const own = normaliseExact(gold.answer, answer);
      const wrong = distractors.filter((d) => normaliseExact(d, answer) !== own).slice(0, 3);
      return { correct: say(gold.answer), wrong: wrong.map(say) };
    }
    case "code":
      return codeAnswerKey(codeSpec(answer, gold), gold.tests ?? []);
  }
}
