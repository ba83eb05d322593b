/** Messages between the Python pool (python-pool.ts) and its worker threads (python-worker.ts). */

/** Given to each worker as workerData. */
export interface PythonWorkerData {
  /** Int32Array[1] that Pyodide polls; the parent stores 2 (SIGINT) to raise KeyboardInterrupt. */
  interruptBuffer: SharedArrayBuffer;
  /** Bytes of standard output kept per test; beyond it the test fails with "output limit". */
  outputLimitBytes: number;
}

export interface PythonJob {
  type: "run";
  id: number;
  kind: "stdin" | "functional";
  code: string;
  input: string;
  /** Functional tests: the function to call. (Expected outputs never enter the sandbox: the host compares.) */
  funcName: string;
  /** WebAssembly memory the program may add on top of the interpreter's own heap. */
  memoryMb: number;
}

/**
 * What the harness reports for one test: "completed" = a stdin program ended (its stdout is compared by the
 * host), "returned" = a function returned `value` (JSON, compared by the host), or how the program failed.
 */
export interface HarnessOutcome {
  status: "completed" | "returned" | "wrong_answer" | "runtime_error" | "time_limit" | "memory_limit" | "compile_error";
  detail?: string;
  /** With "returned": the JSON of the returned value. */
  value?: string;
  ms?: number;
  /** The program damaged the sandbox beyond repair (its standard files): the worker must be replaced. */
  recycle?: boolean;
}

export type WorkerMessage =
  | { type: "ready"; loadMs: number; heapMb: number }
  | {
      type: "result";
      id: number;
      outcome: HarnessOutcome;
      stdout: string;
      outputOverflow: boolean;
      memoryCapHit: boolean;
      /** The interpreter is no longer usable (Pyodide fatal error); the worker must be replaced. */
      fatal: boolean;
    }
  | { type: "startup_failed"; message: string };
