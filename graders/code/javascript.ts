/**
 * Runs model-written JavaScript in isolated-vm: one fresh V8 isolate (with a heap limit) per program run and a
 * fresh context per test. The context has no Node.js APIs at all (no require, process, fs, fetch, timers):
 * only the standard built-ins plus the I/O described in JAVASCRIPT_IO_NOTE (types.ts).
 */
import ivm from "isolated-vm";
import { jsonEqual } from "./json-equal.ts";
import { compareStdout } from "./output-compare.ts";
import { type CodeTest, type RunLimits, type TestOutcome, shortDetail } from "./types.ts";

/** Captured standard output per test, in UTF-16 code units. */
export const JS_OUTPUT_LIMIT_CHARS = 16 * 1024 * 1024;
/** isolated-vm refuses smaller heaps. */
const MIN_ISOLATE_MB = 8;
const SOLUTION_FILE = "solution.js";
/** Time allowed for reading back the captured output (the program cannot slow this down). */
const COLLECT_TIMEOUT_MS = 5000;
/**
 * Past the time limit, how long before the isolate is disposed whatever it is doing. isolated-vm's own timeout
 * covers running code, not its reading of a thrown non-Error object, whose getters can loop forever.
 */
const WATCHDOG_GRACE_MS = 2000;

/**
 * Installed in each test's context before the program: `input`, `readline()`, `print` and `console.log`.
 * The captured output lives in this closure, out of the program's reach; the returned function reads it.
 * It is one string built with `+`, not an array joined later: the program can replace Array.prototype.join.
 * $0 = standard input, $1 = output limit in characters.
 */
const SETUP_SOURCE = String.raw`
const input = $0;
const limit = $1;
let text = "";
let size = 0;
let overflow = false;
const lines = input.split("\n");
if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
let next = 0;
const show = (value, depth) => {
  switch (typeof value) {
    case "string": return depth === 0 ? value : "'" + value + "'";
    case "number": return Object.is(value, -0) ? "-0" : String(value);
    case "bigint": return String(value) + "n";
    case "function": return "[Function: " + (value.name || "(anonymous)") + "]";
    case "object":
      if (value === null) return "null";
      if (depth > 2) return Array.isArray(value) ? "[Array]" : "[Object]";
      if (Array.isArray(value)) {
        return value.length === 0 ? "[]" : "[ " + value.map((item) => show(item, depth + 1)).join(", ") + " ]";
      }
      {
        const entries = Object.entries(value).map(([key, item]) => key + ": " + show(item, depth + 1));
        return entries.length === 0 ? "{}" : "{ " + entries.join(", ") + " }";
      }
    default: return String(value);
  }
};
const write = (line) => {
  if (overflow || size + line.length > limit) {
    overflow = true;
    throw new RangeError("output limit exceeded");
  }
  size += line.length;
  text += line;
};
const log = (...args) => write(args.map((value) => show(value, 0)).join(" ") + "\n");
const ignore = () => {};
globalThis.console = { log, info: log, debug: log, error: ignore, warn: ignore, trace: ignore };
globalThis.print = log;
globalThis.input = input;
globalThis.readline = () => (next < lines.length ? lines[next++].replace(/\r$/, "") : undefined);
return () => ({ text, overflow });
`;

