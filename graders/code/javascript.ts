/**
 * Runs model-written JavaScript in isolated-vm: one fresh V8 isolate (with a heap limit) per program run and a
 * fresh context per test. The context has no host API at all (no files, network, timers, processes or host
 * objects): only the standard built-ins (less WebAssembly) plus the I/O described in JAVASCRIPT_IO_NOTE
 * (types.ts), whose Node.js part (require('fs'), readline, process) is plain code inside the isolate
 * (javascript-node-io.ts). Strings are all that cross: standard input in, output and results out.
 * It runs in a child process of javascript-slot.ts: isolated-vm's memory limit is not hard.
 */
import ivm from "isolated-vm";
import { NODE_IO_SOURCE } from "./javascript-node-io.ts";
import { jsonEqual } from "./json-equal.ts";
import { compareStdout } from "./output-compare.ts";
import { type CodeTest, type RunLimits, shortDetail, type TestOutcome } from "./types.ts";

/** Captured standard output per test, in UTF-16 code units. */
export const JS_OUTPUT_LIMIT_CHARS = 16 * 1024 * 1024;
/** isolated-vm refuses smaller heaps. */
const MIN_ISOLATE_MB = 8;
const SOLUTION_FILE = "solution.js";
const SETUP_FILE = "quanteval-setup.js";
/** Time allowed for reading back the captured output (the program cannot slow this down). */
const COLLECT_TIMEOUT_MS = 5000;
/**
 * Past the time limit, how long before the isolate is disposed whatever it is doing. isolated-vm's own timeout
 * covers running code, not its reading of a thrown non-Error object, whose getters can loop forever.
 */
const WATCHDOG_GRACE_MS = 2000;

/**
 * Installed in each test's context before the program: `input`, `readline()`, `print` and `console.log`, Node's
 * standard-input idioms (javascript-node-io.ts), and three fixed globals the wrapped program uses (see
 * wrapProgram). The captured output lives in this closure, out of the program's reach; the returned function
 * reads it ("collect") or runs one step of standard input ("drive"). The output is one string built with `+`,
 * and the built-ins used later are captured now: the program can replace Array.prototype.join, String, JSON...
 * Strict mode, so that a program's function cannot climb into these frames through `caller` or `arguments`.
 * $0 = standard input, $1 = output limit in characters, $2 = a functional test's arguments as JSON, or null.
 */
