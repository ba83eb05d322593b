/**
 * `quanteval grade`: JSONL in, one verdict per line out, graded by the same helpers the tasks use. Most cases
 * call the command in-process with a stream for stdin; one drives the real CLI with a pipe.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { gradeCommand } from "../../src/cli/commands/grade.ts";
import type { GradeFlags } from "../../src/cli/flags.ts";
import type { CliIo } from "../../src/cli/main.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { BIN, tempDir } from "../e2e/harness.ts";
import { FIXTURE_HUB, REAL_DATA } from "../helpers/task-data.ts";

interface Graded {
  code: number;
  verdicts: Record<string, unknown>[];
  stderr: string;
}

async function grade(mode: string, lines: readonly (string | object)[], flags: GradeFlags = {}): Promise<Graded> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    cwd: process.cwd(),
    isTty: false,
  };
  const text = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
  const code = await gradeCommand(mode, flags, { io, input: Readable.from([text]) });
  return {
    code,
    verdicts: stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr,
  };
}

/** A reply with its program in a fenced block, as models write it. */
const fence = (language: string, code: string) => `Here it is:\n\`\`\`${language}\n${code}\n\`\`\``;

describe("grade math", () => {
  test("right, wrong and unanswered, with the rule that decided", async () => {
    const result = await grade("math", [
      { gold: "\\frac{1}{2}", response: "Halving gives \\boxed{0.5}." },
      { gold: "\\frac{1}{2}", response: "So the answer is\n\nAnswer: 2" },
      { gold: "7", response: "I am not sure." },
    ]);
    expect(result.code).toBe(0);
    expect(result.verdicts).toEqual([
      { correct: true, answered: true, extracted: "0.5", rule: "boxed/numeric-equal" },
      { correct: false, answered: true, extracted: "2", rule: "answer-line/not-equal" },
      { correct: false, answered: false, extracted: null, rule: "none/no-answer" },
    ]);
    expect(result.stderr).toMatch(/graded 3 line\(s\): 1 correct, 1 wrong, 1 unanswered/);
  });

  test("reasoning in <think>…</think> is stripped as the client does; a <think> that never closes has no answer", async () => {
    const result = await grade("math", [
      { gold: "3", response: "<think>maybe \\boxed{3}?</think>Answer: 4" },
      { gold: "3", response: "<think>it is \\boxed{3}" },
      { gold: "3", response: "thinking without the opening tag</think>\\boxed{3}" },
    ]);
    expect(result.verdicts.map((v) => [v.correct, v.answered, v.extracted])).toEqual([
      [false, true, "4"],
      [false, false, null],
      [true, true, "3"],
    ]);
  });
});

describe("grade integer", () => {
  test("AIME answers: leading zeros and degrees read as integers; out of range is answered but wrong", async () => {
    const result = await grade("integer", [
      { gold: "025", response: "\\boxed{25}" },
      { gold: 336, response: "Answer: $336^\\circ$" },
      { gold: "70", response: "Answer: 1000" },
      { gold: "70", response: "no idea" },
    ]);
    expect(result.code).toBe(0);
    expect(result.verdicts).toEqual([
      { correct: true, answered: true, extracted: "25", rule: "boxed/integer-equal" },
      { correct: true, answered: true, extracted: "336", rule: "answer-line/integer-equal" },
      { correct: false, answered: true, extracted: "1000", rule: "answer-line/not-an-integer" },
      { correct: false, answered: false, extracted: null, rule: "none/no-answer" },
    ]);
  });

  test("a gold that is not an integer 0–999 is an error line, not a wrong answer", async () => {
    const result = await grade("integer", [{ gold: "1/2", response: "\\boxed{1}" }]);
    expect(result.code).toBe(1);
    expect(result.verdicts).toEqual([{ error: 'line 1: gold: "1/2" is not an integer 0–999' }]);
  });
});

