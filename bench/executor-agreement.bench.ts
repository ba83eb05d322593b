/**
 * The two Python executors side by side (issue 20): do Pyodide and native CPython in bubblewrap give the same
 * verdicts on LiveCodeBench problems, and how fast does each run a test?
 *
 * The LiveCodeBench data here has no reference solutions (the real file holds one row), so the programs are ours:
 * a known-correct solution for each LCB problem among the project's fixtures (test/fixtures/hub, in the real row
 * format) and the real 1873_A row where QUANTEVAL_REAL_DATA has it, each with a near miss, plus programs that end
 * in each other verdict (runtime error, compile error, time limit, memory limit). Both executors get the same
 * limits, and every test is run (no stop at the first failure), so every test's verdict is compared.
 * Speed: each correct solution's tests one by one, wall time per test as the grader sees it (the native executor
 * starts a fresh sandbox per test; the Pyodide worker is warm), and the program's own run time.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createCodeRunner, detectNativePython } from "../graders/code/index.ts";
import type { CodeTest, CodeVerdict, PythonExecutor, RunOptions } from "../graders/code/types.ts";
import { decodeLcbTests, parseLcbMetadata, parseLcbPublicTests } from "../src/datasets/index.ts";
import { type Figure, figureFromTimes } from "./figures.ts";
import { REAL_DATA_DIR } from "./real-data.ts";

const FIXTURES = join(import.meta.dirname, "../test/fixtures/hub/livecodebench/code_generation_lite");
const REAL_SAMPLE = join(REAL_DATA_DIR, "livecodebench/code_generation_lite/test.sample.jsonl");
/** The same for both executors: LiveCodeBench's 6 s, and its memory default. */
const LIMITS = { timeoutMs: 6000, memoryMb: 1024 };
const lines = (...text: string[]): string => text.join("\n");

interface Problem {
  file: string;
  questionId: string;
  right: string;
  /** [from, to]: the near miss is the right program with this one change. */
  miss: [string, string];
}

const PROBLEMS: Problem[] = [
  {
    file: join(FIXTURES, "test.jsonl"),
    questionId: "abc900_a",
    right: lines("a, b = map(int, input().split())", "print(a + b)"),
    miss: ["a + b", "a * b"],
  },
  {
    file: join(FIXTURES, "test.jsonl"),
    questionId: "9001_A",
    right: lines("t = int(input())", "for _ in range(t):", "    print(input()[::-1])"),
    miss: ["[::-1]", "[:0:-1]"],
  },
  {
    file: join(FIXTURES, "test.jsonl"),
    questionId: "9101",
    right: lines(
      "class Solution:",
      "    def twoSum(self, nums: List[int], target: int) -> List[int]:",
      "        seen = {}",
      "        for i, x in enumerate(nums):",
      "            if target - x in seen:",
      "                return [seen[target - x], i]",
      "            seen[x] = i",
    ),
    miss: ["[seen[target - x], i]", "[i, seen[target - x]]"],
  },
  {
    file: join(FIXTURES, "test6.jsonl"),
    questionId: "abc901_e",
    right: lines(
      "import sys",
      "n, q, *rest = map(int, sys.stdin.read().split())",
      "prefix = [0]",
      "for x in rest[:n]: prefix.append(prefix[-1] + x)",
      "pairs = rest[n:]",
      "print('\\n'.join(str(prefix[pairs[2 * i + 1]] - prefix[pairs[2 * i] - 1]) for i in range(q)))",
    ),
    miss: ["prefix[pairs[2 * i + 1]] -", "prefix[pairs[2 * i + 1] - 1] -"],
  },
  {
    file: join(FIXTURES, "test6.jsonl"),
    questionId: "9102",
    right: lines(
      "class Solution:",
      "    def reverseWords(self, s: str) -> str:",
      "        return ' '.join(reversed(s.split()))",
    ),
    miss: ["s.split()", "s.split(' ')"],
  },
  {
    file: join(FIXTURES, "test6.jsonl"),
    questionId: "9002_B",
    right: lines("input()", "print(sum(x for x in map(int, input().split()) if x % 2 == 0))"),
    miss: ["if x %", "if x > 0 and x %"],
  },
  {
    file: REAL_SAMPLE,
    questionId: "1873_A",
    right: lines(
      "t = int(input())",
      "for _ in range(t):",
      "    s = input().strip()",
      "    print('YES' if sum(a != b for a, b in zip(s, 'abc')) <= 2 else 'NO')",
    ),
    miss: ["<= 2", "<= 1"],
  },
];

/** Programs that end in the other verdicts, as a stdin program and as a function. */
const FAILING = {
  "runtime error": {
    stdin: "print(1 // 0)",
    functional: "class Solution:\n    def {f}(self, *a):\n        return 1 // 0",
  },
  "compile error": { stdin: "print(1 +)", functional: "class Solution:\n    def {f}(self, *a)\n        return 0" },
  "memory limit": {
    stdin: "x = bytearray(4096 * 2**20)",
    functional: "class Solution:\n    def {f}(self, *a):\n        return len(bytearray(4096 * 2**20))",
  },
  "time limit": {
    stdin: "while True:\n    pass",
    functional: "class Solution:\n    def {f}(self, *a):\n        while True: pass",
  },
} as const;

