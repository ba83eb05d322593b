import { describe, expect, it } from "vitest";
import { LatexError, latexToMathjs } from "../../../graders/math/latex-to-mathjs.ts";

describe("latexToMathjs", () => {
  it.each([
    ["\\frac{a}{b}", "((va)/(vb))"],
    ["\\frac{1}{2}", "((1)/(2))"],
    ["\\sqrt{x}", "sqrt(vx)"],
    ["\\sqrt[3]{x}", "nthRoot((vx),(3))"],
    ["x^{2}", "vx^(2)"],
    ["2\\sqrt{3}", "2*sqrt(3)"],
    ["3\\pi", "3*pi"],
    ["2x", "2*vx"],
    ["x y", "vx*vy"],
    ["xy", "vx*vy"],
    ["(x+1)(x-1)", "(vx+1)*(vx-1)"],
    ["a\\cdot b", "va*vb"],
    ["a\\times b", "va*vb"],
    ["a\\div b", "va/vb"],
    ["\\infty", "Infinity"],
    ["e^x", "e^(vx)"],
    ["\\ln x", "log(vx)"],
    ["\\log_2 8", "log((8),(2))"],
    ["\\log 100", "log10(100)"],
    ["\\sin x", "sin(vx)"],
    ["\\sin^2 x", "(sin(vx))^(2)"],
    ["\\sin 2x", "sin(2*vx)"],
    ["\\cos(a+b)", "cos(va+vb)"],
    ["\\binom{5}{2}", "binomial((5),(2))"],
    ["n!", "vn!"],
    ["|x|", "abs(vx)"],
    ["a_1 + a_{12}", "va_1+va_12"],
    ["\\theta", "vtheta"],
    ["3\\frac{1}{2}", "(3+1/2)"],
    ["4 4/9", "(4+((4)/(9)))"],
    ["0.1\\overline{6}", "(15/90)"],
    ["\\lfloor x \\rfloor", "floor(vx)"],
    ["sqrt(2)", "sqrt(2)"],
    ["\\frac{\\sqrt{3}}{2}", "((sqrt(3))/(2))"],
  ])("%s → %s", (latex, expr) => {
    expect(latexToMathjs(latex).replace(/\s/g, "")).toBe(expr);
  });

  it.each([
    "\\sum_{k=1}^n k",
    "x = 1",
    "1, 2",
    "Evelyn",
    "204_5",
    "2 3",
    "\\frac{1}",
    "(x",
    "x)",
    "a < b",
    "12:00",
    "f'(x)",
  ])("refuses %s", (latex) => {
    expect(() => latexToMathjs(latex)).toThrow(LatexError);
  });

  it("bounds nesting depth", () => {
    expect(() => latexToMathjs(`${"(".repeat(100)}1${")".repeat(100)}`)).toThrow(LatexError);
  });
});
