/**
 * A fixed set of places for sandboxes (Pyodide worker threads, isolated-vm child processes), handed out one job at a
 * time: `use` waits for a free place, runs the job on it and gives it back. Each place starts its sandbox on demand
 * and replaces one that was killed; the pool only decides who runs where, in arrival order. Closing rejects the
 * jobs still waiting and closes every place.
 */
import { availableParallelism } from "node:os";

/** One place in a pool; it owns at most one sandbox. */
export interface PoolSlot {
  /** Sandboxes this place has started so far (a restart counts again). */
  readonly starts: number;
  close(): void | Promise<void>;
}

interface Waiting<S> {
  resolve: (slot: S) => void;
  reject: (error: Error) => void;
}

export class SandboxPool<S extends PoolSlot> {
  /** Every place, in the order they were made. */
  readonly slots: readonly S[];
  readonly #name: string;
  readonly #idle: S[];
  readonly #waiting: Waiting<S>[] = [];
  #closed = false;

  /** `name` is said in errors ("the Python pool is closed"); size defaults to the cores. */
  constructor(name: string, makeSlot: () => S, size: number = availableParallelism()) {
    this.#name = name;
    this.slots = Array.from({ length: Math.max(1, Math.floor(size)) }, makeSlot);
    this.#idle = [...this.slots];
  }

  /** Runs `job` on a free place, waiting for one in arrival order; the place is given back however `job` ends. */
  async use<T>(job: (slot: S) => Promise<T>): Promise<T> {
    const slot = await this.#acquire();
    try {
      return await job(slot);
    } finally {
      this.#release(slot);
    }
  }

  /** Sandboxes started so far by all places. */
  get starts(): number {
    return this.slots.reduce((sum, slot) => sum + slot.starts, 0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiting of this.#waiting.splice(0)) waiting.reject(this.#closedError());
    await Promise.all(this.slots.map((slot) => slot.close()));
  }

  #acquire(): Promise<S> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const slot = this.#idle.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #release(slot: S): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next.resolve(slot);
    else this.#idle.push(slot);
  }

  #closedError(): Error {
    return new Error(`the ${this.#name} pool is closed`);
  }
}

/** How a place starts and stops its kind of sandbox. */
export interface SandboxStarter<H> {
  /** Starts one: the handle at once (a close during start-up must reach it), `ready` once it takes work. */
  start(): { handle: H; ready: Promise<void> };
  /** Stops one for good: it hung, crashed, failed to start, or the pool closes. */
  stop(handle: H): void | Promise<void>;
}

/**
 * The sandbox of one place: started on the first job, kept for the next ones, and started afresh on the job after
 * it was discarded (killed on a time limit, crashed, out of memory). A start that fails is discarded too, so the
 * next job tries again.
 */
export class SandboxHolder<H> {
  readonly #name: string;
  readonly #starter: SandboxStarter<H>;
  #current: H | undefined;
  #ready: Promise<H> | undefined;
  #closed = false;
  #starts = 0;

  constructor(name: string, starter: SandboxStarter<H>) {
    this.#name = name;
    this.#starter = starter;
  }

  /** The running (or starting) sandbox, if any. */
  get current(): H | undefined {
    return this.#current;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sandboxes started so far (a restart counts again). */
  get starts(): number {
    return this.#starts;
  }

  /** The sandbox, ready for work; started now when there is none. */
  get(): Promise<H> {
    if (this.#closed) return Promise.reject(new Error(`the ${this.#name} pool is closed`));
    if (this.#ready === undefined) {
      const { handle, ready } = this.#starter.start();
      this.#starts += 1;
      this.#current = handle;
      this.#ready = ready.then(
        () => handle,
        (error: unknown) => {
          this.discard(handle);
          throw error;
        },
      );
    }
    return this.#ready;
  }

  /** Whether `handle` is still this place's sandbox (not discarded since). */
  holds(handle: H): boolean {
    return this.#current === handle;
  }

  /** Forgets `handle` and stops it; the next `get` starts a fresh sandbox. */
  discard(handle: H): void {
    if (this.#current === handle) {
      this.#current = undefined;
      this.#ready = undefined;
    }
    void this.#starter.stop(handle);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const handle = this.#current;
    this.#current = undefined;
    this.#ready = undefined;
    if (handle !== undefined) await this.#starter.stop(handle);
  }
}
