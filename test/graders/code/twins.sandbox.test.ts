/**
 * Twins: LiveCodeBench problems solved in Python and in JavaScript, the JavaScript once per way people read
 * standard input in Node (and per way they write a LeetCode function), all graded by the real sandboxes
 * (Pyodide and isolated-vm) on the same tests. Every JavaScript twin must get its Python twin's verdict test by
 * test: all passing for the right solutions, and the same failures for the deliberately wrong ones (with the
 * same detail for a stdin wrong answer, which the host writes from the output alone).
 *
 * The problems are the LiveCodeBench rows of our fixture (test/fixtures/hub/livecodebench, their private tests
 * in the dataset's zlib+pickle encoding), one generated problem whose input spans many 64 Ki chunks, and, with
 * QUANTEVAL_REAL_DATA, the real row 1873_A.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { createCodeRunner } from "../../../graders/code/runner.ts";
import type { CodeLanguage, CodeTest, CodeVerdict, RunLimits } from "../../../graders/code/types.ts";
import { decodeLcbTests, parseLcbMetadata, parseLcbPublicTests } from "../../../src/datasets/livecodebench-tests.ts";
import { FIXTURE_HUB, REAL_DATA } from "../../helpers/task-data.ts";

const LIMITS: RunLimits = { timeoutMs: 20_000, memoryMb: 256 };
const runner = createCodeRunner({ pythonWorkers: 1, javascriptWorkers: 1 });
afterAll(() => runner.close());

/** Program lines, joined: one line of the program per string. */
const program = (...lines: string[]): string => lines.join("\n");

/** A LiveCodeBench row's tests and function name, decoded as the livecodebench task decodes them. */
function lcbProblem(file: string, questionId: string): { tests: CodeTest[]; funcName?: string } {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "");
  const rows = lines.map((line) => JSON.parse(line) as Record<string, string>);
  const row = rows.find((r) => r.question_id === questionId);
  if (row === undefined) throw new Error(`${questionId} is not in ${file}`);
  const where = `${file} ${questionId}`;
  return {
    tests: [
      ...parseLcbPublicTests(row.public_test_cases ?? "", `${where} public_test_cases`),
      ...decodeLcbTests(row.private_test_cases ?? "", `${where} private_test_cases`),
    ],
    ...parseLcbMetadata(row.metadata ?? "", `${where} metadata`),
  };
}

const LCB_DIR = "livecodebench/code_generation_lite";
const fixture = (file: string, questionId: string) => lcbProblem(join(FIXTURE_HUB, LCB_DIR, file), questionId);

/**
 * Standard-input idioms: each wraps a `solve(text)` that returns the whole output. The readline ones rebuild the
 * text from its lines, so every idiom hands `solve` the same input when the shims deliver it whole and in order.
 */
const STDIN_IDIOMS: Record<string, (solve: string) => string> = {
  "fs.readFileSync(0, 'utf8')": (solve) => program(solve, "console.log(solve(require('fs').readFileSync(0, 'utf8')));"),
  "fs.readFileSync('/dev/stdin') as a Buffer": (solve) =>
    program(
      solve,
      "const data = require('fs').readFileSync('/dev/stdin');",
      "process.stdout.write(solve(data.toString()) + '\\n');",
    ),
  "readline on('line') and on('close')": (solve) =>
    program(
      solve,
      "const rl = require('readline').createInterface({ input: process.stdin });",
      "const lines = [];",
      "rl.on('line', (line) => lines.push(line));",
      "rl.on('close', () => console.log(solve(lines.join('\\n'))));",
    ),
  "readline async iteration": (solve) =>
    program(
      solve,
      "async function main() {",
      "  const rl = require('readline').createInterface({ input: process.stdin, crlfDelay: Infinity });",
      "  const lines = [];",
      "  for await (const line of rl) lines.push(line);",
      "  console.log(solve(lines.join('\\n')));",
      "}",
      "main();",
    ),
  "process.stdin on('data') and on('end')": (solve) =>
    program(
      solve,
      "let data = '';",
      "process.stdin.on('data', (chunk) => { data += chunk; });",
      "process.stdin.on('end', () => console.log(solve(data)));",
    ),
  "for await over process.stdin": (solve) =>
    program(
      solve,
      "(async () => {",
      "  const chunks = [];",
      "  for await (const chunk of process.stdin) chunks.push(chunk);",
      "  console.log(solve(Buffer.concat(chunks).toString('utf8')));",
      "})();",
    ),
};

