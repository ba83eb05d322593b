/**
 * The GradeContext's lifecycle: sandboxes start only when a program runs, in the language it is written in, and the
 * context is closed however its body ends.
 */
import { describe, expect, test } from "vitest";
import type { GradeContext, RunOptions } from "../../src/core/types.ts";
import { openGradeContext, withGradeContext } from "../../src/runner/grade-context.ts";

const OPTIONS: RunOptions = { limits: { timeoutMs: 10_000, memoryMb: 128 } };

describe("GradeContext", () => {
  test("grading math starts no sandbox; a JavaScript program starts the JavaScript pool only", async () => {
    const ctx = openGradeContext({ pythonWorkers: 1, javascriptWorkers: 1 });
    try {
      expect(ctx.math.equal("\\frac{1}{2}", "0.5")).toMatchObject({ equal: true, rule: "numeric-equal" });
      expect(ctx.math.equal("\\frac{1}{2}", "\\frac{1}{3}").equal).toBe(false);
      expect(ctx.code.sandboxStarts).toEqual({ python: 0, javascript: 0 });
      const verdict = await ctx.code.run(
        "console.log(Number(input) * 2);",
        "javascript",
        [{ input: "21", output: "42", testtype: "stdin" }],
        OPTIONS,
      );
      expect(verdict.passed).toBe(true);
      expect(ctx.code.sandboxStarts).toEqual({ python: 0, javascript: 1 });
      expect(ctx.code.pythonStartTimesMs).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  test("withGradeContext closes the context when its body throws", async () => {
    let seen: GradeContext | undefined;
    await expect(
      withGradeContext({}, async (ctx) => {
        seen = ctx;
        throw new Error("interrupted");
      }),
    ).rejects.toThrow("interrupted");
    const stdinTest = { input: "", output: "1", testtype: "stdin" } as const;
    await expect(seen?.code.run("console.log(1)", "javascript", [stdinTest], OPTIONS)).rejects.toThrow(/closed/u);
  });
});
