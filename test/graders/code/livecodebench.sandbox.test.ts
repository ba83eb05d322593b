import { afterAll, describe, expect, test } from "vitest";
import { createCodeRunner, extractCode } from "../../../graders/code/index.ts";
import type { CodeTest, RunLimits } from "../../../graders/code/types.ts";

const LIMITS: RunLimits = { timeoutMs: 10_000, memoryMb: 128 };
const stdin = (input: string, output: string): CodeTest => ({ input, output, testtype: "stdin" });

// JavaScript keeps these fast; the Python side of the same semantics is covered in python.sandbox.test.ts.
const runner = createCodeRunner({ pythonWorkers: 1 });
afterAll(async () => {
  await runner.close();
});

const echoDouble = "console.log(Number(input) * 2);";

describe("CodeRunner.run (LiveCodeBench semantics)", () => {
  test("a problem passes when all its tests pass", async () => {
    const verdict = await runner.run(echoDouble, "javascript", [stdin("1", "2"), stdin("5", "10")], { limits: LIMITS });
    expect(verdict).toMatchObject({ passed: true, tests: [{ status: "passed" }, { status: "passed" }] });
  });

  test("stops at the first failure by default", async () => {
    const verdict = await runner.run(echoDouble, "javascript", [stdin("1", "2"), stdin("2", "5"), stdin("3", "6")], {
      limits: LIMITS,
    });
    expect(verdict.passed).toBe(false);
    expect(verdict.tests.map((t) => t.status)).toEqual(["passed", "wrong_answer"]);
  });

  test("runs every test when asked", async () => {
    const verdict = await runner.run(echoDouble, "javascript", [stdin("1", "2"), stdin("2", "5"), stdin("3", "6")], {
      limits: LIMITS,
      stopAtFirstFailure: false,
    });
    expect(verdict.passed).toBe(false);
    expect(verdict.tests.map((t) => t.status)).toEqual(["passed", "wrong_answer", "passed"]);
  });

  test("no tests is not a pass", async () => {
    expect(await runner.run(echoDouble, "javascript", [], { limits: LIMITS })).toEqual({ passed: false, tests: [] });
  });

  test("numeric fallback of the output comparison", async () => {
    const verdict = await runner.run("console.log('1.0 2.50')", "javascript", [stdin("", "1 2.5")], { limits: LIMITS });
    expect(verdict.passed).toBe(true);
    const inexact = await runner.run("console.log(0.1 + 0.2)", "javascript", [stdin("", "0.3")], { limits: LIMITS });
    expect(inexact.tests[0]?.status).toBe("wrong_answer");
  });

  test("functional tests: one JSON argument per input line", async () => {
    const code = "function add(a, b, c) { return a.length + b.x + c; }";
    const functional = { input: '[1,2]\n{"x": 3}\n4', output: "9", testtype: "functional" } as const;
    const verdict = await runner.run(code, "javascript", [functional], {
      limits: LIMITS,
      funcName: "add",
    });
    expect(verdict.passed).toBe(true);
  });

  test("malformed tests are a setup error, not the model's failure", async () => {
    const bad: CodeTest = { input: "not json", output: "1", testtype: "functional" };
    await expect(runner.run("function f() {}", "javascript", [bad], { limits: LIMITS, funcName: "f" })).rejects.toThrow(
      /not JSON/u,
    );
    const good: CodeTest = { input: "1", output: "1", testtype: "functional" };
    await expect(runner.run("function f() {}", "javascript", [good], { limits: LIMITS })).rejects.toThrow(/funcName/u);
  });

  test("a runner of its own serves its owner until closed (no shared runner exists)", async () => {
    const own = createCodeRunner({ javascriptWorkers: 1 });
    try {
      const verdict = await own.run(echoDouble, "javascript", [stdin("21", "42")], { limits: LIMITS });
      expect(verdict.passed).toBe(true);
    } finally {
      await own.close();
    }
  });

  test("extracted code runs end to end", async () => {
    const reply = "Read the number and double it:\n```javascript\nconsole.log(Number(readline()) * 2);\n```\n";
    const code = extractCode(reply, "javascript");
    expect(code).toBeDefined();
    const verdict = await runner.run(code ?? "", "javascript", [stdin("4\n", "8\n")], { limits: LIMITS });
    expect(verdict.passed).toBe(true);
  });

  test("a closed runner refuses work", async () => {
    const closed = createCodeRunner();
    await closed.close();
    await expect(closed.run(echoDouble, "javascript", [stdin("1", "2")], { limits: LIMITS })).rejects.toThrow(
      /closed/u,
    );
  });
});