/** The same solution in both languages: a whole Python program, and (for stdin) JavaScript's `function solve(text)`. */
interface Twin {
  python: string;
  js: string;
}

/** A deliberate mistake, made the same way in both languages: one edit [from, to] of each right program. */
interface Mistake {
  mistake: string;
  python: [string, string];
  js: [string, string];
}

function withMistake(code: string, [from, to]: [string, string]): string {
  if (!code.includes(from)) throw new Error(`the mistake's ${JSON.stringify(from)} is not in the program`);
  return code.replace(from, to);
}

interface StdinProblem {
  name: string;
  tests: () => CodeTest[];
  right: Twin;
  wrong: Mistake[];
}

/** A sum over many lines of numbers, its input made from a seeded generator: ~1.4 MB, so ~22 chunks. */
function manyNumbersTests(): CodeTest[] {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const make = (count: number): CodeTest => {
    const numbers = Array.from({ length: count }, () => next() % 1_000_000);
    const rows: string[] = [];
    for (let i = 0; i < count; i += 10) rows.push(numbers.slice(i, i + 10).join(" "));
    const sum = numbers.reduce((a, b) => a + b, 0);
    const max = numbers.reduce((a, b) => Math.max(a, b));
    return { input: `${count}\n${rows.join("\n")}\n`, output: `${sum}\n${max}\n`, testtype: "stdin" };
  };
  return [make(12), make(200_000), make(25)];
}

const STDIN_PROBLEMS: StdinProblem[] = [
  {
    name: "abc900_a Add Two Integers",
    tests: () => fixture("test.jsonl", "abc900_a").tests,
    right: {
      python: program("a, b = map(int, input().split())", "print(a + b)"),
      js: program(
        "function solve(text) {",
        "  const [a, b] = text.trim().split(/\\s+/).map(Number);",
        "  return String(a + b);",
        "}",
      ),
    },
    wrong: [
      { mistake: "multiplies", python: ["a + b", "a * b"], js: ["a + b", "a * b"] },
      { mistake: "adds a name it never defined", python: ["a + b", "a + b + c"], js: ["a + b", "a + b + c"] },
    ],
  },
  {
    name: "9001_A Reverse the String",
    tests: () => fixture("test.jsonl", "9001_A").tests,
    right: {
      python: program("t = int(input())", "for _ in range(t):", "    print(input()[::-1])"),
      js: program(
        "function solve(text) {",
        "  const lines = text.split('\\n');",
        "  const t = Number(lines[0]);",
        "  return lines.slice(1, t + 1).map((s) => [...s].reverse().join('')).join('\\n');",
        "}",
      ),
    },
    wrong: [
      {
        mistake: "drops a character",
        python: ["[::-1]", "[:0:-1]"],
        js: [".join(''))", ".join('').slice(0, -1))"],
      },
    ],
  },
  {
    name: "abc901_e Range Sum Queries (a test of 15,000 numbers and 600 queries)",
    tests: () => fixture("test6.jsonl", "abc901_e").tests,
    right: {
      python: program(
        "import sys",
        "data = sys.stdin.read().split()",
        "n, q = int(data[0]), int(data[1])",
        "prefix = [0]",
        "for x in data[2:2 + n]:",
        "    prefix.append(prefix[-1] + int(x))",
        "out = []",
        "for i in range(q):",
        "    l, r = int(data[2 + n + 2 * i]), int(data[3 + n + 2 * i])",
        "    out.append(prefix[r] - prefix[l - 1])",
        "print('\\n'.join(map(str, out)))",
      ),
      js: program(
        "function solve(text) {",
        "  const data = text.split(/\\s+/).filter((s) => s !== '').map(Number);",
        "  const [n, q] = data;",
        "  const prefix = [0];",
        "  for (let i = 0; i < n; i++) prefix.push(prefix[i] + data[2 + i]);",
        "  const out = [];",
        "  for (let i = 0; i < q; i++) out.push(prefix[data[3 + n + 2 * i]] - prefix[data[2 + n + 2 * i] - 1]);",
        "  return out.join('\\n');",
        "}",
      ),
    },
    wrong: [
      {
        mistake: "leaves out the right end",
        python: ["prefix[r] -", "prefix[r - 1] -"],
        js: ["prefix[data[3 + n + 2 * i]] -", "prefix[data[3 + n + 2 * i] - 1] -"],
      },
    ],
  },
  {
    name: "9002_B Even Sum",
    tests: () => fixture("test6.jsonl", "9002_B").tests,
    right: {
      python: program("input()", "print(sum(x for x in map(int, input().split()) if x % 2 == 0))"),
      js: program(
        "function solve(text) {",
        "  const numbers = text.split('\\n')[1].trim().split(/\\s+/).map(Number);",
        "  return String(numbers.filter((x) => x % 2 === 0).reduce((a, b) => a + b, 0));",
        "}",
      ),
    },
    wrong: [
      {
        mistake: "forgets the negative even numbers",
        python: ["if x %", "if x > 0 and x %"],
        js: ["(x) => x %", "(x) => x > 0 && x %"],
      },
    ],
  },
  {
    name: "many numbers over many lines (~1.4 MB of input, lines cut across chunks)",
    tests: manyNumbersTests,
    right: {
      python: program(
        "import sys",
        "lines = sys.stdin.read().strip().split('\\n')[1:]",
        "xs = [int(t) for line in lines for t in line.split()]",
        "print(sum(xs))",
        "print(max(xs))",
      ),
      js: program(
        "function solve(text) {",
        "  const xs = text.trim().split('\\n').slice(1).flatMap((line) => line.trim().split(' ')).map(Number);",
        "  let sum = 0, max = -Infinity;",
        "  for (const x of xs) { sum += x; if (x > max) max = x; }",
        "  return sum + '\\n' + max;",
        "}",
      ),
    },
    wrong: [{ mistake: "misses the last line", python: ["[1:]", "[1:-1]"], js: [".slice(1)", ".slice(1, -1)"] }],
  },
];

