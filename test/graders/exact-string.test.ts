/** Exact-string answers: each normalisation option with a near miss it must not excuse. */
import { describe, expect, test } from "vitest";
import { type ExactOptions, gradeExact } from "../../graders/index.ts";

const NONE: ExactOptions = { ignoreCase: false, ignoreWhitespace: false, ignorePunctuation: false };

const CASES: [string, string, Partial<ExactOptions>, boolean, string][] = [
  // reply, gold, options, correct, rule
  ["Answer: Paris", "Paris", {}, true, "answer-line/string-equal"],
  ["Answer: paris", "Paris", {}, false, "answer-line/not-equal"],
  ["Answer: paris", "Paris", { ignoreCase: true }, true, "answer-line/string-equal"],
  ["Answer: Pari", "Paris", { ignoreCase: true }, false, "answer-line/not-equal"],
  ['Answer: "Paris"', "Paris", {}, true, "answer-line/string-equal"],
  ["Answer: New   York", "New York", {}, true, "answer-line/string-equal"],
  ["Answer: NewYork", "New York", {}, false, "answer-line/not-equal"],
  ["Answer: NewYork", "New York", { ignoreWhitespace: true }, true, "answer-line/string-equal"],
  ["Answer: Washington DC", "Washington, D.C.", { ignorePunctuation: true }, true, "answer-line/string-equal"],
  ["Answer: Washington", "Washington, D.C.", { ignorePunctuation: true }, false, "answer-line/not-equal"],
  ["Answer: 1000", "1,000", {}, false, "answer-line/not-equal"],
  // $ and + are symbols, not punctuation: ignoring punctuation keeps them.
  ["Answer: 5", "$5", { ignorePunctuation: true }, false, "answer-line/not-equal"],
  // A sign and a decimal point are part of a number, not punctuation around it.
  ["Answer: 5", "-5", { ignorePunctuation: true }, false, "answer-line/not-equal"],
  ["Answer: -5", "(-5)", { ignorePunctuation: true }, true, "answer-line/string-equal"],
  ["Answer: 314", "3.14", { ignorePunctuation: true }, false, "answer-line/not-equal"],
  ["Answer: 3.14!", "3.14", { ignorePunctuation: true }, true, "answer-line/string-equal"],
  ["Answer: x-ray", "xray", { ignorePunctuation: true }, true, "answer-line/string-equal"],
  ["so \\boxed{Tokyo}", "Tokyo", {}, true, "boxed/string-equal"],
  // The reply loses one trailing period to extraction; the gold must lose it too, or "D.C." never matches.
  ["Answer: Washington, D.C.", "Washington, D.C.", {}, true, "answer-line/string-equal"],
  ["Answer: Washington, D.C", "Washington, D.C.", {}, true, "answer-line/string-equal"],
  ["Answer: U.S", "U.S.", {}, true, "answer-line/string-equal"],
  ["Answer: U.S.", "U.S", {}, true, "answer-line/string-equal"],
  ["Answer: U.S", "U.S..", {}, false, "answer-line/not-equal"],
  ['Answer: "Washington, D.C."', "Washington, D.C.", {}, true, "answer-line/string-equal"],
];

describe("gradeExact", () => {
  test.each(CASES)("%j vs gold %j with %j: correct %s by %s", (reply, gold, options, correct, rule) => {
    const verdict = gradeExact(reply, gold, { ...NONE, ...options });
    expect([verdict.correct, verdict.rule]).toStrictEqual([correct, rule]);
  });

  test("no answer line or box is unanswered, not wrong", () => {
    expect(gradeExact("I think it is Paris.", "Paris", NONE)).toStrictEqual({
      correct: false,
      answered: false,
      rule: "none/no-answer",
    });
  });
});
