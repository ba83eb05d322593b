/**
 * The agreement floor on real model outputs (bench/math-outputs.ts): our math verdicts against the Qwen2.5-Math
 * toolkit's on its 800 stored replies, boxed as written and unboxed. Every disagreement must be one already read
 * and classified in KNOWN_DISAGREEMENTS; a new one fails here until it is. The replies are not in this repository:
 * the real-data part runs when QUANTEVAL_MATH_OUTPUTS names a folder holding them.
 */
import { describe, expect, test } from "vitest";
import {
  KNOWN_DISAGREEMENTS,
  mathOutputsPath,
  measureAgreement,
  readMathOutputs,
  type Sample,
  unboxed,
} from "../../bench/math-outputs.ts";

describe("unboxed", () => {
  test("replaces each box by its content, nested braces and nested boxes included", () => {
    expect(unboxed("so \\(\\boxed{\\frac{1}{9}}\\).")).toBe("so \\(\\frac{1}{9}\\).");
    expect(unboxed("\\boxed{1}, \\boxed{\\boxed{2}}")).toBe("1, 2");
    expect(unboxed("cut off: \\boxed{\\frac{1}{2")).toBe("cut off: \\boxed{\\frac{1}{2");
  });
});

describe("measureAgreement", () => {
  const sample = (id: string, text: string, theirs: boolean): Sample => ({ id, gold: "\\frac{1}{9}", text, theirs });
  test("counts agreements, unanswered replies and names each disagreement", () => {
    const result = measureAgreement([
      sample("0/0", "So the probability is $\\boxed{\\frac{1}{9}}$.", true),
      sample("0/1", "So the probability is $\\boxed{\\frac{1}{8}}$.", false),
      sample("0/2", "So the probability is $\\boxed{\\frac{1}{8}}$.", true),
      sample("0/3", "I could not finish.", false),
    ]);
    expect(result).toMatchObject({ n: 4, agree: 3, unanswered: 1 });
    expect(result.disagreements).toEqual([
      {
        id: "0/2",
        theirs: true,
        ours: false,
        rule: "boxed/not-equal",
        extracted: "\\frac{1}{8}",
        gold: "\\frac{1}{9}",
      },
    ]);
  });
});

const source = mathOutputsPath(process.env);
const missing = "missing" in source ? source.missing : undefined;

const title = `Qwen2.5-Math outputs${missing === undefined ? "" : ` (skipped: ${missing})`}`;

describe.skipIf(missing !== undefined)(title, () => {
  const samples = "path" in source ? readMathOutputs(source.path) : [];

  test("800 replies, 728 of them right by the toolkit", () => {
    expect(samples).toHaveLength(800);
    expect(samples.filter((s) => s.theirs)).toHaveLength(728);
  });

  test.each([
    ["boxed as written", 799, (t: string) => t],
    ["unboxed", 796, unboxed],
  ] as const)("%s: at least %i/800 agree, and every disagreement is a known one", (_name, floor, variant) => {
    const result = measureAgreement(samples, variant);
    expect(result.agree).toBeGreaterThanOrEqual(floor);
    for (const d of result.disagreements) expect(KNOWN_DISAGREEMENTS, JSON.stringify(d)).toHaveProperty([d.id]);
  });
});
