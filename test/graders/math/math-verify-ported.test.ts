/**
 * huggingface/Math-Verify's own test suite through our grading path (issue 14). Its 269 parametrized cases (at
 * 5d148cf: tests/test_all.py, test_boxed.py, test_numina_cases.py, test_open_thoughts.py, test_yujianll.py,
 * test_strict.py) are not kept in this repository: `python3 bench/math-verify-cases.py <Math-Verify>/tests >
 * cases.json` writes them, and QUANTEVAL_MATH_VERIFY_CASES names that file. Without it these tests are skipped, and
 * BENCHMARKS.md ("Math grading against its peers' scorers") holds the figures they give.
 *
 * Our path: the prediction is a whole reply, so it goes through extractMathAnswer and mathEqual, as gradeMathAnswer
 * does for MATH-500. Math-Verify parses the gold with the same extractor as the prediction; our golds are dataset
 * answers, so a gold is passed to mathEqual as written, unless it is itself a whole solution (it holds a box or a
 * "final answer" sentence, or runs past 200 characters), which is extracted like a reply.
 *
 * Every case expects Math-Verify's verdict, except those listed below, each with its reason: OVERRULED where a
 * careful grader sides with us or our documented policy differs, NOT_YET for right answers we do not yet grade
 * right (run with `it.fails`, so fixing one turns the suite red until it leaves the list). Expected-false cases are
 * also checked for an answer: Math-Verify extracts one in all of them but NO_ANSWER, so a wrong verdict may never
 * come from finding nothing.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createMathEngine, extractMathAnswer } from "../../../graders/math/index.ts";
import { gradeMathAnswer } from "../../../src/tasks/math-answer.ts";

const math = createMathEngine();

const CaseSchema = z.strictObject({
  id: z.string(),
  line: z.number().int(),
  matchTypes: z.array(z.enum(["latex", "expr"])).min(1),
  precision: z.number().int().optional(),
  strict: z.boolean().optional(),
  allow_set_relation_comp: z.boolean().optional(),
  expected: z.boolean(),
  gold: z.string(),
  pred: z.string(),
});
const CASES_FILE = process.env.QUANTEVAL_MATH_VERIFY_CASES;
const CASES =
  CASES_FILE === undefined || CASES_FILE === ""
    ? []
    : z.array(CaseSchema).parse(JSON.parse(readFileSync(CASES_FILE, "utf8")));

/** Our verdict differs from Math-Verify's expectation; `expected` is ours. */
const OVERRULED: Record<string, { expected: boolean; reason: string }> = {
  "test_all::test_number_extraction[5]": { expected: false, reason: "decimal comma: '1000,99' is not 1000.99 for us" },
  "test_all::test_number_extraction[6]": { expected: false, reason: "decimal comma: the gold '1,22' lists 1 and 22" },
  "test_all::test_number_extraction[7]": { expected: false, reason: "decimal comma: 'Soucis : 2,74 $' is not 2.74" },
  "test_all::test_number_extraction[17]": { expected: false, reason: "decimal comma: the gold '0,111' is not 0.111" },
  // In MATH-style answers a comma between digits separates elements ("-2,1" lists two roots) or thousands; reading
  // it as a decimal comma would make every such list a number. The four cases above are that policy.
  "test_all::test_latex_notation[5]": {
    expected: true,
    reason:
      "the reply answers 9; the test limits Math-Verify to " +
      "LaTeX, where `$` cannot span lines, but its default (LaTeX and numbers) reads 9 as we do",
  },
  "test_all::test_latex_notation[6]": { expected: true, reason: "as [5], with \\( \\)" },
  "test_all::test_complex_math_expressions[7]": {
    expected: false,
    reason: "run at precision=2: 0.33 is not 1/3 at " + "our tolerance (relative 1e-6)",
  },
  "test_all::test_complex_math_expressions[13]": { expected: false, reason: "run at precision=2: 2.6667 is not 8/3" },
  "test_all::test_set_rel_assymetry[3]": {
    expected: true,
    reason:
      "x ∈ [-2,7] and -2 ≤ x ≤ 7 are the same set; " +
      "Math-Verify compares a relation with a set only on request, we always do, in both directions",
  },
  "test_yujianll::test_string_extraction[9]": {
    expected: false,
    reason: "1 - 1/e and 1 + 1/e differ (0.632 vs " + "1.368); Math-Verify's expectation is a known mis-grade",
  },
  "test_all::test_latex_notation[9]": {
    expected: false,
    reason:
      "the reply's computation is false (1/2 is not " +
      "10/9): a false computation states no result for us, so '3 · 4 = 13' is not 13 either",
  },
  "test_strict::test_strict_variable_comparison[1]": {
    expected: false,
    reason:
      "run with strict=False, which " +
      "renames variables; we grade names as written, as Math-Verify's default strict=True does ([0])",
  },
};

