import { fc, test as prop } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { extractMmluProOfficial, extractSimpleEvalsChoice } from "../../graders/official-choice.ts";

describe("extractMmluProOfficial (TIGER-AI-Lab/MMLU-Pro evaluate_from_api.py)", () => {
  // Expected letters are what the official functions return: the extract_* functions of evaluate_from_api.py
  // (commit 3016805) run by python3 on each reply after single_request's `replace('**', '')`. The rule is ours.
  const cases: [string, string | undefined, string | undefined][] = [
    ["Let's think step by step. The answer is (C). Checking again, the answer is (D).", "C", "answer-is"], // first
    ["The answer is **B**.", "B", "answer-is"], // "**" removed first
    ["answer: Answer: B", "B", "answer-colon"], // overlapping matches: `.*` reaches the later one
    ["Reasoning...\nSo Answer: C but the final Answer: D\nAnswer: E", "D", "answer-colon"], // first line, last match
    ["Answer:\n\n  G", "G", "answer-colon"], // `\s*` crosses lines
    ["Answer:\u0085H", "H", "answer-colon"], // U+0085 is whitespace to Python's `\s`, not to JavaScript's
    ["Answer: \ufeffB then A", "A", "last-letter"], // U+FEFF is whitespace to JavaScript's `\s`, not to Python's
    ["Option A.\r\nanswer: B", "B", "answer-colon"], // Python's `.` crosses "\r"
    ["The last option I considered was E, but then J seemed right.", "J", "last-letter"], // a stray letter counts
    ["The value is éA or _B or 2C and finally D.", "D", "last-letter"], // Unicode word characters around letters
    ["Énergie A", "A", "last-letter"],
    ["No letters here at all: 42.", undefined, undefined],
    ["the answer is c", undefined, undefined], // case-sensitive
    ["The answer is (K).", undefined, undefined], // K is outside A–J, and no other letter stands alone
  ];
  test.each(cases)("%j → %j (%j)", (reply, letter, rule) => {
    const got = extractMmluProOfficial(reply);
    expect(got?.letter).toBe(letter);
    expect(got?.rule).toBe(rule);
  });

  test('each letter found says where it is (in the reply with "**" removed)', () => {
    const at = (reply: string) => extractMmluProOfficial(reply)?.at;
    expect(at("So **the answer is (C)**.")).toBe("So the answer is (".length);
    expect(at("Work.\nAnswer:\n  G")).toBe("Work.\nAnswer:\n  ".length);
    expect(at("Between E and J, J.")).toBe("Between E and J, ".length);
    expect(extractSimpleEvalsChoice("Reasoning.\nanswer: $a$")?.at).toBe("Reasoning.\nanswer: $".length);
  });

  test("a long reply with no answer phrase costs linear time (the official `.*` would backtrack per position)", () => {
    const reply = `${"answe ".repeat(40_000)}\n${"x".repeat(200_000)}`;
    const started = performance.now();
    expect(extractMmluProOfficial(reply)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  prop.prop([fc.string({ unit: "binary", maxLength: 300 })], { seed: 7101 })(
    "never throws; a letter found is A–J and occurs in the reply",
    (reply) => {
      const got = extractMmluProOfficial(reply);
      if (got !== undefined) {
        expect("ABCDEFGHIJ").toContain(got.letter);
        expect(reply).toContain(got.letter);
      }
    },
  );
});

describe("extractSimpleEvalsChoice (openai/simple-evals gpqa_eval.py)", () => {
  const cases: [string, string | undefined][] = [
    ["The ketone band is at 1715 cm⁻¹.\n\nAnswer: C", "C"],
    ["Answer: $B$", "B"],
    ["**Answer:** D", undefined], // "**" between the colon and the letter: no match there
    ["answer: b", "b"], // case-insensitive pattern, returned as written: graded wrong
    ["Answer: because the dipoles cancel, C", "b"], // the "b" of "because"
    ["Answer: A\nOn reflection the units were wrong.\nAnswer: C", "A"], // the first match
    ["Answer:\nB", undefined], // `[ \t]*` does not cross the line break
    ["The answer is (B).", undefined],
  ];
  test.each(cases)("%j → %j", (reply, letter) => {
    expect(extractSimpleEvalsChoice(reply)?.letter).toBe(letter);
  });
});
