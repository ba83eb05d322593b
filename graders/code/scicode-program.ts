/**
 * SciCode's grading, as its eval/scripts/test_generated_code.py does it: one Python script per sub-step made of
 * the dependencies, the earlier steps' code, the generated code, then `targets = process_hdf5_to_tuple(step, n)`
 * and each test case after `target = targets[i]`; the sub-step passes when the script exits 0 (every `assert`
 * held, within the tolerances the tests themselves give to np.allclose and SciCode's cmp helpers).
 */
import { readFileSync } from "node:fs";
import type { PythonProgramResult } from "../../src/core/types.ts";

/** How the code was found in the reply (SciCode's extract_python_script, in its order). */
export type ScicodeExtractRule = "python-fence" | "fence" | "whole-reply";
export type ScicodeRunRule = "passed" | "assertion-failed" | "runtime-error" | "time-limit";

export interface ScicodeExtraction {
  code: string;
  rule: ScicodeExtractRule;
}

// SciCode drops import lines from the reply (the dependencies come first in the script). Python's `^\s*` under
// re.MULTILINE may also eat blank lines before an import; JavaScript's `\s` and `.` behave alike here.
const IMPORT_LINE = /^\s*(import .*|from .*\s+import\s+.*)/gm;

/**
 * SciCode's extract_python_script: the first ```python block; else the first ``` block; else the whole reply
 * (a rule of its own, so reports can count it). Import lines are removed in every case.
 */
export function extractScicodeCode(reply: string): ScicodeExtraction {
  let code: string;
  let rule: ScicodeExtractRule;
  if (reply.includes("```")) {
    rule = reply.includes("```python") ? "python-fence" : "fence";
    const after = reply.split(rule === "python-fence" ? "```python" : "```")[1] ?? "";
    code = after.split("```")[0] ?? "";
  } else {
    rule = "whole-reply";
    code = reply;
  }
  return { code: code.replace(IMPORT_LINE, ""), rule };
}

export interface ScicodeScript {
  stepId: string;
  /** The problem's `required_dependencies` (import lines). */
  dependencies: string;
  /** The earlier steps' code, in order. */
  previousCode: readonly string[];
  code: string;
  /** The step's `test_cases`, each a snippet that asserts against `target`. */
  tests: readonly string[];
  /** TargetNode[] from src/datasets/scicode-targets.ts, one per test, as JSON. */
  targetsJson: string;
}

// Lazily read once: the file ships beside this module and never changes while the process runs.
let harnessSource: string | undefined;
function harness(): string {
  harnessSource ??= readFileSync(new URL("./scicode-harness.py", import.meta.url), "utf8");
  return harnessSource;
}

/**
 * The script SciCode would write for the step. JSON.stringify of a string is also a valid Python string literal
 * with the same value (JSON's escapes are a subset of Python's), which is how the harness and targets get in.
 */
export function scicodeProgram(script: ScicodeScript): string {
  const lines = [
    `${script.dependencies}\n${script.previousCode.join("\n")}\n`,
    script.code,
    "",
    "import types as _scicode_types",
    '_scicode_harness = _scicode_types.ModuleType("scicode_harness")',
    `exec(compile(${JSON.stringify(harness())}, "<scicode-harness>", "exec"), _scicode_harness.__dict__)`,
    `_scicode_harness.install(${JSON.stringify(script.targetsJson)}, ${JSON.stringify(script.stepId)})`,
    "from scicode.parse.parse import process_hdf5_to_tuple",
    "",
    `targets = process_hdf5_to_tuple(${JSON.stringify(script.stepId)}, ${script.tests.length})`,
  ];
  script.tests.forEach((test, index) => {
    lines.push(`target = targets[${index}]`, "", test);
  });
  return `${lines.join("\n")}\n`;
}

/** Exit 0 passes; a failed assert and any other error both fail, as in SciCode, but are told apart. */
export function scicodeRunRule(result: PythonProgramResult): ScicodeRunRule {
  if (result.timedOut) return "time-limit";
  if (result.exitCode === 0) return "passed";
  return lastLine(result.stderr).startsWith("AssertionError") ? "assertion-failed" : "runtime-error";
}

/** The end of the traceback: what failed, ≤ 300 characters. */
export function scicodeRunDetail(result: PythonProgramResult): string | undefined {
  if (result.timedOut) return "killed at the time limit";
  if (result.exitCode === 0) return undefined;
  const tail = result.stderr.trim().split("\n").slice(-3).join("\n");
  return (tail === "" ? `exit code ${result.exitCode}` : tail).slice(0, 300);
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return lines[lines.length - 1] ?? "";
}
