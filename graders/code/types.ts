/** Shared types of the code graders: programs, tests, limits and verdicts. */

// The vocabulary between tasks and the code graders lives in core, where tasks and GradeContext see it too.
export type {
  CodeLanguage,
  CodeTest,
  CodeVerdict,
  PythonExecutor,
  PythonExecutorChoice,
  RunLimits,
  RunOptions,
  TestOutcome,
  TestStatus,
} from "../../src/core/types.ts";

/**
 * What the prompt may promise the model about JavaScript programs (see javascript.ts).
 * @public No prompt asks for JavaScript yet; this is the sandbox's documented I/O, kept beside its types.
 */
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