describe("grade choice", () => {
  test("letters by answer line and by option text; a letter outside --letters is no answer", async () => {
    const result = await grade(
      "choice",
      [
        { gold: "B", response: "Reasoning…\nAnswer: (B)" },
        { gold: "B", response: "The answer is C" },
        { gold: "C", response: "Answer: Paris", options: ["London", "Rome", "Paris", "Madrid"] },
        { gold: "A", response: "Answer: E" },
      ],
      { letters: "ABCD" },
    );
    expect(result.code).toBe(0);
    expect(result.verdicts).toEqual([
      { correct: true, answered: true, extracted: "B", rule: "answer-line/letter-equal" },
      { correct: false, answered: true, extracted: "C", rule: "answer-is/letter-equal" },
      { correct: true, answered: true, extracted: "C", rule: "answer-line-text/letter-equal" },
      { correct: false, answered: false, extracted: null, rule: "none/no-answer" },
    ]);
  });

  test("without --letters: A–J, or one letter per option of the line", async () => {
    const result = await grade("choice", [
      { gold: "J", response: "Answer: J" },
      { gold: "A", response: "Answer: E", options: ["a", "b", "c", "d"] },
    ]);
    expect(result.verdicts.map((v) => [v.correct, v.answered])).toEqual([
      [true, true],
      [false, false],
    ]);
  });
});

describe("malformed input", () => {
  test("a bad line gets an error verdict naming it, later lines are still graded, and the exit code is 1", async () => {
    const result = await grade("choice", [
      { gold: "A", response: "Answer: A" },
      "{not json",
      "",
      { gold: "A" },
      { gold: "Q", response: "Answer: Q" },
      { gold: "B", response: "Answer: B" },
    ]);
    expect(result.code).toBe(1);
    expect(result.verdicts).toHaveLength(5); // the blank line is skipped, but counted in line numbers
    expect(result.verdicts[0]).toMatchObject({ correct: true });
    expect(result.verdicts[1]).toEqual({ error: expect.stringMatching(/^line 2: not JSON/) });
    expect(result.verdicts[2]).toEqual({ error: expect.stringMatching(/^line 4: response: /) });
    expect(result.verdicts[3]).toEqual({ error: 'line 5: gold: must be one of the letters ABCDEFGHIJ (got "Q")' });
    expect(result.verdicts[4]).toMatchObject({ correct: true, extracted: "B" });
    expect(result.stderr).toMatch(/3 line\(s\) could not be graded/);
  });

  test("bad flags or an unknown mode fail before any input is read", async () => {
    await expect(grade("essay", [])).rejects.toThrow(ConfigError);
    await expect(grade("choice", [], { letters: "XYZ" })).rejects.toThrow(
      /--letters: must be 2–26 distinct capital letters/,
    );
    await expect(grade("math", [], { timeoutSec: "5" })).rejects.toThrow(/--timeout-sec: only for `grade code`/);
    await expect(grade("code", [], { timeoutSec: "0" })).rejects.toThrow(/--timeout-sec: must be a number/);
  });
});

describe("grade code", () => {
  const stdinTests = [
    { input: "1 2\n", output: "3\n", testtype: "stdin" },
    { input: "40 2", output: "42", testtype: "stdin" },
  ];

  test("Python: a passing and a failing program, per-test outcomes kept", async () => {
    const result = await grade("code", [
      {
        problem: { tests: stdinTests },
        response: fence("python", "a, b = map(int, input().split())\nprint(a + b)"),
        language: "python",
      },
      { problem: { tests: stdinTests }, response: fence("python", "print(3)"), language: "python" },
    ]);
    expect(result.code).toBe(0);
    expect(result.verdicts[0]).toEqual({
      correct: true,
      answered: true,
      extracted: "a, b = map(int, input().split())\nprint(a + b)",
      rule: "code-block/all-tests-passed",
      detail: "2/2 tests passed",
      tests: [{ status: "passed" }, { status: "passed" }],
    });
    expect(result.verdicts[1]).toMatchObject({
      correct: false,
      answered: true,
      rule: "code-block/wrong_answer",
      tests: [{ status: "passed" }, { status: "wrong_answer" }],
    });
    expect(result.verdicts[1]?.detail).toMatch(/^1\/2 tests passed; test 2: wrong_answer: /);
  });

  test("JavaScript: functional tests call funcName; a throwing program is a runtime error; no code block is no answer", async () => {
    const tests = [{ input: "[1,2]\n3", output: "6", testtype: "functional" }];
    const result = await grade(
      "code",
      [
        {
          problem: { tests, funcName: "sum3" },
          response: fence("javascript", "function sum3(xs, k) { return xs[0] + xs[1] + k; }"),
          language: "javascript",
        },
        {
          problem: { tests, funcName: "sum3" },
          response: fence("js", "function sum3() { throw new Error('nope'); }"),
          language: "javascript",
        },
        { problem: { tests, funcName: "sum3" }, response: "I would use a loop.", language: "javascript" },
        { problem: { tests }, response: fence("javascript", "function sum3() { return 6; }"), language: "javascript" },
      ],
      { timeoutSec: "5" },
    );
    expect(result.code).toBe(1);
    expect(result.verdicts[0]).toMatchObject({
      correct: true,
      answered: true,
      rule: "code-block/all-tests-passed",
      tests: [{ status: "passed" }],
    });
    expect(result.verdicts[1]).toMatchObject({
      correct: false,
      answered: true,
      rule: "code-block/runtime_error",
      tests: [{ status: "runtime_error" }],
    });
    expect(result.verdicts[2]).toEqual({
      correct: false,
      answered: false,
      extracted: null,
      rule: "none/no-code-block",
      tests: [],
    });
    expect(result.verdicts[3]).toEqual({ error: "line 4: problem.funcName: required for functional tests" });
  });
});

