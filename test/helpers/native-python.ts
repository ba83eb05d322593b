/**
 * The native Python executor for SciCode's tests: the code runner's own (CPython in bubblewrap), or the reason it
 * cannot run here, which the tests skip with. CI installs bubblewrap, python3-numpy and python3-scipy and sets
 * QUANTEVAL_REQUIRE_BWRAP, which turns that skip into a failure.
 */
import { execFileSync } from "node:child_process";
import { createCodeRunner } from "../../graders/code/index.ts";
import type { RunPythonProgram } from "../../src/core/types.ts";

export type PythonForTests = { run: RunPythonProgram; close: () => Promise<void>; skip?: undefined } | { skip: string };

export async function scicodePython(): Promise<PythonForTests> {
  const runner = createCodeRunner();
  const found = await runner.nativePython();
  const missing = found.available ? numpyMissing(found.python.python) : found.reason;
  if (missing !== undefined) {
    await runner.close();
    if (process.env.QUANTEVAL_REQUIRE_BWRAP === "1")
      throw new Error(`the native Python executor is required: ${missing}`);
    return { skip: missing };
  }
  return { run: runner.runProgram, close: () => runner.close() };
}

/** SciCode's programs import numpy and scipy: the sandbox's interpreter must have them. */
function numpyMissing(python: string): string | undefined {
  try {
    execFileSync(python, ["-I", "-c", "import numpy, scipy"], { stdio: "ignore", timeout: 60_000 });
    return undefined;
  } catch {
    return `${python} has no numpy or scipy (Debian: apt-get install python3-numpy python3-scipy)`;
  }
}
