import { describe, expect, test } from "vitest";
import { ConfigError } from "../../src/core/errors.ts";
import { DEMO_PROFILES, engineTokensPerSec, parseSimProfiles } from "../../src/sim/index.ts";

function issuesOf(json: unknown): readonly string[] {
  const error: unknown = (() => {
    try {
      parseSimProfiles(json, "p.json");
    } catch (caught) {
      return caught;
    }
    return undefined;
  })();
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error.issues;
}

describe("parseSimProfiles", () => {
  test("fills defaults: instant speed, no reasoning, never unanswered", () => {
    expect(parseSimProfiles([{ model: "m", accuracy: 0.5 }])).toEqual([
      { model: "m", accuracy: 0.5, unansweredRate: 0, reasoning: "none", reasoningTokens: 0, speed: "instant" },
    ]);
  });

  test("accepts the demo profiles as JSON", () => {
    expect(parseSimProfiles(JSON.parse(JSON.stringify(DEMO_PROFILES)))).toEqual(DEMO_PROFILES);
  });

  test.each([
    [[{ model: "m", accuracy: 1.5 }], "p.json: [0].accuracy: Too big: expected number to be <=1 (got 1.5)"],
    [[{ model: "m", accuracy: 0.5, reasoning: "tags" }], "p.json: [0].reasoning:"],
    [
      [
        {
          model: "m",
          accuracy: 0.5,
          speed: { ttftMs: 1, ttftPerPromptTokenMs: 0, decodeTokensPerSec: 0, maxDecodeTokensPerSec: 1, maxNumSeqs: 1 },
        },
      ],
      "p.json: [0].speed",
    ],
    [[{ model: "m", accuracy: 0.5, acuracy: 0.5 }], 'p.json: [0]: unknown field "acuracy"'],
    [
      [{ model: "m", accuracy: 0.9, unansweredRate: 0.2 }],
      "p.json: [0].unansweredRate: accuracy + unansweredRate must be at most 1",
    ],
    [
      [
        { model: "m", accuracy: 0.5 },
        { model: "m", accuracy: 0.4 },
      ],
      'p.json: [1].model: duplicate model name "m"',
    ],
    [[], "p.json: (top level): list at least one variant profile"],
    [{ model: "m", accuracy: 0.5 }, "p.json: (top level): Invalid input: expected array"],
  ])("rejects %j naming the field", (json, expected) => {
    const issues = issuesOf(json);
    expect(
      issues.some((issue) => issue.startsWith(expected)),
      issues.join("\n"),
    ).toBe(true);
  });

  test("a near miss of the bound passes: accuracy + unansweredRate exactly 1", () => {
    expect(parseSimProfiles([{ model: "m", accuracy: 0.75, unansweredRate: 0.25 }])[0]?.unansweredRate).toBe(0.25);
  });
});

describe("DEMO_PROFILES", () => {
  test("bf16, fp8, nvfp4: nvfp4 slightly less accurate, fastest decode; bf16 slowest", () => {
    expect(DEMO_PROFILES.map((p) => p.model)).toEqual(["qwen3-32b-bf16", "qwen3-32b-fp8", "qwen3-32b-nvfp4"]);
    const [bf16, fp8, nvfp4] = DEMO_PROFILES;
    if (bf16 === undefined || fp8 === undefined || nvfp4 === undefined) throw new Error("three profiles expected");
    expect(nvfp4.accuracy).toBeLessThan(fp8.accuracy);
    expect(fp8.accuracy).toBeLessThanOrEqual(bf16.accuracy);
    expect(bf16.accuracy - nvfp4.accuracy).toBeLessThan(0.05);
    const at8 = DEMO_PROFILES.map((p) => (p.speed === "instant" ? Infinity : engineTokensPerSec(p.speed, 8)));
    expect(at8[0]).toBeLessThan(at8[1] ?? 0);
    expect(at8[1]).toBeLessThan(at8[2] ?? 0);
  });
});
