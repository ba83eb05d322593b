/**
 * Python tests on the Pyodide pool: sends one test to a worker and judges what comes back. The verdict is the
 * host's: the sandbox never sees the expected output, and only the host's clock decides a time limit.
 */
import { compareStdout } from "./output-compare.ts";
import { pythonJsonEqual } from "./python-equal.ts";
import type { PythonPool } from "./python-pool.ts";
import type { HarnessOutcome } from "./python-protocol.ts";
import { type CodeTest, type RunLimits, shortDetail, type TestOutcome } from "./types.ts";

/** Failures the sandbox may report; anything else it claims is not believed. */
const FAILURES = new Set(["wrong_answer", "runtime_error", "time_limit", "memory_limit", "compile_error"]);

export async function runPythonTest(
  pool: PythonPool,
  code: string,
  test: CodeTest,
  funcName: string | undefined,
  limits: RunLimits,
): Promise<TestOutcome> {
  const result = await pool.run(
    { kind: test.testtype, code, input: test.input, funcName: funcName ?? "", memoryMb: limits.memoryMb },
    limits.timeoutMs,
  );
  return judgePythonTest(result, test);
}

/** What a Python sandbox (Pyodide or native) reported for one test, judged against the test by the host. */
export interface PythonTestReport {
  outcome: HarnessOutcome;
  stdout: string;
  outputOverflow: boolean;
  /** The host's own clock ran out: a time limit, whatever the sandbox reports. */
  timedOut: boolean;
}

/** The verdict on one test; both Python executors go through it, so their verdicts mean the same. */
export function judgePythonTest(report: PythonTestReport, test: CodeTest): TestOutcome {
  const { outcome, stdout, outputOverflow, timedOut } = report;
  const timing = outcome.ms === undefined ? {} : { ms: outcome.ms };
  if (outputOverflow) return { status: "runtime_error", detail: "output limit exceeded", ...timing };
  // Also a program that swallowed the KeyboardInterrupt and then finished: it is over time all the same.
  if (timedOut) return { status: "time_limit", ...timing };
  if (outcome.status === "completed" && test.testtype === "stdin") {
    const comparison = compareStdout(stdout, test.output);
    if (comparison.equal) return { status: "passed", ...timing };
    return {
      status: "wrong_answer",
      ...(comparison.detail === undefined ? {} : { detail: comparison.detail }),
      ...timing,
    };
  }
  if (outcome.status === "returned" && test.testtype === "functional" && typeof outcome.value === "string") {
    let equal: boolean;
    try {
      equal = pythonJsonEqual(outcome.value, test.output);
    } catch {
      return { status: "runtime_error", detail: "the sandbox returned a value that is not JSON", ...timing };
    }
    if (equal) return { status: "passed", ...timing };
    return { status: "wrong_answer", detail: shortDetail(`got ${outcome.value}, expected ${test.output}`), ...timing };
  }
  if (FAILURES.has(outcome.status)) {
    return {
      status: outcome.status as TestOutcome["status"],
      ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
      ...timing,
    };
  }
  return { status: "runtime_error", detail: shortDetail(`the sandbox reported "${outcome.status}"`), ...timing };
}
