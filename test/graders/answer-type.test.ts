import { describe, expect, test } from "vitest";
import { gradeByAnswerType, normaliseString, type SuiteGold, wrongAnswersFor } from "../../graders/answer-type.ts";
import { GoldParseError } from "../../src/core/errors.ts";

const int = (answer: string): SuiteGold => ({ answer, answerType: "integer" });
const frac = (answer: string): SuiteGold => ({ answer, answerType: "fraction" });
const num = (answer: string, tolerance: number): SuiteGold => ({ answer, answerType: "number", tolerance });
const str = (answer: string, caseInsensitive?: boolean): SuiteGold =>
  caseInsensitive === undefined ? { answer, answerType: "string" } : { answer, answerType: "string", caseInsensitive };
const choice = (answer: string, choices = ["Nitrogen", "Oxygen", "Carbon", "Boron"]): SuiteGold => ({
  answer,
  answerType: "choice",
  choices,
});

// [reply text, gold, expected correct, expected rule]. Each positive case is followed by its near miss.
const cases: [string, SuiteGold, boolean, string][] = [
  // integers
  ["Answer: 25", int("25"), true, "answer-line/integer-equal"],
  ["Answer: 25", int("5"), false, "answer-line/not-equal"], // "25" ends in "5"
  ["Answer: 5", int("25"), false, "answer-line/not-equal"],
  ["Answer: 1,000", int("1000"), true, "answer-line/integer-equal"],
  ["Answer: 1,001", int("1000"), false, "answer-line/not-equal"],
  ["Answer: 042", int("42"), true, "answer-line/integer-equal"],
  ["Answer: 0421", int("42"), false, "answer-line/not-equal"],
  ["Answer: -13", int("-13"), true, "answer-line/integer-equal"],
  ["Answer: 13", int("-13"), false, "answer-line/not-equal"],
  ["Answer: x = 18", int("18"), true, "answer-line/integer-equal"],
  ["Answer: 18 years", int("18"), true, "answer-line/integer-equal"],
  ["Answer: 18.5", int("18"), false, "answer-line/not-equal"],
  ["**Answer:** $\\boxed{171}$", int("171"), true, "answer-line/integer-equal"],
  ["so it is \\boxed{171}", int("171"), true, "boxed/integer-equal"],
  ["so it is \\boxed{17}", int("171"), false, "boxed/not-equal"],
  ["Answer: 5\nNo, I slipped.\nAnswer: 4", int("4"), true, "answer-line/integer-equal"], // the correction counts
  ["Answer: 4\nNo, I slipped.\nAnswer: 5", int("4"), false, "answer-line/not-equal"],
  ["Answer: 18 or 20", int("18"), false, "answer-line/unparsed"],
  ["Answer: twenty", int("20"), false, "answer-line/unparsed"],
  ["The result is 42.", int("42"), false, "none/no-answer"], // no last-number fallback
  // fractions
  ["Answer: \\frac{1}{2}", frac("1/2"), true, "answer-line/fraction-equal"],
  ["Answer: \\frac{1}{3}", frac("1/2"), false, "answer-line/not-equal"],
  ["Answer: \\dfrac{7}{12}", frac("7/12"), true, "answer-line/fraction-equal"],
  ["Answer: \\dfrac{7}{13}", frac("7/12"), false, "answer-line/not-equal"],
  ["Answer: 14/24", frac("7/12"), true, "answer-line/fraction-equal"],
  ["Answer: 14/25", frac("7/12"), false, "answer-line/not-equal"],
  ["Answer: 0.5", frac("1/2"), true, "answer-line/fraction-equal"],
  ["Answer: 0.33", frac("1/3"), false, "answer-line/not-equal"], // a rounded decimal is not the fraction
  ["Answer: 0.333333333333", frac("1/3"), false, "answer-line/not-equal"],
  ["Answer: -3/4", frac("-3/4"), true, "answer-line/fraction-equal"],
  ["Answer: 3/4", frac("-3/4"), false, "answer-line/not-equal"],
  ["Answer: −\\frac{3}{2}", frac("-3/2"), true, "answer-line/fraction-equal"],
  ["Answer: 2", frac("4/2"), true, "answer-line/fraction-equal"],
  ["Answer: 3/0", frac("3/4"), false, "answer-line/unparsed"],
  // numbers with a tolerance
  ["Answer: 2817.06", num("2817.06", 0.005), true, "answer-line/number-within-tolerance"],
  ["Answer: $2,817.06", num("2817.06", 0.005), true, "answer-line/number-within-tolerance"],
  ["Answer: 2817.0626", num("2817.06", 0.005), true, "answer-line/number-within-tolerance"],
  ["Answer: 2817.07", num("2817.06", 0.005), false, "answer-line/not-equal"],
  ["Answer: 5.644", num("5.644", 0.0005), true, "answer-line/number-within-tolerance"],
  ["Answer: 5.643", num("5.644", 0.0005), false, "answer-line/not-equal"],
  ["Answer: x ≈ 5.6439", num("5.644", 0.0005), true, "answer-line/number-within-tolerance"],
  // strings
  ["Answer: 1,10,2,5", str("1,10,2,5"), true, "answer-line/string-equal"],
  ["Answer: 1,2,5,10", str("1,10,2,5"), false, "answer-line/not-equal"],
  ["Answer: 1, 10, 2, 5", str("1,10,2,5"), false, "answer-line/not-equal"], // spacing is part of the output
  ["Answer: `1 NaN NaN`", str("1 NaN NaN"), true, "answer-line/string-equal"],
  ["Answer:   1  NaN   NaN ", str("1 NaN NaN"), true, "answer-line/string-equal"],
  ["Answer: 1 nan nan", str("1 NaN NaN"), false, "answer-line/not-equal"], // case-sensitive by default
  ['Answer: "-4 2 -3"', str("-4 2 -3"), true, "answer-line/string-equal"],
  ["Answer: \"-4 2 -3'", str("-4 2 -3"), false, "answer-line/not-equal"], // unmatched quotes stay
  ["Answer: monday.", str("Monday", true), true, "answer-line/string-equal"],
  ["Answer: **MONDAY**", str("Monday", true), true, "answer-line/string-equal"],
  ["Answer: Mondays", str("Monday", true), false, "answer-line/not-equal"],
  ["Answer: Kim finishes third", str("Kim", true), false, "answer-line/not-equal"],
  // choices
  ["Answer: B", choice("B"), true, "answer-line/letter-equal"],
  ["Answer: Because nitrogen…", choice("B"), false, "answer-line/unparsed"], // the "B" of "Because"
  ["Answer: (A)", choice("A"), true, "answer-line/letter-equal"],
  ["Answer: (A)", choice("B"), false, "answer-line/not-equal"],
  ["Answer: nitrogen", choice("A"), true, "answer-line-text/letter-equal"],
  ["Answer: oxygen", choice("A"), false, "answer-line-text/not-equal"],
  ["Answer: neon", choice("A"), false, "answer-line/unparsed"],
  ["\\boxed{C}", choice("C"), true, "boxed/letter-equal"],
  ["\\boxed{Carbon}", choice("C"), false, "boxed/unparsed"],
  ["Answer seems to be C", choice("C"), false, "none/no-answer"],
  ["Answer: E", choice("E", ["a", "b", "c", "d", "e"]), true, "answer-line/letter-equal"],
  ["Answer: E", choice("D", ["a", "b", "c", "d", "e"]), false, "answer-line/not-equal"],
  ["", choice("A"), false, "none/no-answer"],
];

