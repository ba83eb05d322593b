import { describe, expect, test } from "vitest";
import {
  type CheckedReply,
  checkFigures,
  completionCountCheck,
  heldOutputCheck,
  promptGrowthCheck,
  tokensPerSecondWarning,
} from "../../src/metrics/figure-checks.ts";

const reply = (over: Partial<CheckedReply> = {}): CheckedReply => ({
  finishReason: "length",
  promptTokens: 100,
  completionTokens: 1024,
  promptChars: 400,
  ...over,
});

describe("held output (ignore_eos, min_tokens)", () => {
  test("replies that ran to their held length pass", () => {
    expect(heldOutputCheck([reply({ heldTo: 1024 }), reply({ heldTo: 1024 })])).toEqual({
      held: 2,
      stopped_early: 0,
      shortest: null,
      ok: true,
    });
  });

  test("the users' case: ignore_eos set, decoding stopped at 513 tokens by stop", () => {
    const replies = [
      reply({ heldTo: 1024 }),
      reply({ heldTo: 1024, finishReason: "stop", completionTokens: 513 }),
      reply({ heldTo: 1024, finishReason: "stop", completionTokens: 700 }),
    ];
    expect(heldOutputCheck(replies)).toEqual({ held: 3, stopped_early: 2, shortest: 513, ok: false });
    const checks = checkFigures(replies);
    expect(checks.warnings).toHaveLength(1);
    expect(checks.warnings[0]).toContain("2 of 3 replies");
    expect(checks.warnings[0]).toContain("at 513 tokens");
    expect(tokensPerSecondWarning(checks)).toMatch(/^⚠ tokens\/s/);
  });

  test("a reply cut short by the context ends by length: not the server ignoring the request", () => {
    expect(heldOutputCheck([reply({ heldTo: 1024, completionTokens: 300 })])?.ok).toBe(true);
  });

  test("a stop at exactly the held length is honoured; unheld replies are not checked", () => {
    expect(heldOutputCheck([reply({ heldTo: 64, finishReason: "stop", completionTokens: 64 })])?.ok).toBe(true);
    expect(heldOutputCheck([reply({ finishReason: "stop", completionTokens: 3 })])).toBeUndefined();
  });
});

describe("prompt growth", () => {
  const grown = (chars: number): CheckedReply => reply({ promptChars: chars, promptTokens: Math.round(chars / 4) });

  test("prompt tokens that grow with the prompt pass", () => {
    const check = promptGrowthCheck([100, 200, 300, 400, 800, 1600, 3200, 6400].map(grown));
    expect(check).toMatchObject({ tested: true, ok: true, short_tokens: 37.5, long_tokens: 1200 });
  });

  test("constant prompt tokens across prompts of very different lengths are flagged", () => {
    const replies = [100, 200, 300, 400, 800, 1600, 3200, 6400].map((c) =>
      reply({ promptChars: c, promptTokens: 128 }),
    );
    expect(promptGrowthCheck(replies)).toMatchObject({ tested: true, ok: false });
    expect(checkFigures(replies).warnings[0]).toContain("do not grow with the prompt");
  });

  test("one odd reply in a quarter does not decide: medians", () => {
    const replies = [100, 200, 300, 400, 800, 1600, 3200, 6400].map(grown);
    replies[7] = { ...(replies[7] as CheckedReply), promptTokens: 10 };
    expect(promptGrowthCheck(replies)?.ok).toBe(true);
  });

  test("prompts of alike size are not tested; too few replies give no check", () => {
    const alike = Array.from({ length: 8 }, (_, i) => reply({ promptChars: 400 + i, promptTokens: 128 }));
    expect(promptGrowthCheck(alike)).toMatchObject({ tested: false, ok: true });
    expect(promptGrowthCheck(alike.slice(0, 7))).toBeUndefined();
  });

  test("replies whose prompt count is unknown (null) are left out, never read as 0 tokens", () => {
    const sizes = [100, 200, 300, 400, 800, 1600, 3200, 6400];
    // Unknown short prompts read as 0 would make the growth pass; read as nothing they leave too few to test.
    const unknownShort = sizes.map((c, i) => (i < 2 ? reply({ promptChars: c, promptTokens: null }) : grown(c)));
    expect(promptGrowthCheck(unknownShort)).toBeUndefined();
    // Two more known short prompts (50 and 60 chars: 13 and 15 tokens) make eight known: tested.
    const counted = [...unknownShort, ...[50, 60].map(grown)];
    expect(promptGrowthCheck(counted)).toMatchObject({ n: 8, tested: true, ok: true, short_tokens: 14 });
  });

  test("replies quanteval counted itself are left out: the check is of the server's counts", () => {
    const sizes = [100, 200, 300, 400, 800, 1600, 3200, 6400];
    // A server that never grows its count, and two client-counted replies that would otherwise make eight.
    const server = sizes.slice(0, 6).map((c) => reply({ promptChars: c, promptTokens: 128 }));
    const client = sizes.slice(6).map((c) => ({ ...grown(c), countedByClient: true }));
    expect(promptGrowthCheck([...server, ...client])).toBeUndefined();
    const more = [50, 60].map((c) => reply({ promptChars: c, promptTokens: 128 }));
    expect(promptGrowthCheck([...server, ...more, ...client])).toMatchObject({ n: 8, ok: false });
  });
});

describe("completion count against streamed chunks", () => {
  test("within a few percent passes; beyond is flagged with the difference", () => {
    expect(completionCountCheck([reply({ completionTokens: 102, streamedChunks: 100 })])?.ok).toBe(true);
    const off = [reply({ completionTokens: 90, streamedChunks: 100 })];
    expect(completionCountCheck(off)).toEqual({ n: 1, reported: 90, streamed: 100, difference_pct: -10, ok: false });
    expect(checkFigures(off).warnings[0]).toContain("by -10.0%");
  });

  test("replies quanteval counted itself are left out: their count is the chunks or the tokenizer's", () => {
    const counted = reply({ completionTokens: 90, streamedChunks: 100, countedByClient: true });
    expect(completionCountCheck([counted])).toBeUndefined();
    expect(completionCountCheck([counted, reply({ completionTokens: 100, streamedChunks: 100 })])).toMatchObject({
      n: 1,
      ok: true,
    });
  });

  test("not streamed: no check; every check passing: no warning", () => {
    expect(completionCountCheck([reply()])).toBeUndefined();
    expect(tokensPerSecondWarning(checkFigures([reply({ streamedChunks: 1024 })]))).toBe("");
  });
});
