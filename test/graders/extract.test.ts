import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  extractAnswerLine,
  extractBoxed,
  extractChoice,
  extractFinalAnswer,
  readLetter,
} from "../../graders/extract.ts";

describe("extractAnswerLine", () => {
  // [reply text, expected content]
  const cases: [string, string | undefined][] = [
    ["Some work.\nAnswer: 42", "42"],
    ["Answer: 42.", "42"],
    ["answer: 42", "42"],
    ["ANSWER:42", "42"],
    ["**Answer:** 42", "42"],
    ["**Answer: 42**", "42"],
    ["**Answer**: 42", "42"],
    ["**Final Answer:** $\\frac{7}{12}$", "\\frac{7}{12}"],
    ["Final answer: 7/12", "7/12"],
    ["## Answer: 9", "9"],
    ["> Answer: 9", "9"],
    ["- Answer: 9", "9"],
    ["Answer：9", "9"], // full-width colon
    ["Answer: $$-3/2$$", "-3/2"],
    ["Answer: \\(46/17\\)", "46/17"],
    ["Answer: \\boxed{171}", "171"],
    ["Answer: $\\boxed{171}$.", "171"],
    ["**Answer:** **$5.644$**.", "5.644"],
    ["Answer: $2,817.06", "$2,817.06"], // a currency sign is not a math delimiter
    ["Answer: `1,10,2,5`", "`1,10,2,5`"],
    ["Answer: 1 NaN NaN", "1 NaN NaN"],
    ["**Answer:**\n\n$45$", "45"], // content on the next line
    ["Answer: 5\nWait, that is wrong.\nAnswer: 25", "25"], // the last answer line wins
    ["Answer: 25\nAnswer: 5", "5"],
    ["Answer: 4\r\nAnswer: 7\r\n", "7"],
    ["Answer: 3\u2028more", "3\u2028more"], // U+2028 is not a line break here; it must not hide the line
    // near misses: no colon, or "answer" inside prose
    ["Answer seems to be 42", undefined],
    ["The answer is 42", undefined],
    ["My answer: 42", undefined], // must start the line
    ["Answer:", undefined],
    ["Answer: **", undefined],
    ["", undefined],
    ["42", undefined],
  ];
  test.each(cases)("%j → %j", (text, expected) => {
    expect(extractAnswerLine(text)).toBe(expected);
  });
});

describe("extractBoxed", () => {
  const cases: [string, string | undefined][] = [
    ["so \\boxed{42}", "42"],
    ["\\boxed{\\frac{7}{12}}", "\\frac{7}{12}"],
    ["\\boxed{\\dfrac{\\sqrt{2}}{2}}", "\\dfrac{\\sqrt{2}}{2}"],
    ["\\fbox{B}", "B"],
    ["\\boxed {9}", "9"],
    ["first \\boxed{1} then \\boxed{2}", "2"], // the last wins
    ["\\boxed{1} and a cut-off \\boxed{2", "1"], // unbalanced last one: the one before
    ["$\\boxed{5.}$", "5"],
    // near misses
    ["\\boxed{}", undefined],
    ["\\boxed 5", undefined],
    ["\\boxed{5", undefined],
    ["boxed{5}", undefined],
    ["no box here", undefined],
  ];
  test.each(cases)("%j → %j", (text, expected) => {
    expect(extractBoxed(text)).toBe(expected);
  });

  test("a box is read only within 2,000 characters of its opening brace", () => {
    expect(extractBoxed(`\\boxed{${"x".repeat(1_990)}}`)).toBe("x".repeat(1_990));
    expect(extractBoxed(`\\boxed{${"x".repeat(2_000)}}`)).toBeUndefined();
  });
});

describe("extractFinalAnswer", () => {
  test.each([
    ["Answer: 5\nthe box was \\boxed{6}", { value: "5", rule: "answer-line" }],
    ["so \\boxed{6}", { value: "6", rule: "boxed" }],
    ["the result is 6", undefined],
  ] as const)("%j → %j", (text, expected) => {
    expect(extractFinalAnswer(text)).toEqual(expected);
  });
});

