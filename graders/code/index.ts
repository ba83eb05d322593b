/** The public code graders: sandboxed Python (Pyodide) and JavaScript (isolated-vm) with LiveCodeBench semantics. */
export {
  JAVASCRIPT_IO_NOTE,
  type CodeLanguage, type CodeTest, type CodeVerdict, type RunLimits, type RunOptions, type TestOutcome, type TestStatus,
} from "./types.ts";
export { extractCode } from "./extract-code.ts";
export { type ClosableCodeRunner, type CodeRunnerOptions, createCodeRunner } from "./runner.ts";
export { passAtK } from "./pass-at-k.ts";
export { compareStdout } from "./output-compare.ts";
