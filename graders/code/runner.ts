/**
 * The code-grading lifecycle for a CLI run: create one runner, grade many programs (Python and JavaScript,
 * concurrently), close it at the end. The Python worker pool starts on the first Python test.
 */
import { JavaScriptProgram } from "./javascript.ts";
import { PythonPool } from "./python-pool.ts";
import { runPythonTest } from "./python.ts";
import { checkTestData, runTestSequence } from "./test-sequence.ts";
import type { CodeLanguage, CodeTest, CodeVerdict, RunOptions } from "./types.ts";

export interface CodeRunnerOptions {
  /** Python worker threads (default: os.availableParallelism()). */
  pythonWorkers?: number;
  /** After the interrupt, how long a hung Python program gets before its worker is terminated (default 2000). */
  pythonGraceMs?: number;
}

export interface CodeRunner {
  run(code: string, language: CodeLanguage, tests: readonly CodeTest[], options: RunOptions): Promise<CodeVerdict>;
  /** Terminates the Python workers; pending runs are rejected. */
  close(): Promise<void>;
  /** Pyodide load times (ms) of the Python workers started so far. */
  readonly pythonStartTimesMs: number[];
}

export function createCodeRunner(options: CodeRunnerOptions = {}): CodeRunner {
  let pool: PythonPool | undefined;
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
        return runTestSequence(tests, (test) => runPythonTest(workers, code, test, funcName, limits), stopAtFirstFailure);
      }
      const program = new JavaScriptProgram(code, limits);
      try {
        return await runTestSequence(tests, (test) => program.runTest(test, funcName), stopAtFirstFailure);
      } finally {
        program.dispose();
      }
    },
    async close() {
      closed = true;
      await pool?.close();
    },
    get pythonStartTimesMs() {
      return pool?.startTimesMs ?? [];
    },
  };
}
