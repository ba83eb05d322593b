/** Traffic scenarios: genai-bench's notation parsed (errors naming the part and the fix), and seeded draws. */
import { describe, expect, test } from "vitest";
import { ConfigError } from "../../src/core/errors.ts";
import { parseScenario, type Scenario, sampleLengths, scenarioLabel } from "../../src/loadgen/scenario.ts";

describe("parseScenario", () => {
  test.each<[string, Scenario]>([
    ["D(100,1000)", { kind: "deterministic", input: 100, output: 1000 }],
    ["N(480,240)/(300,150)", { kind: "normal", input: { mean: 480, sd: 240 }, output: { mean: 300, sd: 150 } }],
    ["N(480,0)/(300,0)", { kind: "normal", input: { mean: 480, sd: 0 }, output: { mean: 300, sd: 0 } }],
    ["U(50,150)/(200,300)", { kind: "uniform", input: { min: 50, max: 150 }, output: { min: 200, max: 300 } }],
    // genai-bench's one-group U(max_in,max_out): both minimums 1.
    ["U(1000,100)", { kind: "uniform", input: { min: 1, max: 1000 }, output: { min: 1, max: 100 } }],
    ["dataset", { kind: "dataset" }],
    [" N( 480 , 240 ) / (300,150) ", { kind: "normal", input: { mean: 480, sd: 240 }, output: { mean: 300, sd: 150 } }],
  ])("%s", (text, expected) => {
    expect(parseScenario(text)).toEqual(expected);
  });

  test("labels round-trip in genai-bench's own spelling (its to_string)", () => {
    for (const text of ["D(100,1000)", "N(480,240)/(300,150)", "U(50,150)/(200,300)", "dataset"])
      expect(scenarioLabel(parseScenario(text))).toBe(text);
    expect(scenarioLabel(parseScenario("U(1000,100)"))).toBe("U(1,1000)/(1,100)");
  });

  function issue(text: string): string {
    try {
      parseScenario(text);
    } catch (error) {
      if (error instanceof ConfigError) return `${error.issues.join("\n")}\nfix: ${error.hint}`;
      throw error;
    }
    return "(parsed)";
  }

  test.each([
    ["n(480,240)/(300,150)", /starts with "n": use D, N or U \(upper case\), or the word dataset/],
    ["X(1,2)", /starts with "X"/],
    ["", /starts with "": use D, N or U/],
    ["Dataset", /starts with "D"|not two whole numbers/],
    ["N(480,240)", /N takes two groups, N\(in_mean,in_sd\)\/\(out_mean,out_sd\)/],
    ["N(480,240)/(300)", /the output group \(300\) has 1 number\(s\): it takes two/],
    ["N(480,240,1)/(300,150)", /the input group \(480,240,1\) has 3 number\(s\)/],
    ["D(100,1000)/(1,2)", /D takes one group, D\(in,out\), with no "\/"/],
    ["D(100.5,1000)", /the group "\(100\.5,1000\)" is not two whole numbers in parentheses/],
    ["D(-1,10)", /is not two whole numbers/],
    ["D(0,10)", /the input is 0: it must be at least 1 token/],
    ["D(10,1)", /the output is 1: it must be at least 2 token/],
    ["U(150,50)/(200,300)", /the input range \(150,50\) has its minimum above its maximum: write \(min,max\)/],
    ["U(1,2)/(3,4)/(5,6)", /has 3 groups separated by "\/": at most two/],
    ["D(2000000,10)", /2000000 is above 1048576 tokens/],
    ["N[480,240]/(300,150)", /the input group "\[480,240\]" is not two whole numbers/],
  ])("%j is refused, naming the part at fault", (text, expected) => {
    const message = issue(text);
    expect(message).toMatch(expected);
    expect(message).toContain(`--scenario ${JSON.stringify(text)}`);
    // Every refusal shows the forms, with an example of each.
    expect(message).toContain("fix: write the scenario as genai-bench does: D(in,out), e.g. D(100,1000)");
  });

  test("near misses of valid strings parse", () => {
    expect(issue("D(1,2)")).toBe("(parsed)");
    expect(issue("U(5,5)/(2,2)")).toBe("(parsed)");
  });
});

describe("sampleLengths", () => {
  const draws = (scenario: Scenario, seed: number, n: number) =>
    Array.from({ length: n }, (_, i) => sampleLengths(scenario, seed, i));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs: number[]) => {
    const m = mean(xs);
    return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  };

  test("D gives the same lengths to every request", () => {
    expect(draws(parseScenario("D(100,1000)"), 0, 5)).toEqual(
      Array.from({ length: 5 }, () => ({ inputTokens: 100, outputTokens: 1000 })),
    );
  });

  test("a draw depends only on (seed, index): the same for every variant, in any order", () => {
    const scenario = parseScenario("N(480,240)/(300,150)");
    const forward = draws(scenario, 7, 50);
    const backward = Array.from({ length: 50 }, (_, i) => sampleLengths(scenario, 7, 49 - i)).reverse();
    expect(backward).toEqual(forward);
    expect(draws(scenario, 8, 50)).not.toEqual(forward);
  });

  test("N's draws have the asked mean and standard deviation (20,000 draws, far from the clamps)", () => {
    const all = draws(parseScenario("N(4800,240)/(3000,150)"), 0, 20_000);
    const input = all.map((d) => d.inputTokens);
    const output = all.map((d) => d.outputTokens);
    // Standard errors: 240/√20000 ≈ 1.7 and 150/√20000 ≈ 1.1 tokens; rounding adds no bias.
    expect(Math.abs(mean(input) - 4800)).toBeLessThan(6);
    expect(Math.abs(mean(output) - 3000)).toBeLessThan(4);
    expect(Math.abs(sd(input) - 240)).toBeLessThan(6);
    expect(Math.abs(sd(output) - 150)).toBeLessThan(4);
    expect(all.every((d) => Number.isInteger(d.inputTokens) && Number.isInteger(d.outputTokens))).toBe(true);
  });

  test("N's draws are clamped as genai-bench's: at least 1 input and 2 output tokens", () => {
    const all = draws(parseScenario("N(1,50)/(2,50)"), 0, 2000);
    expect(Math.min(...all.map((d) => d.inputTokens))).toBe(1);
    expect(Math.min(...all.map((d) => d.outputTokens))).toBe(2);
  });

  test("U's draws cover [min, max], both ends included, evenly", () => {
    const all = draws(parseScenario("U(10,14)/(100,101)"), 3, 10_000);
    const counts = new Map<number, number>();
    for (const d of all) counts.set(d.inputTokens, (counts.get(d.inputTokens) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14]);
    // 2,000 expected each; binomial sd ≈ 40.
    for (const count of counts.values()) expect(Math.abs(count - 2000)).toBeLessThan(200);
    expect(new Set(all.map((d) => d.outputTokens))).toEqual(new Set([100, 101]));
    const wide = draws(parseScenario("U(100,300)/(200,400)"), 0, 20_000);
    // Uniform on 201 integers: mean 200 / 300, sd √((201²−1)/12) ≈ 58.0.
    expect(Math.abs(mean(wide.map((d) => d.inputTokens)) - 200)).toBeLessThan(1.5);
    expect(Math.abs(mean(wide.map((d) => d.outputTokens)) - 300)).toBeLessThan(1.5);
    expect(Math.abs(sd(wide.map((d) => d.inputTokens)) - 58.02)).toBeLessThan(1.5);
  });

  test("a dataset scenario has no draws", () => {
    expect(() => sampleLengths({ kind: "dataset" }, 0, 0)).toThrow(RangeError);
  });
});