describe("extractChoice", () => {
  const options = ["Nitrogen", "Oxygen", "Carbon", "Boron"];
  // [reply text, expected letter, expected rule]
  const cases: [string, string | undefined, string | undefined][] = [
    ["Answer: B", "B", "answer-line"],
    ["Answer: (B)", "B", "answer-line"],
    ["Answer: [B]", "B", "answer-line"],
    ["**Answer:** **B**", "B", "answer-line"],
    ["Answer: **B) Oxygen**", "B", "answer-line"],
    ["Answer: **B**) Oxygen", "B", "answer-line"],
    ["Answer: \\boxed{B}", "B", "answer-line"],
    ["Answer: $\\boxed{\\text{B}}$", "B", "answer-line"],
    ["Answer: B) Oxygen", "B", "answer-line"],
    ["Answer: B. Oxygen", "B", "answer-line"],
    ["Answer: B: Oxygen", "B", "answer-line"],
    ["Answer: B — Oxygen", "B", "answer-line"],
    ["Answer: B (Oxygen)", "B", "answer-line"],
    ["Answer: Option B", "B", "answer-line"],
    ["Answer: The answer is B", "B", "answer-line"],
    ["Answer: b", "B", "answer-line"],
    ["Answer: (b)", "B", "answer-line"],
    ["Answer: Oxygen", "B", "answer-line-text"],
    ["Answer: **oxygen**.", "B", "answer-line-text"],
    ["A) Nitrogen\nB) Oxygen\nAnswer: C", "C", "answer-line"], // option lists above do not count
    ["Answer: A\nOn reflection:\nAnswer: D", "D", "answer-line"], // corrected later: the last wins
    ["I think \\boxed{D}", "D", "boxed"],
    // near misses: a capital letter that is not a token
    ["Answer: Because nitrogen has a half-filled 2p subshell", undefined, undefined],
    ["Answer: A bit of both", undefined, undefined],
    ["Answer seems to be B", undefined, undefined], // no colon: not an answer line, and never "S"
    ["Answer: B, C", undefined, undefined], // two letters is no answer
    ["Answer: E", undefined, undefined], // not among ABCD
    ["Answer: Neon", undefined, undefined], // not an option text
    ["Answer: ab", undefined, undefined],
    ["Answer: see above\n\\boxed{B}", undefined, undefined], // an unreadable answer line is not rescued by a box
    ["Because B is right.", undefined, undefined],
    ["**B**", "B", "last-line-letter"], // a bold letter alone on the last line: the loosest rule
    ["", undefined, undefined],
  ];
  test.each(cases)("%j → %j (%j)", (text, letter, rule) => {
    const got = extractChoice(text, "ABCD", options);
    expect(got?.letter).toBe(letter);
    expect(got?.rule).toBe(rule);
  });

  test("without option texts, an option's text is no answer", () => {
    expect(extractChoice("Answer: Oxygen", "ABCD")).toBeUndefined();
  });

  test("letters beyond D count when the question has them", () => {
    expect(extractChoice("Answer: E", "ABCDE")).toEqual({ letter: "E", rule: "answer-line" });
  });
});

describe("readLetter", () => {
  test.each([
    ["B", "B"],
    ["S", undefined], // a letter outside the set
    ["Seems like B", undefined],
  ] as const)("%j → %j", (value, expected) => {
    expect(readLetter(value, "ABCD")).toBe(expected);
  });
});

