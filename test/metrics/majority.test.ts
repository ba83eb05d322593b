/** maj@n of one item: a table of sample sets, each with its near miss. */
import { describe, expect, test } from "vitest";
import { majorityVote, type SampleVerdict } from "../../src/metrics/index.ts";

const right = (extracted: string): SampleVerdict => ({ answered: true, extracted, correct: true });
const wrong = (extracted: string): SampleVerdict => ({ answered: true, extracted, correct: false });
const none: SampleVerdict = { answered: false, correct: false };

describe("majorityVote", () => {
  test.each([
    ["plurality right", [right("7"), wrong("5"), right("7"), wrong("6")], "7", 2, true, "majority"],
    [
      "a wrong answer with more votes beats the right one",
      [right("7"), right("7"), wrong("5"), wrong("5"), wrong("5")],
      "5",
      3,
      false,
      "majority",
    ],
    [
      "near miss: two spellings of the right answer split its votes",
      [right("1/2"), right("0.5"), wrong("2"), wrong("2")],
      "2",
      2,
      false,
      "majority",
    ],
    [
      "a three-way tie of one vote each goes to the first",
      [right("1/2"), right("0.5"), wrong("2")],
      "1/2",
      1,
      true,
      "tie",
    ],
    ["a tie goes to the first seen", [wrong("B"), right("A"), right("A"), wrong("B")], "B", 2, false, "tie"],
    ["unanswered samples do not vote", [none, none, none, right("4"), right("4")], "4", 2, true, "majority"],
    ["no sample answered", [none, none], null, 0, false, "no-answer"],
  ] as const)("%s", (_, samples, answer, votes, correct, rule) => {
    expect(majorityVote(samples)).toEqual({ answer, votes, samples: samples.length, correct, rule });
  });

  test("samples with one answer graded differently: not guessed", () => {
    expect(majorityVote([right("x = 1"), wrong("x = 1"), wrong("2")])).toEqual({
      answer: "x = 1",
      votes: 2,
      samples: 3,
      correct: null,
      rule: "inconsistent-grades",
    });
  });
});
