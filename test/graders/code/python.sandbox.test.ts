import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCodeRunner } from "../../../graders/code/runner.ts";
import type { CodeTest, RunLimits, TestOutcome } from "../../../graders/code/types.ts";

// A host secret the sandbox must not see.
process.env.QUANTEVAL_SECRET_PROBE = "xyz";

// Generous limits: only the tests about limits rely on hitting them.
const LIMITS: RunLimits = { timeoutMs: 20_000, memoryMb: 128 };
const SHORT: RunLimits = { timeoutMs: 1000, memoryMb: 64 };

const runner = createCodeRunner({ pythonWorkers: 2, pythonGraceMs: 1000 });
afterAll(() => runner.close());

const stdin = (input: string, output: string): CodeTest => ({ input, output, testtype: "stdin" });
const functional = (input: string, output: string): CodeTest => ({ input, output, testtype: "functional" });

async function runOne(code: string, test: CodeTest, limits = LIMITS, funcName?: string): Promise<TestOutcome> {
  const verdict = await runner.run(code, "python", [test], { limits, ...(funcName === undefined ? {} : { funcName }) });
  const outcome = verdict.tests[0];
  if (outcome === undefined) throw new Error("no outcome");
  return outcome;
}

/** Runs a program that prints one line and returns that line (via the wrong-answer detail against a sentinel). */
async function printed(code: string): Promise<string> {
  const outcome = await runOne(code, stdin("", "<sentinel>"));
  if (outcome.status !== "wrong_answer") throw new Error(`expected output, got ${JSON.stringify(outcome)}`);
  const match = /^line 1: got (".*"), expected "<sentinel>"$/u.exec(outcome.detail ?? "");
  if (match?.[1] === undefined) throw new Error(`unexpected detail ${outcome.detail}`);
  return JSON.parse(match[1]) as string;
}

beforeAll(async () => {
  // Start both workers at once (Pyodide loads in a few seconds each).
  await Promise.all([runOne("pass", stdin("", "")), runOne("pass", stdin("", ""))]);
}, 60_000);

describe("Python sandbox: correct programs", () => {
  test("stdin program with input()", async () => {
    const code = "a, b = map(int, input().split())\nprint(a + b)";
    const verdict = await runner.run(code, "python", [stdin("1 2\n", "3\n"), stdin("40 2", "42")], { limits: LIMITS });
    expect(verdict.tests.map((t) => t.status)).toEqual(["passed", "passed"]);
    expect(verdict.passed).toBe(true);
    expect(verdict.tests[0]?.ms).toBeTypeOf("number");
  });

  test("sys.stdin.buffer, sys.stdout.write, open(0) and __main__ guard", async () => {
    const cases: [string, string][] = [
      ["import sys\ndata = sys.stdin.buffer.read().split()\nsys.stdout.write(str(sum(map(int, data))) + '\\n')", "9"],
      ["print(sum(map(int, open(0).read().split())))", "9"],
      ["import os\nprint(len(os.read(0, 100)))", "8"],
      [
        "import sys\ninput = sys.stdin.readline\ndef main():\n    n = int(input())\n    print(sum(int(input()) for _ in range(n)))\nif __name__ == '__main__':\n    main()",
        "6",
      ],
    ];
    for (const [code, output] of cases)
      expect((await runOne(code, stdin("3\n1\n2\n3\n", output))).status, code).toBe("passed");
  });

  test("exit() ends the program normally, as in LiveCodeBench", async () => {
    expect((await runOne("print('Yes')\nexit()\nprint('No')", stdin("", "Yes"))).status).toBe("passed");
    expect((await runOne("import sys\nprint(1)\nsys.exit(1)", stdin("", "1"))).status).toBe("passed");
  });

  test("functional: Solution method with typing names from the LiveCodeBench prefix; tuples count as lists", async () => {
    const code = [
      "class Solution:",
      "    def twoSum(self, nums: List[int], target: int) -> Optional[List[int]]:",
      "        seen = defaultdict(int)",
      "        for i, x in enumerate(nums):",
      "            if target - x in seen:",
      "                return (seen[target - x], i)",
      "            seen[x] = i",
    ].join("\n");
    const verdict = await runner.run(
      code,
      "python",
      [functional("[2,7,11,15]\n9", "[0,1]"), functional("[3,3]\n6", "[0, 1]")],
      {
        limits: LIMITS,
        funcName: "twoSum",
      },
    );
    expect(verdict.tests.map((t) => t.status)).toEqual(["passed", "passed"]);
  });

  test("functional: a top-level function is the fallback; nested tuples pass via the JSON round trip", async () => {
    const code = "def pairs(n):\n    return [(i, i * i) for i in range(n)]";
    expect((await runOne(code, functional("3", "[[0,0],[1,1],[2,4]]"), LIMITS, "pairs")).status).toBe("passed");
  });

  test("imports solutions commonly need", async () => {
    const code = [
      "import math, heapq, bisect, itertools, functools, re, string, collections, typing, decimal, fractions",
      "from typing import List, Optional",
      "from functools import lru_cache, cache",
      "h = [3, 1, 2]; heapq.heapify(h)",
      "@lru_cache(None)",
      "def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)",
      "print(math.gcd(12, 18), h[0], bisect.bisect_left([1, 2, 3], 2), len(list(itertools.permutations(range(3)))),",
      "      fib(80), re.sub('a', 'b', 'aa'), string.ascii_lowercase[:3], collections.Counter('aab')['a'],",
      "      fractions.Fraction(1, 3) + fractions.Fraction(1, 6), decimal.Decimal('0.1') + decimal.Decimal('0.2'))",
    ].join("\n");
    expect(await printed(code)).toBe("6 1 1 6 23416728348467685 bb abc 2 1/2 0.3");
  });

  test("the deep-recursion idiom with threading.stack_size and a Thread works (run inline)", async () => {
    const code = [
      "import sys, threading",
      "sys.setrecursionlimit(10**6)",
      "threading.stack_size(2**27)",
      "def depth(n):",
      "    return 0 if n == 0 else 1 + depth(n - 1)",
      "def main():",
      "    print(depth(int(input())))",
      "t = threading.Thread(target=main)",
      "t.start()",
      "t.join()",
    ].join("\n");
    expect((await runOne(code, stdin("100000", "100000"))).status).toBe("passed");
  });

  test("resource.setrlimit is accepted (a stand-in module)", async () => {
    const code =
      "import resource\nresource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, -1))\nprint('ok')";
    expect((await runOne(code, stdin("", "ok"))).status).toBe("passed");
  });

  test("legitimately deep recursion works (LiveCodeBench raises the limit to 50 000)", async () => {
    const code = "def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\nprint(depth(40000))";
    expect((await runOne(code, stdin("", "40000"))).status).toBe("passed");
  });
});

