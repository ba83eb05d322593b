/**
 * One place in the Python pool: owns at most one worker thread (python-worker.ts), starts it on demand, runs one
 * test at a time on it and replaces it when it hangs past the time limit, crashes or runs out of memory.
 */
import { Worker } from "node:worker_threads";
import type { HarnessOutcome, PythonJob, PythonWorkerData, WorkerMessage } from "./python-protocol.ts";
import { SandboxHolder } from "./sandbox-pool.ts";

/** What one test run on a worker produced (the stdout of a stdin program is judged by the caller). */
export interface SlotResult {
  outcome: HarnessOutcome;
  stdout: string;
  outputOverflow: boolean;
  /** The host's own clock ran out (the interrupt was sent): a time limit, whatever the sandbox reports. */
  timedOut: boolean;
}

export interface SlotSettings {
  /** After the interrupt, how long a program gets to unwind before its worker is terminated. */
  graceMs: number;
  outputLimitBytes: number;
  /** JS heap of the worker (Pyodide's JS side; Python objects live in WebAssembly memory, capped separately). */
  workerHeapMb: number;
}

/** Deep recursion runs on the worker's native stack; LiveCodeBench's recursion limit of 50 000 needs room. */
const WORKER_STACK_MB = 256;
const SIGINT = 2;

export class PythonWorkerSlot {
  readonly #settings: SlotSettings;
  readonly #interruptBuffer = new SharedArrayBuffer(4);
  readonly #interrupt = new Int32Array(this.#interruptBuffer);
  // Terminating (not discarding) lets a test in flight see its worker exit and fail as "closed during a test".
  readonly #sandbox = new SandboxHolder<Worker>("Python", {
    start: () => this.#spawn(),
    stop: async (worker) => {
      await worker.terminate();
    },
  });
  #nextId = 1;
  /** Time to load Pyodide in the most recently started worker (ms). */
  lastStartMs: number | undefined;

  constructor(settings: SlotSettings) {
    this.#settings = settings;
  }

  /** Runs one test; rejects only when the worker cannot be started at all. */
  async run(job: Omit<PythonJob, "type" | "id">, timeoutMs: number): Promise<SlotResult> {
    const worker = await this.#sandbox.get();
    worker.ref(); // a test in flight keeps the process alive
    try {
      return await this.#runOn(worker, { ...job, type: "run", id: this.#nextId++ }, timeoutMs);
    } finally {
      if (this.#sandbox.holds(worker)) worker.unref();
    }
  }

  get starts(): number {
    return this.#sandbox.starts;
  }

  close(): Promise<void> {
    return this.#sandbox.close();
  }

  #spawn(): { handle: Worker; ready: Promise<void> } {
    // An interrupt left pending by a worker that was terminated mid-run would stop the new one while it loads.
    Atomics.store(this.#interrupt, 0, 0);
    const workerData: PythonWorkerData = {
      interruptBuffer: this.#interruptBuffer,
      outputLimitBytes: this.#settings.outputLimitBytes,
    };
    const worker = new Worker(new URL("./python-worker.ts", import.meta.url), {
      workerData,
      env: {}, // nothing of the host environment inside the sandbox, even on the JS side
      resourceLimits: { maxOldGenerationSizeMb: this.#settings.workerHeapMb, stackSizeMb: WORKER_STACK_MB },
    });
    const ready = new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        cleanup();
        ignoreLateEvents(worker); // the holder terminates it
        reject(new Error(`the Python sandbox did not start: ${error.message}`));
      };
      const onMessage = (message: WorkerMessage): void => {
        if (message.type === "ready") {
          cleanup();
          this.lastStartMs = message.loadMs;
          worker.unref();
          resolve();
        } else if (message.type === "startup_failed") {
          fail(new Error(message.message));
        }
      };
      const onError = (error: Error): void => fail(error);
      const onExit = (code: number): void => fail(new Error(`worker exited with code ${code}`));
      const cleanup = (): void => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
    return { handle: worker, ready };
  }

  #runOn(worker: Worker, job: PythonJob, timeoutMs: number): Promise<SlotResult> {
    Atomics.store(this.#interrupt, 0, 0);
    const started = performance.now();
    return new Promise<SlotResult>((resolve, reject) => {
      let graceTimer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const cleanup = (): void => {
        clearTimeout(timeLimitTimer);
        clearTimeout(graceTimer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      const finish = (result: SlotResult): void => {
        cleanup();
        resolve(result);
      };
      const lost = (outcome: HarnessOutcome): void => {
        this.#discard(worker);
        finish({
          outcome: { ...outcome, ms: performance.now() - started },
          stdout: "",
          outputOverflow: false,
          timedOut,
        });
      };
      const timeLimitTimer = setTimeout(() => {
        // First ask nicely (KeyboardInterrupt); a program that swallows it loses its worker.
        timedOut = true;
        Atomics.store(this.#interrupt, 0, SIGINT);
        graceTimer = setTimeout(() => lost({ status: "time_limit" }), this.#settings.graceMs);
      }, timeoutMs);
      const onMessage = (message: WorkerMessage): void => {
        if (message.type !== "result" || message.id !== job.id) return;
        if (message.fatal) this.#discard(worker);
        finish({ outcome: message.outcome, stdout: message.stdout, outputOverflow: message.outputOverflow, timedOut });
      };
      const onError = (error: Error & { code?: string }): void => {
        lost(
          error.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? { status: "memory_limit", detail: "sandbox heap exhausted" }
            : { status: "runtime_error", detail: `sandbox crashed: ${error.message}`.slice(0, 300) },
        );
      };
      const onExit = (code: number): void => {
        if (this.#sandbox.closed) {
          cleanup();
          reject(new Error("the Python pool was closed during a test"));
        } else {
          lost({ status: "runtime_error", detail: `sandbox exited (${code})` });
        }
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.postMessage(job);
    });
  }

  /** Forgets a worker that cannot be trusted any more; the next run starts a fresh one. */
  #discard(worker: Worker): void {
    ignoreLateEvents(worker);
    this.#sandbox.discard(worker);
  }
}

function ignoreLateEvents(worker: Worker): void {
  worker.removeAllListeners();
  worker.on("error", () => {}); // late errors of a dying worker are expected
}
