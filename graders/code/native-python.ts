/**
 * The native Python executor: each LiveCodeBench test, or each program, in a fresh CPython process inside
 * bubblewrap (native-sandbox.ts). Tests are judged by the same function as Pyodide's (python.ts), from outcomes
 * the same harness code classifies, so the two executors' verdicts mean the same.
 */
import { constants } from "node:os";
import type { NativeAvailability } from "./native-detect.ts";
import { runInSandbox, type SandboxFile, type SandboxResult } from "./native-sandbox.ts";
import { judgePythonTest } from "./python.ts";
import type { HarnessOutcome } from "./python-protocol.ts";
import { type CodeTest, type RunLimits, shortDetail, type TestOutcome } from "./types.ts";

/** A sandbox that detectNativePython found working. */
export type NativeSandbox = Extract<NativeAvailability, { available: true }>;

export interface NativeRunOptions {
  /** Wall-clock limit, from the moment the program starts (the sandbox's own start-up is not counted). */
  timeoutMs: number;
  /** Address space the program may use on top of the bare interpreter's (imports such as numpy count). */
  memoryMb: number;
  /** Written into the working folder (/tmp, the only writable place) before the program starts. */
  files?: readonly SandboxFile[];
  /** Standard input (default empty). */
  stdin?: string | Uint8Array;
  /** Standard output kept; beyond it the program is killed and `outputOverflow` set (default 16 MB). */
  outputLimitBytes?: number;
}

export interface NativeRunResult {
  /** The program's exit status: 0, 1 for an uncaught exception, sys.exit's value; null when it was killed. */
  exitCode: number | null;
  /** The signal that ended the program (e.g. "SIGSEGV", "SIGXCPU"), or SIGKILL when the host killed it. */
  signal?: NodeJS.Signals;
  timedOut: boolean;
  stdout: string;
  /** Standard error (a traceback, say), cut at 1 MB. */
  stderr: string;
  outputOverflow: boolean;
  /** Run time by the host's clock, from the program's start. */
  ms: number;
}

const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Runs a Python program as __main__ in a fresh sandbox; rejects only when the sandbox cannot start. */
export async function runNativePython(
  sandbox: NativeSandbox,
  program: string,
  options: NativeRunOptions,
): Promise<NativeRunResult> {
  for (const file of options.files ?? []) {
    if (!FILE_NAME.test(file.name) || file.name === "main.py") {
      throw new Error(`runNativePython: "${file.name}" is not a plain file name (or is main.py, the program's own)`);
    }
  }
  const result = await runInSandbox(
    sandbox.python,
    sandbox.dirs,
    { mode: "program", code: program, ...(options.files === undefined ? {} : { files: options.files }) },
    options.stdin ?? "",
    {
      timeoutMs: options.timeoutMs,
      memoryMb: options.memoryMb,
      ...(options.outputLimitBytes === undefined ? {} : { outputLimitBytes: options.outputLimitBytes }),
    },
  );
  if (!result.started) throw sandboxFailure(result);
  const signal = endingSignal(result);
  return {
    exitCode: signal === undefined ? result.exitCode : null,
    ...(signal === undefined ? {} : { signal }),
    timedOut: result.timedOut,
    stdout: result.stdout.toString("utf8"),
    stderr: result.stderr,
    outputOverflow: result.outputOverflow,
    ms: result.ms,
  };
}

/** One LiveCodeBench test; rejects only when the sandbox cannot start. */
export async function runNativePythonTest(
  sandbox: NativeSandbox,
  code: string,
  test: CodeTest,
  funcName: string | undefined,
  limits: RunLimits,
): Promise<TestOutcome> {
  const functional = test.testtype === "functional";
  const result = await runInSandbox(
    sandbox.python,
    sandbox.dirs,
    { mode: "test", code, kind: test.testtype, input: functional ? test.input : "", funcName: funcName ?? "" },
    functional ? "" : test.input,
    limits,
  );
  if (!result.started) throw sandboxFailure(result);
  return judgePythonTest(
    {
      outcome: harnessOutcome(result, functional),
      stdout: result.outputOverflow ? "" : result.stdout.toString("utf8"),
      outputOverflow: result.outputOverflow,
      timedOut: result.timedOut,
    },
    test,
  );
}

/** The harness's outcome line, or what the process's end says when the program left before the harness spoke. */
function harnessOutcome(result: SandboxResult, functional: boolean): HarnessOutcome {
  const line = result.report.trim().split("\n").at(-1) ?? "";
  if (line !== "") {
    try {
      const parsed = JSON.parse(line) as unknown;
      if (typeof parsed === "object" && parsed !== null && typeof (parsed as HarnessOutcome).status === "string") {
        return parsed as HarnessOutcome;
      }
    } catch {
      // A program that wrote on the harness's descriptor: judged by how it ended, below.
    }
  }
  const ms = { ms: result.ms };
  const signal = endingSignal(result);
  if (result.timedOut || signal === "SIGXCPU") return { status: "time_limit", ...ms };
  // From Python code, a segfault is C recursion past the stack (which the address-space cap bounds too).
  if (signal === "SIGSEGV") return { status: "memory_limit", detail: "the stack ran out (SIGSEGV)", ...ms };
  if (signal !== undefined) return { status: "runtime_error", detail: `killed by ${signal}`, ...ms };
  // os._exit(0) after printing is a common speed idiom for stdin programs: the output is judged as it stands.
  if (result.exitCode === 0 && !functional) return { status: "completed", ...ms };
  return { status: "runtime_error", detail: shortDetail(`exited with status ${result.exitCode}`), ...ms };
}

/** The signal behind bubblewrap's exit: its own (the host killed it) or the program's, as 128 + n. */
function endingSignal(result: SandboxResult): NodeJS.Signals | undefined {
  if (result.signal !== null) return result.signal;
  const code = result.exitCode;
  if (code === null || code <= 128 || code > 128 + 64) return undefined;
  const found = Object.entries(constants.signals).find(([, n]) => n === code - 128);
  return found === undefined ? undefined : (found[0] as NodeJS.Signals);
}

function sandboxFailure(result: SandboxResult): Error {
  const said = result.stderr.trim().split("\n").slice(-3).join(" | ");
  return new Error(`the native Python sandbox did not start (exit ${result.exitCode ?? result.signal}): ${said}`);
}
