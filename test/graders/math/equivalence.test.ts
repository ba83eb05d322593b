/** Our own equivalence cases: each row names the rule we expect to decide, so a change of path is visible. */
import { describe, expect, it } from "vitest";
import { createMathEngine, type MathRule } from "../../../graders/math/index.ts";

const math = createMathEngine();

type Case = readonly [gold: string, pred: string, equal: boolean, rule: MathRule];

const CASES: readonly Case[] = [
  // Normalisation alone
  ["\\frac{\\sqrt{3}}{2}", "\\dfrac{\\sqrt3}{2}", true, "string-equal"],
  ["10\\%", "10", true, "string-equal"],
  ["\\$18.90", "18.9", true, "string-equal"],
  ["90^\\circ", "90", true, "string-equal"],
  ["90^{\\circ}", "90°", true, "string-equal"],
  ["1,000", "1000", true, "string-equal"],
  ["1,000,000", "1000000", true, "string-equal"],
  ["5.0", "5", true, "string-equal"],
  ["0.5", ".5", true, "string-equal"],
  ["12", "12 \\text{ cm}", true, "string-equal"],
  ["7", "7 inches", true, "string-equal"],
  ["30", "30 dollars", true, "string-equal"],
  ["\\text{(B)}", "B", true, "string-equal"],
  ["\\frac{1}{2}", "\\displaystyle\\frac{1}{2}", true, "string-equal"],
  ["\\frac{1}{2}", "\\left(\\frac{1}{2}\\right)", true, "numeric-equal"],
  // Numbers
  ["0.5", "\\frac12", true, "numeric-equal"],
  ["1/2", "\\frac{1}{2}", true, "numeric-equal"],
  ["\\frac12", "0.5", true, "numeric-equal"],
  ["\\frac{1}{3}", "0.333", false, "not-equal"],
  ["\\frac{1}{3}", "0.3333333333", true, "numeric-equal"],
  ["12000023", "12000024", false, "not-equal"],
  ["16386.17", "16386.16", false, "not-equal"],
  ["2\\sqrt{2}", "\\sqrt{8}", true, "numeric-equal"],
  ["\\pi", "3.14159265358979", true, "numeric-equal"],
  ["\\frac{\\pi}{2}", "90", false, "not-equal"],
  ["\\binom{5}{2}", "10", true, "numeric-equal"],
  ["5!", "120", true, "numeric-equal"],
  ["2^{10}", "1024", true, "numeric-equal"],
  ["\\sqrt[3]{27}", "3", true, "numeric-equal"],
  ["\\log_2 8", "3", true, "numeric-equal"],
  ["\\ln(e^2)", "2", true, "numeric-equal"],
  ["0.\\overline{3}", "\\frac{1}{3}", true, "numeric-equal"],
  ["3\\frac{1}{2}", "\\frac{7}{2}", true, "numeric-equal"],
  ["i^2", "-1", true, "numeric-equal"],
  ["\\frac{1}{2}+\\frac{\\sqrt{3}}{2}i", "\\frac{1+i\\sqrt{3}}{2}", true, "numeric-equal"],
  ["3\\pi", "\\pi\\cdot 3", true, "numeric-equal"],
  ["1000000", "10^6+1", false, "not-equal"],
  ["1000000", "10^6", true, "numeric-equal"],
  ["\\infty", "\\infty", true, "string-equal"],
  ["\\infty", "-\\infty", false, "not-equal"],
  // Symbolic
  ["x^2+2x+1", "(x+1)^2", true, "random-points"],
  ["x^2", "x^3", false, "not-equal"],
  ["2x", "x+x", true, "symbolic-equal"],
  ["x y", "yx", true, "symbolic-equal"],
  ["\\frac{x}{2}", "0.5x", true, "symbolic-equal"],
  ["\\sin^2 x + \\cos^2 x", "1", true, "random-points"],
  ["|x|", "x", false, "not-equal"],
  ["\\sqrt{x^2}", "|x|", true, "random-points"],
  ["2\\sqrt{3}x", "\\sqrt{12}\\,x", true, "symbolic-equal"],
  ["\\frac{n(n+1)}{2}", "\\binom{n+1}{2}", true, "random-points"],
  ["\\binom{n}{2}", "\\binom{n}{3}", false, "not-equal"],
  // Numerals in a base
  ["52_8", "52_{8}", true, "string-equal"],
  ["52_8", "52", true, "string-equal"],
  ["52_8", "42", false, "not-equal"],
  ["52_8", "52_9", false, "not-equal"],
  ["x_1", "x", false, "not-equal"],
  // Tuples, sets, intervals
  ["(1,2)", "(2,1)", false, "tuple"],
  ["(1,2)", "(1,2)", true, "string-equal"],
  ["(1,\\frac{1}{2})", "(1, 0.5)", true, "tuple"],
  ["\\{1,2\\}", "\\{2,1\\}", true, "set"],
  ["1, 2", "2, 1", true, "set"],
  ["1, 2", "x=1 or x=2", true, "set"],
  ["1, 2", "x = 2, x = 1", true, "set"],
  ["1, 2", "1, 2, 3", false, "set"],
  ["1, 1, 2", "1, 2, 2", false, "set"],
  ["[1,3)", "[1,3]", false, "interval"],
  ["[1,3)", "[1, 3)", true, "string-equal"],
  ["(-\\infty, 2] \\cup [3, \\infty)", "[3,\\infty)\\cup(-\\infty,2]", true, "interval"],
  ["(-\\infty, 2] \\cup [3, \\infty)", "(-\\infty, 2) \\cup [3, \\infty)", false, "interval"],
  ["(0, \\infty)", "x > 0", true, "interval"],
  ["[-2, 7]", "-2 \\le x \\le 7", true, "interval"],
  ["(-\\infty,-1)\\cup(1,\\infty)", "x<-1 \\text{ or } x>1", true, "interval"],
  ["[1, 5)", "1 \\leq x < 5", true, "interval"],
  ["x \\in [2, 5)", "[2,5)", true, "string-equal"],
  ["\\mathbb{R}", "(-\\infty,\\infty)", true, "string-equal"],
  // Matrices
  ["\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}", true, "matrix"],
  [
    "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
    "\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}",
    false,
    "matrix",
  ],
  [
    "\\begin{pmatrix} \\frac12 \\\\ 0.25 \\end{pmatrix}",
    "\\begin{pmatrix} 0.5 \\\\ \\frac{1}{4} \\end{pmatrix}",
    true,
    "matrix",
  ],
  ["\\begin{pmatrix} 1 & 2 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", false, "matrix"],
  ["\\begin{pmatrix} 1 \\\\ 2 \\\\ 3 \\end{pmatrix}", "(1,2,3)", true, "matrix"],
  // Sums and products written out, computed cell by cell; a product in the other order is another matrix
  [
    "\\begin{pmatrix} 6 & 8 \\\\ 10 & 12 \\end{pmatrix}",
    "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix} + \\begin{pmatrix}5 & 6 \\\\ 7 & 8\\end{pmatrix}",
    true,
    "matrix",
  ],
  [
    "\\begin{pmatrix} 6 & 8 \\\\ 10 & 12 \\end{pmatrix}",
    "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix} - \\begin{pmatrix}5 & 6 \\\\ 7 & 8\\end{pmatrix}",
    false,
    "matrix",
  ],
  [
    "\\begin{pmatrix} 19 & 22 \\\\ 43 & 50 \\end{pmatrix}",
    "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix} \\begin{pmatrix}5 & 6 \\\\ 7 & 8\\end{pmatrix}",
    true,
    "matrix",
  ],
  [
    "\\begin{pmatrix} 19 & 22 \\\\ 43 & 50 \\end{pmatrix}",
    "\\begin{pmatrix}5 & 6 \\\\ 7 & 8\\end{pmatrix} \\cdot \\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
    false,
    "matrix",
  ],
  // \pm
  ["1 \\pm \\sqrt{2}", "1+\\sqrt{2}, 1-\\sqrt{2}", true, "plus-minus"],
  ["1 \\pm \\sqrt{2}", "\\{1-\\sqrt{2}, 1+\\sqrt{2}\\}", true, "plus-minus"],
  ["1 \\pm \\sqrt{2}", "1 + \\sqrt{2}", false, "plus-minus"],
  ["\\pm 3", "3, -3", true, "plus-minus"],
  // Equations and assignments
  ["x = 3", "3", true, "equation-rhs"],
  ["3", "x=3", true, "equation-rhs"],
  ["\\frac{1}{2}", "x = 0.5", true, "equation-rhs"],
  ["y = 2x + 3", "2x+3", true, "equation-rhs"],
  ["y = 2x + 3", "y = 3 + 2x", true, "symbolic-equal"],
  ["2x - y + 3 = 0", "y = 2x + 3", true, "equation"],
  ["x + y = 1", "x - y = 1", false, "equation"],
  ["x + y = 1", "1", false, "not-equal"],
  // Inequalities in equivalent forms (issue 14)
  ["x \\geq 5", "x >= 5", true, "string-equal"],
  ["x \\neq 3", "x != 3", true, "string-equal"],
  ["x < 3", "x \\lt 3", true, "string-equal"],
  ["y > 2", "-y < -2", true, "inequality"],
  ["y > 2", "-y > -2", false, "inequality"],
  ["x < 1", "-x > -1", true, "inequality"],
  ["x \\le 1", "-x \\ge -1", true, "inequality"],
  ["x < 1", "-x \\ge -1", false, "inequality"],
  ["2x > 4", "x > 2", true, "inequality"],
  ["2x > 4", "x > 4", false, "inequality"],
  ["x \\le 5", "5 \\geq x", true, "interval"],
  ["x \\le 5", "x \\ge 5", false, "interval"],
  ["0 < f(x) < 1", "(0, 1)", true, "interval"],
  // Numbers with units or currency (issue 14)
  ["2500.5", "2,500.50€", true, "string-equal"],
  ["2500.5", "2,500.50km²", true, "string-equal"],
  ["2500.5", "€2,500.51", false, "not-equal"],
  ["1000.99", "1,000.99m²", true, "string-equal"],
  ["10", "\\pounds 10", true, "string-equal"],
  // Named quantities, semicolons, repeated solutions, computations
  ["AB = 4, CD = 5", "4, 5", true, "set"],
  ["AB = 4, CD = 5", "4, 6", false, "set"],
  ["|AB| = 1", "1", true, "equation-rhs"],
  ["V_{1}:V_{2} = 11:21", "11:21", true, "equation-rhs"],
  ["a + 3z = 0", "0", false, "not-equal"],
  ["-12;-11;-10", "\\{-10, -11, -12\\}", true, "set"],
  ["(0;-2;6)", "(0, -2, 6)", true, "tuple"],
  ["p=5,q=2;p=7,q=2", "(5,2),(7,2)", true, "set"],
  ["p=5,q=2;p=7,q=2", "(2,5),(7,2)", false, "set"],
  ["(1,2),(3,4)", "(3,4),(1,2),(3,4)", true, "set"],
  ["12", "3 \\cdot 4 = 12", true, "equation-rhs"],
  ["12", "3 \\cdot 4 = 13", false, "not-equal"],
  ["7 = 11a+c", "11a+c", false, "not-equal"],
  // Products commuted inside expressions mathjs cannot read (issue 14)
  ["a_{j} b_{n-j}", "b_{n-j} a_{j}", true, "commuted"],
  ["a_{j} b_{n-j}", "a_{n-j} b_{j}", false, "unparseable"],
  ["\\sum_{k=0}^{n-1} F_k F_{n-k-1}", "\\sum_{k=0}^{n-1} F_{n-1-k} F_k", true, "commuted"],
  ["\\sum_{k=0}^{n-1} F_k F_{n-k-1}", "\\sum_{k=0}^{n-2} F_k F_{n-k-2}", false, "unparseable"],
  ["\\sum_{k=1}^{n} a_k b_k + c", "c + \\sum_{k=1}^{n} b_k \\cdot a_k", true, "commuted"],
  ["\\sum_{k=1}^{n} a_k b_k + c", "\\sum_{k=1}^{n} (a_k b_k + c)", false, "unparseable"],
  ["F_n = \\sum_{k=0}^{n-1} F_k F_{n-k-1}", "F_n = \\sum_{k=0}^{n-1} F_{n-k-1} F_k", true, "commuted"],
  // Review of issue 14: what no longer passes for equal.
  ["13", "3 \\cdot 4 = 13", false, "not-equal"], // a false computation states no result
  ["\\sum_{k=1}^{n} A_k B", "\\sum_{k=1}^{n} B A_k", false, "unparseable"], // matrices need not commute
  ["\\sum_{k=1}^{n} \\vec{u}_k \\times \\vec{v}", "\\sum_{k=1}^{n} \\vec{v} \\times \\vec{u}_k", false, "unparseable"],
  ["3, 3, 4", "3, 4", false, "set"],
  ["3, 3, 4", "4, 3, 3", true, "set"],
  ["xy = 12", "12", false, "not-equal"], // a product of variables, not a named length
  ["5 \\text{ km}", "5 \\text{ m}", false, "not-equal"],
  ["5 \\text{ km}", "5 \\text{ kilometers}", true, "string-equal"],
  ["€20", "£20", false, "not-equal"],
  ["€20", "20", true, "string-equal"],
  // Text
  ["\\text{Evelyn}", "Evelyn", true, "string-equal"],
  ["\\text{Monday}", "\\text{Tuesday}", false, "not-equal"],
  ["\\text{no solution}", "No Solution", true, "string-equal"],
];

