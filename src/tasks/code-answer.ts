/**
 * What the code tasks (LiveCodeBench, custom tasks with `answer.type: code`) share: grading the last fenced code
 * block in the GradeContext's sandbox against the tests, and the simulator's answer key.
 */
import { codeVerdictDetail, codeVerdictRule, extractCode } from "../../graders/code/index.ts";
import type { CodeLanguage, CodeRunner, CodeTest, Grade, PythonExecutor, Reply } from "../core/types.ts";
import type { AnswerKey } from "./types.ts";

/** How an item's program is run: its language, the function functional tests call, and its limits. */
export interface CodeSpec {
  language: CodeLanguage;
  funcName?: string | undefined;
  timeoutSec: number;
  memoryMb: number;
  /** Python's sandbox (default Pyodide). */
  executor?: PythonExecutor | undefined;
}

/** pass@1: every test passes. `tests` is called only when the reply has code (LiveCodeBench reads them from disk). */
export async function gradeCode(
  reply: Reply,
  spec: CodeSpec,
  tests: () => CodeTest[],
  runner: CodeRunner,
): Promise<Grade> {
  const code = extractCode(reply.text, spec.language);
  if (code === undefined || code.trim() === "") return { correct: false, answered: false, rule: "none/no-code-block" };
  const all = tests();
  // The context's sandbox pools serve the whole run: Pyodide starts once per worker, not per problem.
  const verdict = await runner.run(code, spec.language, all, {
    ...(spec.funcName !== undefined ? { funcName: spec.funcName } : {}),
    ...(spec.executor !== undefined ? { executor: spec.executor } : {}),
    limits: { timeoutMs: spec.timeoutSec * 1000, memoryMb: spec.memoryMb },
  });
  return {
    correct: verdict.passed,
    answered: true,
    rule: codeVerdictRule(verdict),
    detail: codeVerdictDetail(verdict, all.length),
  };
}

/**
 * For the simulator: a "correct" program that prints each test's known output (looked up by input), and wrong
 * ones that fail in each way the graders tell apart, cheapest first: a wrong answer, a runtime error, a compile
 * error, then a time limit (an endless loop: it costs the item's whole timeoutSec) and a memory limit (one
 * allocation well past the item's memoryMb, refused at once rather than filled).
 */
export function codeAnswerKey(spec: CodeSpec, tests: readonly CodeTest[]): AnswerKey {
  const fence = (code: string) => `\`\`\`${spec.language}\n${code}\n\`\`\``;
  // Python's limit is memoryMb on top of the interpreter's own heap, whose free space can absorb a little more.
  const overMb = 2 * spec.memoryMb + 256;
  // The lookup the correct program answers from: stdin → stdout, or the call's arguments → its return value.
  const known = JSON.stringify(
    spec.funcName === undefined
      ? tests.map((t) => [t.input.trim(), t.output])
      : tests.map((t) => [
          t.input.split("\n").map((line) => JSON.parse(line) as unknown),
          JSON.parse(t.output) as unknown,
        ]),
  );
  if (spec.language === "python") {
    const table = JSON.stringify(known);
    const correct =
      spec.funcName === undefined
        ? `import sys, json\n_known = dict(json.loads(${table}))\nprint(_known.get(sys.stdin.read().strip(), ""))`
        : `import json\n_known = json.loads(${table})\nclass Solution:\n    def ${spec.funcName}(self, *args):\n        for a, out in _known:\n            if a == list(args):\n                return out\n        return None`;
    // The body of a stdin program, or of the Solution method for a functional problem.
    const program = (body: string) =>
      spec.funcName === undefined
        ? body
        : `class Solution:\n    def ${spec.funcName}(self, *args):\n${body
            .split("\n")
            .map((line) => `        ${line}`)
            .join("\n")}`;
    return {
      correct: fence(correct),
      wrong: [
        fence(spec.funcName === undefined ? "print(-1)" : program("return -1")),
        fence(program("raise ValueError('wrong approach')")),
        fence("def broken(:\n    pass"),
        fence(program("while True:\n    pass")),
        fence(program(`memo = bytearray(${overMb} * 2**20)`)),
      ],
    };
  }
  const correct =
    spec.funcName === undefined
      ? `const known = new Map(${known});\nconsole.log(known.get(input.trim()) ?? "");`
      : `const known = ${known};\nfunction ${spec.funcName}(...args) {\n  const hit = known.find(([a]) => JSON.stringify(a) === JSON.stringify(args));\n  return hit === undefined ? null : hit[1];\n}`;
  const program = (body: string) =>
    spec.funcName === undefined ? body : `function ${spec.funcName}() {\n  ${body}\n}`;
  return {
    correct: fence(correct),
    wrong: [
      fence(spec.funcName === undefined ? "console.log(-1);" : program("return -1;")),
      fence(program("throw new Error('wrong approach');")),
      fence("function broken( {"),
      fence(program("for (;;) {}")),
      fence(program(`const memo = new ArrayBuffer(${overMb} * 2 ** 20);`)),
    ],
  };
}
