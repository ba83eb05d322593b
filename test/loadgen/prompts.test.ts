/** Bench prompts: synthetic ones of a known token count, and prompt files whose errors name file:line. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ConfigError } from "../../src/core/errors.ts";
import { parsePromptFile, readPromptFile } from "../../src/loadgen/prompt-file.ts";
import { promptMessages } from "../../src/loadgen/prompt-source.ts";
import { DISTINCT_SYNTHETIC_PROMPTS, syntheticPrompt } from "../../src/loadgen/synthetic-prompt.ts";
import { countPromptTokens, countTokens, tokenize } from "../../src/sim/index.ts";

describe("syntheticPrompt", () => {
  test.each([1, 2, 7, 89, 128, 1000, 8192])("%i words are exactly %i simulator tokens", (tokens) => {
    for (const index of [0, 1, 60, 61, 3659, 3660, 12345])
      expect(countTokens(syntheticPrompt(tokens, index))).toBe(tokens);
  });

  test("only lowercase words and single spaces: nothing a tokenizer would split further", () => {
    expect(syntheticPrompt(300, 17)).toMatch(/^[a-z]+( [a-z]+)*$/);
    expect(tokenize(syntheticPrompt(5, 0))).toEqual(["the", " of", " and", " to", " in"]);
  });

  test("each request index up to the cycle gets its own prompt, differing from the first words on", () => {
    const prompts = Array.from({ length: DISTINCT_SYNTHETIC_PROMPTS }, (_, i) => syntheticPrompt(64, i));
    expect(new Set(prompts).size).toBe(DISTINCT_SYNTHETIC_PROMPTS);
    // Consecutive requests share no prefix of two words, so a prefix cache has nothing to reuse.
    for (let i = 1; i < 200; i++)
      expect(prompts[i]?.split(" ").slice(0, 2)).not.toEqual(prompts[i - 1]?.split(" ").slice(0, 2));
    // The cycle repeats, deterministically.
    expect(syntheticPrompt(64, DISTINCT_SYNTHETIC_PROMPTS + 5)).toBe(prompts[5]);
  });

  test("the server's count adds the chat template: one user message is 7 tokens more in the simulator", () => {
    expect(countPromptTokens(promptMessages({ kind: "synthetic", tokens: 128 }, 3))).toBe(135);
  });

  test("a token count that is not a positive integer is refused", () => {
    expect(() => syntheticPrompt(0, 0)).toThrow(RangeError);
    expect(() => syntheticPrompt(2.5, 0)).toThrow(RangeError);
  });
});

function problems(file: string, text: string): string[] {
  try {
    parsePromptFile(file, text);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

describe("prompt files", () => {
  test("JSONL: prompt and messages lines, blank lines skipped, CRLF and a BOM accepted", () => {
    const text =
      '\uFEFF{"prompt": "hello"}\r\n\r\n{"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]}\n';
    expect(parsePromptFile("p.jsonl", text)).toEqual([
      [{ role: "user", content: "hello" }],
      [
        { role: "system", content: "be brief" },
        { role: "user", content: "hi" },
      ],
    ]);
  });

  test("JSONL errors name every bad line by its number in the file (blank lines counted)", () => {
    const text = [
      '{"prompt": "ok"}',
      "",
      "not json",
      '{"messages": [{"role": "bot", "content": "x"}]}',
      '{"prompt": ""}',
      "[1]",
      '{"messages": [{"role": "system", "content": "x"}]}',
      '{"promt": "typo"}',
    ].join("\n");
    const found = problems("p.jsonl", text);
    expect(found[0]).toMatch(/^p\.jsonl:3: not JSON/);
    expect(found[1]).toMatch(/^p\.jsonl:4: messages\[0\]\.role: .*"bot"/);
    expect(found[2]).toMatch(/^p\.jsonl:5: prompt: must not be empty/);
    expect(found[3]).toMatch(/^p\.jsonl:6: expected a JSON object/);
    expect(found[4]).toMatch(/^p\.jsonl:7: messages: needs a user message/);
    expect(found.slice(5).join("\n")).toMatch(/p\.jsonl:8: .*unknown field "promt"/);
    expect(found.every((p) => !p.startsWith("p.jsonl:1:") && !p.startsWith("p.jsonl:2:"))).toBe(true);
  });

  test("a JSONL file of blank lines has no prompts", () => {
    expect(problems("p.jsonl", "\n\n")).toEqual(["p.jsonl: no prompts (every line is blank)"]);
  });

  test("any other file is one prompt, the whole text, as bench_openai.py's --prompt-file", () => {
    expect(parsePromptFile("prompt.txt", "line one\nline two\n")).toEqual([
      [{ role: "user", content: "line one\nline two" }],
    ]);
    expect(problems("prompt.txt", " \n ")).toEqual(["prompt.txt: the file is empty"]);
  });

  test("requests take the file's prompts in turn", () => {
    const source = {
      kind: "file" as const,
      file: "p.jsonl",
      prompts: [[{ role: "user" as const, content: "a" }], [{ role: "user" as const, content: "b" }]],
    };
    expect([0, 1, 2, 3, 5].map((i) => promptMessages(source, i)[0]?.content)).toEqual(["a", "b", "a", "b", "b"]);
  });

  test("a missing file is a ConfigError naming the flag", () => {
    const dir = mkdtempSync(join(tmpdir(), "qe-prompts-"));
    expect(() => readPromptFile(join(dir, "nope.jsonl"), dir)).toThrow(
      /--prompt-file .*nope\.jsonl: cannot read the file/,
    );
    writeFileSync(join(dir, "one.txt"), "Say hello.");
    expect(readPromptFile(join(dir, "one.txt"), dir)).toEqual([[{ role: "user", content: "Say hello." }]]);
  });
});
