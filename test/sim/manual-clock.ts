/** A clock for DecodeEngine tests: time moves only when the test says, and timers fire at their exact due time. */
import type { EngineClock } from "../../src/sim/index.ts";

interface Timer {
  dueAt: number;
  order: number;
  callback: () => void;
  cancelled: boolean;
}

export class ManualClock implements EngineClock {
  #now = 0;
  #order = 0;
  #timers: Timer[] = [];

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const timer: Timer = { dueAt: this.#now + delayMs, order: this.#order++, callback, cancelled: false };
    this.#timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Fires every timer due by `at`, in due order, with the clock set to each one's due time. */
  advanceTo(at: number): void {
    for (;;) {
      const next = this.#nextTimer();
      if (next === undefined || next.dueAt > at) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.dueAt;
      next.callback();
    }
    this.#now = Math.max(this.#now, at);
  }

  /** Fires timers until none is left; returns the time of the last one. Throws on a runaway loop. */
  runAll(maxTimers = 1_000_000): number {
    for (let fired = 0; ; fired++) {
      const next = this.#nextTimer();
      if (next === undefined) return this.#now;
      if (fired >= maxTimers) throw new Error(`more than ${maxTimers} timers: the engine does not settle`);
      this.advanceTo(next.dueAt);
    }
  }

  pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  #nextTimer(): Timer | undefined {
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    let best: Timer | undefined;
    for (const t of this.#timers)
      if (best === undefined || t.dueAt < best.dueAt || (t.dueAt === best.dueAt && t.order < best.order)) best = t;
    return best;
  }
}