describe("mathEqual: own cases", () => {
  it.each(CASES)("%s vs %s → %s by %s", (gold, pred, equal, rule) => {
    const verdict = math.equal(gold, pred);
    expect(verdict, JSON.stringify(verdict)).toMatchObject({ equal, rule });
  });

  it("is symmetric on these cases", () => {
    for (const [gold, pred, equal] of CASES) {
      expect(math.equal(pred, gold).equal, `${pred} vs ${gold}`).toBe(equal);
    }
  });
});

describe("mathEqual: bad input never throws", () => {
  const garbage = [
    "",
    "   ",
    "$",
    "$$",
    "\\",
    "\\\\",
    "{",
    "}",
    "(((",
    ")))",
    "\\frac{",
    "\\frac{1}{",
    "\\sqrt[",
    "^",
    "_",
    "!",
    "=",
    "==",
    "\\begin{pmatrix}",
    "\\end{pmatrix}",
    "\\left(",
    "x^{",
    "1/0",
    "0/0",
    "\\frac{1}{0}",
    "\\infty - \\infty",
    "I think the answer is probably 5 but I am not sure",
    "import({})",
    'evaluate("1")',
    'createUnit("x")',
    "\\boxed{}",
    "\\text{}",
    "%",
    "\\%",
    "1,,2",
    ",",
    "(,)",
    "[,]",
    "\\{\\}",
    "\\pm",
    "\\pm\\pm\\pm\\pm\\pm",
    "|||",
    "\\sqrt{-1}",
    "10^{10^{10}}",
    "1000000!",
    "\\binom{1000000000}{500000000}",
    "\\overline{}",
  ];
  it.each(garbage)("pred %j", (pred) => {
    const verdict = math.equal("5", pred);
    expect(verdict.equal).toBe(false);
    expect(["unparseable", "not-equal", "set", "tuple", "interval", "plus-minus", "matrix"]).toContain(verdict.rule);
  });

  it("reports an empty prediction as unparseable", () => {
    expect(math.equal("5", "")).toMatchObject({ equal: false, rule: "unparseable" });
    expect(math.equal("5", "  $ $ ")).toMatchObject({ equal: false, rule: "unparseable" });
  });

  it("refuses a 10,000-character prediction without parsing it", () => {
    const long = "1+".repeat(5_000);
    const started = performance.now();
    expect(math.equal("5", long)).toMatchObject({ equal: false, rule: "unparseable" });
    expect(math.equal("5", "x".repeat(10_000))).toMatchObject({ equal: false, rule: "unparseable" });
    // Not a speed test: the bound is generous, it only guards against parsing the whole input.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("refuses a normalised answer over 1,000 characters", () => {
    expect(math.equal("5", `${"1+".repeat(600)}1`)).toMatchObject({ equal: false, rule: "unparseable" });
  });

  it("refuses deeply nested input", () => {
    expect(math.equal("5", `${"(".repeat(200)}5${")".repeat(200)}`)).toMatchObject({
      equal: false,
      rule: "unparseable",
    });
    expect(math.equal("5", `${"\\sqrt{".repeat(60)}5${"}".repeat(60)}`)).toMatchObject({ equal: false });
  });

  it("does not hang on huge combinatorics", () => {
    expect(math.equal("5", "\\binom{1000000000}{500000000}").equal).toBe(false);
  });
});
