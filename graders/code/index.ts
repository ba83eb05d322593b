/** The public code graders: sandboxed Python (Pyodide) and JavaScript (isolated-vm) with LiveCodeBench semantics. */

export { extractCode } from "./extract-code.ts";
export { compareStdout } from "./output-compare.ts";
export { passAtK } from "./pass-at-k.ts";
export { type ClosableCodeRunner, type CodeRunnerOptions, createCodeRunner } from "./runner.ts";
export {
  type CodeLanguage,
  type CodeTest,
  type CodeVerdict,
  JAVASCRIPT_IO_NOTE,
  type RunLimits,
  type RunOptions,
  type TestOutcome,
  type TestStatus,
} from "./types.ts";