function problemTests(problem: Problem): { tests: CodeTest[]; funcName?: string } | undefined {
  if (!existsSync(problem.file)) return undefined;
  const row = readFileSync(problem.file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, string>)
    .find((r) => r.question_id === problem.questionId);
  if (row === undefined) return undefined;
  const where = `${problem.file} ${problem.questionId}`;
  return {
    tests: [
      ...parseLcbPublicTests(row.public_test_cases ?? "", `${where} public`),
      ...decodeLcbTests(row.private_test_cases ?? "", `${where} private`),
    ],
    ...parseLcbMetadata(row.metadata ?? "", `${where} metadata`),
  };
}

interface Program {
  label: string;
  code: string;
  tests: CodeTest[];
  funcName?: string;
}

function programs(): Program[] {
  const found: Program[] = [];
  for (const problem of PROBLEMS) {
    const data = problemTests(problem);
    if (data === undefined) continue;
    const base = { tests: data.tests, ...(data.funcName === undefined ? {} : { funcName: data.funcName }) };
    found.push({ label: `${problem.questionId} right`, code: problem.right, ...base });
    found.push({ label: `${problem.questionId} near miss`, code: problem.right.replace(...problem.miss), ...base });
    for (const [kind, code] of Object.entries(FAILING)) {
      // One time-limit program per test type: each costs the whole limit on every test.
      if (kind === "time limit" && !["abc900_a", "9101"].includes(problem.questionId)) continue;
      const text = data.funcName === undefined ? code.stdin : code.functional.replace("{f}", data.funcName);
      found.push({ label: `${problem.questionId} ${kind}`, code: text, ...base, tests: base.tests.slice(0, 2) });
    }
  }
  return found;
}

const statuses = (verdict: CodeVerdict): string => verdict.tests.map((t) => t.status).join(",");

export async function bench(): Promise<Figure[]> {
  const native = await detectNativePython();
  if (!native.available) {
    console.log(`  native executor not available: ${native.reason}`);
    return [];
  }
  const runner = createCodeRunner({ pythonWorkers: 1, nativeWorkers: 1 });
  try {
    const run = (p: Program, executor: PythonExecutor, tests: CodeTest[]): Promise<CodeVerdict> => {
      const options: RunOptions = {
        limits: LIMITS,
        stopAtFirstFailure: false,
        executor,
        ...(p.funcName === undefined ? {} : { funcName: p.funcName }),
      };
      return runner.run(p.code, "python", tests, options);
    };
    await runner.run("pass", "python", [{ input: "", output: "", testtype: "stdin" }], { limits: LIMITS });
    const all = programs();
    const disagreements: string[] = [];
    let tests = 0;
    for (const p of all) {
      const [pyodide, nativeVerdict] = [await run(p, "pyodide", p.tests), await run(p, "native", p.tests)];
      tests += p.tests.length;
      if (statuses(pyodide) !== statuses(nativeVerdict)) {
        disagreements.push(`${p.label}: pyodide ${statuses(pyodide)} / native ${statuses(nativeVerdict)}`);
      }
    }
    for (const line of disagreements) console.log(`  disagreement: ${line}`);
    const wall: Record<PythonExecutor, number[]> = { pyodide: [], native: [] };
    const inside: Record<PythonExecutor, number[]> = { pyodide: [], native: [] };
    const total: Record<PythonExecutor, number> = { pyodide: 0, native: 0 };
    for (const p of all.filter((q) => q.label.endsWith(" right"))) {
      for (const test of p.tests) {
        for (const executor of ["pyodide", "native"] as const) {
          const started = performance.now();
          const verdict = await run(p, executor, [test]);
          const ms = performance.now() - started;
          wall[executor].push(ms);
          total[executor] += ms;
          const programMs = verdict.tests[0]?.ms;
          if (programMs !== undefined) inside[executor].push(programMs);
        }
      }
    }
    const agreed = all.length - disagreements.length;
    return [
      {
        name: "verdict agreement",
        measures: `programs whose every test got the same verdict from both executors (${tests} tests; the rest listed above)`,
        n: all.length,
        value: { value: agreed / all.length, unit: "share identical" },
        target: "1",
      },
      ...(["pyodide", "native"] as const).flatMap((executor) => [
        figureFromTimes(
          `${executor}: per test (grader's wall time)`,
          `a correct solution's test, ${executor === "native" ? "fresh CPython sandbox each" : "warm Pyodide worker"}, verdict included`,
          wall[executor],
          total[executor],
          "tests/s",
          "ms",
        ),
        figureFromTimes(
          `${executor}: per test (program's run time)`,
          "the solution's own run time as the harness measured it",
          inside[executor],
          inside[executor].reduce((a, b) => a + b, 0),
          "tests/s",
          "ms",
        ),
      ]),
    ];
  } finally {
    await runner.close();
  }
}