const SETUP_SOURCE = String.raw`"use strict";
const input = $0;
const limit = $1;
const argsJson = $2;
const create = Object.create;
const defineProperty = Object.defineProperty;
const toText = String;
const stringify = JSON.stringify;
let text = "";
let size = 0;
let overflow = false;
let returned = "null";
// process.exit: the token it throws to unwind the program, and whether it was called (output stops there).
const exitState = { exited: false, token: Object.freeze(create(null)) };
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
  if (exitState.exited) return;
  if (overflow || size + line.length > limit) {
    overflow = true;
    throw new RangeError("output limit exceeded");
  }
  size += line.length;
  text += line;
};
// Node's util.format for a first argument that is a string with more arguments after it: %s %d %i %f %j %o %O
// %c and %%; the arguments left over follow, separated by spaces.
const format = (args) => {
  const first = args[0];
  if (typeof first !== "string" || args.length === 1) return args.map((value) => show(value, 0)).join(" ");
  let out = "";
  let used = 1;
  let last = 0;
  for (let i = 0; i < first.length - 1; i++) {
    if (first[i] !== "%") continue;
    const kind = first[i + 1];
    if (kind === "%") {
      out += first.slice(last, i) + "%";
      last = i + 2;
      i++;
      continue;
    }
    if (used >= args.length || !"sdifjoOc".includes(kind)) continue;
    const value = args[used++];
    let piece;
    if (kind === "s") piece = typeof value === "object" && value !== null ? show(value, 1) : show(value, 0);
    else if (kind === "d" || kind === "i" || kind === "f") {
      if (typeof value === "bigint") piece = kind === "f" ? toText(Number(value)) : value + "n";
      else if (typeof value === "symbol") piece = "NaN";
      else if (kind === "d") piece = show(Number(value), 0);
      else piece = show((kind === "i" ? parseInt : parseFloat)(value), 0);
    } else if (kind === "j") piece = toText(stringify(value));
    else if (kind === "c") piece = "";
    else piece = show(value, 1);
    out += first.slice(last, i) + piece;
    last = i + 2;
    i++;
  }
  out += first.slice(last);
  for (let i = used; i < args.length; i++) out += " " + show(args[i], 0);
  return out;
};
const log = (...args) => write(format(args) + "\n");
const ignore = () => {};
// What the program throws leaves the isolate as a plain record of strings: isolated-vm reads a thrown value's
// name, message and stack (running its getters and proxy traps) where no time limit applies any more.
const sanitize = (thrown) => {
  const record = create(null);
  record.name = "Error";
  record.message = "";
  record.stack = "";
  try {
    if ((typeof thrown === "object" && thrown !== null) || typeof thrown === "function") {
      record.name = toText(thrown.name);
      record.message = toText(thrown.message);
      record.stack = toText(thrown.stack);
    } else {
      record.message = toText(thrown);
    }
  } catch {}
  return record;
};
// A functional test's result, as JSON (only a string leaves the isolate; the host parses it).
const settle = (result) => {
  const json = stringify(result === undefined ? null : result);
  returned = typeof json === "string" ? json : "null";
};
// The end of the program or of an event it handled: nothing, after process.exit; else what it threw.
const fail = (thrown) => {
  if (exitState.exited) return;
  throw sanitize(thrown);
};
const fixed = (name, value) => defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: false });
fixed("__quantevalFail", fail);
fixed("__quantevalSettle", settle);
fixed("__quantevalArgs", argsJson === null ? [] : JSON.parse(argsJson));
// WebAssembly memory lies outside isolated-vm's memory limit (up to 4 GB per Memory); solutions never need it.
delete globalThis.WebAssembly;
globalThis.console = { log, info: log, debug: log, error: ignore, warn: ignore, trace: ignore };
globalThis.print = log;
globalThis.input = input;
globalThis.readline = () => (next < lines.length ? lines[next++].replace(/\r$/, "") : undefined);
${NODE_IO_SOURCE}
const drive = () => {
  try {
    return driveStdin();
  } catch (thrown) {
    fail(thrown);
    return false;
  }
};
return (step) => (step === "drive" ? drive() : { text, overflow, returned, exited: exitState.exited });
`;

/**
 * Calls the solution's function with the test's arguments, as LiveCodeBench calls `Solution().<func_name>(*args)`:
 * a method of `class Solution` (or a static one), else a function of that name however it was declared
 * (`function f`, `var f = function`, `const f = () =>`). Runs inside the program's block (see wrapProgram).
 */
function callSnippet(funcName: string): string {
  const name = JSON.stringify(funcName);
  const missing = JSON.stringify(`no function or Solution method named ${funcName}`);
  return `{
  let __quantevalTarget;
  if (typeof Solution === "function") {
    const __quantevalSolution = new Solution();
    if (typeof __quantevalSolution[${name}] === "function") __quantevalTarget = __quantevalSolution[${name}].bind(__quantevalSolution);
    else if (typeof Solution[${name}] === "function") __quantevalTarget = Solution[${name}].bind(Solution);
  }
  if (__quantevalTarget === undefined && typeof ${funcName} === "function") __quantevalTarget = ${funcName};
  if (__quantevalTarget === undefined) {
    const __quantevalMissing = new ReferenceError(${missing});
    __quantevalMissing.stack = "ReferenceError: " + ${missing}; // no line: this call is not in the program
    throw __quantevalMissing;
  }
  __quantevalSettle(__quantevalTarget(...__quantevalArgs));
}`;
}

