import { afterAll, describe, expect, test } from "vitest";
import { createCodeRunner } from "../../../graders/code/runner.ts";
import type { CodeTest, RunLimits, TestOutcome } from "../../../graders/code/types.ts";

// Generous limits: only the tests about limits rely on hitting them.
const LIMITS: RunLimits = { timeoutMs: 10_000, memoryMb: 128 };
const SHORT: RunLimits = { timeoutMs: 1000, memoryMb: 64 };

const runner = createCodeRunner({ pythonWorkers: 1 });
afterAll(() => runner.close());

const stdin = (input: string, output: string): CodeTest => ({ input, output, testtype: "stdin" });

async function runOne(code: string, test: CodeTest, limits = LIMITS, funcName?: string): Promise<TestOutcome> {
  const verdict = await runner.run(code, "javascript", [test], { limits, ...(funcName === undefined ? {} : { funcName }) });
  const outcome = verdict.tests[0];
  if (outcome === undefined) throw new Error("no outcome");
  return outcome;
}

describe("JavaScript sandbox: correct programs", () => {
  test("stdin via the `input` string", async () => {
    const code = "const [a, b] = input.trim().split(/\\s+/).map(Number);\nconsole.log(a + b);";
    const verdict = await runner.run(code, "javascript", [stdin("1 2\n", "3\n"), stdin("40 2", "42")], { limits: LIMITS });
    expect(verdict.passed).toBe(true);
    expect(verdict.tests.map((t) => t.status)).toEqual(["passed", "passed"]);
    expect(verdict.tests[0]?.ms).toBeTypeOf("number");
  });

  test("stdin line by line via readline(), which ends with undefined; print() writes a line", async () => {
    const code = [
      "const n = Number(readline());",
      "let total = 0;",
      "for (let i = 0; i < n; i++) total += Number(readline());",
      "print(total, readline() === undefined);",
    ].join("\n");
    expect((await runOne(code, stdin("3\n1\n2\n3\n", "6 true"))).status).toBe("passed");
  });

  test("functional: class Solution method", async () => {
    const code = `class Solution {
      twoSum(nums, target) {
        const seen = new Map();
        for (let i = 0; i < nums.length; i++) {
          if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];
          seen.set(nums[i], i);
        }
      }
    }`;
    const test1: CodeTest = { input: "[2,7,11,15]\n9", output: "[0,1]", testtype: "functional" };
    expect((await runOne(code, test1, LIMITS, "twoSum")).status).toBe("passed");
  });

  test("functional: plain function, var function and arrow function", async () => {
    const test1: CodeTest = { input: '"abc"\n2', output: '"abcabc"', testtype: "functional" };
    for (const code of [
      "function repeat(s, k) { return s.repeat(k); }",
      "var repeat = function (s, k) { return s.repeat(k); };",
      "const repeat = (s, k) => s.repeat(k);",
    ]) {
      expect((await runOne(code, test1, LIMITS, "repeat")).status).toBe("passed");
    }
  });

  test("functional results are compared as JSON (key order, 1 vs 1.0)", async () => {
    const code = "function f() { return { b: [1, 2.0], a: true }; }";
    const test1: CodeTest = { input: "null", output: '{"a": true, "b": [1.0, 2]}', testtype: "functional" };
    expect((await runOne(code, test1, LIMITS, "f")).status).toBe("passed");
  });

  test("console.log formats values like Node for simple cases", async () => {
    const code = "console.log([1, 'a', [2]], { k: 1 }, -0, 5n, null, undefined, true);";
    const outcome = await runOne(code, stdin("", "[ 1, 'a', [ 2 ] ] { k: 1 } -0 5n null undefined true"));
    expect(outcome.status).toBe("passed");
  });
});

