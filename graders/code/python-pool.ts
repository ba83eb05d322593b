/**
 * A pool of Pyodide worker threads (python-worker-slot.ts), one test at a time per worker, sized to the cores (the
 * places and the queue are sandbox-pool.ts's). Workers start lazily on the first test and idle workers do not keep
 * the process alive.
 */
import type { PythonJob } from "./python-protocol.ts";
import { PythonWorkerSlot, type SlotResult, type SlotSettings } from "./python-worker-slot.ts";
import { SandboxPool } from "./sandbox-pool.ts";

export interface PythonPoolOptions {
  /** Worker threads (default: os.availableParallelism()). */
  workers?: number;
  /** After the KeyboardInterrupt, how long before a hung worker is terminated (default 2000 ms). */
  graceMs?: number;
  /** Standard output kept per test (default 16 MB). */
  outputLimitBytes?: number;
  /** JS heap per worker (default 512 MB). */
  workerHeapMb?: number;
}

export type PythonTestJob = Omit<PythonJob, "type" | "id">;

export const DEFAULT_OUTPUT_LIMIT_BYTES = 16 * 1024 * 1024;

export class PythonPool {
  readonly #pool: SandboxPool<PythonWorkerSlot>;

  constructor(options: PythonPoolOptions = {}) {
    const settings: SlotSettings = {
      graceMs: options.graceMs ?? 2000,
      outputLimitBytes: options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
      workerHeapMb: options.workerHeapMb ?? 512,
    };
    this.#pool = new SandboxPool("Python", () => new PythonWorkerSlot(settings), options.workers);
  }

  /** Pyodide load times (ms) of the workers started so far, for reporting. */
  get startTimesMs(): number[] {
    return this.#pool.slots.flatMap((slot) => (slot.lastStartMs === undefined ? [] : [slot.lastStartMs]));
  }

  /** Workers started so far (a replaced worker counts again). */
  get starts(): number {
    return this.#pool.starts;
  }

  /** Runs one test on the first free worker. */
  run(job: PythonTestJob, timeoutMs: number): Promise<SlotResult> {
    return this.#pool.use((slot) => slot.run(job, timeoutMs));
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