const LCB_DIR = "livecodebench/code_generation_lite";

/** A LiveCodeBench row as the dataset has it: tests as JSON strings (private ones zlib+pickle), metadata JSON. */
function lcbRow(questionId: string, file = join(FIXTURE_HUB, LCB_DIR, "test.jsonl")): Record<string, unknown> {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "");
  const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const row = rows.find((r) => r.question_id === questionId);
  if (row === undefined) throw new Error(`${questionId} is not in ${file}`);
  return row;
}

const STOPPED = (total: number) => `(stopped after the first failure: 1 of ${total} run)`;
const MISSING = "ReferenceError: no function or Solution method named ";

describe("grade code: LiveCodeBench rows as they are", () => {
  const reverse = fence("python", "for _ in range(int(input())):\n    print(input()[::-1])");
  const twoSum = fence(
    "javascript",
    [
      "var twoSum = function (nums, target) {",
      "  for (let i = 0; i < nums.length; i++) {",
      "    for (let j = i + 1; j < nums.length; j++) if (nums[i] + nums[j] === target) return [i, j];",
      "  }",
      "};",
    ].join("\n"),
  );

  test("a row under problem, or its fields at the top level: public JSON and zlib+pickle private tests", async () => {
    const addTwo = lcbRow("abc900_a");
    const readlineSum = fence(
      "javascript",
      [
        "const rl = require('readline').createInterface({ input: process.stdin });",
        "rl.on('line', (line) => console.log(line.split(' ').map(Number).reduce((a, b) => a + b)));",
      ].join("\n"),
    );
    const bytesRead = fence("javascript", "print(require('fs').readFileSync(0).length);");
    const result = await grade(
      "code",
      [
        { problem: lcbRow("9001_A"), response: reverse, language: "python" },
        { ...addTwo, response: readlineSum, language: "javascript" },
        { ...addTwo, response: bytesRead, language: "javascript" },
      ],
      { timeoutSec: "10" },
    );
    expect(result.code).toBe(0);
    expect(result.verdicts.map((v) => [v.correct, v.rule, v.detail])).toEqual([
      [true, "code-block/all-tests-passed", "3/3 tests passed"],
      [true, "code-block/all-tests-passed", "9/9 tests passed"],
      [
        false,
        "code-block/wrong_answer",
        `0/9 tests passed ${STOPPED(9)}; test 1: wrong_answer: line 1: got "4", expected "8"`,
      ],
    ]);
  });

  test("functional rows: metadata.func_name from the dataset's JSON string, or an object by test lists", async () => {
    const row = lcbRow("9101");
    const decoded = {
      question_id: "9101",
      public_test_cases: [{ input: "[2,7,11,15]\n9", output: "[0,1]", testtype: "functional" }],
      private_test_cases: [
        { input: "[3,3]\n6", output: "[0,1]", testtype: "functional" },
        { input: "[3,2,4]\n6", output: "[1,2]", testtype: "functional" },
      ],
      metadata: { func_name: "twoSum" },
    };
    const result = await grade(
      "code",
      [
        { problem: row, response: twoSum, language: "javascript" },
        { problem: decoded, response: twoSum, language: "javascript" },
        { problem: { ...decoded, metadata: { func_name: "threeSum" } }, response: twoSum, language: "javascript" },
      ],
      { timeoutSec: "10" },
    );
    expect(result.verdicts.map((v) => [v.correct, v.detail])).toEqual([
      [true, "5/5 tests passed"],
      [true, "3/3 tests passed"],
      [false, `0/3 tests passed ${STOPPED(3)}; test 1: runtime_error: ${MISSING}threeSum`],
    ]);
  });

  test("bad rows: an error per line that names the line and the field", async () => {
    const row = lcbRow("9101");
    const response = twoSum;
    const result = await grade("code", [
      { problem: { ...row, private_test_cases: "not base64!" }, response },
      { problem: { ...row, public_test_cases: [{ input: "[1]", testtype: "functional" }] }, response },
      { problem: { ...row, metadata: "{func_name" }, response },
      { problem: { ...row, metadata: { func_name: 3 } }, response },
      { problem: { ...row, metadata: "{}" }, response },
      { problem: { ...row, public_test_cases: 5 }, response },
      { problem: { public_test_cases: "[]", private_test_cases: [] }, response },
      { problem: { ...row, tests: [] }, response },
      { problem: { ...row, funcName: "twoSum" }, response },
      { ...row, metadata: "[]", response },
      { response },
      { problem: "9101", response },
      { ...row, problem: row, response },
    ]);
    expect(result.code).toBe(1);
    expect(result.verdicts.map((v) => v.error)).toEqual([
      'line 1: problem.private_test_cases: private tests are neither JSON nor base64 (starts with "not base64!")',
      'line 2: problem.public_test_cases test 0: "output" is not a string (got nothing)',
      expect.stringMatching(/^line 3: problem.metadata: metadata is not JSON: /u),
      "line 4: problem.metadata: metadata.func_name is not a non-empty string (got number 3)",
      "line 5: problem.metadata.func_name: required for functional tests",
      expect.stringMatching(/^line 6: problem.public_test_cases: Invalid input/u),
      "line 7: problem.public_test_cases, problem.private_test_cases: no tests in either",
      "line 8: problem: tests and a LiveCodeBench row's test fields: give one",
      "line 9: problem.funcName: a LiveCodeBench row names its function in problem.metadata.func_name",
      "line 10: metadata: metadata is not a JSON object (got an array)",
      "line 11: problem: required: { tests, funcName? } or a LiveCodeBench row, or the row's fields at the top level",
      "line 12: problem: must be an object: { tests, funcName? } or a LiveCodeBench row",
      "line 13: problem: and a row's test fields beside it: give one",
    ]);
  });
});

