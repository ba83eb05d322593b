/**
 * extractMathAnswer on replies as models write them, each rule with the reply that takes it and a near miss that
 * must not. Math-Verify's own suite runs through the same function in math-verify-ported.test.ts.
 */
import { fc, test as property } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { extractMathAnswer, MATH_EXTRACT_RULES, type MathExtractRule } from "../../../graders/math/index.ts";

type Case = readonly [reply: string, value: string | undefined, rule: MathExtractRule | undefined];

const CASES: readonly Case[] = [
  // Boxed, as before; a box cut off at max_tokens is passed over.
  ["So the total is $3 + 4 = \\boxed{7}$.", "7", "boxed"],
  ["First \\boxed{5}. Then we refine: \\boxed{\\frac{1}{2", "5", "boxed"],
  // Several boxes joined by punctuation or "and" are one answer; a box followed by a correction is not.
  ["Thus the integers are: \\[ \\boxed{-2} \\quad \\text{and} \\quad \\boxed{1}. \\]", "-2, 1", "boxed-list"],
  ["The solutions are\n\n\\[\n\\boxed{(1, 2)}, \\boxed{(2, 1)}\n\\]", "(1, 2), (2, 1)", "boxed-list"],
  ["$x = \\boxed{3}, y = \\boxed{4}$", "3, 4", "boxed-list"],
  ["We first guess \\boxed{1}. That fails the check, so the count is \\boxed{2}.", "2", "boxed"],
  ["\\boxed{1} no no no no no \\boxed{2}", "2", "boxed"],
  ["The answer is \\boxed{5}, i.e. \\boxed{5}.", "5", "boxed"],
  // A "final answer" stated after the last box wins: the box held a step.
  [
    "The interest is $0.05 \\cdot 10,200 \\cdot \\frac{1}{2} = \\boxed{255}$ So Dr. Zaius has $10,455. " +
      "Final Answer: The final answer is $10,455$. I hope it is correct.",
    "10,455",
    "final-answer",
  ],
  [
    "Final Answer: The final answer is $14{,}922$.\n\nChecking again, the answer is $\\boxed{14{,}916}$.",
    "14{,}916",
    "boxed",
  ],
  // Answer lines, and answer lines that are sentences.
  ["The remaining case gives nothing new.\n\n**Answer:** $\\frac{3}{56}$", "\\frac{3}{56}", "answer-line"],
  ["Answer: 2\\sqrt{3} square units", "2\\sqrt{3} square units", "answer-line"],
  [
    "Checking each $n$ up to $40$ leaves one candidate.\nFinal Answer: The largest $n$ is 34.",
    "34",
    "answer-line-sentence",
  ],
  ["Answer: Evelyn", "Evelyn", "answer-line"],
  // The "final answer" phrase anywhere in a line, Minerva's format included.
  [
    "So the ordered pair is $(0, 1)$, since $x$ must be less than 1. Final Answer: The final answer is $(0, 1)$. " +
      "I hope it is correct. <|im_start|>user",
    "(0, 1)",
    "final-answer",
  ],
  [
    "the volume is $5 \\times 6 \\times 4 = 120$. Final Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.",
    "120",
    "final-answer",
  ],
  [
    "Rod started 5 hours before. Final Answer: Jane started growing Sphere 3 hours ago. I hope it is correct.",
    "3",
    "final-answer",
  ],
  ["Final Answer: Jane started growing Sphere 3 hours ago. I hope it is correct.", "3", "answer-line-sentence"],
  ["We check $n = 2015$ and it fails.\n\n**Final Answer**\n\n$$2016$$", "2016", "final-answer"],
  // "Answer" followed by math (the forms).
  ["Answer $12$", "12", "answer-phrase"],
  ["Answer \\[ 12 \\]", "12", "answer-phrase"],
  ["Answer $$ 12 $$", "12", "answer-phrase"],
  ["Answer \\( (11+1) \\)", "(11+1)", "answer-phrase"],
  ["Therefore, the answer is $\\frac{1}{2}$, which is the probability for $k$ draws.", "\\frac{1}{2}", "answer-phrase"],
  // The final sentence: its last LaTeX, or its last number.
  ["Hence $y \\leq 7$ is the solution.", "y \\leq 7", "final-sentence"],
  ["We solve $2x = 14$ first.\n\nHence $y \\leq 7$ is the solution.", "y \\leq 7", "final-sentence"],
  [
    "The identity matrix is $ \\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix} $.",
    "\\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix}",
    "final-sentence",
  ],
  ["Thus, the area of the isosceles right triangle is:\n\n\\[ 100 \\]", "100", "final-sentence"],
  ["The roots are $-2$ and $1$.", "-2, 1", "final-sentence"],
  ["So the probability that Alice wins is 2/3. <|im_start|>user", "2/3", "final-sentence-number"],
  ["so the number is 10 which is 2,500.50km²", "2,500.50", "final-sentence-number"],
  ["the price is not 10 but 2,500.50€", "2,500.50", "final-sentence-number"],
  ["Therefore, there are 12 distinct sequences. I hope it is correct. Let me know!", "12", "final-sentence-number"],
  ["We find that $x=-\\frac{10}{9}$, i.e. -\\frac{10}{9}.", "-\\frac{10}{9}", "final-sentence"],
  // No answer: no math at the end, a number glued to letters, math split over lines inside `$`.
  ["I am not sure how to proceed with this problem.", undefined, undefined],
  ["AZYUK2A", undefined, undefined],
  ["The code is $\n9\n$", "9", "final-sentence-number"],
  [
    "We computed $x = 4$ earlier.\n\nThat settles it. I hope this helps! Let me know. Any questions? Good luck.",
    undefined,
    undefined,
  ],
];

