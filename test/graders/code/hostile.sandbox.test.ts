/**
 * The hostile-code set: programs that try to exhaust, escape or subvert the code sandboxes, one table per
 * language. Every case must end in the stated failure (never `passed`), leave the host process running, write
 * nothing outside the sandbox, leak no host secret and open no connection. A case's expected output is what the
 * program prints if its attack works ("escaped" unless said otherwise), so an escape would read as `passed`.
 *
 * Limits found here and what closed them are in graders/code (see the comments at python-harness.py's top,
 * javascript.ts and javascript-slot.ts). What stays open is marked where it is tested.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCodeRunner } from "../../../graders/code/runner.ts";
import type { CodeLanguage, CodeTest, TestOutcome } from "../../../graders/code/types.ts";
import {
  checkContained,
  fill,
  type HostileCase,
  LIMITS,
  listenCounting,
  markersOnHost,
  PYTHON_CASES,
  PYTHON_INNOCENT,
  PYTHON_INNOCENT_OUTPUT,
  PYTHON_VANDALS,
  SECRET,
} from "./hostile-python-cases.ts";

const runner = createCodeRunner({ pythonWorkers: 1, pythonGraceMs: 500, javascriptWorkers: 1 });
let server: Awaited<ReturnType<typeof listenCounting>>;
let port = 0;

beforeAll(async () => {
  server = await listenCounting();
  port = server.port;
  await runner.run("pass", "python", [{ input: "", output: "", testtype: "stdin" }], {
    limits: { timeoutMs: 30_000, memoryMb: 64 },
  });
}, 60_000);

afterAll(async () => {
  await runner.close();
  await server.close();
});

/** Program lines, joined: one line of the program per string. */
const js = (...lines: string[]): string => lines.join("\n");

async function runCase(language: CodeLanguage, c: HostileCase): Promise<TestOutcome> {
  const test: CodeTest =
    c.funcName === undefined
      ? { input: fill(c.input ?? "", port), output: c.output ?? "escaped", testtype: "stdin" }
      : { input: c.input ?? "0", output: c.output ?? '"escaped"', testtype: "functional" };
  const verdict = await runner.run(fill(c.code, port), language, [test], {
    limits: c.limits ?? LIMITS,
    ...(c.funcName === undefined ? {} : { funcName: c.funcName }),
  });
  const outcome = verdict.tests[0];
  if (outcome === undefined) throw new Error("no outcome");
  return outcome;
}