describe("JavaScript sandbox: failures", () => {
  test("wrong answer names the first differing line", async () => {
    const outcome = await runOne("console.log(1); console.log(5);", stdin("", "1\n2\n"));
    expect(outcome.status).toBe("wrong_answer");
    expect(outcome.detail).toBe('line 2: got "5", expected "2"');
  });

  test("functional wrong answer shows both values", async () => {
    const outcome = await runOne("const f = () => [1, 2];", { input: "0", output: "[2, 1]", testtype: "functional" }, LIMITS, "f");
    expect(outcome.status).toBe("wrong_answer");
    expect(outcome.detail).toBe("got [1,2], expected [2, 1]");
  });

  test("runtime error names the error class and line", async () => {
    const outcome = await runOne("const a = 1;\nnull.x;", stdin("", ""));
    expect(outcome.status).toBe("runtime_error");
    expect(outcome.detail).toMatch(/^TypeError: .*\(line 2\)$/u);
  });

  test("syntax error is a compile error, for every test", async () => {
    const verdict = await runner.run("function (", "javascript", [stdin("", ""), stdin("", "")], {
      limits: LIMITS,
      stopAtFirstFailure: false,
    });
    expect(verdict.tests.map((t) => t.status)).toEqual(["compile_error", "compile_error"]);
    expect(verdict.tests[0]?.detail).toMatch(/^SyntaxError: /u);
  });

  test("a missing function is a runtime error", async () => {
    const outcome = await runOne("function g() {}", { input: "1", output: "1", testtype: "functional" }, LIMITS, "f");
    expect(outcome.status).toBe("runtime_error");
    expect(outcome.detail).toContain("no function or Solution method named f");
  });

  test("infinite loop is a time limit, and the next test still runs", async () => {
    const verdict = await runner.run("if (input === 'loop') { while (true) {} } console.log('ok');", "javascript",
      [stdin("loop", "ok"), stdin("fine", "ok")], { limits: SHORT, stopAtFirstFailure: false });
    expect(verdict.tests.map((t) => t.status)).toEqual(["time_limit", "passed"]);
  });

  test("memory bomb is a memory limit, and the program's later tests get a fresh isolate", async () => {
    const code = "if (input === 'bomb') { const a = []; while (true) a.push(new Array(1e5).fill(1)); } console.log('ok');";
    const verdict = await runner.run(code, "javascript", [stdin("bomb", "ok"), stdin("fine", "ok")], {
      limits: SHORT,
      stopAtFirstFailure: false,
    });
    expect(verdict.tests.map((t) => t.status)).toEqual(["memory_limit", "passed"]);
  });

  test("a huge string is a memory limit or a runtime error, never a crash", async () => {
    const outcome = await runOne("let s = 'a'; while (true) s += s; ", stdin("", ""), SHORT);
    expect(["memory_limit", "runtime_error"]).toContain(outcome.status);
  });

  test("deep recursion is a runtime error", async () => {
    const outcome = await runOne("function f(n) { return f(n + 1) + 1; } f(0);", stdin("", ""));
    expect(outcome.status).toBe("runtime_error");
    expect(outcome.detail).toMatch(/^RangeError: Maximum call stack size exceeded/u);
  });

  test("output flood is capped", async () => {
    const outcome = await runOne("while (true) console.log('x'.repeat(1000));", stdin("", ""));
    expect(outcome).toMatchObject({ status: "runtime_error", detail: "output limit exceeded" });
  });

  test("output flood that swallows the error is still capped", async () => {
    const code = "while (true) { try { console.log('x'.repeat(1000)); } catch {} }";
    const outcome = await runOne(code, stdin("", ""), SHORT);
    expect(outcome).toMatchObject({ status: "runtime_error", detail: "output limit exceeded" });
  });
});

describe("JavaScript sandbox: no way out to the host", () => {
  test("no process, require, fetch, timers, module or Buffer", async () => {
    const names = ["process", "require", "fetch", "setTimeout", "module", "Buffer", "XMLHttpRequest", "WebSocket"];
    const code = `console.log(${JSON.stringify(names)}.filter((n) => typeof globalThis[n] !== "undefined").join(",") || "none");`;
    expect((await runOne(code, stdin("", "none"))).status).toBe("passed");
  });

  test("the Function constructor reaches only the isolate's own global", async () => {
    const code = `
      const escapes = [
        () => globalThis.constructor.constructor("return typeof process")(),
        () => console.log.constructor("return typeof require")(),
        () => (async () => {}).constructor("return typeof process")() && "undefined",
        () => Function("return typeof this.process")(),
        () => eval("typeof process"),
      ];
      console.log(escapes.map((escape) => { try { return String(escape()); } catch (e) { return e.name; } }).join(" "));
    `;
    const outcome = await runOne(code, stdin("", "undefined undefined undefined undefined undefined"));
    expect(outcome.status).toBe("passed");
  });

  test("reading a file the Node way fails", async () => {
    const outcome = await runOne("const fs = require('fs'); console.log(fs.readFileSync(0, 'utf8'));", stdin("x", "x"));
    expect(outcome.status).toBe("runtime_error");
    expect(outcome.detail).toMatch(/^ReferenceError: require is not defined/u);
  });

  test("dynamic import is refused", async () => {
    const code = "import('fs').then(() => console.log('escaped'), () => console.log('refused'));";
    expect((await runOne(code, stdin("", "refused"))).status).toBe("passed");
  });

  test("globals set by one test are gone in the next (fresh context)", async () => {
    const code = "if (input === 'set') globalThis.leak = 1; console.log(typeof globalThis.leak);";
    const verdict = await runner.run(code, "javascript", [stdin("set", "number"), stdin("check", "undefined")], { limits: LIMITS });
    expect(verdict.tests.map((t) => t.status)).toEqual(["passed", "passed"]);
  });
});
