/** Python tests on the Pyodide pool: sends one test to a worker and judges what comes back. */
import { compareStdout } from "./output-compare.ts";
import type { PythonPool } from "./python-pool.ts";
import type { CodeTest, RunLimits, TestOutcome } from "./types.ts";

const FINISHED = new Set(["completed", "passed", "wrong_answer", "runtime_error"]);

export async function runPythonTest(
  pool: PythonPool,
  code: string,
  test: CodeTest,
  funcName: string | undefined,
  limits: RunLimits,
): Promise<TestOutcome> {
  const { outcome, stdout, outputOverflow } = await pool.run(
    {
      kind: test.testtype,
      code,
      input: test.input,
      funcName: funcName ?? "",
      expected: test.output,
      memoryMb: limits.memoryMb,
    },
    limits.timeoutMs,
  );
  const timing = outcome.ms === undefined ? {} : { ms: outcome.ms };
  if (outputOverflow) return { status: "runtime_error", detail: "output limit exceeded", ...timing };
  // A program that swallowed the KeyboardInterrupt and then finished is still over time.
  if (outcome.ms !== undefined && outcome.ms > limits.timeoutMs && FINISHED.has(outcome.status)) {
    return { status: "time_limit", ...timing };
  }
  if (outcome.status === "completed") {
    const comparison = compareStdout(stdout, test.output);
    if (comparison.equal) return { status: "passed", ...timing };
    return { status: "wrong_answer", ...(comparison.detail === undefined ? {} : { detail: comparison.detail }), ...timing };
  }
  return { ...outcome, status: outcome.status };
}
