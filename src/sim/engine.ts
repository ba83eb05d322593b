/**
 * The timing model, like one vLLM engine: at most maxNumSeqs sequences run at once and the rest wait in
 * a FIFO queue. A running sequence first prefills (ttftMs + ttftPerPromptTokenMs × prompt tokens), which
 * yields its first token, then decodes the rest at min(decodeTokensPerSec, maxDecodeTokensPerSec / decoding),
 * so total throughput saturates as concurrency grows.
 *
 * Decoding is a fluid model: each decoding sequence accrues fractional tokens at the current rate, and the
 * rate changes only at events (a prefill ends, a token is due, a sequence finishes). The engine sets one
 * timer for the next event, so with an exact clock every token lands at its exact time. A real timer fires
 * late by up to a millisecond or so; the tokens accrued meanwhile are emitted together on the next step,
 * so throughput stays right even when tokens are due more often than timers can fire.
 *
 * The clock is a parameter: tests drive the engine with a manual clock and assert times without waiting.
 */
import type { SimSpeed } from "./profiles.ts";

export interface EngineClock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Calls `callback` after `delayMs`; returns a function that cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void;
}

export const realClock: EngineClock = {
  now: () => performance.now(),
  setTimer: (callback, delayMs) => {
    const timer = setTimeout(callback, delayMs);
    return () => clearTimeout(timer);
  },
};

/** Time from admission to the first token. */
export function prefillMs(speed: SimSpeed, promptTokens: number): number {
  return speed.ttftMs + speed.ttftPerPromptTokenMs * promptTokens;
}

/** Decode rate of each stream while `decoding` streams share the engine. */
export function streamTokensPerSec(speed: SimSpeed, decoding: number): number {
  return Math.min(speed.decodeTokensPerSec, speed.maxDecodeTokensPerSec / Math.max(1, decoding));
}

/** Decode tokens per second of the whole engine with `decoding` streams: min(n × per-stream, capacity). */
export function engineTokensPerSec(speed: SimSpeed, decoding: number): number {
  return decoding <= 0 ? 0 : decoding * streamTokensPerSec(speed, decoding);
}

export interface EngineJob {
  /**
   * When the request reached the server, on the engine's clock. Prefill is timed from then, or from when a slot
   * freed if the engine was full: the server's own work on the request (reading, parsing, counting tokens) is
   * inside the modelled TTFT, as vLLM's is inside its own, not added to it. Default: the time of submit.
   */
  arrivedAt?: number;
  promptTokens: number;
  completionTokens: number;
  /** Token `index` (0-based) is ready; index 0 comes at the end of prefill. */
  onToken(index: number): void;
  /** Every token has been emitted (for a job of 0 tokens: prefill has ended). */
  onDone(): void;
}

export interface EngineTicket {
  /** Removes the job (client went away): frees its slot, no more callbacks. */
  cancel(): void;
}

/** What the server needs from an engine; the instant engine has no delays. */
export interface TokenScheduler {
  submit(job: EngineJob): EngineTicket;
  close(): void;
}

// Float slack: a token due at t must not wait for another timer because of rounding in credit arithmetic.
const EPSILON = 1e-9;

interface Sequence {
  job: EngineJob;
  state: "queued" | "prefill" | "decoding" | "finished";
  readyAt: number;
  emitted: number;
  credit: number;
}

export class DecodeEngine implements TokenScheduler {
  readonly #speed: SimSpeed;
  readonly #clock: EngineClock;
  #queue: Sequence[] = [];
  #active: Sequence[] = [];
  #lastAt: number;
  #cancelTimer: (() => void) | undefined;
  #stepping = false;
  /** When a slot last freed in a full engine: a request that arrived before it waited for that slot. */
  #slotFreedAt = Number.NEGATIVE_INFINITY;

  constructor(speed: SimSpeed, clock: EngineClock = realClock) {
    this.#speed = speed;
    this.#clock = clock;
    this.#lastAt = clock.now();
  }

