/**
 * A pool of Pyodide worker threads, one test at a time per worker, sized to the cores. Workers start lazily on
 * the first test and idle workers do not keep the process alive.
 */
import { availableParallelism } from "node:os";
import type { PythonJob } from "./python-protocol.ts";
import { PythonWorkerSlot, type SlotResult, type SlotSettings } from "./python-worker-slot.ts";

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

interface Waiting {
  job: PythonTestJob;
  timeoutMs: number;
  resolve: (result: SlotResult) => void;
  reject: (error: unknown) => void;
}

export const DEFAULT_OUTPUT_LIMIT_BYTES = 16 * 1024 * 1024;

export class PythonPool {
  readonly #idle: PythonWorkerSlot[];
  readonly #slots: readonly PythonWorkerSlot[];
  readonly #queue: Waiting[] = [];
  #closed = false;

  constructor(options: PythonPoolOptions = {}) {
    const size = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    const settings: SlotSettings = {
      graceMs: options.graceMs ?? 2000,
      outputLimitBytes: options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
      workerHeapMb: options.workerHeapMb ?? 512,
    };
    this.#slots = Array.from({ length: size }, () => new PythonWorkerSlot(settings));
    this.#idle = [...this.#slots];
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Pyodide load times (ms) of the workers started so far, for reporting. */
  get startTimesMs(): number[] {
    return this.#slots.flatMap((slot) => (slot.lastStartMs === undefined ? [] : [slot.lastStartMs]));
  }

  run(job: PythonTestJob, timeoutMs: number): Promise<SlotResult> {
    if (this.#closed) return Promise.reject(new Error("the Python pool is closed"));
    return new Promise<SlotResult>((resolve, reject) => {
      this.#queue.push({ job, timeoutMs, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiting of this.#queue.splice(0)) waiting.reject(new Error("the Python pool is closed"));
    await Promise.all(this.#slots.map((slot) => slot.close()));
  }

  #dispatch(): void {
    while (!this.#closed && this.#idle.length > 0 && this.#queue.length > 0) {
      const slot = this.#idle.pop();
      const waiting = this.#queue.shift();
      if (slot === undefined || waiting === undefined) return;
      slot
        .run(waiting.job, waiting.timeoutMs)
        .then(waiting.resolve, waiting.reject)
        .finally(() => {
          this.#idle.push(slot);
          this.#dispatch();
        });
    }
  }
}
