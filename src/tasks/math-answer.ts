/** What the math tasks (MATH-500, AIME) share: the boxed-answer prompt, extraction and grading. */
import { extractMathAnswer, parseAimeInteger } from "../../graders/math/index.ts";
import type { Grade, MathEngine, Reply } from "../core/types.ts";

// The instruction DeepSeek-R1 and Qwen3 recommend for math (their model cards), and that lighteval's and
// evalscope's reasoning-model evaluations use: the model's natural format, so no points are lost to format.
export const BOXED_INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}.";

export function boxedPrompt(problem: string): string {
  return `${problem.trim()}\n\n${BOXED_INSTRUCTION}`;
}

/** MATH-style grading: equivalence by graders/math (LaTeX normalised, numbers, expressions, sets, intervals). */
export function gradeMathAnswer(reply: Reply, gold: string, math: MathEngine): Grade {
  const found = extractMathAnswer(reply.text, { truncated: reply.finishReason === "length" });
  if (found === undefined) return { correct: false, answered: false, rule: "none/no-answer" };
  const verdict = math.equal(gold, found.value);
  return {
    correct: verdict.equal,
    answered: true,
    rule: `${found.rule}/${verdict.rule}`,
    extracted: found.value,
    ...(verdict.detail !== undefined ? { detail: verdict.detail } : {}),
  };
}

/** AIME grading: an integer 0–999 on both sides ("025" = 25, "336^\circ" = 336). */
export function gradeAimeAnswer(reply: Reply, gold: number): Grade {
  const found = extractMathAnswer(reply.text, { truncated: reply.finishReason === "length" });
  if (found === undefined) return { correct: false, answered: false, rule: "none/no-answer" };
  const value = parseAimeInteger(found.value);
  if (value === undefined)
    return { correct: false, answered: true, rule: `${found.rule}/not-an-integer`, extracted: found.value };
  return { correct: value === gold, answered: true, rule: `${found.rule}/integer-equal`, extracted: String(value) };
}