  submit(job: EngineJob): EngineTicket {
    const sequence: Sequence = { job, state: "queued", readyAt: 0, emitted: 0, credit: 0 };
    this.#queue.push(sequence);
    this.#step();
    return { cancel: () => this.#cancel(sequence) };
  }

  /** Counts for tests and logs. */
  load(): { queued: number; prefilling: number; decoding: number } {
    return {
      queued: this.#queue.length,
      prefilling: this.#active.filter((s) => s.state === "prefill").length,
      decoding: this.#active.filter((s) => s.state === "decoding").length,
    };
  }

  /** Drops every job without callbacks and stops the timer. */
  close(): void {
    for (const sequence of [...this.#queue, ...this.#active]) sequence.state = "finished";
    this.#queue = [];
    this.#active = [];
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  #cancel(sequence: Sequence): void {
    if (sequence.state === "finished") return;
    sequence.state = "finished";
    if (!this.#stepping) this.#step();
  }

  /** Brings every sequence up to now, emits due tokens, admits from the queue, and sets the next timer. */
  #step(): void {
    if (this.#stepping) return;
    this.#stepping = true;
    try {
      const now = this.#clock.now();
      this.#accrue(now);
      // Emitting can finish sequences and admit new ones whose prefill is instant, so repeat until stable.
      while (this.#emitDue(now) || this.#admit(now)) {
        /* repeat */
      }
      this.#schedule(now);
    } finally {
      this.#stepping = false;
    }
  }

  #accrue(now: number): void {
    const elapsedMs = now - this.#lastAt;
    this.#lastAt = now;
    const decoding = this.#active.filter((s) => s.state === "decoding");
    const perMs = streamTokensPerSec(this.#speed, decoding.length) / 1000;
    for (const sequence of decoding) sequence.credit += perMs * elapsedMs;
  }

  /** Emits every token due by `now`; true when a sequence changed state. */
  #emitDue(now: number): boolean {
    let changed = false;
    // A late timer must not stretch the model: decoding is credited from when prefill was due, not from `now`,
    // and a slot counts as freed when its last token was due. So the engine's capacity, and the queue it
    // implies (sim/capacity.ts), hold however late timers fire on a busy machine.
    const perMs = streamTokensPerSec(this.#speed, this.#active.filter((s) => s.state === "decoding").length) / 1000;
    for (const sequence of this.#active) {
      if (sequence.state === "prefill" && sequence.readyAt <= now + EPSILON) {
        sequence.state = "decoding";
        sequence.credit = Math.max(0, now - sequence.readyAt) * perMs;
        changed = true;
        if (sequence.job.completionTokens > 0) this.#emit(sequence);
      }
      while (
        sequence.state === "decoding" &&
        sequence.emitted < sequence.job.completionTokens &&
        sequence.credit >= 1 - EPSILON
      ) {
        sequence.credit -= 1;
        this.#emit(sequence);
      }
      if (sequence.state === "decoding" && sequence.emitted >= sequence.job.completionTokens) {
        const dueAt = perMs > 0 ? now - Math.max(0, sequence.credit) / perMs : now;
        if (this.#active.length >= this.#speed.maxNumSeqs) this.#slotFreedAt = Math.max(this.#slotFreedAt, dueAt);
        sequence.state = "finished";
        changed = true;
        sequence.job.onDone();
      }
    }
    const before = this.#active.length;
    this.#active = this.#active.filter((s) => s.state !== "finished");
    return changed || this.#active.length !== before;
  }

  #emit(sequence: Sequence): void {
    const index = sequence.emitted;
    sequence.emitted += 1;
    sequence.job.onToken(index);
  }

  /** Admits queued sequences into free slots; true when any was admitted. */
  #admit(now: number): boolean {
    this.#queue = this.#queue.filter((s) => s.state !== "finished");
    let admitted = false;
    while (this.#active.length < this.#speed.maxNumSeqs) {
      const next = this.#queue.shift();
      if (next === undefined) break;
      next.state = "prefill";
      const start = Math.max(Math.min(next.job.arrivedAt ?? now, now), this.#slotFreedAt);
      next.readyAt = start + prefillMs(this.#speed, next.job.promptTokens);
      this.#active.push(next);
      admitted = true;
    }
    return admitted;
  }

  #schedule(now: number): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const perMs = streamTokensPerSec(this.#speed, this.#active.filter((s) => s.state === "decoding").length) / 1000;
    let nextAt = Infinity;
    for (const sequence of this.#active) {
      if (sequence.state === "prefill") nextAt = Math.min(nextAt, sequence.readyAt);
      else if (sequence.state === "decoding") nextAt = Math.min(nextAt, now + Math.max(0, 1 - sequence.credit) / perMs);
    }
    if (nextAt === Infinity) return;
    this.#cancelTimer = this.#clock.setTimer(
      () => {
        this.#cancelTimer = undefined;
        this.#step();
      },
      Math.max(0, nextAt - now),
    );
  }
}

/** "instant" speed: every token at once, on the next microtask (so callers can hold the ticket first). */
export class InstantScheduler implements TokenScheduler {
  #closed = false;

  submit(job: EngineJob): EngineTicket {
    let cancelled = false;
    queueMicrotask(() => {
      for (let index = 0; index < job.completionTokens; index++) {
        if (cancelled || this.#closed) return;
        job.onToken(index);
      }
      if (!cancelled && !this.#closed) job.onDone();
    });
    return {
      cancel: () => {
        cancelled = true;
      },
    };
  }

  close(): void {
    this.#closed = true;
  }
}
