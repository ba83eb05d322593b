/** A GradeContext for a test file: one Python worker, closed after the file's tests (as the runner closes its own). */
import { afterAll } from "vitest";
import { type OpenGradeContext, openGradeContext } from "../../src/runner/grade-context.ts";

export function testGradeContext(): OpenGradeContext {
  const ctx = openGradeContext({ pythonWorkers: 1 });
  afterAll(() => ctx.close());
  return ctx;
}