/** Right answers we do not grade right yet. */
const NOT_YET: Record<string, string> = {
  "test_numina_cases::test_numina_cases[3]":
    "1 ≤ |z| ≤ 3/2 against z ∈ [-3/2,-1] ∪ [1,3/2] needs the " +
    "inequality in |z| solved for z; we compare intervals as written",
};

/** Expected-false cases where nothing is extracted, by Math-Verify and by us. */
const NO_ANSWER: Record<string, string> = {
  "test_all::test_number_extraction[18]": "'AZYUK2A': a digit glued to letters is no number",
};

function goldOf(gold: string): string {
  const wholeSolution = /\\boxed|final answer/i.test(gold) || gold.length > 200;
  return wholeSolution ? (extractMathAnswer(gold)?.value ?? gold) : gold;
}

function grade(gold: string, pred: string) {
  return gradeMathAnswer(
    {
      text: pred,
      finishReason: "stop",
      usage: { promptTokens: 0, completionTokens: 0 },
      timing: { sentAt: 0, doneAt: 0 },
    },
    goldOf(gold),
    math,
  );
}

function label(text: string): string {
  const flat = JSON.stringify(text);
  return flat.length > 70 ? `${flat.slice(0, 30)}…${flat.slice(-35)}` : flat;
}

describe.skipIf(CASES.length === 0)(
  "Math-Verify's test suite through extractMathAnswer + mathEqual (QUANTEVAL_MATH_VERIFY_CASES)",
  () => {
    it("has every case of the fixture, and the lists name only cases that exist", () => {
      expect(CASES).toHaveLength(269);
      const ids = new Set(CASES.map((c) => c.id));
      expect(ids.size).toBe(CASES.length);
      for (const id of [...Object.keys(OVERRULED), ...Object.keys(NOT_YET), ...Object.keys(NO_ANSWER)]) {
        expect(ids, id).toContain(id);
      }
    });

    for (const c of CASES) {
      const expected = OVERRULED[c.id]?.expected ?? c.expected;
      const run = NOT_YET[c.id] === undefined ? it : it.fails;
      run(`${c.id} (line ${c.line}): ${label(c.gold)} vs ${label(c.pred)} → ${expected}`, () => {
        const verdict = grade(c.gold, c.pred);
        expect(verdict.correct, JSON.stringify(verdict)).toBe(expected);
        if (!expected) expect(verdict.answered, JSON.stringify(verdict)).toBe(NO_ANSWER[c.id] === undefined);
      });
    }
  },
);

// tests/test_all.py test_precision and tests/test_configs.py: parser options rather than pairs, restated here.
describe("Math-Verify's precision and config tests", () => {
  it("1/3 against 0.3333 is wrong at our tolerance (Math-Verify passes it at precision=4 only)", () => {
    expect(math.equal("$\\frac{1}{3}$", "0.3333")).toMatchObject({ equal: false, rule: "not-equal" });
    expect(math.equal("$\\frac{1}{3}$", "0.333333333")).toMatchObject({ equal: true, rule: "numeric-equal" });
  });

  it("a bare box and a malformed \\frac are extracted (test_configs)", () => {
    expect(extractMathAnswer("\\boxed{1}")).toEqual({ value: "1", rule: "boxed" });
    expect(math.equal("\\frac{1}{2}", extractMathAnswer("$\\frac12$")?.value ?? "")).toMatchObject({ equal: true });
  });

  it("a box after 'final answer is' wins, as with Math-Verify's default priorities (test_configs)", () => {
    expect(extractMathAnswer("final answer is $9999$, \\boxed{1}")).toEqual({ value: "1", rule: "boxed" });
  });
});