describe("Python sandbox: failures", () => {
  test("wrong answer names the first differing line", async () => {
    const outcome = await runOne("print(1)\nprint(5)", stdin("", "1\n2\n"));
    expect(outcome).toMatchObject({ status: "wrong_answer", detail: 'line 2: got "5", expected "2"' });
  });

  test("functional wrong answer shows the value returned", async () => {
    const outcome = await runOne("def f(x):\n    return [x]", functional("1", "[2]"), LIMITS, "f");
    expect(outcome).toMatchObject({ status: "wrong_answer", detail: "got [1], expected [2]" });
  });

  test("runtime error names the exception class and line", async () => {
    const outcome = await runOne("x = 1\nprint(x / 0)", stdin("", ""));
    expect(outcome).toMatchObject({ status: "runtime_error", detail: "ZeroDivisionError: division by zero (line 2)" });
  });

  test("syntax error is a compile error", async () => {
    const outcome = await runOne("def f(:\n    pass", stdin("", ""));
    expect(outcome.status).toBe("compile_error");
    expect(outcome.detail).toMatch(/^SyntaxError: .*\(line 1\)$/u);
  });

  test("a missing function is a runtime error", async () => {
    const outcome = await runOne("def g(x):\n    return x", functional("1", "1"), LIMITS, "f");
    expect(outcome).toMatchObject({ status: "runtime_error" });
    expect(outcome.detail).toContain("no function or Solution method named 'f'");
  });

  test("infinite loop is a time limit (KeyboardInterrupt), and the pool keeps working", async () => {
    expect((await runOne("while True:\n    pass", stdin("", ""), SHORT)).status).toBe("time_limit");
    expect((await runOne("print(7)", stdin("", "7"))).status).toBe("passed");
  });

  test("a loop that swallows KeyboardInterrupt loses its worker: still a time limit, and the pool recovers", async () => {
    const code =
      "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass";
    expect((await runOne(code, stdin("", ""), SHORT)).status).toBe("time_limit");
    expect((await runOne("print(8)", stdin("", "8"))).status).toBe("passed");
  });

  test("memory bombs are memory limits and the main process survives", async () => {
    const bombs = ["x = [0] * 10**10", "s = 'a' * 2**34", "x = []\nwhile True:\n    x.append([0] * 1000)"];
    for (const code of bombs) {
      const outcome = await runOne(code, stdin("", ""), SHORT);
      expect(outcome.status, code).toBe("memory_limit");
      expect(outcome.detail, code).toMatch(/^(MemoryError|OverflowError)/u);
    }
    expect((await runOne("print(sum(range(10)))", stdin("", "45"))).status).toBe("passed");
  });

  test("a bytearray bomb within the time limit is a memory limit", async () => {
    const outcome = await runOne("chunks = []\nwhile True:\n    chunks.append(bytearray(10**7))", stdin("", ""), SHORT);
    expect(outcome.status).toBe("memory_limit");
  });

  test("infinite recursion is a runtime error (RecursionError)", async () => {
    const outcome = await runOne("def f(n):\n    return f(n + 1)\nf(0)", stdin("", ""));
    expect(outcome.status).toBe("runtime_error");
    expect(outcome.detail).toMatch(/^RecursionError/u);
  });

  test("a crashed interpreter is replaced and the pool keeps working", async () => {
    const code = [
      "import gc",
      "core = [m for m in gc.get_objects() if type(m).__name__ == 'module' and getattr(m, '__name__', '') == '_pyodide_core']",
      "core[0].trigger_fatal_error()",
    ].join("\n");
    const outcome = await runOne(code, stdin("", ""));
    expect(outcome.status).toBe("runtime_error");
    expect(outcome.detail).toMatch(/^interpreter crashed/u);
    expect((await runOne("print(9)", stdin("", "9"))).status).toBe("passed");
  });

  test("output flood is capped", async () => {
    const outcome = await runOne("while True:\n    print('x' * 1000)", stdin("", ""));
    expect(outcome).toMatchObject({ status: "runtime_error", detail: "output limit exceeded" });
  });
});

