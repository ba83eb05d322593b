/**
 * MATH-500 and AIME grading of replies that box nothing (issue 14): each form the issue lists, as a model writes
 * it, graded against a gold with the rule that decided, and a near miss that must grade wrong or unanswered.
 */
import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/types.ts";
import { gradeAimeAnswer, gradeMathAnswer } from "../../src/tasks/math-answer.ts";
import { testGradeContext } from "../helpers/grade-context.ts";

const grading = testGradeContext();

function reply(text: string): Reply {
  return {
    text,
    finishReason: "stop",
    usage: { promptTokens: 1, completionTokens: 1 },
    timing: { sentAt: 0, doneAt: 1 },
  };
}

type Case = readonly [text: string, gold: string, correct: boolean, rule: string];

const CASES: readonly Case[] = [
  ["Adding the two counts gives the total.\n\nAnswer $12$", "12", true, "answer-phrase/string-equal"],
  ["Adding the two counts gives the total.\n\nAnswer \\[ 12 \\]", "12", true, "answer-phrase/string-equal"],
  ["Adding the two counts gives the total.\n\nAnswer $$ 12 $$", "12", true, "answer-phrase/string-equal"],
  ["Adding the two counts gives the total.\n\nAnswer \\( (11+1) \\)", "12", true, "answer-phrase/numeric-equal"],
  ["Adding the two counts gives the total.\n\nAnswer \\( (11+2) \\)", "12", false, "answer-phrase/not-equal"],
  [
    "Subtracting $3$ from both sides gives $2y \\le 14$, and dividing by $2$ keeps the direction.\n\n" +
      "Hence $y \\leq 7$ is the solution.",
    "y \\le 7",
    true,
    "final-sentence/string-equal",
  ],
  ["Dividing by $-1$ flips the inequality, so $-y < -2$.", "y > 2", true, "final-sentence/inequality"],
  ["Dividing by $-1$ keeps the inequality, so $-y > -2$.", "y > 2", false, "final-sentence/inequality"],
  ["Therefore $x \\geq 5$ is the solution.", "x >= 5", true, "final-sentence/string-equal"],
  ["We find that $x \\neq 3$.", "x != 3", true, "final-sentence/string-equal"],
  [
    "Multiplying out, the product is $ \\left[\\begin{array}{cc}1 & 2 \\\\ 3 & 4\\end{array}\\right] $.",
    "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
    true,
    "final-sentence/matrix",
  ],
  [
    "So $\\mathbf{M} = \\begin{bmatrix} 1 & 2 \\\\ 3 & 5 \\end{bmatrix}$.",
    "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
    false,
    "final-sentence/matrix",
  ],
  ["After the discount and the tax, the bill comes to 2,500.50€", "2500.5", true, "final-sentence-number/string-equal"],
  ["The field measures 2,500.50km²", "2500.5", true, "final-sentence-number/string-equal"],
  ["The field measures 2,500.05km²", "2500.5", false, "final-sentence-number/not-equal"],
  [
    "Collecting terms, $c_n = \\sum_{j=0}^{n} b_{n-j} a_{j}$.",
    "\\sum_{j=0}^{n} a_{j} b_{n-j}",
    true,
    "final-sentence/equation-rhs", // the value after "c_n =", commuted
  ],
  [
    "Collecting terms, $c_n = \\sum_{j=0}^{n} a_{n-j} b_{j}$.",
    "\\sum_{j=0}^{n} a_{j} b_{n-j}",
    false,
    "final-sentence/unparseable",
  ],
  [
    "Solving, $x = 1$ or $x = -2$. Final Answer: The final answer is $1,-2$. I hope it is correct.",
    "-2, 1",
    true,
    "final-answer/set",
  ],
];

describe("gradeMathAnswer without \\boxed", () => {
  it.each(CASES)("%j against %s → %s by %s", (text, gold, correct, rule) => {
    expect(gradeMathAnswer(reply(text), gold, grading.math)).toMatchObject({ correct, answered: true, rule });
  });

  it("leaves a reply that states no math unanswered", () => {
    expect(gradeMathAnswer(reply("I could not finish this problem in time."), "12", grading.math)).toEqual({
      correct: false,
      answered: false,
      rule: "none/no-answer",
    });
  });

  it("still prefers the box over a later formula", () => {
    const text = "The count is $\\boxed{12}$.\n\nCheck: $3 \\cdot 4 = 12$, and $12 - 1 = 11$ is not it.";
    expect(gradeMathAnswer(reply(text), "12", grading.math)).toMatchObject({
      correct: true,
      rule: "boxed/string-equal",
    });
  });
});

describe("gradeAimeAnswer without \\boxed", () => {
  it("reads the integer of the final sentence", () => {
    const text = "Summing the cases, $m + n = 204 + 7$.\n\nTherefore, the requested sum is $211$.";
    expect(gradeAimeAnswer(reply(text), 211)).toMatchObject({ correct: true, rule: "final-sentence/integer-equal" });
    expect(gradeAimeAnswer(reply(text), 210)).toMatchObject({ correct: false, rule: "final-sentence/integer-equal" });
  });

  it("reads Minerva's final answer sentence", () => {
    const text = "So $N \\equiv 25 \\pmod{1000}$. Final Answer: The final answer is 025. I hope it is correct.";
    expect(gradeAimeAnswer(reply(text), 25)).toMatchObject({ correct: true, rule: "final-answer/integer-equal" });
  });
});