describe("extractMathAnswer", () => {
  it.each(CASES)("%j → %j by %s", (reply, value, rule) => {
    const found = extractMathAnswer(reply);
    expect(found).toEqual(value === undefined ? undefined : { value, rule });
  });

  it("names only rules it declares", () => {
    for (const [reply] of CASES) {
      const rule = extractMathAnswer(reply)?.rule;
      if (rule !== undefined) expect(MATH_EXTRACT_RULES).toContain(rule);
    }
  });

  it("reads only the tail of a runaway reply", () => {
    const reply = `${"$1$ and ".repeat(10_000)}so the answer is $42$.`;
    expect(extractMathAnswer(reply)).toEqual({ value: "42", rule: "answer-phrase" });
  });

  it("finds a box as far back as before (100,000 characters), the unboxed rules only in the last 20,000", () => {
    const filler = " and then the working trails off".repeat(1_000); // 32,000 characters without math
    expect(extractMathAnswer(`So $\\boxed{42}$.${filler}`)).toEqual({ value: "42", rule: "boxed" });
    expect(extractMathAnswer(`So the answer is $42$.${filler}`)).toBeUndefined();
    expect(extractMathAnswer(`So $\\boxed{42}$.${filler} Final Answer: The final answer is $7$.`)).toEqual({
      value: "7",
      rule: "final-answer",
    });
  });
});

// Review of issue 14: numbers of the prose that state no result are no answer.
describe("extractMathAnswer: what is not an answer", () => {
  it.each([
    ["We set up the recurrence and solve it. Step 3 of 3.", undefined],
    ["So $a_n = 2^n$ grows fast. The proof uses 2 key ideas.", undefined],
    ["So the probability is $\\frac{5}{12}$, approximately 0.4167.", "\\frac{5}{12}"],
    ["So the probability is $\\frac{5}{12}$ ≈ 0.4167.", "\\frac{5}{12}"],
    ["Hence the sum is $12$.<|im_end|>\n<|im_start|>user\nQuestion 2: what is 7 + 8?", "12"],
    ["The answer is 5. <|im_start|>user\nQuestion 2", "5"],
    ["Before I give the final answer, let me check step 2 of 3.", undefined],
    ["42.", "42"],
  ] as const)("%j → %j", (reply, value) => {
    expect(extractMathAnswer(reply)?.value).toBe(value);
  });

  it("reads no final sentence of a reply cut at max_tokens, but still its box, answer line or final answer", () => {
    const cut = "We expand $(x+1)^2 = x^2 + 2x + 1$, so the next term is 7";
    expect(extractMathAnswer(cut)?.value).toBe("7");
    expect(extractMathAnswer(cut, { truncated: true })).toBeUndefined();
    expect(extractMathAnswer("So $\\boxed{7}$ and then we double-check the case", { truncated: true })).toEqual({
      value: "7",
      rule: "boxed",
    });
    expect(extractMathAnswer("Answer: 7\n\nLet me double-check by expanding", { truncated: true })).toEqual({
      value: "7",
      rule: "answer-line",
    });
  });
});

describe("extractMathAnswer properties", () => {
  property.prop([fc.string({ maxLength: 400, unit: "grapheme" })])("never throws on any text", (text) => {
    const found = extractMathAnswer(text);
    if (found !== undefined) expect(found.value.length).toBeGreaterThan(0);
  });

  const pieces = ["$", "\\[", "\\]", "\\(", "\\)", "$$", " ", "\n", "x", "1", ".", "\\boxed{", "}"];
  const soup = fc.array(fc.constantFrom(...pieces), { maxLength: 300 });
  property.prop([soup])("never throws on delimiter soup", (parts) => {
    expect(() => extractMathAnswer(parts.join(""))).not.toThrow();
  });

  property.prop([fc.integer({ min: -10_000, max: 10_000 })])("a boxed integer is found as written", (n) => {
    expect(extractMathAnswer(`Working.\n\nSo the answer is $\\boxed{${n}}$.`)).toEqual({
      value: String(n),
      rule: "boxed",
    });
  });

  property.prop([fc.integer({ min: 0, max: 10_000 })])("an unboxed final integer is found", (n) => {
    expect(extractMathAnswer(`We add the parts.\n\nTherefore, the total is $${n}$.`)?.value).toBe(String(n));
  });
});
