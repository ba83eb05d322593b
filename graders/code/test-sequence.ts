/**
 * LiveCodeBench's verdict over a problem's tests: run them in order, by default stop at the first that does not
 * pass, and pass the problem only when every test passes.
 */
import type { CodeTest, CodeVerdict, RunOptions, TestOutcome } from "./types.ts";

/**
 * Throws when the tests themselves are malformed (a grading setup error, not the model's): functional tests
 * need a function name, one JSON value per input line and a JSON output.
 */
export function checkTestData(tests: readonly CodeTest[], options: RunOptions): void {
  tests.forEach((test, index) => {
    if (test.testtype !== "functional") return;
    if (options.funcName === undefined || options.funcName === "") {
      throw new Error(`test ${index + 1} is functional but no funcName was given`);
    }
    try {
      for (const line of test.input.split("\n")) JSON.parse(line);
      JSON.parse(test.output);
    } catch (error) {
      throw new Error(`test ${index + 1}: functional input/output is not JSON (${(error as Error).message})`);
    }
  });
}

export async function runTestSequence(
  tests: readonly CodeTest[],
  runTest: (test: CodeTest) => Promise<TestOutcome>,
  stopAtFirstFailure = true,
): Promise<CodeVerdict> {
  const outcomes: TestOutcome[] = [];
  for (const test of tests) {
    const previous = outcomes.at(-1);
    // Code that does not compile fails every test the same way; no need to run it again.
    const outcome = previous?.status === "compile_error" ? previous : await runTest(test);
    outcomes.push(outcome);
    if (outcome.status !== "passed" && stopAtFirstFailure) break;
  }
  return {
    passed: tests.length > 0 && outcomes.length === tests.length && outcomes.every((o) => o.status === "passed"),
    tests: outcomes,
  };
}