describe("properties", () => {
  const anyText = fc.string({ unit: "binary", maxLength: 400 });
  // Text that is mostly answer-ish fragments, to reach the deeper branches.
  const fragments = fc.constantFrom(
    "Answer:",
    "**",
    "$",
    "\\boxed{",
    "{",
    "}",
    "\n",
    " ",
    "B",
    "Final answer: ",
    "(",
    ")",
    "7/12",
    ".",
    "\u2028",
    "\uD800",
  );
  const answerish = fc.array(fc.oneof(fragments, anyText), { maxLength: 40 }).map((parts) => parts.join(""));

  test.prop([fc.oneof(anyText, answerish)], { seed: 7001 })(
    "extractors never throw, and return a bounded substring of the input or nothing",
    (text) => {
      for (const got of [extractAnswerLine(text), extractBoxed(text)]) {
        if (got === undefined) continue;
        expect(got.length).toBeLessThanOrEqual(2_000);
        expect(text.includes(got)).toBe(true);
      }
      const choice = extractChoice(text, "ABCD", ["w", "x", "y", "z"]);
      if (choice !== undefined) expect("ABCD").toContain(choice.letter);
    },
  );

  test("adversarial inputs finish (they would hit the test timeout if a regex backtracked)", () => {
    const huge = [
      `Answer${" ".repeat(200_000)}`,
      `${"*".repeat(200_000)}Answer`,
      "\\boxed{".repeat(50_000),
      `\\boxed{${"{".repeat(100_000)}`,
      `Answer: ${"(".repeat(90_000)}`, // a line longer than the line cap: only its start is read
      `${"Answer: 1\n".repeat(30_000)}Answer: 2`,
    ];
    const results = huge.map((t) => [extractAnswerLine(t), extractBoxed(t), extractChoice(t, "ABCD")?.letter]);
    expect(results.map((r) => r[0])).toEqual([undefined, undefined, undefined, undefined, "(".repeat(1_992), "2"]);
  });

  const templates: ((l: string, option: string) => string)[] = [
    (l) => `Answer: ${l}`,
    (l) => `Answer: (${l})`,
    (l) => `**Answer:** ${l}`,
    (l) => `**Answer: ${l}**`,
    (l) => `**Final Answer:** **${l}**`,
    (l) => `Final answer: ${l}.`,
    (l) => `Answer: $\\boxed{${l}}$`,
    (l, o) => `Answer: ${l}) ${o}`,
    (l, o) => `ANSWER: ${l}. ${o}`,
  ];
  const prose = fc.string({ unit: "grapheme", maxLength: 200 }).filter((s) => !/answer/i.test(s));

  test.prop(
    [
      prose,
      fc.constantFrom(..."ABCDE"),
      fc.nat({ max: templates.length - 1 }),
      fc.string({ unit: "grapheme-ascii", maxLength: 30 }),
    ],
    { seed: 7002 },
  )("extractChoice recovers the letter from any templated final line", (before, letter, t, option) => {
    const template = templates[t];
    if (template === undefined) throw new Error("test bug");
    const optionText = option.replace(/[\r\n\u2028\u2029]/g, " ");
    const text = `${before}\n${template(letter, optionText)}`;
    expect(extractChoice(text, "ABCDE")).toEqual({ letter, rule: "answer-line" });
  });
});

describe('extractChoice: "the answer is (X)" (MMLU-Pro\'s format)', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ["Let's think. ... So the answer is (C).", "C", "answer-is"],
    ["the answer is (J)", "J", "answer-is"],
    ["The correct answer is **B**, since the rest fail.", "B", "answer-is"],
    ["I first thought the answer is (A).\nChecking again, the answer is (D).", "D", "answer-is"],
    ["Answer: B\nWait, recomputing: the answer is (E).", "E", "answer-is"], // stated later wins
    ["the answer is (E).\nAnswer: B", "B", "answer-line"],
    ["Therefore the answer is A prime number.", undefined, undefined], // "A" is not a letter token here
    ["the answer is (K)", undefined, undefined], // outside the valid letters
    ["the answer is correct, as shown in \\boxed{F}", "F", "boxed"],
    ["Comparing the options, oxygen fits.\n\n**B**", "B", "last-line-letter"],
    ["So:\n(C)\n", "C", "last-line-letter"],
    ["The capital is Paris.\nA", "A", "last-line-letter"],
    ["Option B seems right but A is also possible.", undefined, undefined], // prose: no rule reads it
    ["Answer seems to be B", undefined, undefined],
  ];
  test.each(cases)("%j → %s (%s)", (text, letter, rule) => {
    const got = extractChoice(text, "ABCDEFGHIJ");
    expect(got?.letter).toBe(letter);
    expect(got?.rule).toBe(rule);
  });
});

