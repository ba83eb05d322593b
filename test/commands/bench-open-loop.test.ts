/** `quanteval bench`'s open-loop flags → the plan's OpenLoopPlan: defaults, inf, sweeps, and each misplaced flag. */
import { describe, expect, test } from "vitest";
import { openLoopFromFlags } from "../../src/cli/commands/bench-open-loop.ts";
import type { BenchFlags } from "../../src/cli/flags.ts";

/** Flags as commander hands them over: `stream` is always there (--no-stream's default). */
function parse(flags: Omit<BenchFlags, "stream">) {
  const problems: string[] = [];
  return { plan: openLoopFromFlags({ ...flags, stream: true }, problems), problems };
}

describe("openLoopFromFlags", () => {
  test("no --request-rate: a closed loop, no plan", () => {
    expect(parse({ concurrency: "16" })).toEqual({ plan: undefined, problems: [] });
  });

  test("a sweep with inf; vLLM's defaults: Poisson, no cap, seed 0", () => {
    expect(parse({ requestRate: "1, 2.5,inf" })).toEqual({
      plan: { requestRates: [1, 2.5, Number.POSITIVE_INFINITY], burstiness: 1, seed: 0 },
      problems: [],
    });
    expect(parse({ requestRate: "4", burstiness: "inf", maxConcurrency: "8", seed: "42" }).plan).toEqual({
      requestRates: [4],
      burstiness: Number.POSITIVE_INFINITY,
      maxConcurrency: 8,
      seed: 42,
    });
  });

  test.each([
    [{ requestRate: "0" }, /--request-rate: must be a number above 0/],
    [{ requestRate: "-1" }, /--request-rate: must be a number above 0/],
    [{ requestRate: "fast" }, /--request-rate: must be a number above 0.*\(got "fast"\)/],
    [{ requestRate: "4," }, /--request-rate: must be a number above 0.*\(got ""\)/],
    [{ requestRate: "2,2" }, /--request-rate: 2 is listed twice/],
    [{ requestRate: "4", burstiness: "0" }, /--burstiness: must be a number above 0/],
    [{ requestRate: "4", maxConcurrency: "0" }, /--max-concurrency: must be a whole number from 1/],
    [{ requestRate: "4", seed: "1.5" }, /--seed: must be a whole number from 0/],
    [{ requestRate: "4", concurrency: "8" }, /--concurrency and --request-rate: give one/],
    [{ maxConcurrency: "8" }, /--max-concurrency: only with --request-rate/],
    [{ seed: "1" }, /--seed: only with --request-rate/],
  ])("%j is refused, naming the flag", (flags, problem) => {
    const { problems } = parse(flags);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});
