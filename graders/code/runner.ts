/**
 * The code-grading lifecycle for a CLI run: create one runner, grade many programs (Python and JavaScript,
 * concurrently), close it at the end. The Python worker pool starts on the first Python test, the JavaScript
 * process pool on the first JavaScript test: a runner that runs no code starts neither Pyodide nor isolated-vm.
 */
import { availableParallelism } from "node:os";
import PQueue from "p-queue";
import type { CodeRunner, RunPythonProgram } from "../../src/core/types.ts";
import { JavaScriptSlot } from "./javascript-slot.ts";
import { detectNativePython, type NativeAvailability } from "./native-detect.ts";
import { type NativeSandbox, runNativePython, runNativePythonTest } from "./native-python.ts";
import { runPythonTest } from "./python.ts";
import { PythonPool } from "./python-pool.ts";
import { SandboxPool } from "./sandbox-pool.ts";
import { checkTestData, runTestSequence } from "./test-sequence.ts";
import type { CodeLanguage, CodeTest, CodeVerdict, RunOptions } from "./types.ts";

export interface CodeRunnerOptions {
  /** Python worker threads (default: os.availableParallelism()). */
  pythonWorkers?: number;
  /** After the interrupt, how long a hung Python program gets before its worker is terminated (default 2000). */
  pythonGraceMs?: number;
  /** JavaScript child processes (default: os.availableParallelism()). */
  javascriptWorkers?: number;
  /** Native Python sandboxes running at once (default: os.availableParallelism()). */
  nativeWorkers?: number;
  /** Finds the native executor on first use (default detectNativePython()); a seam for tests. */
  detectNative?: () => Promise<NativeAvailability>;
}

/** GradeContext's code runner, with the lifecycle its owner needs. */
export interface ClosableCodeRunner extends CodeRunner {
  run(code: string, language: CodeLanguage, tests: readonly CodeTest[], options: RunOptions): Promise<CodeVerdict>;
  /** Terminates the sandboxes; pending runs are rejected. */
  close(): Promise<void>;
  /** Pyodide load times (ms) of the Python workers started so far. */
  readonly pythonStartTimesMs: number[];
  /** Sandboxes (Python workers, JavaScript child processes) started so far: none until a program runs. */
  readonly sandboxStarts: { python: number; javascript: number };
  /** Native Python sandboxes started so far (one per test). */
  readonly nativeStarts: number;
  /** Whether the native executor runs here (detected once, on first asking), with the reason when not. */
  nativePython(): Promise<NativeAvailability>;
  /** One whole program in a fresh native sandbox (SciCode), queued with the native tests. */
  runProgram: RunPythonProgram;
}

export function createCodeRunner(options: CodeRunnerOptions = {}): ClosableCodeRunner {
  let pool: PythonPool | undefined;
  let javascriptPool: SandboxPool<JavaScriptSlot> | undefined;
  let closed = false;
  let native: Promise<NativeAvailability> | undefined;
  let nativeStarts = 0;
  const nativeQueue = new PQueue({ concurrency: options.nativeWorkers ?? availableParallelism() });
  const nativePython = (): Promise<NativeAvailability> => {
    native ??= (options.detectNative ?? detectNativePython)();
    return native;
  };
  const nativeSandbox = async (): Promise<NativeSandbox> => {
    const found = await nativePython();
    if (!found.available) throw new Error(`the native Python executor is not available: ${found.reason}`);
    return found;
  };
  const pythonPool = (): PythonPool => {
    pool ??= new PythonPool({
      ...(options.pythonWorkers === undefined ? {} : { workers: options.pythonWorkers }),
      ...(options.pythonGraceMs === undefined ? {} : { graceMs: options.pythonGraceMs }),
    });
    return pool;
  };
  return {
    async run(code, language, tests, runOptions) {
      if (closed) throw new Error("the code runner is closed");
      checkTestData(tests, runOptions);
      const { funcName, limits, stopAtFirstFailure } = runOptions;
      if (language === "python" && runOptions.executor === "native") {
        const sandbox = await nativeSandbox();
        return runTestSequence(
          tests,
          async (test) => {
            const outcome = await nativeQueue.add(() => {
              if (closed) throw new Error("the code runner is closed");
              nativeStarts += 1;
              return runNativePythonTest(sandbox, code, test, funcName, limits);
            });
            if (outcome === undefined) throw new Error("the native Python queue dropped a test");
            return outcome;
          },
          stopAtFirstFailure,
        );
      }
      if (language === "python") {
        const workers = pythonPool();
        return runTestSequence(
          tests,
          (test) => runPythonTest(workers, code, test, funcName, limits),
          stopAtFirstFailure,
        );
      }
      javascriptPool ??= new SandboxPool("JavaScript", () => new JavaScriptSlot(), options.javascriptWorkers);
      // One child runs all of a program's tests, then drops its isolate before the next program gets it.
      return javascriptPool.use(async (slot) => {
        try {
          return await runTestSequence(tests, (test) => slot.runTest(code, limits, test, funcName), stopAtFirstFailure);
        } finally {
          slot.release();
        }
      });
    },
    async close() {
      closed = true;
      // Queued native tests reject as they come up; running ones end at their own time limit (and with us).
      await Promise.all([javascriptPool?.close(), pool?.close()]);
    },
    get pythonStartTimesMs() {
      return pool?.startTimesMs ?? [];
    },
    get sandboxStarts() {
      return { python: pool?.starts ?? 0, javascript: javascriptPool?.starts ?? 0 };
    },
    get nativeStarts() {
      return nativeStarts;
    },
    nativePython,
    async runProgram(program, programOptions) {
      if (closed) throw new Error("the code runner is closed");
      const sandbox = await nativeSandbox();
      const result = await nativeQueue.add(() => {
        if (closed) throw new Error("the code runner is closed");
        nativeStarts += 1;
        return runNativePython(sandbox, program, programOptions);
      });
      if (result === undefined) throw new Error("the native Python queue dropped a program");
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut };
    },
  };
}
