import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { seededRandom } from "../../src/core/seeded-random.ts";
import { countTokens, tokenize } from "../../src/sim/index.ts";
import {
  layOutReply,
  UNKNOWN_QUESTION_REPLY,
  writeClosing,
  writeJunk,
  writeWorking,
} from "../../src/sim/reply-text.ts";

/** Anything a grader could take for an answer: a digit, the word "answer", \boxed. */
const ANSWER_LIKE = /\d|answer|\\boxed/i;
/** A capital letter standing alone reads as a choice ("A", or "I" misread as the ninth option). */
const LONE_CAPITAL = /\b[A-Z]\b/;

describe("filler text", () => {
  fcTest.prop([fc.integer(), fc.integer({ min: 0, max: 600 })], { seed: 21 })(
    "working holds nothing answer-like and is about the asked length",
    (seed, target) => {
      const text = writeWorking(seededRandom(seed), target);
      expect(text).not.toMatch(ANSWER_LIKE);
      expect(text).not.toMatch(LONE_CAPITAL);
      const tokens = countTokens(text);
      expect(tokens).toBeGreaterThanOrEqual(target);
      expect(tokens).toBeLessThan(target + 20); // at most one sentence over
    },
  );

  fcTest.prop([fc.integer()], { seed: 22 })("junk holds nothing answer-like", (seed) => {
    const junk = writeJunk(seededRandom(seed), 40);
    expect(junk).not.toMatch(ANSWER_LIKE);
    expect(junk).not.toMatch(/\b[A-Za-z]\b/); // junk has no lone letter of either case
  });

  test("the unknown-question reply and the unanswered closing hold no answer", () => {
    for (const text of [UNKNOWN_QUESTION_REPLY, writeClosing(seededRandom(1), { kind: "unanswered" })]) {
      expect(text).not.toMatch(ANSWER_LIKE);
      expect(text).not.toMatch(LONE_CAPITAL);
    }
  });

  test("the closing paragraph ends with the answer line verbatim, on its own line", () => {
    const closing = writeClosing(seededRandom(1), {
      kind: "wrong",
      answerLine: "The final answer is $\\boxed{\\frac{1}{3}}$",
    });
    expect(closing.endsWith("\n\nThe final answer is $\\boxed{\\frac{1}{3}}$")).toBe(true);
  });

  test("the same seed writes the same text; another seed other text", () => {
    expect(writeWorking(seededRandom(4, "x"), 200)).toBe(writeWorking(seededRandom(4, "x"), 200));
    expect(writeWorking(seededRandom(4, "x"), 200)).not.toBe(writeWorking(seededRandom(5, "x"), 200));
  });
});

describe("layOutReply", () => {
  const join = (tokens: ReturnType<typeof layOutReply>, channel: string) =>
    tokens
      .filter((t) => t.channel === channel)
      .map((t) => t.text)
      .join("");

  test("field: reasoning in its own channel, content after a blank line", () => {
    const tokens = layOutReply("field", "Let me think.", "So.\n\nAnswer: C");
    expect(join(tokens, "reasoning")).toBe("Let me think.");
    expect(join(tokens, "content")).toBe("\n\nSo.\n\nAnswer: C");
    expect(tokens.findIndex((t) => t.channel === "content")).toBe(tokenize("Let me think.").length);
  });

  test("think-tags: reasoning inside <think>…</think> in the content", () => {
    const tokens = layOutReply("think-tags", "Let me think.", "Answer: C");
    expect(join(tokens, "reasoning")).toBe("");
    expect(join(tokens, "content")).toBe("<think>\nLet me think.\n</think>\n\nAnswer: C");
    expect(tokens[0]?.text).toBe("<think>");
  });

  test("think-tags with no reasoning writes the empty pair, as Qwen3 does when not thinking", () => {
    expect(join(layOutReply("think-tags", "", "Answer: C"), "content")).toBe("<think>\n\n</think>\n\nAnswer: C");
  });

  test("none: the working is prose before the closing; no reasoning channel, no tags", () => {
    const tokens = layOutReply("none", "Let me think.", "Answer: C");
    expect(join(tokens, "reasoning")).toBe("");
    expect(join(tokens, "content")).toBe("Let me think.\n\nAnswer: C");
  });

  test("with no reasoning, field and none are just the closing", () => {
    expect(join(layOutReply("field", "", "Answer: C"), "content")).toBe("Answer: C");
    expect(join(layOutReply("none", "", "Answer: C"), "content")).toBe("Answer: C");
  });
});