describe("gradeByAnswerType", () => {
  test.each(cases)("%j vs %j → correct %s, %s", (text, gold, correct, rule) => {
    const v = gradeByAnswerType(text, gold);
    expect({ correct: v.correct, rule: v.rule }).toEqual({ correct, rule });
    // answered is false exactly when nothing usable was found
    expect(v.answered).toBe(!rule.endsWith("/unparsed") && rule !== "none/no-answer");
  });

  test("a verdict keeps what was extracted and, when wrong, why", () => {
    expect(gradeByAnswerType("Answer: 0.6", frac("5/8"))).toEqual({
      correct: false,
      answered: true,
      rule: "answer-line/not-equal",
      extracted: "0.6",
      detail: "expected 5/8, got 3/5",
    });
    expect(gradeByAnswerType("Answer: (C)", choice("C"))).toEqual({
      correct: true,
      answered: true,
      rule: "answer-line/letter-equal",
      extracted: "C",
    });
  });
});

describe("a gold that will not parse throws GoldParseError, whatever the reply", () => {
  const bad: [string, SuiteGold][] = [
    ["integer that is a fraction", int("7/2")],
    ["integer that is prose", int("seven")],
    ["fraction that is prose", frac("a half")],
    ["fraction over zero", frac("1/0")],
    ["number without tolerance", { answer: "1.5", answerType: "number" }],
    ["number with negative tolerance", num("1.5", -0.1)],
    ["choice without choices", { answer: "A", answerType: "choice" }],
    ["choice letter outside its choices", choice("E")],
    ["choice that is not a letter", choice("Nitrogen")],
    ["choice with one option", choice("A", ["only"])],
    ["empty string", str("  ")],
  ];
  test.each(bad)("%s", (_name, gold) => {
    expect(() => gradeByAnswerType("Answer: 1", gold, { task: "suite40", itemId: "x-01" })).toThrow(GoldParseError);
    expect(() => gradeByAnswerType("", gold, { task: "suite40", itemId: "x-01" })).toThrow(/suite40\/x-01/);
  });
});

describe("normaliseString", () => {
  test.each([
    ["  a  b ", false, "a b"],
    ["`x`", false, "x"],
    ["“Kim”", true, "kim"],
    ["'x\"", false, "'x\""],
    ["A\u030A", false, "\u00C5"], // NFC: A + combining ring is Å
  ] as const)("%j (case-insensitive %s) → %j", (input, ci, expected) => {
    expect(normaliseString(input, ci)).toBe(expected);
  });
});

describe("wrongAnswersFor", () => {
  const golds: SuiteGold[] = [
    int("9"),
    int("-13"),
    int("0"),
    frac("5/8"),
    frac("-3/2"),
    frac("1/1"),
    num("2817.06", 0.005),
    num("5.644", 0.0005),
    num("3", 0),
    choice("B"),
    choice("A", ["x", "y"]),
  ];
  test.each(golds)("%j: 1–3 distinct answers, each graded wrong", (gold) => {
    const wrong = wrongAnswersFor(gold);
    expect(wrong.length).toBeGreaterThanOrEqual(1);
    expect(wrong.length).toBeLessThanOrEqual(3);
    expect(new Set(wrong).size).toBe(wrong.length);
    for (const w of wrong) expect(gradeByAnswerType(`Answer: ${w}`, gold).rule).toMatch(/\/not-equal$/);
  });

  test("strings have no generic wrong answers", () => {
    expect(wrongAnswersFor(str("Kim"))).toEqual([]);
  });

  test("nearby values in the gold's own format", () => {
    expect(wrongAnswersFor(int("9"))).toEqual(["10", "8", "19"]);
    expect(wrongAnswersFor(num("2817.06", 0.005))).toEqual(["2817.11", "2817.01", "2817.21"]);
    expect(wrongAnswersFor(choice("B"))).toEqual(["A", "C", "D"]);
  });
});