/** 1873_A Short Sort: only with QUANTEVAL_REAL_DATA (the real row, whose private tests are zlib+pickle). */
const SHORT_SORT: Omit<StdinProblem, "tests"> = {
  name: "1873_A Short Sort (real row)",
  right: {
    python: program(
      "t = int(input())",
      "for _ in range(t):",
      "    s = input().strip()",
      "    print('YES' if sum(a != b for a, b in zip(s, 'abc')) <= 2 else 'NO')",
    ),
    js: program(
      "function solve(text) {",
      "  const [t, ...cards] = text.trim().split(/\\s+/);",
      "  const mismatches = (s) => [...s].filter((c, i) => c !== 'abc'[i]).length;",
      "  return cards.slice(0, Number(t)).map((s) => (mismatches(s) <= 2 ? 'YES' : 'NO')).join('\\n');",
      "}",
    ),
  },
  wrong: [{ mistake: "counts a swap as fixing one letter", python: ["<= 2", "<= 1"], js: ["<= 2", "<= 1"] }],
};

async function grade(code: string, language: CodeLanguage, tests: CodeTest[], funcName?: string): Promise<CodeVerdict> {
  const options = { limits: LIMITS, stopAtFirstFailure: false, ...(funcName === undefined ? {} : { funcName }) };
  return runner.run(code, language, tests, options);
}

/** What must agree between twins: each test's status, and a stdin wrong answer's detail. */
function comparable(verdict: CodeVerdict, testtype: CodeTest["testtype"]): { status: string; detail?: string }[] {
  return verdict.tests.map((t) =>
    t.status === "wrong_answer" && testtype === "stdin"
      ? { status: t.status, detail: t.detail ?? "" }
      : { status: t.status },
  );
}

async function checkStdinTwins(problem: Omit<StdinProblem, "tests">, tests: CodeTest[]): Promise<void> {
  expect(tests.length).toBeGreaterThan(0);
  const python = await grade(problem.right.python, "python", tests);
  expect(
    python.tests.map((t) => t.status),
    "the Python solution",
  ).toEqual(tests.map(() => "passed"));
  for (const [idiom, wrap] of Object.entries(STDIN_IDIOMS)) {
    const verdict = await grade(wrap(problem.right.js), "javascript", tests);
    expect(comparable(verdict, "stdin"), idiom).toEqual(comparable(python, "stdin"));
  }
  for (const wrong of problem.wrong) {
    const pythonWrong = await grade(withMistake(problem.right.python, wrong.python), "python", tests);
    expect(pythonWrong.passed, `the Python twin that ${wrong.mistake} must fail`).toBe(false);
    const solve = withMistake(problem.right.js, wrong.js);
    for (const [idiom, wrap] of Object.entries(STDIN_IDIOMS)) {
      const verdict = await grade(wrap(solve), "javascript", tests);
      expect(comparable(verdict, "stdin"), `${wrong.mistake}, ${idiom}`).toEqual(comparable(pythonWrong, "stdin"));
    }
  }
}

