import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { countPromptTokens, countTokens, tokenize } from "../../src/sim/index.ts";

describe("tokenize", () => {
  test.each([
    ["Answer: 42", ["Answer", ":", " 4", "2"]],
    ["Hello, world!", ["Hello", ",", " world", "!"]],
    ["<think>\nok\n</think>\n\nDone", ["<think>", "\nok", "\n</think>", "\n\nDone"]],
    // Near miss: a tag with a typo is not special, so it splits into characters and a word.
    ["<thinK>", ["<", "thinK", ">"]],
    ["x  ", ["x", "  "]],
    ["", []],
    ["über 3.5", ["über", " 3", ".", "5"]],
  ])("%j", (text, tokens) => {
    expect(tokenize(text)).toEqual(tokens);
  });

  fcTest.prop([fc.string({ unit: "grapheme", maxLength: 200 })], { seed: 3 })("is lossless on any text: the tokens join back to it", (text) => {
    expect(tokenize(text).join("")).toBe(text);
  });

  fcTest.prop([fc.string({ unit: "binary", maxLength: 100 })], { seed: 5 })("is lossless on lone surrogates and control characters too", (text) => {
    expect(tokenize(text).join("")).toBe(text);
  });

  fcTest.prop([fc.string({ maxLength: 100 }), fc.string({ maxLength: 100 })], { seed: 9 })("never counts a concatenation as more than its parts plus the seam", (a, b) => {
    // Joining can merge a word across the seam, never split one: the count is at most the sum.
    expect(countTokens(a + b)).toBeLessThanOrEqual(countTokens(a) + countTokens(b));
  });
});

describe("countPromptTokens", () => {
  test("adds four tokens of template per message and three for the reply primer", () => {
    expect(countPromptTokens([{ content: "Hi there" }])).toBe(2 + 4 + 3);
    expect(countPromptTokens([{ content: "Be brief." }, { content: "Hi there" }])).toBe(3 + 4 + 2 + 4 + 3);
    expect(countPromptTokens([])).toBe(3);
  });
});
