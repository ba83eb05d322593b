/** The public code graders: sandboxed Python (Pyodide) and JavaScript (isolated-vm) with LiveCodeBench semantics. */

export { extractCode } from "./extract-code.ts";
export { passAtK } from "./pass-at-k.ts";
export { type ClosableCodeRunner, type CodeRunnerOptions, createCodeRunner } from "./runner.ts";
export { extractScicodeCode, scicodeProgram, scicodeRunDetail, scicodeRunRule } from "./scicode-program.ts";
export type {
  CodeLanguage,
  CodeTest,
} from "./types.ts";
export { codeVerdictDetail, codeVerdictRule } from "./verdict-summary.ts";