describe("Python sandbox: no way out to the host", () => {
  test("host files cannot be read", async () => {
    for (const path of ["/etc/passwd", "/work/main/package.json", "/proc/self/environ"]) {
      const outcome = await runOne(`print(open(${JSON.stringify(path)}).read())`, stdin("", ""));
      expect(outcome.status, path).toBe("runtime_error");
      expect(outcome.detail, path).toMatch(/^(FileNotFoundError|PermissionError|OSError)/u);
    }
  });

  test("host environment variables are not visible", async () => {
    const code =
      "import os\nprint('QUANTEVAL_SECRET_PROBE' in os.environ, any('xyz' in v for v in os.environ.values()))";
    expect(await printed(code)).toBe("False False");
  });

  test("the JS bridge cannot be imported", async () => {
    const attempts = [
      "import js",
      "import pyodide_js",
      "from pyodide.ffi import to_js",
      "import pyodide.http",
      "import _pyodide_core",
      "import micropip",
    ];
    for (const code of attempts) {
      const outcome = await runOne(code, stdin("", ""));
      expect(outcome.status, code).toBe("runtime_error");
      expect(outcome.detail, code).toMatch(/^ImportError: import of '.*' is not allowed in the sandbox/u);
    }
  });

  test("re-enabling imports by editing sys.meta_path or sys.modules does not help", async () => {
    const code = [
      "import sys",
      "sys.meta_path.pop(0)",
      "try:",
      "    import js",
      "    print('escaped', dir(js))",
      "except ImportError:",
      "    print('blocked')",
    ].join("\n");
    expect(await printed(code)).toBe("blocked");
  });

  test("a JS object dug out of the interpreter cannot reach the host (no Function constructor)", async () => {
    const code = [
      "import gc",
      "core = [m for m in gc.get_objects() if type(m).__name__ == 'module' and getattr(m, '__name__', '') == '_pyodide_core']",
      "try:",
      "    array = core[0].to_js([1])",
      "    result = array.constructor.constructor('return typeof process')()",
      "except BaseException as error:",
      "    result = 'blocked'",
      "print(result)",
    ].join("\n");
    expect(await printed(code)).toBe("blocked");
  });

  test("processes and sockets are refused", async () => {
    const attempts: [string, RegExp][] = [
      ["import os\nos.system('id')", /^PermissionError/u],
      ["import os\nos.popen('id').read()", /^PermissionError/u],
      ["import subprocess\nsubprocess.run(['id'])", /^ImportError/u],
      ["import socket\nsocket.create_connection(('example.com', 80))", /^ImportError/u],
      ["import urllib.request\nurllib.request.urlopen('http://example.com')", /^(ImportError|URLError|OSError)/u],
    ];
    for (const [code, error] of attempts) {
      const outcome = await runOne(code, stdin("", ""));
      expect(outcome.status, code).toBe("runtime_error");
      expect(outcome.detail, code).toMatch(error);
    }
  });

  test("a program's changes to the interpreter do not leak into the next program", async () => {
    const vandal = [
      "import builtins, collections, sys, math",
      "builtins.len = lambda x: 42",
      "collections.Counter = None",
      "math.pi = 3",
      "sys.setrecursionlimit(10)",
      "print('done')",
    ].join("\n");
    expect((await runOne(vandal, stdin("", "done"))).status).toBe("passed");
    const check = "import collections, math\nprint(len([1]), collections.Counter('aa')['a'], math.pi > 3.14)";
    expect(await printed(check)).toBe("1 2 True");
  });
});
