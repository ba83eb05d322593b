import { afterAll, describe, expect, test } from "vitest";
import { JavaScriptProgram } from "../../../graders/code/javascript.ts";
import { createCodeRunner } from "../../../graders/code/runner.ts";
import type { CodeTest, RunLimits, TestOutcome } from "../../../graders/code/types.ts";

// Generous limits: only the tests about limits rely on hitting them.
const LIMITS: RunLimits = { timeoutMs: 10_000, memoryMb: 128 };
const SHORT: RunLimits = { timeoutMs: 1000, memoryMb: 64 };

const runner = createCodeRunner({ pythonWorkers: 1 });
afterAll(() => runner.close());

const stdin = (input: string, output: string): CodeTest => ({ input, output, testtype: "stdin" });

async function runOne(code: string, test: CodeTest, limits = LIMITS, funcName?: string): Promise<TestOutcome> {
  const verdict = await runner.run(code, "javascript", [test], {
    limits,
    ...(funcName === undefined ? {} : { funcName }),
  });
  const outcome = verdict.tests[0];
  if (outcome === undefined) throw new Error("no outcome");
  return outcome;
}

describe("JavaScript sandbox: correct programs", () => {
  test("stdin via the `input` string", async () => {
    const code = "const [a, b] = input.trim().split(/\\s+/).map(Number);\nconsole.log(a + b);";
    const verdict = await runner.run(code, "javascript", [stdin("1 2\n", "3\n"), stdin("40 2", "42")], {
      limits: LIMITS,
    });
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

/** A program written for Node, its standard input and the output Node prints for it (checked against node 24). */
interface NodeCase {
  name: string;
  code: string;
  input: string;
  output: string;
}

/** Program lines, joined: one line of the program per string. */
const js = (...lines: string[]): string => lines.join("\n");

const NODE_IDIOMS: NodeCase[] = [
  // require('fs').readFileSync
  {
    name: "readFileSync(0, 'utf8')",
    code: js(
      "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);",
      "console.log(a + b);",
    ),
    input: "3 5\n",
    output: "8",
  },
  {
    name: "readFileSync('/dev/stdin', { encoding })",
    code: js(
      "const t = require('fs').readFileSync('/dev/stdin', { encoding: 'utf-8' });",
      "console.log(t.split('\\n').length);",
    ),
    input: "a\nb\n",
    output: "3",
  },
  {
    name: "readFileSync(0) without an encoding is a Buffer of UTF-8 bytes",
    code: js(
      "const b = require('fs').readFileSync(0);",
      "console.log(b.length, b[0], b.toString(), String(b) + '!', `${b}`.length);",
      "console.log(Buffer.isBuffer(b), b.constructor.name);",
    ),
    input: "héllo",
    output: "6 104 héllo héllo! 5\ntrue Buffer",
  },
  {
    name: "a second read of standard input is empty, as from a pipe",
    code: js(
      "const fs = require('node:fs');",
      "const a = fs.readFileSync(0, 'utf8');",
      "console.log(JSON.stringify([a, fs.readFileSync(0, 'utf8')]));",
    ),
    input: "x\n",
    output: '["x\\n",""]',
  },
  {
    name: "fs.writeFileSync('/dev/stdout') and fs.writeSync(1)",
    code: js(
      "const fs = require('fs');",
      "fs.writeFileSync('/dev/stdout', 'a\\n');",
      "fs.writeSync(1, Buffer.from('b\\n'));",
      "fs.writeFileSync(2, 'noise');",
    ),
    input: "",
    output: "a\nb",
  },
  // readline
  {
    name: "readline on('line') and on('close'): \\r\\n, a lone \\r, empty lines and no final newline",
    code: js(
      "const readline = require('readline');",
      "const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: false });",
      "const lines = [];",
      "rl.on('line', (l) => lines.push(l)).on('close', () => console.log(JSON.stringify(lines)));",
    ),
    input: "a\r\nb\rc\n\nd",
    output: '["a","b","c","","d"]',
  },
  {
    name: "readline over empty input only closes",
    code: js(
      "const rl = require('readline').createInterface(process.stdin);",
      "rl.on('line', () => console.log('line'));",
      "rl.on('close', () => console.log('closed'));",
    ),
    input: "",
    output: "closed",
  },
  {
    name: "readline closed from a 'line' listener: Node still gives the chunk's complete lines, not the partial one",
    code: js(
      "const rl = require('readline').createInterface({ input: process.stdin });",
      "rl.on('line', (l) => { console.log(l); if (l === 'b') rl.close(); });",
      "rl.on('close', () => console.log('close'));",
    ),
    input: "a\nb\nc\nd",
    output: "a\nb\nclose\nc",
  },
  {
    name: "readline async iteration",
    code: js(
      "const readline = require('readline');",
      "async function main() {",
      "  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });",
      "  let total = 0;",
      "  for await (const line of rl) total += Number(line);",
      "  console.log(total);",
      "}",
      "main();",
    ),
    input: "1\n2\n3\n",
    output: "6",
  },
  {
    name: "readline's iterator read by hand, then broken out of",
    code: js(
      "const rl = require('readline').createInterface({ input: process.stdin });",
      "const it = rl[Symbol.asyncIterator]();",
      "(async () => {",
      "  const n = Number((await it.next()).value);",
      "  const seen = [];",
      "  for (let i = 0; i < n; i++) seen.push((await it.next()).value);",
      "  for await (const rest of rl) { seen.push('rest ' + rest); break; }",
      "  console.log(seen.join(','));",
      "})();",
    ),
    input: "2\nx\ny\nz\nw\n",
    output: "x,y,rest z",
  },
  {
    name: "a listener added after an await still sees every line (input arrives after the microtasks)",
    code: js(
      "(async () => {",
      "  await null;",
      "  await Promise.resolve();",
      "  const rl = require('readline').createInterface({ input: process.stdin });",
      "  rl.on('line', (l) => console.log(l.toUpperCase()));",
      "})();",
    ),
    input: "ab\ncd\n",
    output: "AB\nCD",
  },
  // process.stdin
  {
    name: "process.stdin on('data') and on('end') with setEncoding",
    code: js(
      "let s = '';",
      "process.stdin.setEncoding('utf8');",
      "process.stdin.on('data', (c) => { s += c; });",
      "process.stdin.on('end', () => console.log(typeof s, s.trim().split('\\n').length));",
    ),
    input: "1\n2\n",
    output: "string 2",
  },
  {
    name: "process.stdin 'data' chunks are Buffers without an encoding",
    code: js(
      "const chunks = [];",
      "process.stdin.on('data', (c) => chunks.push(c));",
      "process.stdin.on('end', () => {",
      "  console.log(Buffer.isBuffer(chunks[0]), Buffer.concat(chunks).toString().trim());",
      "});",
    ),
    input: "hi\n",
    output: "true hi",
  },
  {
    // Node reads a pipe 64 KiB at a time (how many chunks depends on the writer); the sandbox gives 64 Ki characters.
    name: "process.stdin in chunks, at most 64 Ki each",
    code: js(
      "let n = 0, size = 0, most = 0;",
      "process.stdin.setEncoding('utf8');",
      "process.stdin.on('data', (c) => { n++; size += c.length; most = Math.max(most, c.length); });",
      "process.stdin.on('end', () => console.log(n > 1, size, most <= 65536));",
    ),
    input: "x".repeat(1_000_000),
    output: "true 1000000 true",
  },
  {
    name: "process.stdin.resume() then on('end')",
    code: js("process.stdin.resume();", "process.stdin.on('end', () => console.log('end'));"),
    input: "x",
    output: "end",
  },
  {
    name: "process.stdin emits 'close' after 'end', and only once read",
    code: js(
      "process.stdin.on('close', () => console.log('close'));",
      "const rl = require('readline').createInterface({ input: process.stdin });",
      "rl.on('close', () => console.log('rl close'));",
      "process.stdin.on('end', () => console.log('end'));",
    ),
    input: "x\n",
    output: "rl close\nend\nclose",
  },
  {
    name: "without a reader, Node never emits 'end'",
    code: js("process.stdin.on('end', () => console.log('end'));", "console.log('top');"),
    input: "x",
    output: "top",
  },
  {
    name: "process.stdin on('readable') with read()",
    code: js(
      "let s = '';",
      "process.stdin.setEncoding('utf8');",
      "process.stdin.on('readable', () => { let c; while ((c = process.stdin.read()) !== null) s += c; });",
      "process.stdin.on('end', () => console.log(s.length));",
    ),
    input: "abc",
    output: "3",
  },
  {
    name: "for await over process.stdin",
    code: js(
      "(async () => {",
      "  let s = '';",
      "  for await (const chunk of process.stdin) s += chunk;",
      "  console.log(s.trim());",
      "})();",
    ),
    input: "whole\n",
    output: "whole",
  },
  // process and console
  {
    name: "process.stdout.write, process.argv and require.main",
    code: js(
      "process.stdout.write('a');",
      "process.stdout.write(Buffer.from('b\\n'));",
      "console.log(process.argv.slice(2).length, require.main === module);",
    ),
    input: "",
    output: "ab\n0 true",
  },
  {
    name: "console.log with format specifiers, as util.format",
    code: js(
      "console.log('%d + %i = %s%%', 1.5, 2.7, 'x', 'rest');",
      "console.log('100%');",
      "console.log('%j|%s', { a: 1 });",
    ),
    input: "",
    output: '1.5 + 2 = x% rest\n100%\n{"a":1}|%s',
  },
  {
    name: "process.exit ends the program, keeping its output",
    code: js("console.log('kept');", "process.exit(0);", "console.log('never');"),
    input: "",
    output: "kept",
  },
  {
    name: "process.exit with a code other than 0 is still an end (as LiveCodeBench counts exit())",
    code: js("console.log(1);", "process.exit(1);"),
    input: "",
    output: "1",
  },
  {
    name: "process.exit in a 'line' listener stops the lines and the close",
    code: js(
      "const rl = require('readline').createInterface({ input: process.stdin });",
      "rl.on('line', (l) => { if (l === 'stop') process.exit(); console.log(l); });",
      "rl.on('close', () => console.log('close'));",
    ),
    input: "a\nstop\nb\n",
    output: "a",
  },
  {
    name: "process.exit after an async loop (which resumes after the 'end' listeners); output after it is dropped",
    code: js(
      "(async () => {",
      "  for await (const line of require('readline').createInterface({ input: process.stdin })) console.log(line);",
      "  process.exit(0);",
      "})().then(() => console.log('never'));",
      "process.stdin.on('end', () => console.log('end'));",
    ),
    input: "a\n",
    output: "a\nend",
  },
];

describe("JavaScript sandbox: Node's standard-input idioms", () => {
  test.each(NODE_IDIOMS)("$name", async (c) => {
    const outcome = await runOne(c.code, stdin(c.input, c.output));
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: "passed" });
  });

  test("a near miss for each idiom fails: every program above with its output changed is a wrong answer", async () => {
    for (const c of NODE_IDIOMS) {
      const outcome = await runOne(c.code, stdin(c.input, `${c.output}?`));
      expect(outcome.status, c.name).toBe("wrong_answer");
    }
  });

  // Node: an uncaught error in a listener, or in an async function nobody awaits (an unhandled rejection, which
  // isolated-vm reports as the run's error), ends the program with code 1.
  test.each([
    [
      "a 'line' listener",
      js(
        "const rl = require('readline').createInterface({ input: process.stdin });",
        "rl.on('line', (l) => {",
        "  null[l];",
        "});",
      ),
    ],
    [
      "an async function nobody awaits",
      js(
        "(async () => {",
        "  for await (const l of require('readline').createInterface({ input: process.stdin })) console.log(l);",
        "  null['x'];",
        "})();",
      ),
    ],
  ])("an error thrown in %s is a runtime error with its line", async (_where, code) => {
    const outcome = await runOne(code, stdin("x\n", "x"));
    expect(outcome.status).toBe("runtime_error");
    expect(outcome.detail).toMatch(/^TypeError: Cannot read properties of null \(reading 'x'\) \(line 3\)$/u);
  });

  test("Node's own argument errors: write(5), an unknown encoding, a listener that is not a function", async () => {
    const cases: [string, RegExp][] = [
      ["process.stdout.write(5);", /^TypeError: The "chunk" argument must be of type string/u],
      ["require('fs').readFileSync(0).toString('hex');", /^TypeError: Unknown encoding: hex/u],
      ["process.stdin.on('data', 'f');", /^TypeError: The "listener" argument must be of type function/u],
      ["require('readline').createInterface({ input: require('fs') });", /^TypeError: readline.createInterface: the/u],
    ];
    for (const [code, detail] of cases) {
      const outcome = await runOne(code, stdin("x", ""));
      expect(outcome.status, code).toBe("runtime_error");
      expect(outcome.detail, code).toMatch(detail);
    }
  });
});

describe("JavaScript sandbox: failures", () => {
  test("wrong answer names the first differing line", async () => {
    const outcome = await runOne("console.log(1); console.log(5);", stdin("", "1\n2\n"));
    expect(outcome.status).toBe("wrong_answer");
    expect(outcome.detail).toBe('line 2: got "5", expected "2"');
  });

  test("functional wrong answer shows both values", async () => {
    const outcome = await runOne(
      "const f = () => [1, 2];",
      { input: "0", output: "[2, 1]", testtype: "functional" },
      LIMITS,
      "f",
    );
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
    expect(outcome.detail).toBe("ReferenceError: no function or Solution method named f");
  });

  test("infinite loop is a time limit, and the next test still runs", async () => {
    const verdict = await runner.run(
      "if (input === 'loop') { while (true) {} } console.log('ok');",
      "javascript",
      [stdin("loop", "ok"), stdin("fine", "ok")],
      { limits: SHORT, stopAtFirstFailure: false },
    );
    expect(verdict.tests.map((t) => t.status)).toEqual(["time_limit", "passed"]);
  });

  test("time spent across many chunks of standard input counts against the one limit", async () => {
    // Most of the limit before reading, then up to a millisecond per 64 Ki chunk of 16 MiB (256 chunks): past the
    // limit on any machine, however fast. Each chunk's step used to get a millisecond of its own, and the run passed.
    const busy = (ms: number) => `{ const t = Date.now(); while (Date.now() - t < ${ms}) {} }`;
    const code =
      `${busy(980)}\nprocess.stdin.setEncoding("utf8");\nprocess.stdin.on("data", () => ${busy(0.95)});\n` +
      `process.stdin.on("end", () => console.log("42"));`;
    const program = new JavaScriptProgram(code, { timeoutMs: 1000, memoryMb: 128 });
    try {
      const outcome = await program.runTest(stdin("x".repeat(16 * 2 ** 20), "42"), undefined);
      expect(outcome.status).toBe("time_limit");
    } finally {
      program.dispose();
    }
  });

  test("memory bomb is a memory limit, and the program's later tests get a fresh isolate", async () => {
    const code =
      "if (input === 'bomb') { const a = []; while (true) a.push(new Array(1e5).fill(1)); } console.log('ok');";
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
  test("no fetch, timers or Node internals: require, process, module and Buffer are the sandbox's", async () => {
    const absent = ["fetch", "setTimeout", "setInterval", "setImmediate", "XMLHttpRequest", "WebSocket", "Deno", "Bun"];
    const internals = ["binding", "_linkedBinding", "dlopen", "mainModule", "kill", "getBuiltinModule", "memoryUsage"];
    const code = `console.log(
      ${JSON.stringify(absent)}.filter((n) => typeof globalThis[n] !== "undefined").join(",") || "none",
      ${JSON.stringify(internals)}.filter((n) => process[n] !== undefined).join(",") || "none",
      Object.keys(process.env).length, Object.keys(require.cache).length, typeof require.resolve,
      [require, process.exit, Buffer].every((f) => f.constructor === Function),
    );`;
    expect(await runOne(code, stdin("", "none none 0 0 undefined true"))).toMatchObject({ status: "passed" });
  });

  test("the Function constructor reaches only the isolate's own global", async () => {
    const code = `
      const escapes = [
        () => globalThis.constructor.constructor("return typeof process.binding")(),
        () => console.log.constructor("return typeof this.require.cache.fs")(),
        () => require("fs").readFileSync.constructor("return typeof process.dlopen")(),
        () => Function("return typeof this.process.mainModule")(),
        () => eval("typeof process.getBuiltinModule"),
      ];
      console.log(escapes.map((escape) => { try { return String(escape()); } catch (e) { return e.name; } }).join(" "));
    `;
    const outcome = await runOne(code, stdin("", "undefined undefined undefined undefined undefined"));
    expect(outcome.status).toBe("passed");
  });

  test("reading a file the Node way fails, naming the file", async () => {
    const outcome = await runOne("console.log(require('fs').readFileSync('/etc/passwd', 'utf8'));", stdin("x", "x"));
    expect(outcome.status).toBe("runtime_error");
    expect(outcome.detail).toMatch(/^Error: ENOENT: no such file or directory, open '\/etc\/passwd' \(the sandbox/u);
  });

  test("any module but fs, readline and process fails, naming it", async () => {
    for (const name of ["child_process", "node:net", "os", "lodash", "readline/promises"]) {
      const outcome = await runOne(`require(${JSON.stringify(name)});`, stdin("", ""));
      expect(outcome.status).toBe("runtime_error");
      expect(outcome.detail).toContain(`Error: Cannot find module '${name}': the JavaScript sandbox provides only fs`);
    }
  });

  test("dynamic import is refused", async () => {
    const code = "import('fs').then(() => console.log('escaped'), () => console.log('refused'));";
    expect((await runOne(code, stdin("", "refused"))).status).toBe("passed");
  });

  test("globals set by one test are gone in the next (fresh context)", async () => {
    const code = "if (input === 'set') globalThis.leak = 1; console.log(typeof globalThis.leak);";
    const verdict = await runner.run(code, "javascript", [stdin("set", "number"), stdin("check", "undefined")], {
      limits: LIMITS,
    });
    expect(verdict.tests.map((t) => t.status)).toEqual(["passed", "passed"]);
  });
});
