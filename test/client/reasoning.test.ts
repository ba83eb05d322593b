import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { splitReasoning } from "../../src/client/index.ts";

// Fixed seeds: the suite is reproducible run to run (no unseeded randomness).
const RUNS = { seed: 0x5eed, numRuns: 500 };

describe("splitReasoning", () => {
  test.each([
    { raw: "Answer: 4", reasoning: undefined, text: "Answer: 4", answerOffset: 0, why: "no tags: all text" },
    {
      raw: "<think>2+2=4</think>\n\nAnswer: 4",
      reasoning: "2+2=4",
      text: "\n\nAnswer: 4",
      answerOffset: 20,
      why: "both tags",
    },
    {
      raw: "2+2=4</think>Answer: 4",
      reasoning: "2+2=4",
      text: "Answer: 4",
      answerOffset: 13,
      why: "close only (template-opened)",
    },
    {
      raw: "<think>2+2 is... Answer: 3?",
      reasoning: "2+2 is... Answer: 3?",
      text: "",
      answerOffset: undefined,
      why: "never closed: no answer",
    },
    {
      raw: "<think>\n\n</think>\n\nAnswer: 4",
      reasoning: "\n\n",
      text: "\n\nAnswer: 4",
      answerOffset: 17,
      why: "empty thought (enable_thinking off)",
    },
    {
      raw: "a</think>b</think>c",
      reasoning: "a",
      text: "b</think>c",
      answerOffset: 9,
      why: "first close wins, as vLLM's parser",
    },
    {
      raw: "<think>a<think>b</think>c",
      reasoning: "a<think>b",
      text: "c",
      answerOffset: 24,
      why: "first open is the tag",
    },
    {
      raw: "x</think>y<think>z",
      reasoning: "x",
      text: "y<think>z",
      answerOffset: 9,
      why: "an open after the close is text",
    },
    // Near misses: almost-tags are plain text, never a split.
    {
      raw: "<think Answer: 4",
      reasoning: undefined,
      text: "<think Answer: 4",
      answerOffset: 0,
      why: "unfinished open tag",
    },
    {
      raw: "</thinking>Answer: 4",
      reasoning: undefined,
      text: "</thinking>Answer: 4",
      answerOffset: 0,
      why: "a different tag",
    },
    {
      raw: "<THINK>a</THINK>b",
      reasoning: undefined,
      text: "<THINK>a</THINK>b",
      answerOffset: 0,
      why: "tags are case-sensitive",
    },
    { raw: "", reasoning: undefined, text: "", answerOffset: 0, why: "empty content" },
  ])("$why", ({ raw, reasoning, text, answerOffset }) => {
    const split = splitReasoning(raw);
    expect(split).toStrictEqual(reasoning === undefined ? { text, answerOffset } : { reasoning, text, answerOffset });
  });

  // Strings built from tag fragments hit the interesting cases far more often than fc.string alone.
  const contentArb = fc
    .array(fc.oneof(fc.string(), fc.constantFrom("<think>", "</think>", "<thi", "nk>", "</", "think>", "\n")), {
      maxLength: 12,
    })
    .map((parts) => parts.join(""));

  test.prop([contentArb], RUNS)("never throws, and reasoning + text is the content minus the tags", (raw) => {
    const split = splitReasoning(raw);
    const close = raw.indexOf("</think>");
    const open = raw.indexOf("<think>");
    let expected = raw;
    if (close !== -1) {
      expected = raw.slice(0, close) + raw.slice(close + "</think>".length);
      if (open !== -1 && open + "<think>".length <= close)
        expected = expected.slice(0, open) + expected.slice(open + "<think>".length);
    } else if (open !== -1) {
      expected = raw.slice(0, open) + raw.slice(open + "<think>".length);
    }
    expect((split.reasoning ?? "") + split.text).toBe(expected);
  });

  test.prop([contentArb], RUNS)("the text is the content's tail from answerOffset, or empty with no offset", (raw) => {
    const split = splitReasoning(raw);
    if (split.answerOffset === undefined) expect(split.text).toBe("");
    else expect(raw.slice(split.answerOffset)).toBe(split.text);
  });

  const noTag = fc
    .string({ unit: "grapheme" })
    .filter((part) => !part.includes("<think>") && !part.includes("</think>"));

  test.prop([noTag, noTag, fc.boolean()], RUNS)(
    "a thought and an answer joined by tags come apart exactly",
    (thought, answer, opened) => {
      const raw = `${opened ? "<think>" : ""}${thought}</think>${answer}`;
      // A thought ending in "</think"-like text could form a tag with what follows; only whole tags count.
      fc.pre(raw.indexOf("</think>") === raw.length - answer.length - "</think>".length);
      expect(splitReasoning(raw)).toStrictEqual({
        reasoning: thought,
        text: answer,
        answerOffset: raw.length - answer.length,
      });
    },
  );

  test.prop([noTag], RUNS)("an unclosed thought is all reasoning", (thought) => {
    fc.pre(!`<think>${thought}`.includes("</think>"));
    expect(splitReasoning(`<think>${thought}`)).toStrictEqual({
      reasoning: thought,
      text: "",
      answerOffset: undefined,
    });
  });

  test.prop([fc.string({ unit: "grapheme" })], RUNS)("any Unicode without tags is all text", (raw) => {
    fc.pre(!raw.includes("<think>") && !raw.includes("</think>"));
    expect(splitReasoning(raw)).toStrictEqual({ text: raw, answerOffset: 0 });
  });
});
