import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMathEngine, MATH_RULES } from "../../../graders/math/index.ts";

const math = createMathEngine();

const LATEX_PIECES = [
  "\\frac",
  "\\sqrt",
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  "\\{",
  "\\}",
  "^",
  "_",
  ",",
  "=",
  "\\pm",
  "\\cup",
  "\\infty",
  "\\pi",
  "x",
  "y",
  "1",
  "2",
  "0",
  ".",
  "-",
  "+",
  "\\cdot",
  "\\text{",
  "\\left(",
  "\\right)",
  "&",
  "\\\\",
  "\\begin{pmatrix}",
  "\\end{pmatrix}",
  "\\le",
  "<",
  "!",
  "|",
  " ",
  "\\%",
  "$",
  "\\$",
  "^\\circ",
  "\\binom",
  "\\overline",
  "e",
  "i",
];

const latexish = fc.array(fc.constantFrom(...LATEX_PIECES), { maxLength: 20 }).map((parts) => parts.join(""));

describe("mathEqual properties", () => {
  it("never throws and always returns a known rule", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 60 }), latexish),
        fc.oneof(fc.string({ maxLength: 60 }), latexish),
        (gold, pred) => {
          const verdict = math.equal(gold, pred);
          expect(MATH_RULES).toContain(verdict.rule);
          expect(typeof verdict.equal).toBe("boolean");
        },
      ),
      { numRuns: 400, seed: 20240601 },
    );
  });

  it("is reflexive for integers", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (n) => {
        expect(math.equal(`${n}`, `${n}`).equal).toBe(true);
      }),
      { seed: 1 },
    );
  });

  it("is reflexive for simple fractions, and \\frac{a}{b} equals a/b", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), (a, b) => {
        const frac = `\\frac{${a}}{${b}}`;
        expect(math.equal(frac, frac).equal).toBe(true);
        expect(math.equal(frac, `${a}/${b}`).equal).toBe(true);
        expect(math.equal(`${a}/${b}`, `\\dfrac{${a}}{${b}}`).equal).toBe(true);
      }),
      { seed: 2 },
    );
  });

  it("tells different integers apart", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 1, max: 1000 }), (n, d) => {
        expect(math.equal(`${n}`, `${n + d}`).equal).toBe(false);
      }),
      { seed: 3 },
    );
  });

  it("is deterministic", () => {
    for (const [g, p] of [
      ["x^2+2x+1", "(x+1)^2"],
      ["\\sin^2 x", "1-\\cos^2 x"],
      ["x", "x+10^{-8}"],
    ] as const) {
      expect(math.equal(g, p)).toEqual(math.equal(g, p));
    }
  });
});
