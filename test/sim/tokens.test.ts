import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { chatPromptTokens, countPromptTokens, countTokens, tokenId, tokenize } from "../../src/sim/index.ts";

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

  fcTest.prop([fc.string({ unit: "grapheme", maxLength: 200 })], { seed: 3 })(
    "is lossless on any text: the tokens join back to it",
    (text) => {
      expect(tokenize(text).join("")).toBe(text);
    },
  );

  fcTest.prop([fc.string({ unit: "binary", maxLength: 100 })], { seed: 5 })(
    "is lossless on lone surrogates and control characters too",
    (text) => {
      expect(tokenize(text).join("")).toBe(text);
    },
  );

  fcTest.prop([fc.string({ maxLength: 100 }), fc.string({ maxLength: 100 })], { seed: 9 })(
    "never counts a concatenation as more than its parts plus the seam",
    (a, b) => {
      // Joining can merge a word across the seam, never split one: the count is at most the sum.
      expect(countTokens(a + b)).toBeLessThanOrEqual(countTokens(a) + countTokens(b));
    },
  );
});

describe("countPromptTokens", () => {
  test("adds four tokens of template per message and three for the reply primer", () => {
    expect(countPromptTokens([{ content: "Hi there" }])).toBe(2 + 4 + 3);
    expect(countPromptTokens([{ content: "Be brief." }, { content: "Hi there" }])).toBe(3 + 4 + 2 + 4 + 3);
    expect(countPromptTokens([])).toBe(3);
  });
});

describe("chatPromptTokens", () => {
  test("renders ChatML token by token; the count is its length", () => {
    const messages = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi there" },
    ];
    expect(chatPromptTokens(messages)).toStrictEqual([
      "<|im_start|>",
      "system",
      "\n",
      "Be",
      " brief",
      ".",
      "<|im_end|>",
      "<|im_start|>",
      "user",
      "\n",
      "Hi",
      " there",
      "<|im_end|>",
      "<|im_start|>",
      "assistant",
      "\n",
    ]);
    expect(countPromptTokens(messages)).toBe(16);
  });

  test("enable_thinking false adds Qwen3's empty thought; add_generation_prompt false drops the opening", () => {
    const messages = [{ content: "Hi" }];
    expect(chatPromptTokens(messages, { enableThinking: false }).slice(-6)).toStrictEqual([
      "<|im_start|>",
      "assistant",
      "\n",
      "<think>",
      "\n\n</think>",
      "\n\n",
    ]);
    expect(countPromptTokens(messages, { enableThinking: true })).toBe(countPromptTokens(messages));
    expect(countPromptTokens(messages, { addGenerationPrompt: false })).toBe(countPromptTokens(messages) - 3);
  });

  test("a prompt of 300,000 tokens renders (no spread into push)", () => {
    expect(countPromptTokens([{ content: " a".repeat(300_000) }])).toBe(300_000 + 4 + 3);
  });
});

describe("tokenId", () => {
  test("the same text has the same id, the template's specials have Qwen's, others stay inside the vocabulary", () => {
    expect(tokenId(" world")).toBe(tokenId(" world"));
    expect(tokenId(" world")).not.toBe(tokenId("world"));
    expect([tokenId("<|im_start|>"), tokenId("<|im_end|>")]).toStrictEqual([151644, 151645]);
    for (const token of tokenize("Answer: 42, über alles <think>")) {
      expect(tokenId(token)).toBeGreaterThanOrEqual(0);
      expect(tokenId(token)).toBeLessThan(151643);
    }
  });
});