const JAVASCRIPT_CASES: HostileCase[] = [
  // Infinite loops, synchronous and not.
  {
    name: "loop inside a generator",
    code: "function* forever() { for (;;) yield 1; }\nfor (const _ of forever()) {}",
    expected: "time_limit",
  },
  { name: "loop in a finally block", code: "try { for (;;) {} } finally { for (;;) {} }", expected: "time_limit" },
  {
    name: "loop that catches everything and loops again",
    code: "for (;;) { try { for (;;) {} } catch { } }",
    expected: "time_limit",
  },
  {
    name: "async function awaiting forever",
    code: "(async () => { for (;;) await null; })();",
    expected: "time_limit",
  },
  {
    name: "promise chain that never ends",
    code: "const again = () => Promise.resolve().then(again);\nagain();",
    expected: ["time_limit", "memory_limit"],
  },
  {
    name: "Atomics.wait on a buffer nobody will notify",
    code: "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);",
    expected: "time_limit",
  },
  // Values the sandbox has to read back: their getters and traps run out of isolated-vm's time limit.
  {
    name: "thrown object with looping getters",
    code: "throw { get message() { for (;;) {} }, get stack() { for (;;) {} } };",
    expected: "time_limit",
  },
  {
    name: "thrown Proxy with a looping trap",
    code: "throw new Proxy({}, { get() { for (;;) {} } });",
    expected: "time_limit",
  },
  {
    name: "Error.prepareStackTrace that loops",
    code: "Error.prepareStackTrace = () => { for (;;) {} };\nnull.x;",
    expected: "time_limit",
  },
  {
    name: "functional: a result whose toJSON loops",
    code: "function f(x) { return { toJSON() { for (;;) {} } }; }",
    funcName: "f",
    expected: "time_limit",
  },
  // Memory bombs.
  {
    // The time limit is long so that a loaded machine still reaches the memory limit first.
    name: "Map growth (once fatal to the whole process)",
    code: "const m = new Map();\nfor (let i = 0; ; i++) m.set(i, { i });",
    expected: "memory_limit",
    limits: { timeoutMs: 15_000, memoryMb: 64 },
  },
  { name: "string doubling", code: "let s = 'ab';\nfor (;;) s += s;", expected: "memory_limit" },
  {
    name: "typed arrays",
    code: "const keep = [];\nfor (;;) keep.push(new Float64Array(1 << 20));",
    expected: "memory_limit",
  },
  { name: "one huge ArrayBuffer", code: "new ArrayBuffer(2 ** 31);", expected: "memory_limit" },
  {
    name: "SharedArrayBuffers",
    code: "const keep = [];\nfor (;;) keep.push(new SharedArrayBuffer(1 << 24));",
    expected: "memory_limit",
  },
  {
    name: "WebAssembly memory (outside isolated-vm's limit, so not offered)",
    code: "const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 });\nfor (;;) new Uint8Array(m.buffer, m.grow(1000) * 65536).fill(1);",
    expected: "runtime_error",
  },
  {
    name: "recursion through toString",
    code: "const o = { toString() { return String(o); } };\nString(o);",
    expected: "runtime_error",
  },
  // Processes, files, the environment.
  {
    name: "require('child_process')",
    code: "require('child_process').execSync('touch /tmp/{marker}');",
    expected: "runtime_error",
  },
  { name: "process.binding", code: "process.binding('spawn_sync');", expected: "runtime_error" },
  {
    name: "Deno and Bun",
    code: "(globalThis.Deno ?? globalThis.Bun).spawn(['touch', '/tmp/{marker}']);",
    expected: "runtime_error",
  },
  {
    name: "process through the Function constructor",
    code: "this.constructor.constructor('return process')().mainModule.require('fs');",
    expected: "runtime_error",
  },
  {
    name: "require('fs') for /etc/passwd",
    code: "print(require('fs').readFileSync('/etc/passwd', 'utf8'));",
    expected: "runtime_error",
  },
  {
    name: "import('node:fs')",
    code: "import('node:fs').then((fs) => { fs.writeFileSync('/tmp/{marker}', 'x'); print('escaped'); });",
    expected: "runtime_error",
  },
  {
    name: "the secret in process.env or the global object",
    code: `const found = [globalThis.process?.env?.QUANTEVAL_SECRET_PROBE, ...Object.getOwnPropertyNames(globalThis)].join(' ');\nprint(found.includes('${SECRET}') ? 'escaped' : found);`,
    expected: "wrong_answer",
  },
  // Network (the local server counts connections).
  {
    name: "fetch",
    code: "fetch('http://127.0.0.1:' + input).then(() => print('escaped'));",
    input: "{port}",
    expected: "runtime_error",
  },
  {
    name: "XMLHttpRequest",
    code: "const x = new XMLHttpRequest();\nx.open('GET', 'http://127.0.0.1:' + input);\nx.send();",
    input: "{port}",
    expected: "runtime_error",
  },
  { name: "WebSocket", code: "new WebSocket('ws://127.0.0.1:' + input);", input: "{port}", expected: "runtime_error" },
  {
    name: "import('node:net')",
    code: "import('node:net').then((net) => { net.connect(Number(input), '127.0.0.1'); print('escaped'); });",
    input: "{port}",
    expected: "runtime_error",
  },
  // Escapes through prototypes and the provided functions.
  {
    name: "stack frames' receivers through Error.prepareStackTrace",
    code: js(
      "Error.prepareStackTrace = (e, frames) => frames.map((f) => f.getThis());",
      "const found = new Error().stack.some((t) => typeof t?.process?.binding === 'function');",
      "print(found ? 'escaped' : 'clean');",
    ),
    expected: "wrong_answer",
  },
  {
    name: "the global object through print's prototype chain",
    code: js(
      "const g = Object.getPrototypeOf(print).constructor('return this')();",
      "const host = typeof g.process?.binding === 'function' || typeof g.require?.resolve === 'function';",
      "print(host ? 'escaped' : 'clean');",
    ),
    expected: "wrong_answer",
  },
  {
    name: "a Proxy around print and readline",
    code: "const spy = new Proxy(print, { apply(target, self, args) { return target(...args, typeof self?.process); } });\nspy(new Proxy(readline, {}).constructor === Function ? 'clean' : 'escaped');",
    expected: "wrong_answer",
  },
  {
    name: "timers and microtasks",
    code: "const timer = globalThis.setTimeout ?? globalThis.setImmediate ?? globalThis.queueMicrotask;\ntimer(() => print('escaped'));",
    expected: "runtime_error",
  },
  // Passing without solving.
  {
    name: "functional: JSON.stringify replaced to fake the result",
    code: "JSON.stringify = () => '\"escaped\"';\nfunction f(x) { return 1; }",
    funcName: "f",
    expected: "wrong_answer",
  },
  {
    name: "Array.prototype.join replaced after printing (the output capture once used it)",
    code: "print('no');\nArray.prototype.join = () => 'escaped';",
    expected: "wrong_answer",
  },
  // Escapes through the Node.js shims (javascript-node-io.ts): all of them are plain code in the isolate.
  {
    name: "the host's process members through the shim process",
    code: js(
      "const p = require('process');",
      "const host = [p.binding, p.dlopen, p.mainModule, p._linkedBinding, p.getBuiltinModule];",
      "host.push(p.env.QUANTEVAL_SECRET_PROBE);",
      "print(host.some((x) => x !== undefined) ? 'escaped' : 'clean');",
    ),
    expected: "wrong_answer",
  },
  {
    name: "process.mainModule.require",
    code: "process.mainModule.require('child_process').execSync('touch /tmp/{marker}');",
    expected: "runtime_error",
  },
  {
    name: "require.cache, require.resolve and the module's constructor",
    code: js(
      "const found = Object.keys(require.cache).length > 0 || typeof require.resolve === 'function';",
      "print(found || typeof module.constructor._load === 'function' ? 'escaped' : 'clean');",
    ),
    expected: "wrong_answer",
  },
  {
    name: "module names that walk the host's paths",
    code: js(
      "let found = 0;",
      "const names = ['/work/main/package.json', '../../../../etc/passwd', 'node:child_process'];",
      "names.push({ toString: () => 'fs' }, 'fs/promises', 'worker_threads', 'vm');",
      "for (const name of names) {",
      "  try { require(name); found++; } catch {}",
      "}",
      "print(found > 0 ? 'escaped' : 'clean');",
    ),
    expected: "wrong_answer",
  },
  {
    name: "file descriptors and paths other than standard input",
    code: js(
      "let found = 0;",
      "for (const path of [3, 1, '/proc/self/environ', '/dev/fd/0', '{root}/package.json']) {",
      "  try { require('fs').readFileSync(path, 'utf8'); found++; } catch {}",
      "}",
      "print(found > 0 ? 'escaped' : 'clean');",
    ),
    expected: "wrong_answer",
  },
  {
    name: "constructor chains from the values the shims return",
    code: js(
      "const rl = require('readline').createInterface({ input: process.stdin });",
      "const values = [require('fs').readFileSync(0), rl, rl[Symbol.asyncIterator]().next(), process.stdin, require];",
      "const globals = [...values, process.stdout.write].map((v) => v.constructor.constructor('return this')());",
      "const host = (g) => g.process.binding || g.process.env.QUANTEVAL_SECRET_PROBE || g !== globalThis;",
      "print(globals.some(host) ? 'escaped' : 'clean');",
    ),
    input: "x\n",
    expected: "wrong_answer",
  },
  {
    name: "the shims' own frames through a sloppy listener's caller",
    code: js(
      "const rl = require('readline').createInterface({ input: process.stdin });",
      "rl.on('line', function spy() { print(spy.caller || arguments.callee.caller ? 'escaped' : 'clean'); });",
    ),
    input: "x\n",
    expected: "wrong_answer",
  },
  {
    // If the host read the captured output through inherited properties, these would answer.
    name: "Object.prototype getters for the fields the host reads back",
    code: js(
      "for (const key of ['text', 'overflow', 'returned', 'exited']) {",
      "  Object.defineProperty(Object.prototype, key, { get: () => 'escaped', set() {}, configurable: true });",
      "}",
      "process.stdout.write('no');",
      "require('readline').createInterface({ input: process.stdin }).on('line', (l) => print(l));",
    ),
    input: "x\n",
    expected: "wrong_answer",
  },
  {
    name: "a hostile value thrown after process.exit",
    code: "try { process.exit(0); } finally { throw new Proxy({}, { get() { for (;;) {} } }); }",
    expected: "wrong_answer",
  },
  {
    name: "process.exit caught, to print after it",
    code: js("for (;;) {", "  try { process.exit(0); } catch {}", "  print('escaped');", "}"),
    expected: "time_limit",
  },
  {
    // Contained, but slowly: isolated-vm reads an unhandled rejection's message and stack itself, after the run
    // and outside its time limit, holding the isolate so that the watchdog's dispose waits too. What ends it is
    // the pool killing the child 15 s past the limit (javascript-slot.ts). Not new with the Node shims: any
    // async function could always reject like this.
    name: "an async rejection whose Error has looping getters (isolated-vm reads it after the run)",
    code: js(
      "(async () => {",
      "  const e = new Error('x');",
      "  Object.defineProperty(e, 'message', { get() { for (;;) {} } });",
      "  Object.defineProperty(e, 'stack', { get() { for (;;) {} } });",
      "  throw e;",
      "})();",
    ),
    expected: "time_limit",
  },
  // Huge standard input, read again and again; endless readline loops.
  {
    name: "huge standard input kept as Buffers",
    code: js(
      "const text = require('fs').readFileSync(0, 'utf8');",
      "const keep = [];",
      "for (;;) keep.push(Buffer.from(text));",
    ),
    input: "x".repeat(8 * 2 ** 20),
    expected: "memory_limit",
  },
  {
    name: "huge standard input doubled in every 'data' event",
    code: js(
      "const keep = [];",
      "process.stdin.on('data', (c) => { for (;;) { c = Buffer.concat([c, c]); keep.push(c); } });",
    ),
    input: "x".repeat(8 * 2 ** 20),
    expected: "memory_limit",
  },
  {
    name: "standard input read forever",
    code: js("const fs = require('fs');", "for (;;) fs.readFileSync(0);"),
    input: "x".repeat(2 ** 20),
    expected: ["time_limit", "memory_limit"],
  },
  {
    name: "a 'line' listener that never returns",
    code: "require('readline').createInterface({ input: process.stdin }).on('line', () => { for (;;) {} });",
    input: "x\n",
    expected: "time_limit",
  },
  {
    name: "for await over a closed interface, forever",
    code: js(
      "const rl = require('readline').createInterface({ input: process.stdin });",
      "(async () => { for (;;) for await (const line of rl) print(line); })();",
    ),
    input: "x\n",
    expected: "time_limit",
  },
  {
    name: "process.nextTick forever",
    code: js("const again = () => process.nextTick(again);", "again();"),
    expected: "time_limit",
  },
  {
    name: "a new interface from every 'close'",
    code: js(
      "const again = () => require('readline').createInterface({ input: process.stdin }).on('close', again);",
      "again();",
      "print('no');",
    ),
    input: "x\n",
    expected: "wrong_answer",
  },
  // Output floods.
  { name: "one line longer than the output limit", code: "print('x'.repeat(2 ** 24 + 1));", expected: "runtime_error" },
];