describe("stdin twins: Python and each Node idiom get the same verdicts", () => {
  test.each(STDIN_PROBLEMS)("$name", async (problem) => {
    await checkStdinTwins(problem, problem.tests());
  });
});

describe.skipIf(REAL_DATA === undefined)("stdin twins on the real row 1873_A (QUANTEVAL_REAL_DATA)", () => {
  test(SHORT_SORT.name, async () => {
    const { tests } = lcbProblem(join(REAL_DATA ?? "", LCB_DIR, "test.sample.jsonl"), "1873_A");
    await checkStdinTwins(SHORT_SORT, tests);
  });
});

/** The ways a LeetCode function is written in JavaScript, found by the problem's func_name. */
const FUNCTION_SHAPES: Record<string, (name: string, params: string, body: string) => string> = {
  "var f = function": (name, params, body) => program(`var ${name} = function (${params}) {`, body, "};"),
  "class Solution": (name, params, body) => program("class Solution {", `  ${name}(${params}) {`, body, "  }", "}"),
  "const f = () =>": (name, params, body) => program(`const ${name} = (${params}) => {`, body, "};"),
  "function f": (name, params, body) => program(`function ${name}(${params}) {`, body, "}"),
};

interface FunctionalProblem {
  name: string;
  questionId: string;
  file: string;
  params: string;
  /** Here `js` is the function's body, written in each of FUNCTION_SHAPES. */
  right: Twin;
  wrong: Mistake;
}

const FUNCTIONAL_PROBLEMS: FunctionalProblem[] = [
  {
    name: "9101 two-sum",
    questionId: "9101",
    file: "test.jsonl",
    params: "nums, target",
    right: {
      python: program(
        "class Solution:",
        "    def twoSum(self, nums: List[int], target: int) -> List[int]:",
        "        seen = {}",
        "        for i, x in enumerate(nums):",
        "            if target - x in seen:",
        "                return [seen[target - x], i]",
        "            seen[x] = i",
      ),
      js: program(
        "  const seen = new Map();",
        "  for (let i = 0; i < nums.length; i++) {",
        "    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];",
        "    seen.set(nums[i], i);",
        "  }",
      ),
    },
    wrong: {
      mistake: "puts the larger index first",
      python: ["[seen[target - x], i]", "[i, seen[target - x]]"],
      js: ["[seen.get(target - nums[i]), i]", "[i, seen.get(target - nums[i])]"],
    },
  },
  {
    name: "9102 reverse-words",
    questionId: "9102",
    file: "test6.jsonl",
    params: "s",
    right: {
      python: program(
        "class Solution:",
        "    def reverseWords(self, s: str) -> str:",
        "        return ' '.join(reversed(s.split()))",
      ),
      js: "  return s.trim().split(/\\s+/).reverse().join(' ');",
    },
    wrong: {
      mistake: "keeps repeated spaces",
      python: ["s.split()", "s.split(' ')"],
      js: ["s.trim().split(/\\s+/)", "s.split(' ')"],
    },
  },
];

describe("functional twins: Python's class Solution and each JavaScript shape get the same verdicts", () => {
  test.each(FUNCTIONAL_PROBLEMS)("$name", async (problem) => {
    const { tests, funcName } = fixture(problem.file, problem.questionId);
    if (funcName === undefined) throw new Error(`${problem.questionId} has no func_name`);
    const python = await grade(problem.right.python, "python", tests, funcName);
    expect(
      python.tests.map((t) => t.status),
      "the Python solution",
    ).toEqual(tests.map(() => "passed"));
    const pythonWrong = await grade(withMistake(problem.right.python, problem.wrong.python), "python", tests, funcName);
    expect(pythonWrong.passed, `the Python twin that ${problem.wrong.mistake} must fail`).toBe(false);
    for (const [shape, write] of Object.entries(FUNCTION_SHAPES)) {
      const right = await grade(write(funcName, problem.params, problem.right.js), "javascript", tests, funcName);
      expect(comparable(right, "functional"), shape).toEqual(comparable(python, "functional"));
      // Not the detail: it quotes each language's own JSON of the result ("[1, 0]" from Python, "[1,0]" here).
      const body = withMistake(problem.right.js, problem.wrong.js);
      const wrong = await grade(write(funcName, problem.params, body), "javascript", tests, funcName);
      const expected = comparable(pythonWrong, "functional");
      expect(comparable(wrong, "functional"), `${problem.wrong.mistake}, ${shape}`).toEqual(expected);
    }
  });
});