describe("extractChoice: what people and models write (issue 14)", () => {
  const salts = ["Cesium chloride", "Zinc sulfide", "Calcium fluoride", "Sodium chloride"];
  const heights = ["4.2 × 10^5 m", "4.2 × 10^6 m", "2.1 × 10^5 m", "8.4 × 10^5 m"];
  const ketones = ["cyclopentanone", "cyclohexanone", "cyclohexanol", "hexanal"];
  const rockSalt =
    "A 6:6 coordination with a face-centred cubic anion lattice is the rock-salt structure.\n\n" +
    "**D. Sodium chloride**";
  // [reply, options (undefined: not known), expected letter, expected rule]
  type Case = [string, readonly string[] | undefined, string | undefined, string | undefined];
  const cases: Case[] = [
    // Two answer statements on one line: the later one that names a letter counts.
    [
      "ΔH = q/n gives about 3.2 kJ per mole.\n\nThe answer is roughly 3.2 kJ. The answer is (D).",
      undefined,
      "D",
      "answer-is",
    ],
    ["I first wrote that the answer is (A). Rechecking the sign, the answer is (C).", undefined, "C", "answer-is"],
    ["Answer: roughly 3.2 kJ. The answer is (D).", undefined, "D", "answer-is"],
    ["The answer is roughly 3.2 kJ. The answer is a bit more than that.", undefined, undefined, undefined],
    // A final line naming an option with its text; with the options known, letter and text must agree.
    [rockSalt, salts, "D", "option-line"],
    [rockSalt, undefined, "D", "option-line"],
    ["The rock-salt structure fits.\n\n**D. Zinc sulfide**", salts, undefined, undefined], // option B's text
    ["The rock-salt structure fits.\n\n**D. Sodium fluoride**", salts, undefined, undefined], // no option's text
    // The option's text and a remark: the letter is cited with its own text inside the sentence.
    ["The rock-salt structure fits.\n\n**D. Sodium chloride (NaCl)**", salts, "D", "option-cited"],
    ["Six-fold coordination of both ions, so the structure is that of D. Sodium chloride.", salts, "D", "option-cited"],
    ["Six-fold coordination rules out D. Sodium chloride.", salts, undefined, undefined], // cited, but denied
    ["Compare A. Cesium chloride with D. Sodium chloride.", salts, undefined, undefined], // two cited
    [
      "Using v² = 2gh with v = 2.9 km/s, h ≈ 4.2 × 10^5 m, so the closest option is **A. 4.2 × 10^5 m**",
      heights,
      "A",
      "answer-is",
    ],
    ["Using v² = 2gh, h ≈ 4.2 × 10^6 m, so the closest option is **A. 4.2 × 10^6 m**", heights, undefined, undefined],
    [
      "The strong band at 1715 cm⁻¹ and no O–H stretch point to a ketone, which matches the spectrum (Option C).",
      undefined,
      "C",
      "option-paren",
    ],
    ["The band at 1715 cm⁻¹ rules out the alcohol (Option C).", undefined, undefined, undefined],
    [
      "A six-membered ring ketone gives the 1715 cm⁻¹ band.\n\nTherefore, the best choice is:\n\nB. cyclohexanone",
      ketones,
      "B",
      "answer-is", // the phrase states it; the option line only names it
    ],
    [
      "A six-membered ring ketone gives the 1715 cm⁻¹ band.\n\nTherefore, the best choice is:\n\nB. cyclohexanone",
      undefined,
      "B",
      "answer-is",
    ],
    ["Therefore, the best choice is:\n\nB. cyclopentanone", ketones, undefined, undefined], // option A's text
    // A restated option list is not an answer, nor is analysis that starts with a letter.
    [
      "The options are:\nA. cyclopentanone\nB. cyclohexanone\nC. cyclohexanol\nD. hexanal",
      ketones,
      undefined,
      undefined,
    ],
    ["(A) fails the test and (D) fails it too.", undefined, undefined, undefined],
    // Negations: the letter that is stated while the others are ruled out.
    ["The ester would show a band near 1740 cm⁻¹. It isn't C, so I'd say it's A", undefined, "A", "negation"],
    ["Surely B, it can't be C or D", undefined, "B", "negation"],
    ["C. it can't be A or D", undefined, "C", "negation"],
    ["la réponse est D, pas B", undefined, "D", "answer-is"],
    ["Le spectre montre une cétone, donc C non A", undefined, undefined, undefined], // "C" stated by nothing
    ["A。不是 C", undefined, "A", "negation"],
    ["Answer: It isn't C, so I'd say it's A", undefined, "A", "negation"],
    // Near misses: nothing stated, two stated, a stray letter, or the stated letter called wrong.
    ["It isn't C.", undefined, undefined, undefined],
    ["A is wrong, not B", undefined, undefined, undefined],
    ["Surely B or C, it can't be D", undefined, undefined, undefined],
    ["I think it's B, not A, but maybe C", undefined, undefined, undefined],
    ["C is not correct, it can't be A either", undefined, undefined, undefined],
    // A negation inside a relative clause does not rule out the letter the sentence then states.
    [
      "A centripetal force unites a state; the option that is NOT a centripetal force is B.",
      undefined,
      undefined,
      undefined,
    ],
    // The mid-line "answer:" of MMLU-Pro's second regex.
    ["Summing the three taxes gives $29.88. Therefore, the final answer: D.", undefined, "D", "answer-is"],
  ];
  test.each(cases)("%j (options %j) → %j (%j)", (text, options, letter, rule) => {
    const got = extractChoice(text, "ABCD", options);
    expect(got?.letter).toBe(letter);
    expect(got?.rule).toBe(rule);
  });

  test("the option I and the pronoun I are told apart", () => {
    expect(extractChoice("It isn't J, so I think it's I", "ABCDEFGHIJ")).toEqual({ letter: "I", rule: "negation" });
    expect(extractChoice("It isn't J, so I think it's (H)", "ABCDEFGHIJ")).toEqual({ letter: "H", rule: "negation" });
  });

  test("a final line stated later wins over an earlier answer, and a mismatch there is no answer", () => {
    expect(extractChoice("The answer is (A).\n\nOn reflection it isn't A, so I'd say it's B", "ABCD")).toEqual({
      letter: "B",
      rule: "negation",
    });
    expect(extractChoice("**C. Sodium chloride**", "ABCD", salts)).toBeUndefined();
  });

  // Review of issue 14: a closing line that only names an option does not undo an answer stated before it.
  test("a final line that names an option without stating it leaves an earlier answer alone", () => {
    const chest = ["Myocardial infarction", "Pulmonary embolism", "Pneumothorax", "Aortic dissection"];
    expect(
      extractChoice("The answer is (D).\n\nNote: a common trap is choosing (B) Pulmonary embolism.", "ABCD", chest),
    ).toEqual({ letter: "D", rule: "answer-is" });
    expect(extractChoice("Answer: D\n\n**A. Myocardial infarction**", "ABCD", chest)).toEqual({
      letter: "D",
      rule: "answer-line",
    });
    expect(extractChoice("The answer is (D).\n\n(Option B)", "ABCD")).toEqual({ letter: "D", rule: "answer-is" });
    expect(extractChoice("The answer is (D).\n\n**C. Sodium chloride**", "ABCD", salts)).toEqual({
      letter: "D",
      rule: "answer-is",
    });
    // Without an earlier answer, the same lines still answer.
    expect(extractChoice("Note: the key finding is (D) Aortic dissection.", "ABCD", chest)?.letter).toBe("D");
  });

  test("a correction later in the same line overrides the answer it corrects", () => {
    expect(extractChoice("The answer is B. Wait, actually it's not B, it's D.", "ABCD")).toEqual({
      letter: "D",
      rule: "negation",
    });
    expect(extractChoice("The answer is B. It can't be D.", "ABCD")).toEqual({ letter: "B", rule: "answer-is" });
    expect(extractChoice("The answer is B. Option D is also tempting.", "ABCD")).toEqual({
      letter: "B",
      rule: "answer-is",
    });
  });

  test("option text that is another option whole is a mismatch, even when it also shortens the stated one", () => {
    const numerals = ["I and II", "I and II and III", "II only", "III only"];
    expect(extractChoice("Answer: (B) I and II", "ABCD", numerals)).toBeUndefined();
    expect(extractChoice("Answer: (B) I and II and III", "ABCD", numerals)?.letter).toBe("B");
    expect(extractChoice("Answer: (A) I and II", "ABCD", numerals)?.letter).toBe("A");
  });
});

describe("extractChoice: negation property", () => {
  const forms: ((stated: string, ruledOut: string) => string)[] = [
    (s, r) => `It isn't ${r}, so I'd say it's ${s}`,
    (s, r) => `Surely ${s}, it can't be ${r}`,
    (s, r) => `${s}. it can't be ${r}`,
    (s, r) => `The answer is for sure ${s}, it can't be ${r}`,
    (s, r) => `${s}。不是 ${r}`,
    (s, r) => `réponse est ${s} non ${r}`,
  ];
  test.prop([fc.constantFrom(..."ABCDEFGHIJ"), fc.constantFrom(..."ABCDEFGHIJ"), fc.nat({ max: forms.length - 1 })], {
    seed: 7003,
  })("the stated letter is read, never the ruled-out one", (stated, ruledOut, f) => {
    const form = forms[f];
    if (form === undefined) throw new Error("test bug");
    const got = extractChoice(`We compare the spectra.\n${form(stated, ruledOut)}`, "ABCDEFGHIJ");
    // The same letter stated and ruled out contradicts itself: no answer.
    expect(got?.letter).toBe(stated === ruledOut ? undefined : stated);
  });
});