/** A leading "use strict" directive (after comments), which the wrapper must keep in force. */
const USE_STRICT = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(["'])use strict\1/u;

/**
 * The program inside `try { … } catch`, so that nothing but a sanitized record is thrown out of the isolate,
 * with a functional test's call in the same block (so it sees the program's top-level `let` and `class`
 * declarations). The program alone must compile first: then its braces balance and it cannot close the block.
 * `try {` shares the first line, so line numbers stay the program's.
 */
function wrapProgram(code: string, funcName: string | undefined): string {
  const strict = USE_STRICT.test(code) ? '"use strict"; ' : "";
  const call = funcName === undefined ? "" : callSnippet(funcName);
  return `${strict}try {${code}\n;${call}\nvoid 0;\n} catch (__quantevalError) { __quantevalFail(__quantevalError); }`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/u;

interface Captured {
  text: string;
  overflow: boolean;
  returned: string;
  /** process.exit was called: what the program threw after it (the exit's own unwinding included) is no error. */
  exited: boolean;
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

/**
 * Allocation failures that are the memory limit speaking: isolated-vm caps ArrayBuffers too, and a string past
 * V8's maximum length is Python's "string too long" (a memory limit there as well).
 */
function isOutOfMemory(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === "RangeError" &&
    /^(Array buffer allocation failed|Invalid string length)/u.test(error.message)
  );
}

/** SETUP_SOURCE as a script whose value is the function taking $0, $1 and $2. */
const SETUP_FUNCTION = `(function ($0, $1, $2) {${SETUP_SOURCE}\n})`;

interface Compiled {
  isolate: ivm.Isolate;
  setup: ivm.Script;
  script: ivm.Script;
}

/** A program compiled into its own isolate; tests run one after another, each in a fresh context. */
export class JavaScriptProgram {
  readonly #code: string;
  readonly #limits: RunLimits;
  #isolate: ivm.Isolate | undefined;
  /**
   * SETUP_SOURCE as a function, compiled once per isolate: compiled per context (as evalClosure does), its
   * parsing and garbage cost a busy pool about a millisecond per test.
   */
  #setup: ivm.Script | undefined;
  /** The wrapped program, per function name ("" for stdin tests). */
  readonly #scripts = new Map<string, ivm.Script>();

  constructor(code: string, limits: RunLimits) {
    this.#code = code;
    this.#limits = limits;
  }

  async runTest(test: CodeTest, funcName: string | undefined): Promise<TestOutcome> {
    if (test.testtype === "functional" && (funcName === undefined || !IDENTIFIER.test(funcName))) {
      throw new Error(`functional test needs a function name that is a JS identifier, got ${String(funcName)}`);
    }
    let compiled: Compiled;
    try {
      compiled = await this.#compile(test.testtype === "functional" ? funcName : undefined);
    } catch (error) {
      if (error instanceof Error && error.name === "SyntaxError") {
        return { status: "compile_error", detail: describeError(error) };
      }
      throw error;
    }
    const { isolate, setup, script } = compiled;
    const context = await isolate.createContext();
    try {
      return await this.#runInContext(isolate, setup, script, context, test);
    } finally {
      if (!isolate.isDisposed) context.release();
    }
  }

  dispose(): void {
    if (this.#isolate !== undefined && !this.#isolate.isDisposed) this.#isolate.dispose();
    this.#isolate = undefined;
    this.#setup = undefined;
    this.#scripts.clear();
  }

  /**
   * The program's isolate (recreated if the previous test exhausted, and so disposed, it), the setup and the
   * wrapped program.
   */
  async #compile(funcName: string | undefined): Promise<Compiled> {
    if (this.#isolate === undefined || this.#isolate.isDisposed || this.#setup === undefined) {
      this.dispose();
      const isolate = new ivm.Isolate({ memoryLimit: Math.max(MIN_ISOLATE_MB, this.#limits.memoryMb) });
      try {
        // The program alone, for its syntax errors and so that the wrapper is known to hold it (wrapProgram).
        (await isolate.compileScript(this.#code, { filename: SOLUTION_FILE })).release();
        this.#setup = await isolate.compileScript(SETUP_FUNCTION, { filename: SETUP_FILE });
      } catch (error) {
        isolate.dispose();
        throw error;
      }
      this.#isolate = isolate;
    }
    const isolate = this.#isolate;
    const setup = this.#setup;
    let script = this.#scripts.get(funcName ?? "");
    if (script === undefined) {
      script = await isolate.compileScript(wrapProgram(this.#code, funcName), { filename: SOLUTION_FILE });
      this.#scripts.set(funcName ?? "", script);
    }
    return { isolate, setup, script };
  }

  async #runInContext(
    isolate: ivm.Isolate,
    setup: ivm.Script,
    script: ivm.Script,
    context: ivm.Context,
    test: CodeTest,
  ): Promise<TestOutcome> {
    const timeoutMs = this.#limits.timeoutMs;
    const stdin = test.testtype === "stdin" ? test.input : "";
    const argsJson =
      test.testtype === "functional"
        ? JSON.stringify(test.input.split("\n").map((line) => JSON.parse(line) as unknown))
        : null;
    // Synchronous: no program code runs yet (nor in "collect" below), and each asynchronous call into the
    // isolate costs a thread hop, which a busy pool feels.
    const install = setup.runSync(context, { reference: true }) as ivm.Reference<(...args: unknown[]) => unknown>;
    const control = install.applySync(undefined, [stdin, JS_OUTPUT_LIMIT_CHARS, argsJson], {
      arguments: { copy: true },
      result: { reference: true },
    }) as ivm.Reference<(step: "drive" | "collect") => boolean | Captured>;
    const started = performance.now();
    const left = () => Math.max(1, Math.ceil(timeoutMs - (performance.now() - started)));
    const overdue = () => performance.now() - started > timeoutMs;
    let failure: TestOutcome | undefined;
    let watchdogFired = false;
    const watchdog = setTimeout(() => {
      watchdogFired = true;
      if (!isolate.isDisposed) isolate.dispose();
    }, timeoutMs + WATCHDOG_GRACE_MS);
    try {
      await script.run(context, { timeout: left() });
      // Then Node's event loop: one turn per chunk of standard input and one for its end, each with the
      // microtasks it started, in what is left of the same time limit (javascript-node-io.ts, driveStdin).
      const drive = { arguments: { copy: true }, result: { copy: true } } as const;
      let more = true;
      // Each step gets at least 1 ms: without this check, many chunks of a slow program could add up past the limit.
      while (more && !overdue())
        more = (await control.apply(undefined, ["drive"], { ...drive, timeout: left() })) === true;
      if (more || overdue()) failure = { status: "time_limit" };
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
    const captured = control.applySync(undefined, ["collect"], {
      arguments: { copy: true },
      result: { copy: true },
      timeout: COLLECT_TIMEOUT_MS,
    });
    if (typeof captured !== "object") throw new Error("the sandbox's setup did not return the captured output");
    if (captured.overflow) return { status: "runtime_error", detail: "output limit exceeded", ms };
    // isolated-vm reports an unhandled rejection as the run's error, as Node exits with code 1 on one; the
    // exit's token, thrown through an async function, is one.
    if (failure?.status === "runtime_error" && captured.exited) failure = undefined;
    if (failure !== undefined) return { ...failure, ms };
    if (test.testtype === "functional") {
      let returned: unknown;
      try {
        returned = JSON.parse(captured.returned);
      } catch {
        return { status: "runtime_error", detail: "the function's result is not JSON", ms };
      }
      const equal = jsonEqual(returned, JSON.parse(test.output) as unknown);
      return equal
        ? { status: "passed", ms }
        : { status: "wrong_answer", detail: shortDetail(`got ${captured.returned}, expected ${test.output}`), ms };
    }
    const comparison = compareStdout(captured.text, test.output);
    return comparison.equal
      ? { status: "passed", ms }
      : { status: "wrong_answer", detail: comparison.detail ?? "output differs", ms };
  }
}
