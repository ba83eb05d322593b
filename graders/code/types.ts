/** Shared types of the code graders: programs, tests, limits and verdicts. */

export type CodeLanguage = "python" | "javascript";

/**
 * One test of a program. "stdin": `input` is fed to the program's standard input and `output` is the expected
 * standard output. "functional": each line of `input` is one JSON argument and `output` is the JSON return value.
 */
export interface CodeTest {
  input: string;
  output: string;
  testtype: "stdin" | "functional";
}

export type TestStatus = "passed" | "wrong_answer" | "runtime_error" | "time_limit" | "memory_limit" | "compile_error";

export interface TestOutcome {
  status: TestStatus;
  /** Short reason: the first differing line, the error class and message, ≤ 300 chars. */
  detail?: string;
  /** Time the program ran for this test (ms), as measured inside the sandbox where possible. */
  ms?: number;
}

export interface CodeVerdict {
  /** True when every test passed. */
  passed: boolean;
  /** One outcome per test that was run; with stopAtFirstFailure the list ends at the first failure. */
  tests: TestOutcome[];
}

export interface RunLimits {
  /** CPU/wall time per test. */
  timeoutMs: number;
  /** Memory the program may use (for Python: on top of the interpreter's own heap). */
  memoryMb: number;
}

export interface RunOptions {
  /** Name of the function to call for functional tests. */
  funcName?: string;
  limits: RunLimits;
  /** Stop at the first test that does not pass, like LiveCodeBench (default true). */
  stopAtFirstFailure?: boolean;
}

/** What the prompt may promise the model about JavaScript programs (see javascript.ts). */
export const JAVASCRIPT_IO_NOTE =
  "JavaScript reads standard input as in Node.js: require('fs').readFileSync(0, 'utf8'), " +
  "require('readline').createInterface({ input: process.stdin }) (line events or for await), or process.stdin's " +
  "data and end events; also from the global string `input`, or line by line with `readline()` (undefined at the " +
  "end). Write with console.log, print or process.stdout.write. No other modules, files, network or timers.";

/** Longest `detail` kept in an outcome. */
export const MAX_DETAIL_CHARS = 300;

/** Cuts a detail to MAX_DETAIL_CHARS, keeping the head (where the error class and first difference are). */
export function shortDetail(text: string): string {
  const oneLine = text.replace(/\s+$/u, "");
  return oneLine.length <= MAX_DETAIL_CHARS ? oneLine : `${oneLine.slice(0, MAX_DETAIL_CHARS - 1)}…`;
}
