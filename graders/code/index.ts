/** The public code graders: sandboxed Python (Pyodide) and JavaScript (isolated-vm) with LiveCodeBench semantics. */

export { extractCode } from "./extract-code.ts";
export { type DetectOptions, detectNativePython, type NativeAvailability } from "./native-detect.ts";
export { type NativeRunOptions, type NativeRunResult, type NativeSandbox, runNativePython } from "./native-python.ts";
export { passAtK } from "./pass-at-k.ts";
export { type ClosableCodeRunner, type CodeRunnerOptions, createCodeRunner } from "./runner.ts";
export { extractScicodeCode, scicodeProgram, scicodeRunDetail, scicodeRunRule } from "./scicode-program.ts";
export type {
  CodeLanguage,
  CodeTest,
  PythonExecutor,
  PythonExecutorChoice,
} from "./types.ts";
export { codeVerdictDetail, codeVerdictRule } from "./verdict-summary.ts";
