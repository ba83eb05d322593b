/**
 * The code-grading lifecycle for a CLI run: create one runner, grade many programs (Python and JavaScript,
 * concurrently), close it at the end. The Python worker pool starts on the first Python test, the JavaScript
 * process pool on the first JavaScript test: a runner that runs no code starts neither Pyodide nor isolated-vm.
 */
import type { CodeRunner } from "../../src/core/types.ts";
import { JavaScriptSlot } from "./javascript-slot.ts";
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
}

export function createCodeRunner(options: CodeRunnerOptions = {}): ClosableCodeRunner {
  let pool: PythonPool | undefined;
  let javascriptPool: SandboxPool<JavaScriptSlot> | undefined;
  let closed = false;
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
      await Promise.all([javascriptPool?.close(), pool?.close()]);
    },
    get pythonStartTimesMs() {
      return pool?.startTimesMs ?? [];
    },
    get sandboxStarts() {
      return { python: pool?.starts ?? 0, javascript: javascriptPool?.starts ?? 0 };
    },
  };
}
