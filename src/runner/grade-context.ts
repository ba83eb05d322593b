/**
 * The GradeContext's lifecycle: whoever grades (`runEvaluation`, `regrade`, `grade`) opens one, passes it to every
 * `Task.grade`, and closes it when done, interrupted or failed. The code sandboxes start only when a code task
 * first runs a program; mathjs loads only on the first math comparison that needs it.
 */
import { type ClosableCodeRunner, type CodeRunnerOptions, createCodeRunner } from "../../graders/code/index.ts";
import { createMathEngine } from "../../graders/math/index.ts";
import type { GradeContext, RunPythonProgram } from "../core/types.ts";

export interface OpenGradeContext extends GradeContext {
  code: ClosableCodeRunner;
  /** Stops the sandboxes; gradings still running are rejected (their replies stay ungraded in the journal). */
  close(): Promise<void>;
}

/** `python`: where whole programs run (SciCode); by default the code runner's native executor (runProgram). */
export type GradeContextOptions = CodeRunnerOptions & { python?: RunPythonProgram };

export function openGradeContext(options: GradeContextOptions = {}): OpenGradeContext {
  const { python, ...codeOptions } = options;
  const code = createCodeRunner(codeOptions);
  return { code, math: createMathEngine(), python: python ?? code.runProgram, close: () => code.close() };
}

/** Runs `body` with a fresh context and closes it however `body` ends. */
export async function withGradeContext<T>(
  options: GradeContextOptions,
  body: (ctx: GradeContext) => Promise<T>,
): Promise<T> {
  const ctx = openGradeContext(options);
  try {
    return await body(ctx);
  } finally {
    await ctx.close();
  }
}
