import { describe, expect, it } from "vitest";
import { normalizeMathAnswer } from "../../../graders/math/index.ts";
import { normalizeLatex, stripAssignment, unwrapCommands } from "../../../graders/math/normalize.ts";

const CASES: readonly (readonly [input: string, normalised: string])[] = [
  ["\\left( \\frac{1}{3} \\right)", "(\\frac{1}{3})"],
  ["\\dfrac{1}{2}", "\\frac{1}{2}"],
  ["\\tfrac{1}{2}", "\\frac{1}{2}"],
  ["dfrac{1}{2}", "\\frac{1}{2}"],
  ["\\frac12", "\\frac{1}{2}"],
  ["\\frac1{72}", "\\frac{1}{72}"],
  ["\\frac{1}2", "\\frac{1}{2}"],
  ["\\sqrt3", "\\sqrt{3}"],
  ["\\sqrt 2", "\\sqrt{2}"],
  ["\\text{Evelyn}", "Evelyn"],
  ["\\textbf{7}", "7"],
  ["\\mathrm{e}", "e"],
  ["\\mbox{yes}", "yes"],
  ["15\\text{ cm}^2", "15"],
  ["10\\text{ units}", "10"],
  ["125 miles", "125"],
  ["12 inches", "12"],
  ["90 degrees", "90"],
  ["30 dollars", "30"],
  ["90^\\circ", "90"],
  ["90^{\\circ}", "90"],
  ["90°", "90"],
  ["10\\%", "10"],
  ["10%", "10"],
  ["\\$18.90", "18.9"],
  ["$18.90", "18.9"],
  ["1,000,000", "1000000"],
  ["10,\\!000", "10000"],
  ["14{,}916", "14916"],
  ["(1,234)", "(1,234)"],
  ["(1,2)", "(1,2)"],
  ["1 000", "1000"],
  ["70.", "70"],
  ["\\frac{1}{3}.", "\\frac{1}{3}"],
  ["5.0", "5"],
  ["2.50", "2.5"],
  [".5", "0.5"],
  ["-.5", "-0.5"],
  ["x \\in [0, 1)", "[0,1)"],
  ["x = 3", "3"],
  ["k=\\frac{1}{3}", "\\frac{1}{3}"],
  ["x + y = 3", "x+y=3"],
  ["\\displaystyle \\frac{1}{2}", "\\frac{1}{2}"],
  ["1\\,000", "1000"],
  ["a\\;b", "ab"],
  ["\\boxed{70}", "70"],
  ["$\\boxed{\\frac{1}{2}}$", "\\frac{1}{2}"],
  ["\\text{(C)}", "C"],
  ["x \\geq 5", "x\\ge 5"],
  ["x >= 5", "x\\ge 5"],
  ["2 \\sin b \\cos a", "2\\sin b\\cos a"],
  ["19, 46, and 82", "19,46,82"],
  ["1 \\text{ or } 2", "1,2"],
  ["{1,3}", "1,3"],
  ["\\mathbb{R}", "(-\\infty,\\infty)"],
  ["\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"],
  ["\\\\frac{1}{2}", "\\frac{1}{2}"],
  ["x^{2}", "x^2"],
];

describe("normalizeMathAnswer", () => {
  it.each(CASES)("%j → %j", (input, normalised) => {
    expect(normalizeMathAnswer(input)).toBe(normalised);
  });

  it("is idempotent on these cases", () => {
    for (const [input] of CASES) {
      const once = normalizeMathAnswer(input);
      expect(normalizeMathAnswer(once), input).toBe(once);
    }
  });

  it("keeps the assignment in normalizeLatex and drops it only for a single name", () => {
    expect(normalizeLatex("x = 3")).toBe("x=3");
    expect(stripAssignment("x=3")).toBe("3");
    expect(stripAssignment("f(x)=x^2")).toBe("x^2");
    expect(stripAssignment("(x,y)=(1,2)")).toBe("(1,2)");
    expect(stripAssignment("a_1=5")).toBe("5");
    expect(stripAssignment("\\theta=\\pi")).toBe("\\pi");
    expect(stripAssignment("2x=4")).toBe("2x=4");
    expect(stripAssignment("x=y=3")).toBe("x=y=3");
  });

  it("unwraps nested text commands with balanced braces", () => {
    expect(unwrapCommands("\\text{a\\textbf{b}c}", ["text", "textbf"])).toBe("abc");
    expect(unwrapCommands("\\text{\\frac{1}{2}}", ["text"])).toBe("\\frac{1}{2}");
    expect(unwrapCommands("\\text{open", ["text"])).toBe("\\text{open");
  });

  it("leaves a very long input alone rather than working on it", () => {
    const long = "x".repeat(6_000);
    expect(normalizeMathAnswer(long)).toBe(long);
  });
});
