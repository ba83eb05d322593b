/** The tokenizer's prompt counts against the server's: failures and requests without a count are left out. */
import { describe, expect, test } from "vitest";
import type { RequestOutcome } from "../../src/loadgen/closed-loop.ts";
import { promptTokensCheck, promptTokensLine } from "../../src/loadgen/prompt-tokens-check.ts";

const ok = (promptTokens: number): RequestOutcome => ({
  ok: true,
  usage: { promptTokens, completionTokens: 5 },
  timing: { sentAt: 0, doneAt: 1 },
  finishReason: "stop",
  attempts: 1,
});
const failed: RequestOutcome = { ok: false, code: "E_REQUEST_FAILED", message: "HTTP 500" };

describe("promptTokensCheck", () => {
  test("reported − expected per reply: mean, min, max and exact agreements; a failed request is not counted", () => {
    const expected = [100, 200, 300, 400];
    const check = promptTokensCheck([ok(100), ok(203), failed, ok(399)], (i) => ({
      messages: [],
      expectedPromptTokens: expected[i] ?? 0,
    }));
    expect(check).toEqual({
      n: 3,
      expected_mean: (100 + 200 + 400) / 3,
      reported_mean: (100 + 203 + 399) / 3,
      difference_mean: (0 + 3 - 1) / 3,
      difference_min: -1,
      difference_max: 3,
      exact: 1,
    });
    if (check === undefined) return;
    expect(promptTokensLine(check)).toBe(
      "prompt tokens: tokenizer 233.3, server 234.0 mean (difference +0.7 mean, -1 to +3; 1/3 exact)",
    );
  });

  test("replies counted by the client are left out: the tokenizer's count against itself checks nothing", () => {
    const counted: RequestOutcome = {
      ok: true,
      usage: { promptTokens: 100, completionTokens: 5 },
      timing: { sentAt: 0, doneAt: 1 },
      finishReason: "stop",
      attempts: 1,
      countedBy: "tokenizer",
    };
    const shape = () => ({ messages: [], expectedPromptTokens: 100 });
    expect(promptTokensCheck([counted, ok(102)], shape)).toMatchObject({ n: 1, reported_mean: 102 });
    expect(promptTokensCheck([counted], shape)).toBeUndefined();
  });

  test("without a tokenizer there is no check", () => {
    expect(promptTokensCheck([ok(100)], () => ({ messages: [] }))).toBeUndefined();
  });
});
