/** A custom task's code answers: the row's tests in graders/code's form, and how the program is run. */
import { z } from "zod";
import type { CustomAnswer } from "../../custom-task-config.ts";
import type { CodeSpec } from "../code-answer.ts";
import type { CustomGold } from "./gold.ts";
import { rowError, type SourcedRow } from "./rows.ts";

const StdinTestSchema = z.strictObject({
  input: z.union([z.string(), z.number()]).transform(String),
  output: z.union([z.string(), z.number()]).transform(String),
});
const FunctionalTestSchema = z.strictObject({ args: z.array(z.unknown()), output: z.unknown() });

/** A code row's tests (a list, or a list as JSON text), in graders/code's form; errors name the row and test. */
export function codeGoldFromRow(
  answer: Extract<CustomAnswer, { type: "code" }>,
  row: SourcedRow,
  funcName: string | undefined,
): CustomGold {
  const field = answer.tests;
  let value = row.fields[field];
  if (value === undefined || value === null) throw rowError(row, `field "${field}" (the tests) is missing`);
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw rowError(row, `field "${field}" (the tests): not a list, nor JSON text of one`);
    }
  }
  if (!Array.isArray(value) || value.length === 0)
    throw rowError(row, `field "${field}" (the tests): must be a non-empty list`);
  const tests = value.map((test: unknown, i) => {
    const where = `field "${field}" (the tests) [${i}]`;
    if (answer.mode === "stdin") {
      const parsed = StdinTestSchema.safeParse(test);
      if (!parsed.success) throw rowError(row, `${where}: must be { input, output }`);
      return { ...parsed.data, testtype: "stdin" as const };
    }
    const parsed = FunctionalTestSchema.safeParse(test);
    if (!parsed.success) throw rowError(row, `${where}: must be { args: [...], output }`);
    // graders/code's functional form (LiveCodeBench's): one JSON argument per line, the return value as JSON.
    const input = parsed.data.args.map((arg) => JSON.stringify(arg)).join("\n");
    return { input, output: JSON.stringify(parsed.data.output ?? null), testtype: "functional" as const };
  });
  return { answer: `${tests.length} tests`, tests, ...(funcName !== undefined ? { funcName } : {}) };
}

export function codeSpec(answer: Extract<CustomAnswer, { type: "code" }>, gold: CustomGold): CodeSpec {
  return {
    language: answer.language,
    funcName: gold.funcName,
    timeoutSec: answer.timeoutSec,
    memoryMb: answer.memoryMb,
  };
}