/** Calls the solution's function with JSON arguments ($0) and returns the JSON of its result. */
function callSource(funcName: string): string {
  return `
const args = JSON.parse($0);
let target;
if (typeof Solution === "function") {
  const solution = new Solution();
  if (typeof solution[${JSON.stringify(funcName)}] === "function") target = solution[${JSON.stringify(funcName)}].bind(solution);
}
if (target === undefined && typeof ${funcName} === "function") target = ${funcName};
if (target === undefined) throw new ReferenceError(${JSON.stringify(`no function or Solution method named ${funcName}`)});
const result = target(...args);
const json = JSON.stringify(result === undefined ? null : result);
// Only a string leaves the isolate (the program may have replaced JSON.stringify); the host parses it.
return typeof json === "string" ? json : "null";
`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/u;

interface Captured {
  text: string;
  overflow: boolean;
}

/** An error thrown out of the isolate, as isolated-vm copies it back. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Syntax errors carry " [solution.js:L:C]" in the message, runtime errors "solution.js:L:C" in the stack.
  const line = /solution\.js:(\d+)/u.exec(`${error.message} ${error.stack ?? ""}`)?.[1];
  const message = error.message.replace(/\s*\[solution\.js:\d+:\d+\]$/u, "");
  return shortDetail(`${error.name}: ${message}${line === undefined ? "" : ` (line ${line})`}`);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && /timed out/iu.test(error.message);
}

/** Allocation failures that are the memory limit speaking (isolated-vm caps ArrayBuffers too). */
function isOutOfMemory(error: unknown): boolean {
  return error instanceof RangeError && /^Array buffer allocation failed/u.test(error.message);
}

/** A program compiled into its own isolate; tests run one after another, each in a fresh context. */
export class JavaScriptProgram {
  readonly #code: string;
  readonly #limits: RunLimits;
  #isolate: ivm.Isolate | undefined;
  #script: ivm.Script | undefined;

  constructor(code: string, limits: RunLimits) {
    this.#code = code;
    this.#limits = limits;
  }

  async runTest(test: CodeTest, funcName: string | undefined): Promise<TestOutcome> {
    if (test.testtype === "functional" && (funcName === undefined || !IDENTIFIER.test(funcName))) {
      throw new Error(`functional test needs a function name that is a JS identifier, got ${String(funcName)}`);
    }
    let compiled: { isolate: ivm.Isolate; script: ivm.Script };
    try {
      compiled = await this.#compile();
    } catch (error) {
      if (error instanceof Error && error.name === "SyntaxError") {
        return { status: "compile_error", detail: describeError(error) };
      }
      throw error;
    }
    const { isolate, script } = compiled;
    const context = await isolate.createContext();
    try {
      return await this.#runInContext(isolate, script, context, test, funcName ?? "");
    } finally {
      if (!isolate.isDisposed) context.release();
    }
  }

  dispose(): void {
    if (this.#isolate !== undefined && !this.#isolate.isDisposed) this.#isolate.dispose();
    this.#isolate = undefined;
    this.#script = undefined;
  }

  /** The program's isolate, recreated if the previous test exhausted (and so disposed) it. */
  async #compile(): Promise<{ isolate: ivm.Isolate; script: ivm.Script }> {
    if (this.#isolate === undefined || this.#isolate.isDisposed || this.#script === undefined) {
      this.dispose();
      const isolate = new ivm.Isolate({ memoryLimit: Math.max(MIN_ISOLATE_MB, this.#limits.memoryMb) });
      try {
        this.#script = await isolate.compileScript(this.#code, { filename: SOLUTION_FILE });
      } catch (error) {
        isolate.dispose();
        throw error;
      }
      this.#isolate = isolate;
    }
    return { isolate: this.#isolate, script: this.#script };
  }

  async #runInContext(
    isolate: ivm.Isolate,
    script: ivm.Script,
    context: ivm.Context,
    test: CodeTest,
    funcName: string,
  ): Promise<TestOutcome> {
    const timeoutMs = this.#limits.timeoutMs;
    const stdin = test.testtype === "stdin" ? test.input : "";
    const collect = (await context.evalClosure(SETUP_SOURCE, [stdin, JS_OUTPUT_LIMIT_CHARS], {
      arguments: { copy: true },
      result: { reference: true },
    })) as ivm.Reference<() => Captured>;
    const started = performance.now();
    let failure: TestOutcome | undefined;
    let resultJson: string | undefined;
    let watchdogFired = false;
    const watchdog = setTimeout(() => {
      watchdogFired = true;
      if (!isolate.isDisposed) isolate.dispose();
    }, timeoutMs + WATCHDOG_GRACE_MS);
    try {
      await script.run(context, { timeout: Math.max(1, Math.ceil(timeoutMs)) });
      if (test.testtype === "functional") {
        const argsJson = JSON.stringify(test.input.split("\n").map((line) => JSON.parse(line) as unknown));
        const remaining = Math.max(1, Math.ceil(timeoutMs - (performance.now() - started)));
        resultJson = (await context.evalClosure(callSource(funcName), [argsJson], {
          arguments: { copy: true },
          result: { copy: true },
          timeout: remaining,
        })) as string;
      }
    } catch (error) {
      if (watchdogFired || isTimeout(error)) failure = { status: "time_limit" };
      else if (isolate.isDisposed) failure = { status: "memory_limit", detail: "JavaScript heap limit reached" };
      else if (isOutOfMemory(error)) failure = { status: "memory_limit", detail: describeError(error) };
      else failure = { status: "runtime_error", detail: describeError(error) };
    } finally {
      clearTimeout(watchdog);
    }
    const ms = performance.now() - started;
    if (watchdogFired) return { status: "time_limit", ms };
    if (isolate.isDisposed) return { status: "memory_limit", detail: "JavaScript heap limit reached", ms };
    const captured = await collect.apply(undefined, [], { result: { copy: true }, timeout: COLLECT_TIMEOUT_MS });
    if (captured.overflow) return { status: "runtime_error", detail: "output limit exceeded", ms };
    if (failure !== undefined) return { ...failure, ms };
    if (test.testtype === "functional") {
      let returned: unknown;
      try {
        returned = JSON.parse(typeof resultJson === "string" ? resultJson : "null");
      } catch {
        return { status: "runtime_error", detail: "the function's result is not JSON", ms };
      }
      const equal = jsonEqual(returned, JSON.parse(test.output) as unknown);
      return equal
        ? { status: "passed", ms }
        : { status: "wrong_answer", detail: shortDetail(`got ${resultJson ?? "null"}, expected ${test.output}`), ms };
    }
    const comparison = compareStdout(captured.text, test.output);
    return comparison.equal
      ? { status: "passed", ms }
      : { status: "wrong_answer", detail: comparison.detail ?? "output differs", ms };
  }
}