describe("Python: hostile programs are contained", () => {
  test.each(PYTHON_CASES)("$name", async (c) => {
    checkContained(c, await runCase("python", c));
  });

  test("changes to the shared interpreter do not reach the next program in the same worker", async () => {
    const workerStarts = [...runner.pythonStartTimesMs];
    for (const vandal of PYTHON_VANDALS) checkContained(vandal, await runCase("python", vandal));
    // Twice: the finalizer strikes between the two, and the restore before the second must undo it.
    const innocent: CodeTest = { input: "", output: PYTHON_INNOCENT_OUTPUT, testtype: "stdin" };
    const verdict = await runner.run(PYTHON_INNOCENT, "python", [innocent, innocent], {
      limits: { timeoutMs: 10_000, memoryMb: 64 },
    });
    expect(verdict.tests, JSON.stringify(verdict.tests)).toMatchObject([{ status: "passed" }, { status: "passed" }]);
    // Same worker, so the restore (not a fresh interpreter) is what the innocent program saw.
    expect(runner.pythonStartTimesMs).toEqual(workerStarts);
  });

  // A known limit: state kept in C (ABC registries, the random generator, the codecs registry) is not restored.
  // It cannot make anything pass (verdicts are the host's); it can make a later program in the same worker fail.
  test.fails("limit: an ABC registration reaches the next program in the same worker", async () => {
    await runCase("python", {
      name: "register",
      code: "import collections.abc\ncollections.abc.Sequence.register(int)",
      expected: "wrong_answer",
    });
    const verdict = await runner.run(
      "import collections.abc\nprint(isinstance(1, collections.abc.Sequence))",
      "python",
      [{ input: "", output: "False", testtype: "stdin" }],
      { limits: LIMITS },
    );
    expect(verdict.passed).toBe(true);
  });
});

describe("JavaScript: hostile programs are contained", () => {
  test.each(JAVASCRIPT_CASES)("$name", async (c) => {
    checkContained(c, await runCase("javascript", c));
  });

  test("innocent programs still pass afterwards", async () => {
    for (const code of [
      js("const [a, b] = input.split(' ').map(Number);", "print(a + b);"),
      js("const [a, b] = require('fs').readFileSync(0, 'utf8').split(' ').map(Number);", "console.log(a + b);"),
      js(
        "const rl = require('readline').createInterface({ input: process.stdin });",
        "rl.on('line', (line) => console.log(line.split(' ').map(Number).reduce((a, b) => a + b)));",
      ),
    ]) {
      const test: CodeTest = { input: "2 3", output: "5", testtype: "stdin" };
      const verdict = await runner.run(code, "javascript", [test], { limits: LIMITS });
      expect(verdict.tests, code).toMatchObject([{ status: "passed" }]);
    }
  });
});

describe("the host", () => {
  test("saw no connection, and has no file a hostile program wrote", () => {
    expect(server.connections()).toBe(0);
    expect(markersOnHost()).toEqual([]);
  });
});
