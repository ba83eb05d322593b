/**
 * LiveCodeBench grading: run a model's program against a problem's tests with LCB's semantics (stdin output
 * compared line by line with its decimal fallback, functional results compared as JSON, stop at the first
 * failure). Use a CodeRunner for a whole run; without one, a shared runner is created on first use.
 */
import { type CodeRunner, createCodeRunner } from "./runner.ts";
import type { CodeLanguage, CodeTest, CodeVerdict, RunOptions } from "./types.ts";

export { extractCode } from "./extract-code.ts";

let sharedRunner: CodeRunner | undefined;

export function runCodeTests(
  code: string,
  language: CodeLanguage,
  tests: readonly CodeTest[],
  options: RunOptions & { runner?: CodeRunner },
): Promise<CodeVerdict> {
  const { runner, ...runOptions } = options;
  sharedRunner ??= runner === undefined ? createCodeRunner() : undefined;
  return (runner ?? (sharedRunner as CodeRunner)).run(code, language, tests, runOptions);
}

/** Closes the runner runCodeTests created for calls without their own (idle workers never block exit). */
export async function closeSharedCodeRunner(): Promise<void> {
  const runner = sharedRunner;
  sharedRunner = undefined;
  await runner?.close();
}