describe.skipIf(REAL_DATA === undefined)("grade code on the real row 1873_A (QUANTEVAL_REAL_DATA)", () => {
  test("the row as the dataset has it, zlib+pickle private tests and all: a right and a wrong answer", async () => {
    const row = lcbRow("1873_A", join(REAL_DATA ?? "", LCB_DIR, "test.sample.jsonl"));
    const program = (limit: number) =>
      fence(
        "python",
        [
          "for _ in range(int(input())):",
          "    s = input().strip()",
          `    print('YES' if sum(a != b for a, b in zip(s, 'abc')) <= ${limit} else 'NO')`,
        ].join("\n"),
      );
    const result = await grade("code", [
      { ...row, response: program(2) },
      { problem: row, response: program(1) },
    ]);
    expect(result.verdicts.map((v) => [v.correct, v.rule, v.detail])).toEqual([
      [true, "code-block/all-tests-passed", "5/5 tests passed"],
      [
        false,
        "code-block/wrong_answer",
        `0/5 tests passed ${STOPPED(5)}; test 1: wrong_answer: line 2: got "NO", expected "YES"`,
      ],
    ]);
  });
});

test("the CLI reads stdin and writes one verdict per line; a malformed line makes it exit 1", async () => {
  const child = spawn(process.execPath, [BIN, "grade", "math"], {
    cwd: tempDir("grade"),
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.stdin.end(
    `${JSON.stringify({ gold: "2", response: "\\boxed{2}" })}\nnot json\n${JSON.stringify({ gold: "2", response: "Answer: 3" })}\n`,
  );
  const code = await new Promise<number | null>((resolveExit) => child.on("close", resolveExit));
  expect(code).toBe(1);
  expect(
    stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as unknown),
  ).toEqual([
    { correct: true, answered: true, extracted: "2", rule: "boxed/string-equal" },
    { error: expect.stringMatching(/^line 2: not JSON/) },
    { correct: false, answered: true, extracted: "3", rule: "answer-line/not-equal" },
  ]);
  expect(stderr).toMatch(/1 line\(s\) could not be graded/);
});
